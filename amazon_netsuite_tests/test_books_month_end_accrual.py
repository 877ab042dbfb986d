"""The books of a month that ends inside a settlement period, proven by NetSuite's own trial balance.

demo-US posts its settlements as summary journals (its orders are not posted). The sandbox clock first stands at
3 November 2026 noon, its world starting on 26 September: the settlements of 26 Sep–10 Oct and 10–24 Oct are
deposited and posted, the one of 24 Oct–7 Nov is still open. After the month-end accrual, October's P&L (revenue,
fees, reimbursements) equals the sandbox world's truth for October to the cent, computed from the world's settlement
lines posted in October (`sandbox/world/books.py`), never from the integration's mapping or records; November holds
the accrual's reversal. Then the clock moves to 10 November: the open settlement posts (its October lines in a part
dated 31 October), the accrual run again finds nothing left and goes with its reversal, and October still equals
the truth: nothing is counted twice. Every day is in the past, so the sync's own clock (today) sees them all.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.netsuite.trial_balance import ledger_transactions, made_from, trial_balance
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.world.books import settlement_books, world_orders
from amazon_netsuite.sandbox.world.settlements import periods_available, settlement, settlement_streams
from amazon_netsuite.sandbox.world.transactions import periods_between
from amazon_netsuite.schema import ensure_schema
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox
from amazon_netsuite_tests.lib.accruals.test_month_end_accrual import land_finance_transactions

pytestmark = pytest.mark.books

D = Decimal
ZERO = D(0)
US = "demo-US"
FIRST_DAY = date(2026, 9, 26)
BEFORE, AFTER = datetime(2026, 11, 3, 12, tzinfo=timezone.utc), datetime(2026, 11, 10, 12, tzinfo=timezone.utc)
OCTOBER, NOVEMBER = datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc)
MONTH_END = date(2026, 10, 31)
_SALE_CHARGES = {"Principal", "Shipping", "GiftWrap"}


def _truth(world, since: datetime, until: datetime) -> dict[str, Decimal]:
    """The P&L of the US settlement lines posted in [since, until), as NetSuite shows it (debit − credit): revenue
    (sales less refunds and promotions; US prices exclude tax), fees, reimbursements."""
    stream = settlement_streams(world.settings)[0]
    orders = world_orders(world, world.markets, until)
    revenue = fees = reimbursements = ZERO
    for period in periods_between(world, stream, since, until):
        found = settlement(world, period)
        lines = tuple(ln for ln in found.lines if since <= ln.posted < until)
        books = settlement_books(world, dataclasses.replace(found, lines=lines), orders)
        revenue += sum((ln.amount for ln in lines if ln.amount_type in ("ItemPrice", "Promotion")
                        and ln.amount_description in _SALE_CHARGES), ZERO)
        fees += books.fees
        reimbursements += books.reimbursements
    return {"revenue": -revenue, "fees": fees, "reimbursements": -reimbursements}


def _books(period: str) -> dict[str, Decimal]:
    """NetSuite's trial balance of demo-US's records (the ledger's and what NetSuite made from them) in a month."""
    settings = load_settings()
    with NetSuiteClient(netsuite_connection(settings)) as client, connect(read_only=True) as con:
        ours = made_from(client, ledger_transactions(con, US, client.connection.ledger_account))
        rows = trial_balance(client, period=period, transactions=ours)
    by_type = {t: sum((r.balance for r in rows if r.account_type == t), ZERO) for t in ("Income", "Expense",
                                                                                      "OthIncome")}
    return {"revenue": by_type["Income"], "fees": by_type["Expense"], "reimbursements": by_type["OthIncome"]}


def _sync_settlements(instance) -> None:
    from amazon_netsuite.sync import sync_settlements

    window = (datetime.now(timezone.utc).date() - FIRST_DAY).days + 1  # every deposit, whatever today is
    outcome = sync_settlements(window, instance=instance, say=lambda _: None)
    assert outcome.failed == []


def _accrue(instance) -> dict:
    from amazon_netsuite.definitions import defs

    result = defs().resolve_job_def("accruals_job").execute_in_process(
        partition_key=partition_key(US, MONTH_END), instance=instance, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    (materialization,) = result.asset_materializations_for_node("month_end_accruals")
    return {k: v.value for k, v in materialization.metadata.items()}


def us_project(tmp_path_factory, name: str, post_orders: bool):
    """demo-US alone, its orders posted or not, partitions from before the world's first day: (the project's
    directory, a monkeypatch holding its settings file, a Dagster instance)."""
    tmp = tmp_path_factory.mktemp(name)
    settings = demo_settings_for(lambda key: key == US)
    for account in settings["seller_accounts"]:
        for storefront in account["storefronts"]:
            storefront["post_orders"] = post_orders
    settings["partitions"] = {"start_date": (FIRST_DAY - timedelta(days=4)).isoformat()}
    path = tmp / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        yield tmp, mp, dg.DagsterInstance.ephemeral()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    yield from us_project(tmp_path_factory, "books-accrual", post_orders=False)


def us_sandbox(tmp, mp, clock: datetime):
    running = start_sandbox(tmp / "sandbox", clock=clock, history_days=(clock.date() - FIRST_DAY).days,
                            orders_per_day=12)
    sandbox = running.__enter__()
    _project_env(mp, tmp, sandbox.url)
    mp.setenv("AMAZON_NETSUITE_ACCOUNTS", str(tmp / "accounts.yaml"))
    return running, sandbox


def test_a_month_ending_inside_a_settlement_matches_the_worlds_truth_before_and_after_that_settlement(project):
    tmp, mp, instance = project
    running, sandbox = us_sandbox(tmp, mp, BEFORE)
    try:
        world = sandbox.app.state.sandbox.world
        assert world.first_day == FIRST_DAY
        october = _truth(world, OCTOBER, NOVEMBER)
        _sync_settlements(instance)
        with connect() as con:
            ensure_schema(con)
            land_finance_transactions(con, load_settings(), OCTOBER, NOVEMBER)
        before_accrual = _books("2026-10")
        assert before_accrual != october  # the open settlement's October lines are missing
        metadata = _accrue(instance)
        assert metadata["journal"] == "AMZ-ACR-demo-US-202610"
        assert _books("2026-10") == october
        assert october["revenue"] < 0 and october["fees"] > 0
        # November holds the reversal alone: no November record has posted yet.
        assert _books("2026-11") == {k: before_accrual[k] - october[k] for k in october}
    finally:
        running.__exit__(None, None, None)

    running, sandbox = us_sandbox(tmp, mp, AFTER)  # the same NetSuite records, a week later
    try:
        world = sandbox.app.state.sandbox.world
        stream = settlement_streams(world.settings)[0]
        settled_until = max(p.end for p in periods_available(world, stream, AFTER))
        assert settled_until == datetime(2026, 11, 7, tzinfo=timezone.utc)
        _sync_settlements(instance)
        assert _accrue(instance)["journal"] == "nothing to accrue"
        assert _books("2026-10") == october  # the settlement's October part replaced the accrual, not added to it
        assert _books("2026-11") == _truth(world, NOVEMBER, settled_until)
    finally:
        running.__exit__(None, None, None)
