"""NetSuite's inventory side in the sandbox: quantities per item × location follow sales, adjustments and the admin
move, `lastquantityavailablechange` marks when they last changed, kits list their members, matrix items their parent,
and inventory adjustments upsert by external id with their GL impact."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import simplejson

from amazon_netsuite.sandbox.netsuite.seed import item_cost
from amazon_netsuite.sandbox.netsuite.stock_moves import INVENTORY_MOVE_PATH
from amazon_netsuite.sandbox.world import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.listings import starting_stock
from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    RECORDS,
    create,
    error_detail,
    fetch,
    internal_id,
    sales_order,
    suiteql_rows,
    transform,
)

SKU = "HOODIE-NAVY-M"


def _stock(netsuite, sku: str, location: str) -> dict:
    rows = suiteql_rows(netsuite, """
        SELECT il.quantityonhand, il.quantityavailable, il.quantitycommitted,
               TO_CHAR(il.lastquantityavailablechange, 'YYYY-MM-DD HH24:MI:SS') AS changed
        FROM inventoryitemlocations il JOIN item i ON i.id = il.item JOIN location l ON l.id = il.location
        WHERE i.itemid = ? AND l.externalid = ?""", [sku, location])
    assert len(rows) == 1, rows
    return rows[0]


def _watermark(netsuite) -> str | None:
    row = suiteql_rows(netsuite, "SELECT TO_CHAR(MAX(lastquantityavailablechange), 'YYYY-MM-DD HH24:MI:SS') AS "
                                 "changed FROM inventoryitemlocations")[0]
    return row.get("changed")


def _clock(sandbox, now: str) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": now}).raise_for_status()


def _move(sandbox, **body) -> httpx.Response:
    return httpx.post(f"{sandbox.url}{INVENTORY_MOVE_PATH}", json=body)


def _moved(sandbox, **body) -> dict:
    response = _move(sandbox, **body)
    assert response.status_code == 200, response.text
    return simplejson.loads(response.text, use_decimal=True)


def test_a_seeded_item_has_its_starting_stock_everywhere_and_no_change_time(netsuite):
    for location in ("WH-na", "FBA-na", "WH-eu"):
        seeded = str(starting_stock(SKU, location))
        assert _stock(netsuite, SKU, location) == {"quantityonhand": seeded, "quantityavailable": seeded,
                                                   "quantitycommitted": "0"}  # no change time: the column is NULL
    assert _watermark(netsuite) is None


def test_quantities_per_location_follow_an_order_a_sale_an_adjustment_and_the_admin_move(sandbox, netsuite):
    warehouse, fba = starting_stock(SKU, "WH-na"), starting_stock(SKU, "FBA-na")
    assert warehouse > 4 and fba > 2
    _clock(sandbox, "2026-11-20T13:00:00Z")
    order = create(netsuite, "salesOrder", sales_order("AMZ-INV-SO", (SKU, 2, "44.99")))  # commits at WH-na
    assert _stock(netsuite, SKU, "WH-na") == {
        "quantityonhand": str(warehouse), "quantityavailable": str(warehouse - 2), "quantitycommitted": "2",
        "changed": "2026-11-20 13:00:00"}
    assert "changed" not in _stock(netsuite, SKU, "FBA-na")  # another location is untouched
    _clock(sandbox, "2026-11-20T13:05:00Z")
    create(netsuite, "cashSale", sales_order("AMZ-INV-CS", (SKU, 1, "44.99"), location={"externalId": "FBA-na"}))
    assert _stock(netsuite, SKU, "FBA-na") == {
        "quantityonhand": str(fba - 1), "quantityavailable": str(fba - 1), "quantitycommitted": "0",
        "changed": "2026-11-20 13:05:00"}
    _clock(sandbox, "2026-11-20T13:10:00Z")
    create(netsuite, "inventoryAdjustment", {
        "account": {"externalId": "ACCT-INVENTORY-ADJUSTMENTS"}, "adjLocation": {"externalId": "WH-na"},
        "inventory": {"items": [{"item": {"externalId": SKU}, "adjustQtyBy": 5}]}})
    assert _stock(netsuite, SKU, "WH-na")["quantityonhand"] == str(warehouse + 5)
    assert _watermark(netsuite) == "2026-11-20 13:10:00"
    _clock(sandbox, "2026-11-20T13:15:00Z")
    moved = _moved(sandbox, sku=SKU, location="WH-na", adjust_by=-3)
    assert (moved["quantityonhand"], moved["quantitycommitted"], moved["quantityavailable"]) == (
        warehouse + 2, 2, warehouse)
    assert moved["lastquantityavailablechange"] == "2026-11-20T13:15:00Z"
    assert _stock(netsuite, SKU, "WH-na") == {
        "quantityonhand": str(warehouse + 2), "quantityavailable": str(warehouse), "quantitycommitted": "2",
        "changed": "2026-11-20 13:15:00"}
    assert _watermark(netsuite) == "2026-11-20 13:15:00"
    _clock(sandbox, "2026-11-20T13:20:00Z")
    internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment"))
    assert _stock(netsuite, SKU, "WH-na") == {
        "quantityonhand": str(warehouse), "quantityavailable": str(warehouse), "quantitycommitted": "0",
        "changed": "2026-11-20 13:20:00"}


def test_the_admin_move_sets_a_count_allows_negative_and_fractional_stock_and_posts_an_adjustment(sandbox, netsuite):
    counted = _moved(sandbox, sku=SKU, location="FBA-na", set_on_hand=7)
    assert counted["quantityonhand"] == 7
    assert counted["adjustQtyBy"] == 7 - starting_stock(SKU, "FBA-na")
    again = _moved(sandbox, sku=SKU, location="FBA-na", set_on_hand=7)
    assert (again["inventoryAdjustment"], again["adjustQtyBy"], again["quantityonhand"]) == (None, 0, 7)
    negative = _moved(sandbox, sku=SKU, location="FBA-na", set_on_hand=-2)
    assert (negative["quantityonhand"], negative["quantityavailable"]) == (-2, 0)
    fraction = _moved(sandbox, sku=SKU, location="FBA-na", adjust_by="4.5")
    assert fraction["quantityonhand"] == Decimal("2.5")
    assert _stock(netsuite, SKU, "FBA-na")["quantityonhand"] == "2.5"
    adjustment = fetch(netsuite, "inventoryAdjustment", fraction["inventoryAdjustment"])
    assert adjustment["account"]["refName"].startswith("Inventory Adjustments")
    assert adjustment["inventory"]["items"][0]["adjustQtyBy"] == Decimal("4.5")
    gl = suiteql_rows(netsuite, """
        SELECT a.externalid, tal.debit, tal.credit FROM transactionaccountingline tal JOIN account a
        ON a.id = tal.account WHERE tal.transaction = ? ORDER BY tal.debit NULLS LAST""",
                      [fraction["inventoryAdjustment"]])
    value = str((Decimal("4.5") * item_cost(PRODUCTS_BY_SKU[SKU])).quantize(Decimal("0.01")).normalize())
    assert gl == [{"externalid": "ACCT-INVENTORY", "debit": value},
                  {"externalid": "ACCT-INVENTORY-ADJUSTMENTS", "credit": value}]


@pytest.mark.parametrize(("body", "code", "path"), [
    ({"sku": "NO-SUCH-SKU", "location": "WH-na", "adjust_by": 1}, "INVALID_KEY_OR_REF", "sku"),
    ({"sku": "KIT-SOCKS-3PK", "location": "WH-na", "adjust_by": 1}, "INVALID_KEY_OR_REF", "sku"),
    ({"sku": "TSHIRT", "location": "WH-na", "adjust_by": 1}, "USER_ERROR", "sku"),
    ({"sku": SKU, "location": "NOWHERE", "adjust_by": 1}, "INVALID_KEY_OR_REF", "location"),
    ({"sku": SKU, "location": "WH-na", "adjust_by": "lots"}, "USER_ERROR", "adjust_by"),
    ({"sku": SKU, "location": "WH-na", "adjust_by": 1, "set_on_hand": 3}, "INVALID_REQUEST", None),
    ({"sku": SKU, "location": "WH-na"}, "INVALID_REQUEST", None),
])
def test_the_admin_move_refuses_what_holds_no_stock_and_bad_bodies(sandbox, body, code, path):
    detail = error_detail(_move(sandbox, **body))
    assert (detail["o:errorCode"], detail.get("o:errorPath")) == (code, path)


def test_kit_members_are_in_kititemmember_and_itemmember(netsuite):
    for table in ("kititemmember", "itemmember"):
        rows = suiteql_rows(netsuite, f"""
            SELECT p.itemid AS kit, m.itemid AS member, k.quantity, k.linenumber FROM {table} k
            JOIN item p ON p.id = k.parentitem JOIN item m ON m.id = k.item ORDER BY p.itemid, k.linenumber""")
        assert rows == [
            {"kit": "KIT-SOCKS-3PK", "member": "SOCKS-GREY-SM", "quantity": "3", "linenumber": "1"},
            {"kit": "KIT-TSHIRT-MUG", "member": "TSHIRT-BLACK-M", "quantity": "1", "linenumber": "1"},
            {"kit": "KIT-TSHIRT-MUG", "member": "MUG-CAFE-WHITE", "quantity": "1", "linenumber": "2"},
            {"kit": "KIT-YOGA-STARTER", "member": "YOGAMAT-GREEN", "quantity": "1", "linenumber": "1"},
            {"kit": "KIT-YOGA-STARTER", "member": "BOTTLE-750-MINT", "quantity": "1", "linenumber": "2"}]


def test_a_kit_member_must_be_an_item(netsuite):
    response = netsuite.post(f"{RECORDS}/kitItem", json={"externalId": "KIT-BAD", "itemId": "KIT-BAD", "member": {
        "items": [{"item": {"externalId": "NO-SUCH-ITEM"}, "quantity": 2}]}})
    assert error_detail(response)["o:errorPath"] == "member.items[0].item"


def test_a_kit_sale_moves_its_members_stock_and_their_change_time(sandbox, netsuite):
    socks = starting_stock("SOCKS-GREY-SM", "FBA-na")
    _clock(sandbox, "2026-11-20T14:00:00Z")
    create(netsuite, "cashSale", sales_order("AMZ-INV-KIT", ("KIT-SOCKS-3PK", 1, "34.99"),
                                             location={"externalId": "FBA-na"}))
    assert _stock(netsuite, "SOCKS-GREY-SM", "FBA-na") == {
        "quantityonhand": str(socks - 3), "quantityavailable": str(socks - 3), "quantitycommitted": "0",
        "changed": "2026-11-20 14:00:00"}
    kit_rows = suiteql_rows(netsuite, "SELECT COUNT(*) AS n FROM inventoryitemlocations il JOIN item i "
                                      "ON i.id = il.item WHERE i.itemtype <> 'InvtPart'")
    assert kit_rows == [{"n": "0"}]  # kits, discounts and charges hold no stock of their own


def test_matrix_items_are_a_parent_without_stock_and_children_pointing_at_it(netsuite):
    rows = suiteql_rows(netsuite, """
        SELECT i.itemid, i.matrixtype, p.itemid AS parent, i.isinactive
        FROM item i LEFT JOIN item p ON p.id = i.parent
        WHERE i.itemid IN ('TSHIRT', 'TSHIRT-RED-M', 'MUG-CAFE', 'MUG-CAFE-WHITE', 'KIT-SOCKS-3PK') ORDER BY i.itemid""")
    assert rows == [
        {"itemid": "KIT-SOCKS-3PK", "isinactive": "F"},
        {"itemid": "MUG-CAFE", "matrixtype": "PARENT", "isinactive": "F"},
        {"itemid": "MUG-CAFE-WHITE", "matrixtype": "CHILD", "parent": "MUG-CAFE", "isinactive": "F"},
        {"itemid": "TSHIRT", "matrixtype": "PARENT", "isinactive": "F"},
        {"itemid": "TSHIRT-RED-M", "matrixtype": "CHILD", "parent": "TSHIRT", "isinactive": "F"}]
    children = suiteql_rows(netsuite, "SELECT COUNT(*) AS n FROM item c JOIN item p ON p.id = c.parent "
                                      "WHERE p.itemid = 'TSHIRT' AND c.matrixtype = 'CHILD'")
    assert children == [{"n": "9"}]
    parent_stock = suiteql_rows(netsuite, "SELECT COUNT(*) AS n FROM inventoryitemlocations il JOIN item i "
                                          "ON i.id = il.item WHERE i.matrixtype = 'PARENT'")
    assert parent_stock == [{"n": "0"}]


def test_a_matrix_parent_cannot_be_adjusted(netsuite):
    response = netsuite.post(f"{RECORDS}/inventoryAdjustment", json={
        "account": {"externalId": "ACCT-INVENTORY-ADJUSTMENTS"}, "adjLocation": {"externalId": "WH-na"},
        "inventory": {"items": [{"item": {"externalId": "TSHIRT"}, "adjustQtyBy": 1}]}})
    assert error_detail(response)["o:errorPath"] == "inventory.items[0].item"


def _adjustment(quantity: object, **line) -> dict:
    return {"subsidiary": {"externalId": "SUB-na"}, "account": {"externalId": "ACCT-INVENTORY-ADJUSTMENTS"},
            "adjLocation": {"externalId": "WH-na"},
            "inventory": {"items": [{"item": {"externalId": SKU}, "adjustQtyBy": quantity, **line}]}}


def test_an_inventory_adjustment_upserts_by_external_id_and_moves_stock_once(netsuite):
    before = int(_stock(netsuite, SKU, "WH-na")["quantityonhand"])
    first = netsuite.put(f"{RECORDS}/inventoryAdjustment/eid:FBA-LEDGER-1", json=_adjustment(-4))
    again = netsuite.put(f"{RECORDS}/inventoryAdjustment/eid:FBA-LEDGER-1", json=_adjustment(-4))
    assert internal_id(first) == internal_id(again)
    assert _stock(netsuite, SKU, "WH-na")["quantityonhand"] == str(before - 4)
    changed = netsuite.put(f"{RECORDS}/inventoryAdjustment/eid:FBA-LEDGER-1", json=_adjustment(-1))
    assert internal_id(changed) == internal_id(first)
    assert _stock(netsuite, SKU, "WH-na")["quantityonhand"] == str(before - 1)
    # a loss: the adjustment account debited, inventory credited, at the item's cost
    cost = str(item_cost(PRODUCTS_BY_SKU[SKU]).normalize())
    gl = suiteql_rows(netsuite, """
        SELECT a.externalid, tal.debit, tal.credit FROM transactionaccountingline tal JOIN account a
        ON a.id = tal.account JOIN transaction t ON t.id = tal.transaction WHERE t.externalid = 'FBA-LEDGER-1'
        ORDER BY tal.debit NULLS LAST""")
    assert gl == [{"externalid": "ACCT-INVENTORY-ADJUSTMENTS", "debit": cost},
                  {"externalid": "ACCT-INVENTORY", "credit": cost}]


@pytest.mark.parametrize(("change", "path"), [
    ({"inventory": {"items": [{"item": {"externalId": "NO-SUCH-SKU"}, "adjustQtyBy": 1}]}}, "inventory.items[0].item"),
    ({"inventory": {"items": [{"item": {"externalId": "KIT-SOCKS-3PK"}, "adjustQtyBy": 1}]}},
     "inventory.items[0].item"),
    ({"inventory": {"items": [{"item": {"externalId": SKU}, "location": {"externalId": "NOWHERE"},
                               "adjustQtyBy": 1}]}}, "inventory.items[0].location"),
    ({"adjLocation": {"externalId": "NOWHERE"}}, "adjLocation"),
    ({"account": {"externalId": "ACCT-NOWHERE"}}, "account"),
])
def test_an_inventory_adjustment_with_an_unknown_reference_is_refused_like_netsuite(netsuite, change, path):
    response = netsuite.put(f"{RECORDS}/inventoryAdjustment/eid:FBA-LEDGER-BAD", json={**_adjustment(1), **change})
    detail = error_detail(response)
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_KEY_OR_REF", path)
    assert netsuite.get(f"{RECORDS}/inventoryAdjustment/eid:FBA-LEDGER-BAD").status_code == 404
