"""Return authorizations and their item receipts.

A return authorization (RMA) is non-posting: it says which units of a sale the customer may send back, at which
rate. It is made by `!transform` from a cash sale, sales order or invoice (lines keyed by the source's
`orderLine`), or by `POST /returnAuthorization` on its own (Oracle's sample:
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0718011926.html). An item receipt, made by
`returnAuthorization/!transform/itemReceipt`, puts the units back into stock at a location, never more than the
authorization has left to receive; the RMA's status follows: Pending Receipt, Partially Received, Pending Refund.
The sandbox never moves an RMA to Refunded: refunds post elsewhere (README "Returns").
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_parts import (
    cents,
    check_units,
    finish_sublist,
    money,
    number_lines,
    ref_id,
    require,
    source_line_of,
    user_error,
)
from amazon_netsuite.sandbox.netsuite.sales import default_from_customer, ships, status
from amazon_netsuite.sandbox.netsuite.store import RecordStore

# Codes as NetSuite's RtnAuth statuses (A–H); which of them REST reports is not verified.
RMA_STATUSES = {"A": "Pending Approval", "B": "Pending Receipt", "D": "Partially Received", "F": "Pending Refund"}
RETURN_SOURCES = ("cashSale", "salesOrder", "invoice")
_COPIED = ("entity", "subsidiary", "currency", "location", "class", "department", "otherRefNum")
ZERO = Decimal(0)


def _received(store: RecordStore, rma_id: int, exclude: int | None = None) -> dict[int, Decimal]:
    """Units received per RMA line over its item receipts (leaving out record `exclude`, the one being saved)."""
    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for record_type, record in store.referrers(rma_id):
        if record_type == "itemReceipt" and int(record["id"]) != exclude:
            for line in record["item"]["items"]:
                received[int(line["orderLine"])] += money(line.get("quantity", 0))
    return received


def _authorized(store: RecordStore, source_id: int, exclude: int) -> dict[int, Decimal]:
    """Units other RMAs of the same source already authorise, per source line."""
    authorized: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for record_type, record in store.referrers(source_id):
        if record_type == "returnAuthorization" and int(record["id"]) != exclude:
            for line in record["item"]["items"]:
                if line.get("orderLine") is not None:
                    authorized[int(line["orderLine"])] += money(line.get("quantity", 0))
    return authorized


def _source(store: RecordStore, record: dict) -> dict | None:
    if not record.get("createdFrom"):
        return None
    for source_type in RETURN_SOURCES:
        found = store.get(source_type, ref_id(record["createdFrom"]) or 0)
        if found is not None:
            return found
    raise RecordError(400, "INVALID_KEY_OR_REF", "createdFrom must be a cash sale, sales order or invoice.",
                      "createdFrom")


def finish_return_authorization(store: RecordStore, record: dict) -> None:
    """Lines with rates and amounts, never more units than the source sold less what other RMAs authorise; the
    units received so far per line, and the status they give."""
    source = _source(store, record)
    if source is not None:
        for name in ("entity", "subsidiary", "currency"):
            if not record.get(name) and source.get(name):
                record[name] = source[name]
    require(record, "entity", "Customer")
    default_from_customer(store, record)
    lines = finish_sublist(record, "item")
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    number_lines(lines)
    source_lines = {line["line"]: line for line in source["item"]["items"]} if source else {}
    authorized = _authorized(store, int(source["id"]), int(record["id"])) if source else {}
    received = _received(store, int(record["id"]))
    total = ZERO
    for index, line in enumerate(lines):
        path = f"item.items[{index}]"
        sold = source_lines.get(int(line["orderLine"])) if line.get("orderLine") is not None else None
        if source is not None and line.get("orderLine") is not None and sold is None:
            raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid orderLine reference key {line['orderLine']}.",
                              f"{path}.orderLine")
        if sold is not None and not line.get("item"):
            line["item"] = {"id": sold["item"]["id"], "refName": sold["item"].get("refName")}
        require(line, "item", "Item")
        line.setdefault("isClosed", False)
        line["quantity"] = money(line.get("quantity", 1))
        if line["quantity"] <= 0:
            raise user_error("Inventory items must have a positive amount.", f"{path}.quantity")
        if sold is not None:
            left = money(sold["quantity"]) - authorized[sold["line"]]
            if line["quantity"] > left:
                raise user_error(f"You cannot return more than the {left} left to return on line {sold['line']} "
                                 f"of {source['tranId']}.", f"{path}.quantity")
            line["orderLine"] = sold["line"]
        rate = line.get("rate", sold.get("rate") if sold else None)
        line["rate"] = money(rate) if rate is not None else ZERO
        line["amount"] = cents(money(line["amount"]) if line.get("amount") is not None
                               else line["rate"] * line["quantity"])
        line["quantityReceived"] = received[line["line"]]
        total += line["amount"]
    record["total"] = cents(total)
    stocked = [line for line in lines if ships(store, line) and not line["isClosed"]]
    wanted = sum((money(line["quantity"]) for line in stocked), ZERO)
    got = sum((line["quantityReceived"] for line in stocked), ZERO)
    code = "B" if not got else ("F" if got >= wanted else "D")
    record["status"] = status(code, RMA_STATUSES)


def return_from(store: RecordStore, source: dict) -> dict:
    """`{cashSale|salesOrder|invoice}/!transform/returnAuthorization`: every stocked line of the source at its rate
    (the body's lines, keyed by `orderLine`, change or, with `?replace=item`, replace them)."""
    lines = [{"orderLine": line["line"], "item": {"id": line["item"]["id"]}, "quantity": line["quantity"],
              "rate": line["rate"], **({"location": line["location"]} if line.get("location") else {})}
             for line in source["item"]["items"] if not line.get("isClosed") and ships(store, line)]
    body = {name: source[name] for name in _COPIED if source.get(name) is not None}
    body.update(createdFrom={"id": source["id"]}, item={"items": lines})
    return body


def finish_item_receipt(store: RecordStore, record: dict, creating: bool) -> None:
    """Lines checked against what the RMA has left to receive, each at a location; lines not received are
    dropped."""
    rma = store.get("returnAuthorization", ref_id(record.get("createdFrom")) or 0)
    if rma is None:
        if creating and not record.get("createdFrom"):
            raise user_error("An item receipt of a return is created from its return authorization: POST "
                             "/returnAuthorization/{id}/!transform/itemReceipt.", "createdFrom")
        raise RecordError(400, "INVALID_KEY_OR_REF", "createdFrom must be a return authorization.", "createdFrom")
    for name in ("entity", "subsidiary", "currency"):
        if rma.get(name):
            record[name] = rma[name]
    rma_lines = {line["line"]: line for line in rma["item"]["items"]}
    received = _received(store, int(rma["id"]), exclude=int(record["id"]))
    lines = finish_sublist(record, "item")
    for index, line in enumerate(lines):
        path = f"item.items[{index}]"
        rma_line, remaining = source_line_of(line, rma_lines, received, path)
        if not line["itemReceive"]:
            continue
        check_units(line, remaining, path, f"You cannot receive more than the {remaining} remaining on return "
                                           f"authorization line {rma_line['line']}.")
        if not line.get("location"):
            line["location"] = rma_line.get("location") or rma.get("location")
        if not line.get("location"):
            raise user_error("Please enter value(s) for: Location", f"{path}.location")
    record["item"]["items"] = lines = [line for line in lines if line["itemReceive"]]
    finish_sublist(record, "item")
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    number_lines(lines)


def receive_return(store: RecordStore, rma: dict) -> dict:
    """`returnAuthorization/!transform/itemReceipt`: every stocked line with units left to receive, at the line's
    (or the RMA's) location when it has one."""
    if rma["status"]["id"] == "A":
        raise user_error(f"Return authorization {rma['tranId']} is Pending Approval and cannot be received.")
    received = _received(store, int(rma["id"]))
    lines = [{"orderLine": line["line"], "itemReceive": True,
              "quantity": money(line["quantity"]) - received[line["line"]],
              **({"location": line["location"]} if line.get("location") else {})}
             for line in rma["item"]["items"]
             if not line["isClosed"] and money(line["quantity"]) > received[line["line"]] and ships(store, line)]
    return {"createdFrom": {"id": rma["id"]}, "item": {"items": lines}}

