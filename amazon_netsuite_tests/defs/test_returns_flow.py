"""The returns flow end to end, through real Dagster runs against the sandbox (clock frozen in the past): a day's FBA
and MFN returns become NetSuite return authorizations and item receipts where their orders are in NetSuite, sellable
FBA units back in the FBA location (once: the ledger's CustomerReturns no longer adjusts it), damaged ones written
off, the receipt's GL read from NetSuite's own transactionaccountingline; a re-run creates nothing; a return whose
order NetSuite does not have goes to integration_errors."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.inventory.ledger import MOVED_BY_RETURN_RECEIPT
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world.fba import SELLABLE
from amazon_netsuite.sandbox.world.returns import fba_returns, mfn_returns
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox
from amazon_netsuite_tests.sandbox.netsuite.conftest import netsuite_client, suiteql_rows

STOREFRONT, US, ACCOUNT = "demo-US", "ATVPDKIKX0DER", "demo-na"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
FIRST, LAST = date(2026, 11, 6), date(2026, 11, 17)  # the days whose returns the test posts


def _shipped(order) -> date:
    return (order.shipped_at or order.purchase_date).date()


def _returns_of_window(world):
    """The FBA and MFN returns of the window's days, and the one FBA return whose order NetSuite will not have (the
    newest whose order's purchase day no other return's order shares)."""
    start = datetime.combine(FIRST, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(LAST + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc) - timedelta(seconds=1)
    fba = [r for r in fba_returns(world, ACCOUNT, [US], start, end) if r.sku not in MISSING_SKUS]
    mfn = [r for r in mfn_returns(world, ACCOUNT, [US], start, end)
           if not {line.product.sku for line in r.order.lines} & MISSING_SKUS]
    # The orders flow loads orders by the day they last changed: the day each shipped.
    placed = {o.amazon_order_id: _shipped(o) for o in world.orders_placed(STOREFRONT, world.first_day, LAST)}
    days = Counter([placed[r.order_id] for r in fba] + [_shipped(r.order) for r in mfn])
    missing = [r for r in fba if days[placed[r.order_id]] == 1][-1]
    kept = [r for r in fba if r is not missing]
    assert {r.disposition == SELLABLE for r in kept} == {True, False} and mfn, "the window lacks a kind of return"
    order_days = {placed[r.order_id] for r in kept} | {_shipped(r.order) for r in mfn}
    return fba, mfn, missing, sorted(order_days)


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("returns")
    settings = demo_settings_for(lambda key: key == STOREFRONT)
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch, \
            start_sandbox(tmp_path / "sandbox", history_days=40, orders_per_day=25, clock=NOW) as sandbox, \
            netsuite_client(sandbox.url) as netsuite:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        fba, mfn, missing, order_days = _returns_of_window(sandbox.state.world)
        instance = dg.DagsterInstance.ephemeral()
        for order_day in order_days:  # every return's order in NetSuite but the missing one's
            assert _run("orders_job", order_day, instance).success
            assert _run("order_posting_job", order_day, instance).success
        yield sandbox, netsuite, instance, fba, mfn, missing


def _run(job: str, day, instance) -> dg.ExecuteInProcessResult:
    from amazon_netsuite.definitions import defs

    return defs().resolve_job_def(job).execute_in_process(
        partition_key=partition_key(STOREFRONT, day), instance=instance, raise_on_error=False)


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _fba_on_hand(netsuite, sku: str) -> Decimal:
    rows = suiteql_rows(netsuite, """
        SELECT il.quantityonhand FROM inventoryitemlocations il JOIN item i ON i.id = il.item
        JOIN location l ON l.id = il.location WHERE i.itemid = ? AND l.externalid = 'FBA-na'""", [sku])
    return Decimal(rows[0]["quantityonhand"]) if rows else Decimal(0)


def _returns_in_netsuite(netsuite) -> list[dict]:
    return suiteql_rows(netsuite, """
        SELECT t.type, t.externalid, t.otherrefnum, tl.quantity, l.externalid AS location, i.itemid
        FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F'
        JOIN item i ON i.id = tl.item LEFT JOIN location l ON l.id = tl.location
        WHERE t.type IN ('RtnAuth', 'ItemRcpt', 'InvAdjst') AND t.externalid LIKE 'AMZ-RMA-%' ORDER BY t.id""")


def _day(at) -> date:
    return at.date()


def test_returns_become_authorizations_and_receipts_once_and_an_unknown_order_goes_to_integration_errors(flow):
    sandbox, netsuite, instance, fba, mfn, missing = flow
    sellable = next(r for r in fba if r.disposition == SELLABLE and r is not missing)
    sellable_day = _day(sellable.returned_at)
    before = _fba_on_hand(netsuite, sellable.sku)
    assert _run("fba_ledger_job", sellable_day, instance).success
    for day in sorted({_day(r.returned_at) for r in fba} | {_day(r.requested_at) for r in mfn}):
        assert _run("returns_job", day, instance).success

    # The ledger's sellable CustomerReturns rows leave the FBA location to the receipts: the units come back once.
    reasons = _rows("SELECT not_adjusted_reason FROM fba_inventory_ledger WHERE storefront = ? AND day = ? "
                    "AND event_type = 'CustomerReturns' AND disposition = 'SELLABLE'", [STOREFRONT, sellable_day])
    assert reasons and {r for (r,) in reasons} == {MOVED_BY_RETURN_RECEIPT}
    (adjusted,) = _rows("SELECT coalesce(sum(quantity), 0) FROM fba_inventory_ledger WHERE storefront = ? AND day = ? "
                        "AND sku = ? AND adjusts_netsuite", [STOREFRONT, sellable_day, sellable.sku])[0]
    returned = sum(r.quantity for r in fba if r.sku == sellable.sku and r.disposition == SELLABLE
                   and r is not missing)
    assert _fba_on_hand(netsuite, sellable.sku) - before == adjusted + returned

    records = _returns_in_netsuite(netsuite)
    kinds = Counter(r["type"] for r in records)
    posted_fba = [r for r in fba if r is not missing]
    assert kinds["RtnAuth"] == kinds["ItemRcpt"] == len(posted_fba) + len(mfn)
    unsellable_mfn = [r for r in mfn if "DEFECTIVE" in r.reason or "DAMAGED" in r.reason]
    assert kinds["InvAdjst"] == sum(1 for r in posted_fba if r.disposition != SELLABLE) + len(unsellable_mfn)
    receipts = [r for r in records if r["type"] == "ItemRcpt"]
    assert {r["location"] for r in receipts} == {"FBA-na", "WH-na"}  # FBA's returns to FBA, MFN's to the warehouse
    assert sum(Decimal(r["quantity"]) for r in receipts if r["location"] == "FBA-na") == sum(
        r.quantity for r in posted_fba)
    write_offs = [r for r in records if r["type"] == "InvAdjst"]
    assert write_offs and all(Decimal(r["quantity"]) < 0 for r in write_offs)

    # The receipts' GL impact from NetSuite's own lines: Inventory Asset debited, COGS credited, at the item's cost.
    gl = suiteql_rows(netsuite, """
        SELECT t.id, a.externalid, tal.debit, tal.credit, i.cost, tl.quantity FROM transaction t
        JOIN transactionaccountingline tal ON tal.transaction = t.id JOIN account a ON a.id = tal.account
        JOIN transactionline tl ON tl.transaction = t.id AND tl.id = tal.transactionline
        JOIN item i ON i.id = tl.item
        WHERE t.type = 'ItemRcpt' AND t.externalid LIKE 'AMZ-RMA-%' ORDER BY t.id, a.acctnumber""")
    assert len(gl) == 2 * len(receipts)
    for debit, credit in zip(gl[::2], gl[1::2]):
        value = (Decimal(debit["cost"]) * Decimal(debit["quantity"])).quantize(Decimal("0.01"))
        assert (debit["externalid"], Decimal(debit["debit"])) == ("ACCT-INVENTORY", value)
        assert (credit["externalid"], Decimal(credit["credit"])) == ("ACCT-COGS", value)

    # The return whose order NetSuite does not have is an error to fix; the rest posted.
    errors = _rows("SELECT key, message FROM integration_errors WHERE flow = 'returns' AND resolved IS NULL")
    assert [key for key, _ in errors] == [f"FBA|{missing.order_id}|{missing.license_plate_number}|{missing.sku}"]
    assert "NetSuite has no Cash Sale" in errors[0][1]

    # A re-run sends nothing new.
    assert _run("returns_job", _day(sellable.returned_at), instance).success
    assert _returns_in_netsuite(netsuite) == records
