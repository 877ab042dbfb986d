"""Stock moved outside the integration: `POST /_sandbox/netsuite/inventory/move` stands in for a sale in another
channel, a stock count or a warehouse correction, so tests can change NetSuite's stock, the inventory flow's source
of truth. Body `{"sku", "location" (external id), "adjust_by"}` or `{"sku", "location", "set_on_hand"}`; the move
is an inventoryAdjustment against ACCT-INVENTORY-ADJUSTMENTS (so GL impact and SuiteQL stay true), and the answer
is the item's quantities at the location afterwards. Like a real account it accepts fractions and lets on hand go
negative."""

from __future__ import annotations

from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_api import save_record
from amazon_netsuite.sandbox.netsuite.record_parts import is_matrix_parent, ref_id
from amazon_netsuite.sandbox.netsuite.records import parse_number, validate
from amazon_netsuite.sandbox.netsuite.store import RecordStore
from amazon_netsuite.sandbox.netsuite.suiteql_rows import inventory_rows
from amazon_netsuite.sandbox.netsuite.wire import json_body, json_response

INVENTORY_MOVE_PATH = "/_sandbox/netsuite/inventory/move"
ADJUSTMENT_ACCOUNT = "ACCT-INVENTORY-ADJUSTMENTS"
_QUANTITIES = ("quantityonhand", "quantityavailable", "quantitycommitted", "quantitybackordered")


def _item(store: RecordStore, sku: object) -> dict:
    """The inventory item whose name (itemId) is the SKU; kits and matrix parents hold no stock of their own."""
    found = next((item for item in store.all("inventoryItem") if item.get("itemId") == sku), None)
    if found is None:
        kit = any(kit.get("itemId") == sku for kit in store.all("kitItem"))
        raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid item reference key {sku}"
                          + (": a kit's stock is its members'." if kit else "."), "sku")
    if is_matrix_parent(found):
        raise RecordError(400, "USER_ERROR", f"{sku} is a matrix parent item: move its children's stock.", "sku")
    return found


def stock_at(store: RecordStore, item_id: int, location_id: int) -> dict:
    """The item's `inventoryitemlocations` row at the location (zeros where it never had stock)."""
    row = next((r for r in inventory_rows(store) if (r["item"], r["location"]) == (item_id, location_id)), {})
    return {name: row.get(name, Decimal(0)) for name in _QUANTITIES} | {
        "lastquantityavailablechange": row.get("lastquantityavailablechange")}


def move_stock(store: RecordStore, body: dict, now) -> dict:
    """Record the move as an inventory adjustment (none when nothing changes); the quantities afterwards."""
    if not isinstance(body.get("sku"), str) or not isinstance(body.get("location"), str):
        raise RecordError(400, "INVALID_REQUEST", 'The body needs "sku" and "location" (an external id).')
    if ("adjust_by" in body) == ("set_on_hand" in body):
        raise RecordError(400, "INVALID_REQUEST", 'Send exactly one of "adjust_by" and "set_on_hand".')
    item = _item(store, body["sku"])
    location_id = store.id_for("location", body["location"])
    if location_id is None:
        raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid location reference key {body['location']}.",
                          "location")
    before = stock_at(store, int(item["id"]), location_id)
    adjust_by = (parse_number(body["adjust_by"], "adjust_by") if "adjust_by" in body
                 else parse_number(body["set_on_hand"], "set_on_hand") - before["quantityonhand"])
    adjustment_id = None
    if adjust_by:
        subsidiary = ref_id(store.get("location", location_id).get("subsidiary"))
        adjustment = {
            "tranDate": now.date().isoformat(), "account": {"externalId": ADJUSTMENT_ACCOUNT},
            "adjLocation": {"id": str(location_id)},
            "memo": f"Stock moved outside the integration (sandbox): {body['sku']} at {body['location']}",
            "inventory": {"items": [{"item": {"id": str(item["id"])}, "adjustQtyBy": adjust_by}]},
            **({"subsidiary": {"id": str(subsidiary)}} if subsidiary else {})}
        validate(store, "inventoryAdjustment", adjustment)
        adjustment_id = str(save_record(store, "inventoryAdjustment", None, adjustment, set(), now))
    after = stock_at(store, int(item["id"]), location_id)
    changed = after.pop("lastquantityavailablechange")
    return {"sku": body["sku"], "location": body["location"], "inventoryAdjustment": adjustment_id,
            "adjustQtyBy": adjust_by, **after,
            "lastquantityavailablechange": changed.isoformat() + "Z" if changed else None}


async def move(request: Request) -> Response:
    """Move one item's stock at one location (POST); 400 with NetSuite's error body for a bad request."""
    netsuite, sandbox = request.app.state.netsuite, request.app.state.sandbox
    try:
        body = await json_body(request)
        async with netsuite.write_lock:
            return json_response(move_stock(netsuite.store, body, sandbox.clock.now()))
    except RecordError as error:
        return error.response()
