"""The month-end accrual over HTTP: November's Finances API transactions landed from the Amazon sandbox, the accrual
journal built from them and posted to the NetSuite sandbox, held against the sandbox world's own settlement lines.

The sandbox clock stands at 3 December 2026 noon and its world starts on 24 October, so the US settlement periods are
24 Oct–7 Nov, 7–21 Nov and 21 Nov–5 Dec: the last one spans the month end and is not settled yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from amazon_netsuite.lib.accruals.run import accrual_journal, external_id, post_accrual, write_daily_accrual
from amazon_netsuite.lib.amazon.client import SpApiClient
from amazon_netsuite.lib.amazon.finances import FinancesApi, transactions_table
from amazon_netsuite.lib.gl_journal import Line, summary_lines
from amazon_netsuite.lib.gl_mapping import load_gl_mapping, map_lines
from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.netsuite.trial_balance import made_from, trial_balance
from amazon_netsuite.lib.settings import amazon_connection, load_settings, netsuite_connection
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.schema import ensure_schema
from amazon_netsuite.sandbox.world.settlements import settlement, settlement_period, settlement_streams
from amazon_netsuite.sandbox.world.transactions import periods_between
from amazon_netsuite_tests.conftest import _project_env, start_sandbox

D = Decimal
ZERO = D(0)
CLOCK = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
HISTORY_DAYS = 40  # the world starts on 24 October
NOVEMBER, DECEMBER = datetime(2026, 11, 1, tzinfo=timezone.utc), datetime(2026, 12, 1, tzinfo=timezone.utc)
MONTH_END = date(2026, 11, 30)
US = "demo-US"
CLEARING = "ACCT-AMZ-CLEARING"
RESERVES = {"Previous Reserve Amount Balance", "Current Reserve Amount"}  # how a settlement holds money: no P&L


def land_finance_transactions(con, settings, since: datetime, until: datetime) -> int:
    """`finance_transactions` as the finances flow lands it (`lib/finances/run.load_transactions`, a day at a time),
    here weeks in one listTransactions walk per seller account: the rows of the settings' storefronts, with the
    storefront (by marketplace) and the UTC day posted."""
    storefront_of = {s.marketplace_id: s.key for a in settings.seller_accounts for s in a.storefronts}
    landed = 0
    for account in settings.seller_accounts:
        with SpApiClient(amazon_connection(settings, account.key), rate_scale=200.0) as client:
            table = transactions_table(FinancesApi(client).transactions(since, until))
        table = table.filter(pc.is_in(table.column("marketplace_id"), pa.array(list(storefront_of))))
        table = table.append_column("storefront", pa.array(
            [storefront_of[m] for m in table.column("marketplace_id").to_pylist()], pa.string()))
        table = table.append_column("day", pc.cast(pc.cast(table.column("posted_date"), pa.timestamp("us")),
                                                   pa.date32()))
        con.register("landed", table)
        con.execute("INSERT INTO finance_transactions BY NAME SELECT * FROM landed")
        con.unregister("landed")
        landed += table.num_rows
    return landed


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accruals")
    with start_sandbox(tmp / "sandbox", clock=CLOCK, history_days=HISTORY_DAYS, orders_per_day=12) as running, \
            pytest.MonkeyPatch.context() as mp:
        _project_env(mp, tmp, running.url)
        with connect() as con:
            ensure_schema(con)
            assert land_finance_transactions(con, load_settings(), NOVEMBER, DECEMBER) > 0
        yield running


def _world_lines(sandbox, since: datetime, until: datetime, numbers: set[int] | None = None,
                 storefront: str = US) -> list:
    """The storefront's settlement lines (reserves left out) posted in [since, until), of the periods `numbers`."""
    world = sandbox.app.state.sandbox.world
    stream = next(s for s in settlement_streams(world.settings) if storefront in s.storefront_keys)
    channel = world.markets[storefront].storefront.sales_channel
    return [ln for p in periods_between(world, stream, since, until) if numbers is None or p.number in numbers
            for ln in settlement(world, p).lines
            if since <= ln.posted < until and ln.amount_description not in RESERVES
            and (ln.marketplace_name == channel or not ln.order_id)]


def _settlement_books(lines, mapping, vat_rate: Decimal | None = None, currency: str = "USD") -> dict[str, Decimal]:
    """Account → amount (settlement signs) as the settlement's own summary journal books these lines."""
    table = pa.Table.from_pylist([{**ln._asdict(), "line_number": i, "netsuite_item": None}
                                  for i, ln in enumerate(lines)])
    mapped = [Line.from_row(row, mapping) for row in map_lines(table, mapping).to_pylist()]
    return _by_account(summary_lines(mapped, mapping, vat_rate, currency))


def _by_account(journal_lines) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in journal_lines:
        sums[line.account] += line.amount
    return {k: v for k, v in sums.items() if v}


def _journal_by_account(body: dict) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in body["line"]["items"]:
        sums[item["account"]["externalId"]] += D(item.get("credit") or 0) - D(item.get("debit") or 0)
    return {k: v for k, v in sums.items() if v}


def _journal(con, mapping):
    return accrual_journal(con, US, MONTH_END, mapping, currency="USD", subsidiary="SUB-na")


def test_with_no_settlement_posted_the_accrual_books_every_account_of_novembers_money_as_the_settlements_will(
        sandbox):
    mapping = load_gl_mapping()
    lines = _world_lines(sandbox, NOVEMBER, DECEMBER)
    with connect() as con:
        journal = _journal(con, mapping)
    body = journal.posting.body
    assert (body["externalId"], body["tranDate"], body["reversalDate"]) == (
        f"AMZ-ACR-{US}-202611", "2026-11-30", "2026-12-01")
    booked = _journal_by_account(body)
    clearing = booked.pop(CLEARING)
    assert booked == _settlement_books(lines, mapping)
    # The P&L to the cent: revenue is every Principal Amazon charged for November's shipments, fees what it kept.
    principal = sum((ln.amount for ln in lines if ln.transaction_type == "Order"
                     and ln.amount_type == "ItemPrice" and ln.amount_description == "Principal"), ZERO)
    fees = sum((ln.amount for ln in lines if ln.amount_type == "ItemFees"
                or (not ln.order_id and ln.amount_type != "FBA Inventory Reimbursement")), ZERO)
    assert booked["ACCT-SALES"] == principal > 0
    assert sum((v for k, v in booked.items() if mapping.sections[k] == "fees"), ZERO) == fees < 0
    assert -clearing == journal.accrued == sum((ln.amount for ln in lines), ZERO)
    assert journal.deferred > 0  # DD7 orders shipped late in November are still held on 3 December
    assert any(i["memo"].startswith("Deferred by Amazon (DD7)") for i in body["line"]["items"])


def test_a_vat_inclusive_storefronts_accrual_books_sales_net_of_vat_as_its_settlement_will(sandbox):
    mapping = load_gl_mapping()
    de = load_settings().storefront("demo-DE")
    assert de.prices_include_vat and de.vat_rate
    with connect() as con:
        journal = accrual_journal(con, "demo-DE", MONTH_END, mapping, currency="EUR", subsidiary="SUB-eu",
                                  vat_rate=de.vat_rate)
    booked = _journal_by_account(journal.posting.body)
    booked.pop(CLEARING)
    lines = _world_lines(sandbox, NOVEMBER, DECEMBER, storefront="demo-DE")
    expected = _settlement_books(lines, mapping, de.vat_rate, "EUR")
    # Sales and VAT only: fees of no order belong to the stream (DE and FR), which the sandbox lists under DE.
    assert booked["ACCT-VAT-PAYABLE"] == expected["ACCT-VAT-PAYABLE"] > 0
    assert booked["ACCT-SALES"] == expected["ACCT-SALES"] > 0


def test_the_daily_view_of_a_day_adds_up_to_that_days_money(sandbox):
    mapping = load_gl_mapping()
    day = date(2026, 11, 24)
    lines = _world_lines(sandbox, datetime(2026, 11, 24, tzinfo=timezone.utc),
                         datetime(2026, 11, 25, tzinfo=timezone.utc))
    with connect() as con:
        rows = write_daily_accrual(con, US, day, mapping, datetime(2026, 12, 3)).to_pylist()
        again = write_daily_accrual(con, US, day, mapping, datetime(2026, 12, 3)).to_pylist()
    assert rows == again  # a day computed again replaces itself
    assert sum((r["amount"] for r in rows), ZERO) == sum((ln.amount for ln in lines), ZERO) != 0
    assert {r["gl_account"] for r in rows} >= {"ACCT-SALES", "ACCT-AMZ-SELLING-FEES"}
    assert all(r["gl_account"] for r in rows)


def _mark_posted(con, sandbox, numbers: list[int]) -> None:
    """The warehouse as the settlements flow leaves it once these US settlements are posted to NetSuite."""
    world = sandbox.app.state.sandbox.world
    stream = settlement_streams(world.settings)[0]
    for number in numbers:
        p = settlement_period(world, stream, number)
        naive = {k: getattr(p, k).replace(tzinfo=None) for k in ("start", "end", "deposit")}
        con.execute("INSERT INTO settlements VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'USD', 0, 0, '.', 'MDY')",
                    [US, naive["deposit"].date(), p.report_id, p.settlement_id, naive["start"], naive["end"],
                     naive["deposit"]])
        con.execute("INSERT INTO netsuite_postings (flow, storefront, key, record_type, external_id, internal_id, "
                    "payload_hash, status, attempts, first_attempt, last_attempt) VALUES ('settlements', ?, ?, "
                    "'journalEntry', ?, '1', 'x', 'posted', 1, ?, ?)",
                    [US, f"{p.settlement_id}:journal", f"AMZ-STL-{p.settlement_id}-JE", naive["deposit"],
                     naive["deposit"]])


def test_posted_settlements_shrink_the_accrual_and_its_reversal_follows_the_journal_in_netsuite(sandbox):
    mapping = load_gl_mapping()
    settings = load_settings()
    with connect() as con, NetSuiteClient(netsuite_connection(settings)) as client:
        first = _journal(con, mapping)
        journal_id = post_accrual(con, client, first)
        assert post_accrual(con, client, first) == journal_id  # unchanged: nothing sent again
        assert con.execute("SELECT attempts FROM netsuite_postings WHERE flow = 'accruals'").fetchone() == (1,)
        # The settlements of 24 Oct–7 Nov and 7–21 Nov post: November keeps only the part of 21 Nov–5 Dec.
        _mark_posted(con, sandbox, [0, 1])
        shrunk = _journal(con, mapping)
        assert post_accrual(con, client, shrunk) == journal_id  # the same journal, updated by external id
        ours = made_from(client, [int(journal_id)])
        november = trial_balance(client, period="2026-11", transactions=ours)
        december = trial_balance(client, period="2026-12", transactions=ours)
    assert len(ours) == 2  # the accrual and NetSuite's reversal of it
    unsettled = _world_lines(sandbox, NOVEMBER, DECEMBER, numbers={2})
    expected = {**_settlement_books(unsettled, mapping), CLEARING: -sum((ln.amount for ln in unsettled), ZERO)}
    assert shrunk.accrued == -expected[CLEARING] < first.accrued
    # November's books hold the accrual (credit = settlement sign), December's its reversal, to the cent.
    assert {b.account: -b.balance for b in november if b.balance} == expected
    assert {b.account: b.balance for b in december if b.balance} == expected
    assert external_id(US, MONTH_END) == "AMZ-ACR-demo-US-202611"


def test_once_every_settlement_of_the_month_posted_the_accrual_and_its_reversal_are_deleted(sandbox):
    mapping = load_gl_mapping()
    with connect() as con, NetSuiteClient(netsuite_connection(load_settings())) as client:
        journal_id = post_accrual(con, client, _journal(con, mapping))
        _mark_posted(con, sandbox, [2])  # 21 Nov–5 Dec posts too (its November part dated 30 November)
        emptied = _journal(con, mapping)
        assert emptied.posting is None and emptied.accrued == 0
        assert post_accrual(con, client, emptied) is None
        assert con.execute("SELECT count(*) FROM netsuite_postings WHERE flow = 'accruals'").fetchone() == (0,)
        assert list(client.suiteql("SELECT id FROM transaction WHERE id = ? OR externalid = ?",
                                   [journal_id, f"AMZ-ACR-{US}-202611"])) == []
        assert made_from(client, [int(journal_id)]) == {int(journal_id)}  # no reversal left behind
