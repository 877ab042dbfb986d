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
from amazon_netsuite.lib.returns.run import open_return_partitions
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world.fba import SELLABLE
from amazon_netsuite.sandbox.world.returns import fba_returns, mfn_returns
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox
from amazon_netsuite_tests.sandbox.netsuite.conftest import netsuite_client, suiteql_rows

STOREFRONT, US, ACCOUNT = "demo-US", "ATVPDKIKX0DER", "demo-na"
# Weeks of orders posted for the returns of five days: with the world tests (`make test-world`), not in `make test`.
pytestmark = pytest.mark.world
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
FIRST, LAST = date(2026, 11, 8), date(2026, 11, 12)  # the days whose returns the test posts


def _shipped(order) -> date:
    return (order.shipped_at or order.purchase_date).date()


def _returns_of_window(world):
    """The FBA and MFN returns of the window's days, the one return whose order NetSuite will not have (its order
    shipped on a day no other return's order did), and the days whose orders to post."""
    start = datetime.combine(FIRST, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(LAST + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc) - timedelta(seconds=1)
    fba = [r for r in fba_returns(world, ACCOUNT, [US], start, end) if r.sku not in MISSING_SKUS]
    mfn = [r for r in mfn_returns(world, ACCOUNT, [US], start, end)
           if not {line.product.sku for line in r.order.lines} & MISSING_SKUS]
    # The orders flow loads orders by the day they last changed: the day each shipped.
    placed = {o.amazon_order_id: _shipped(o) for o in world.orders_placed(STOREFRONT, world.first_day, LAST)}
    shipped = {id(r): placed[r.order_id] for r in fba} | {id(r): _shipped(r.order) for r in mfn}
    days = Counter(shipped.values())

    def enough(kept_fba, kept_mfn) -> bool:
        return {r.disposition == SELLABLE for r in kept_fba} == {True, False} and bool(kept_mfn)

    missing = next(r for r in [*mfn, *fba] if days[shipped[id(r)]] == 1
                   and enough([f for f in fba if f is not r], [m for m in mfn if m is not r]))
    order_days = {day for key, day in shipped.items() if key != id(missing)}
    return fba, mfn, missing, sorted(order_days)


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("returns")
    settings = demo_settings_for(lambda key: key == STOREFRONT)
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch, \
            start_sandbox(tmp_path / "sandbox", history_days=30, orders_per_day=25, clock=NOW) as sandbox, \
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


@pytest.fixture(scope="module")
def posted(flow):
    """The sellable FBA return's day of the FBA ledger loaded, then every return day of the window run; NetSuite's
    FBA stock of that return's SKU before, and the returns' records in NetSuite after."""
    sandbox, netsuite, instance, fba, mfn, missing = flow
    sellable = next(r for r in fba if r.disposition == SELLABLE and r is not missing)
    before = _fba_on_hand(netsuite, sellable.sku)
    assert _run("fba_ledger_job", _day(sellable.returned_at), instance).success
    for day in sorted({_day(r.returned_at) for r in fba} | {_day(r.requested_at) for r in mfn}):
        assert _run("returns_job", day, instance).success
    return sellable, before, _returns_in_netsuite(netsuite)


def _of_order(records: list[dict], order_id: str, kind: str) -> list[dict]:
    ids = {r["externalid"] for r in records if r["type"] == "RtnAuth" and r["otherrefnum"] == order_id}
    return [r for r in records if r["type"] == kind and r["externalid"].split("-IR")[0].split("-WO")[0] in ids]


def test_a_sellable_fba_return_comes_back_into_the_fba_location_once_not_again_by_the_ledger(flow, posted):
    _, netsuite, _, fba, _, missing = flow
    sellable, before, records = posted
    day = _day(sellable.returned_at)
    reasons = _rows("SELECT not_adjusted_reason FROM fba_inventory_ledger WHERE storefront = ? AND day = ? "
                    "AND event_type = 'CustomerReturns' AND disposition = 'SELLABLE'", [STOREFRONT, day])
    assert reasons and {r for (r,) in reasons} == {MOVED_BY_RETURN_RECEIPT}
    (adjusted,) = _rows("SELECT coalesce(sum(quantity), 0) FROM fba_inventory_ledger WHERE storefront = ? AND day = ? "
                        "AND sku = ? AND adjusts_netsuite", [STOREFRONT, day, sellable.sku])[0]
    returned = sum(r.quantity for r in fba if r.sku == sellable.sku and r.disposition == SELLABLE
                   and r is not missing)
    # NetSuite's FBA stock moves by the ledger's other rows and the returned units, once: as Amazon's fulfillable.
    assert _fba_on_hand(netsuite, sellable.sku) - before == adjusted + returned
    receipts = _of_order(records, sellable.order_id, "ItemRcpt")
    assert [(r["itemid"], Decimal(r["quantity"]), r["location"]) for r in receipts] == [
        (sellable.sku, sellable.quantity, "FBA-na")]
    assert _of_order(records, sellable.order_id, "InvAdjst") == []


def test_a_damaged_fba_return_is_received_then_written_off_at_the_items_cost(flow, posted):
    _, netsuite, _, fba, _, missing = flow
    damaged = next(r for r in fba if r.disposition != SELLABLE and r is not missing)
    records = posted[2]
    assert [(r["itemid"], Decimal(r["quantity"]), r["location"]) for r in _of_order(
        records, damaged.order_id, "ItemRcpt")] == [(damaged.sku, damaged.quantity, "FBA-na")]
    (write_off,) = _of_order(records, damaged.order_id, "InvAdjst")
    assert (write_off["itemid"], Decimal(write_off["quantity"]), write_off["location"]) == (
        damaged.sku, -damaged.quantity, "FBA-na")
    gl = suiteql_rows(netsuite, """
        SELECT a.externalid, tal.amount, i.cost FROM transaction t JOIN transactionaccountingline tal
        ON tal.transaction = t.id JOIN account a ON a.id = tal.account
        JOIN transactionline tl ON tl.transaction = t.id AND tl.id = tal.transactionline JOIN item i ON i.id = tl.item
        WHERE t.externalid = ? ORDER BY a.acctnumber""", [write_off["externalid"]])
    value = (Decimal(gl[0]["cost"]) * damaged.quantity).quantize(Decimal("0.01"))
    assert [(r["externalid"], Decimal(r["amount"])) for r in gl] == [
        ("ACCT-INVENTORY", -value), ("ACCT-INVENTORY-ADJUSTMENTS", value)]


def test_an_mfn_return_is_received_into_the_storefronts_warehouse_from_its_sales_order(flow, posted):
    _, netsuite, _, _, mfn, missing = flow
    records = posted[2]
    for returned in (r for r in mfn if r is not missing):
        order_id = returned.order.amazon_order_id
        (rma,) = _of_order(records, order_id, "RtnAuth")
        source = suiteql_rows(netsuite, """
            SELECT so.type FROM transaction t JOIN transactionline ml ON ml.transaction = t.id AND ml.mainline = 'T'
            JOIN transaction so ON so.id = ml.createdfrom WHERE t.externalid = ?""", [rma["externalid"]])
        assert source == [{"type": "SalesOrd"}]
        (receipt,) = _of_order(records, order_id, "ItemRcpt")
        assert (Decimal(receipt["quantity"]), receipt["location"]) == (Decimal(rma["quantity"]), "WH-na")
        written_off = bool(_of_order(records, order_id, "InvAdjst"))
        assert written_off == any(word in returned.reason for word in ("DEFECTIVE", "DAMAGED"))


def test_every_receipts_gl_impact_in_netsuite_is_inventory_asset_debited_and_cogs_credited_at_cost(flow, posted):
    netsuite, records = flow[1], posted[2]
    gl = suiteql_rows(netsuite, """
        SELECT t.id, a.externalid, tal.debit, tal.credit, i.cost, tl.quantity FROM transaction t
        JOIN transactionaccountingline tal ON tal.transaction = t.id JOIN account a ON a.id = tal.account
        JOIN transactionline tl ON tl.transaction = t.id AND tl.id = tal.transactionline
        JOIN item i ON i.id = tl.item
        WHERE t.type = 'ItemRcpt' AND t.externalid LIKE 'AMZ-RMA-%' ORDER BY t.id, a.acctnumber""")
    assert len(gl) == 2 * sum(1 for r in records if r["type"] == "ItemRcpt") > 0
    for debit, credit in zip(gl[::2], gl[1::2]):
        value = (Decimal(debit["cost"]) * Decimal(debit["quantity"])).quantize(Decimal("0.01"))
        assert (debit["externalid"], Decimal(debit["debit"])) == ("ACCT-INVENTORY", value)
        assert (credit["externalid"], Decimal(credit["credit"])) == ("ACCT-COGS", value)


def test_a_return_of_an_order_netsuite_does_not_have_goes_to_integration_errors_and_the_rest_post(flow, posted):
    _, _, _, fba, mfn, missing = flow
    records = posted[2]
    errors = _rows("SELECT key, message FROM integration_errors WHERE flow = 'returns' AND resolved IS NULL")
    key = (f"FBA|{missing.order_id}|{missing.license_plate_number}|{missing.sku}" if missing in fba else
           f"MFN|{missing.order.amazon_order_id}|{missing.rma_id}|"
           f"{missing.order.lines[missing.refund.line_index].product.sku}")
    assert [k for k, _ in errors] == [key]
    assert "NetSuite has no" in errors[0][1]
    with connect(read_only=True) as con:  # the retry schedule posts that day again
        assert open_return_partitions(con) == [(STOREFRONT, _day(
            missing.returned_at if missing in fba else missing.requested_at))]
    kinds = Counter(r["type"] for r in records)
    assert kinds["RtnAuth"] == kinds["ItemRcpt"] == len(fba) + len(mfn) - 1


def test_a_re_run_creates_nothing_new(flow, posted):
    sandbox, netsuite, instance, fba, mfn, missing = flow
    busiest = Counter([_day(r.returned_at) for r in fba] + [_day(r.requested_at) for r in mfn]).most_common(1)[0][0]
    assert _run("returns_job", busiest, instance).success
    assert _returns_in_netsuite(netsuite) == posted[2]
