"""Return authorizations and item receipts: made by `!transform` from a sale, the receipt never more than authorised,
stock back at the receipt's location, GL impact Inventory Asset debited and COGS credited at the item's cost, all
read back by REST and SuiteQL."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    create,
    error_detail,
    fetch,
    internal_id,
    sales_order,
    suiteql_rows,
    transform,
)

# Seeded cost of TSHIRT-RED-M: 8.00 (40 % of 19.99).


def _on_hand(netsuite, sku: str, location: str) -> Decimal:
    rows = suiteql_rows(netsuite, """
        SELECT il.quantityonhand FROM inventoryitemlocations il JOIN item i ON i.id = il.item
        JOIN location l ON l.id = il.location WHERE i.itemid = ? AND l.externalid = ?""", [sku, location])
    return Decimal(rows[0]["quantityonhand"]) if rows else Decimal(0)


def _cash_sale(netsuite) -> str:
    return create(netsuite, "cashSale", sales_order("AMZ-RET-CS", ("TSHIRT-RED-M", 3, "19.99"),
                                                    ("MUG-CAFE-WHITE", 1, "14.99"),
                                                    location={"externalId": "FBA-na"}))


def test_a_return_authorization_from_a_cash_sale_is_received_into_stock_with_cogs_reversed_at_cost(netsuite):
    sale = _cash_sale(netsuite)
    before = _on_hand(netsuite, "TSHIRT-RED-M", "WH-na")
    rma = internal_id(transform(netsuite, "cashSale", sale, "returnAuthorization",
                                {"externalId": "AMZ-RMA-1", "item": {"items": [{"orderLine": 1, "quantity": 2}]}},
                                replace="item"))
    record = fetch(netsuite, "returnAuthorization", rma)
    assert record["status"]["refName"] == "Pending Receipt"
    assert [(line["item"]["refName"], line["quantity"], line["rate"], line["amount"])
            for line in record["item"]["items"]] == [("TSHIRT-RED-M", 2, Decimal("19.99"), Decimal("39.98"))]
    too_many = transform(netsuite, "returnAuthorization", rma, "itemReceipt",
                         {"item": {"items": [{"orderLine": 1, "quantity": 3, "location": {"externalId": "WH-na"}}]}})
    assert "more than the 2" in error_detail(too_many)["detail"]
    receipt = internal_id(transform(netsuite, "returnAuthorization", rma, "itemReceipt", {
        "externalId": "AMZ-RMA-1-IR",
        "item": {"items": [{"orderLine": 1, "quantity": 2, "location": {"externalId": "WH-na"}}]}}))
    assert _on_hand(netsuite, "TSHIRT-RED-M", "WH-na") == before + 2
    assert fetch(netsuite, "returnAuthorization", rma)["status"]["refName"] == "Pending Refund"
    gl = suiteql_rows(netsuite, """
        SELECT a.externalid, tal.debit, tal.credit FROM transactionaccountingline tal
        JOIN account a ON a.id = tal.account WHERE tal.transaction = ? ORDER BY a.acctnumber""", [receipt])
    assert [(r["externalid"], r.get("debit", ""), r.get("credit", "")) for r in gl] == [
        ("ACCT-INVENTORY", "16", ""), ("ACCT-COGS", "", "16")]
    assert suiteql_rows(netsuite, "SELECT type, posting FROM transaction WHERE id IN (?, ?) ORDER BY id",
                        [rma, receipt]) == [{"type": "RtnAuth", "posting": "F"}, {"type": "ItemRcpt", "posting": "T"}]
    lines = suiteql_rows(netsuite, """
        SELECT tl.quantity, l.externalid AS location, tl.createdfrom FROM transactionline tl
        JOIN location l ON l.id = tl.location WHERE tl.transaction = ? AND tl.mainline = 'F'""", [receipt])
    assert lines == [{"quantity": "2", "location": "WH-na", "createdfrom": rma}]
    again = transform(netsuite, "returnAuthorization", rma, "itemReceipt")
    assert "at least one line" in error_detail(again)["detail"]


def test_a_return_cannot_authorise_more_than_was_sold_nor_receive_into_a_location_that_does_not_exist(netsuite):
    sale = _cash_sale(netsuite)
    over = transform(netsuite, "cashSale", sale, "returnAuthorization",
                     {"item": {"items": [{"orderLine": 2, "quantity": 2}]}}, replace="item")
    assert "more than the 1" in error_detail(over)["detail"]
    rma = internal_id(transform(netsuite, "cashSale", sale, "returnAuthorization",
                                {"item": {"items": [{"orderLine": 2, "quantity": 1}]}}, replace="item"))
    nowhere = transform(netsuite, "returnAuthorization", rma, "itemReceipt",
                        {"item": {"items": [{"orderLine": 1, "location": {"externalId": "NO-SUCH-LOC"}}]}})
    assert error_detail(nowhere)["o:errorCode"] == "INVALID_KEY_OR_REF"


def test_a_standalone_return_authorization_and_one_from_a_sales_order_are_read_back(netsuite):
    rma = create(netsuite, "returnAuthorization", {
        "externalId": "AMZ-RMA-STANDALONE", "entity": {"externalId": "AMZ-CUSTOMER-demo-US"},
        "item": {"items": [{"item": {"externalId": "MUG-CAFE-WHITE"}, "quantity": 2, "rate": "12.78"}]}})
    assert fetch(netsuite, "returnAuthorization", rma)["total"] == Decimal("25.56")
    order = create(netsuite, "salesOrder", sales_order("AMZ-RET-SO", ("TSHIRT-RED-M", 1, "19.99")))
    from_order = internal_id(transform(netsuite, "salesOrder", order, "returnAuthorization"))
    assert fetch(netsuite, "returnAuthorization", from_order)["createdFrom"]["id"] == order
