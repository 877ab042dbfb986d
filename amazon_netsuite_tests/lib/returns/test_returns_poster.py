"""Where unsellable returns go when the seller names a damaged-goods location: received there (Dr Inventory Asset /
Cr COGS at cost, as any receipt) and never written off, while a sellable return of the same sale goes back into the
FBA location; through the NetSuite sandbox over HTTP, clock frozen."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.returns.run import AmazonReturn, ReturnsPoster
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite_tests.conftest import _project_env, start_sandbox
from amazon_netsuite_tests.sandbox.netsuite.conftest import create, netsuite_client, sales_order, suiteql_rows

STOREFRONT, ORDER, DAMAGED = "demo-US", "113-0000000-0000001", "DAMAGED-na"
DAY = date(2026, 11, 10)


@pytest.fixture
def netsuite(monkeypatch, tmp_path):
    with start_sandbox(tmp_path / "sandbox", history_days=1, orders_per_day=2,
                       clock=datetime(2026, 11, 12, 12, tzinfo=timezone.utc)) as sandbox, \
            netsuite_client(sandbox.url) as http:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        yield http


def _on_hand(http, sku: str, location: str) -> Decimal:
    rows = suiteql_rows(http, """
        SELECT il.quantityonhand FROM inventoryitemlocations il JOIN item i ON i.id = il.item
        JOIN location l ON l.id = il.location WHERE i.itemid = ? AND l.externalid = ?""", [sku, location])
    return Decimal(rows[0]["quantityonhand"]) if rows else Decimal(0)


def test_an_unsellable_return_is_received_into_the_damaged_location_and_not_written_off(netsuite):
    settings = load_settings()
    settings = settings.model_copy(update={"returns": settings.returns.model_copy(
        update={"damaged_location": DAMAGED})})
    create(netsuite, "cashSale", sales_order(order_external_id(STOREFRONT, ORDER), ("TSHIRT-RED-M", 3, "19.99"),
                                             location={"externalId": "FBA-na"}, tranDate=DAY.isoformat()))
    damaged = AmazonReturn("FBA", ORDER, "LPN-DAMAGED", "TSHIRT-RED-M", 2, False, DAY)
    sellable = AmazonReturn("FBA", ORDER, "LPN-SELLABLE", "TSHIRT-RED-M", 1, True, DAY)
    fba_before = _on_hand(netsuite, "TSHIRT-RED-M", "FBA-na")

    with NetSuiteClient(netsuite_connection(settings)) as client:
        client.upsert("location", DAMAGED, {"name": "Damaged returns (NA)", "subsidiary": {"externalId": "SUB-na"}})
        attempts = ReturnsPoster(client, settings, STOREFRONT).post([damaged, sellable])
        assert [a.error for a in attempts] == [None] * 4  # an authorization and a receipt each
        again = ReturnsPoster(client, settings, STOREFRONT)
        assert again.post([damaged, sellable]) == [] and again.unchanged == 2  # nothing made twice

    receipts = suiteql_rows(netsuite, """
        SELECT t.externalid, tl.quantity, l.externalid AS location FROM transaction t
        JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F' JOIN location l ON l.id = tl.location
        WHERE t.type = 'ItemRcpt' ORDER BY t.id""")
    assert [(r["externalid"], r["quantity"], r["location"]) for r in receipts] == [
        (damaged.external_id(STOREFRONT) + "-IR", "2", DAMAGED),
        (sellable.external_id(STOREFRONT) + "-IR", "1", "FBA-na")]
    assert suiteql_rows(netsuite, "SELECT count(*) AS n FROM transaction WHERE type = 'InvAdjst' "
                                  "AND externalid LIKE 'AMZ-RMA-%'") == [{"n": "0"}]  # no write-off
    assert _on_hand(netsuite, "TSHIRT-RED-M", DAMAGED) == 2
    assert _on_hand(netsuite, "TSHIRT-RED-M", "FBA-na") == fba_before + 1
    gl = suiteql_rows(netsuite, """
        SELECT a.externalid, tal.debit, tal.credit FROM transactionaccountingline tal
        JOIN account a ON a.id = tal.account JOIN transaction t ON t.id = tal.transaction
        WHERE t.externalid = ? ORDER BY a.acctnumber""", [damaged.external_id(STOREFRONT) + "-IR"])
    # TSHIRT-RED-M's seeded cost is 8.00: two units at cost back in inventory, COGS reversed.
    assert [(r["externalid"], r.get("debit", ""), r.get("credit", "")) for r in gl] == [
        ("ACCT-INVENTORY", "16", ""), ("ACCT-COGS", "", "16")]
