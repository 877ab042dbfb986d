"""Item fulfillments: made from a sales order by `!transform/itemFulfillment`, one line per order line shipped
(`orderLine`), a ship status (Picked, Packed, Shipped) and packages with tracking numbers."""

from __future__ import annotations

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_parts import (
    check_units,
    finish_sublist,
    money,
    number_lines,
    ref_id,
    source_line_of,
    user_error,
)
from amazon_netsuite.sandbox.netsuite.sales import order_progress, ships, status
from amazon_netsuite.sandbox.netsuite.store import RecordStore

SHIP_STATUSES = {"A": "Picked", "B": "Packed", "C": "Shipped"}


def finish_fulfillment(store: RecordStore, record: dict, creating: bool) -> None:
    """Lines checked against the order's remaining quantities; lines not received are dropped."""
    order = store.get("salesOrder", ref_id(record.get("createdFrom")) or 0)
    if order is None:
        if creating and not record.get("createdFrom"):
            raise user_error("An item fulfillment is created from a sales order: POST "
                             "/salesOrder/{id}/!transform/itemFulfillment.", "createdFrom")
        raise RecordError(400, "INVALID_KEY_OR_REF", "createdFrom must be a sales order.", "createdFrom")
    if creating and order["status"]["id"] in ("A", "C", "H"):
        raise user_error(f"Sales order {order['tranId']} is {order['status']['refName']} and cannot be fulfilled.")
    for name in ("entity", "subsidiary"):
        if order.get(name):
            record[name] = order[name]
    order_lines = {line["line"]: line for line in order["item"]["items"]}
    fulfilled, _ = order_progress(store, int(order["id"]), exclude=int(record["id"]))
    lines = finish_sublist(record, "item")
    for index, line in enumerate(lines):
        path = f"item.items[{index}]"
        order_line, remaining = source_line_of(line, order_lines, fulfilled, path)
        if not line["itemReceive"]:
            continue
        if order_line["isClosed"]:
            raise user_error(f"Order line {order_line['line']} is closed.", f"{path}.orderLine")
        check_units(line, remaining, path, f"You cannot fulfill more than the {remaining} remaining on order line "
                                           f"{order_line['line']}.")
        if not line.get("location") and (order_line.get("location") or order.get("location")):
            line["location"] = order_line.get("location") or order["location"]
    record["item"]["items"] = lines = [line for line in lines if line["itemReceive"]]
    finish_sublist(record, "item")
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    number_lines(lines)
    ship = record.get("shipStatus") or {"id": "C"}
    code = ship.get("id") if isinstance(ship, dict) else ship
    if code not in SHIP_STATUSES:
        raise user_error(f"Invalid shipStatus {code!r}: use A (Picked), B (Packed) or C (Shipped).", "shipStatus")
    record["shipStatus"] = record["status"] = status(code, SHIP_STATUSES)
    for index, package in enumerate(finish_sublist(record, "package")):
        if package.get("packageWeight") is not None:
            package["packageWeight"] = money(package["packageWeight"])
        tracking = package.get("packageTrackingNumber")
        if tracking is not None and not isinstance(tracking, str):
            raise user_error("packageTrackingNumber must be text.", f"package.items[{index}].packageTrackingNumber")


def fulfill_order(store: RecordStore, order: dict) -> dict:
    """`salesOrder/!transform/itemFulfillment`: every open item line with quantity left to ship (discounts and
    charges are not shipped)."""
    fulfilled, _ = order_progress(store, int(order["id"]))
    lines = [{"orderLine": line["line"], "itemReceive": True,
              "quantity": money(line["quantity"]) - fulfilled[line["line"]]}
             for line in order["item"]["items"]
             if not line["isClosed"] and money(line["quantity"]) > fulfilled[line["line"]] and ships(store, line)]
    body = {"createdFrom": {"id": order["id"]}, "item": {"items": lines}}
    body.update({k: v for k, v in order.items() if k.startswith("custbody_")})
    return body
