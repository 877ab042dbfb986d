"""Creating and changing records the way NetSuite does: reference checks, required fields, sublist lines,
line amounts, totals and statuses. Plain Python over a RecordStore; raises RecordError for what NetSuite refuses."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.store import EXTERNAL_ID, ITEM_TYPES, TRANSACTION_TYPES, RecordStore

# Body-level reference fields and the record types they may point to.
HEADER_REFERENCES = {
    "entity": ("customer",),
    "subsidiary": ("subsidiary",),
    "location": ("location",),
    "currency": ("currency",),
}
LINE_REFERENCES = {"item": ITEM_TYPES, "location": ("location",)}
_REF_NAMES = {"entity": "customer", "item": "item"}
_TRANSACTION_PREFIX = {"salesOrder": "SO", "cashSale": "CS"}
_SALES_ORDER_STATUS = {"A": "Pending Approval", "B": "Pending Fulfillment"}
CENT = Decimal("0.01")


def money(value: object) -> Decimal:
    """A JSON number (or numeric string) as Decimal, without passing through binary float arithmetic."""
    return Decimal(str(value))


_LINE_NUMBERS = ("quantity", "rate", "amount")
_HEADER_NUMBERS = ("shippingCost", "handlingCost", "taxTotal", "exchangeRate")


def _number(value: object, path: str) -> None:
    try:
        ok = not isinstance(value, bool) and money(value).is_finite()
    except ArithmeticError:
        ok = False
    if not ok:
        raise RecordError(400, "USER_ERROR", f"Invalid number {value!r}.", path)


def check_external_id(external_id: str) -> None:
    if not EXTERNAL_ID.fullmatch(external_id):
        raise RecordError(400, "USER_ERROR",
                          f"Invalid external ID '{external_id}': use letters, digits, '_' and '-' only.",
                          "externalId")


def _ref_name(record: dict) -> str:
    for field in ("entityId", "itemId", "name", "symbol"):
        if record.get(field):
            return str(record[field])
    return str(record["id"])


def resolve(store: RecordStore, ref: object, targets: tuple[str, ...], field: str, path: str) -> dict:
    """`ref` ({"id": ...} or {"externalId": ...}) as NetSuite stores it, {"id", "refName"}; raises
    INVALID_KEY_OR_REF when it names no record of the target types."""
    if isinstance(ref, dict):
        for target in targets:
            if "id" in ref:
                record_id = int(ref["id"]) if str(ref["id"]).isdigit() else None
            else:
                record_id = store.id_for(target, str(ref.get("externalId")))
            record = store.get(target, record_id) if record_id is not None else None
            if record is not None:
                return {"id": record["id"], "refName": _ref_name(record)}
    key = ref.get("id", ref.get("externalId")) if isinstance(ref, dict) else ref
    name = _REF_NAMES.get(field, field)
    raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid {name} reference key {key}.", path)


def _lines(body: dict) -> list | None:
    sublist = body.get("item")
    if sublist is None:
        return None
    if not isinstance(sublist, dict) or not isinstance(sublist.get("items", []), list):
        raise RecordError(400, "USER_ERROR", "item must be an object with an items array.", "item")
    return sublist.get("items", [])


def validate(store: RecordStore, record_type: str, body: dict, creating: bool) -> None:
    """Reference and required-field checks (`creating` adds those for a new record). Rewrites the references in
    `body` to `{"id", "refName"}`, as NetSuite stores them."""
    if "externalId" in body:
        check_external_id(str(body["externalId"]))
    for field, targets in HEADER_REFERENCES.items():
        if field in body and body[field] is not None:
            body[field] = resolve(store, body[field], targets, field, field)
    for field in _HEADER_NUMBERS:
        if field in body:
            _number(body[field], field)
    lines = _lines(body)
    for index, line in enumerate(lines or []):
        for field, targets in LINE_REFERENCES.items():
            if field in line and line[field] is not None:
                line[field] = resolve(store, line[field], targets, field, f"item.items[{index}].{field}")
        for field in _LINE_NUMBERS:
            if field in line:
                _number(line[field], f"item.items[{index}].{field}")
        if "quantity" in line and money(line["quantity"]) <= 0 and not line.get("isClosed"):
            raise RecordError(400, "USER_ERROR", "Inventory items must have a positive amount.",
                              f"item.items[{index}].quantity")
    if creating and record_type in TRANSACTION_TYPES:
        if not body.get("entity"):
            raise RecordError(400, "USER_ERROR", "Please enter value(s) for: Customer", "entity")
        if not lines:
            raise RecordError(400, "USER_ERROR", "You must enter at least one line item for this transaction.",
                              "item")
        for index, line in enumerate(lines):
            if not line.get("item"):
                raise RecordError(400, "USER_ERROR", "Please enter value(s) for: Item",
                                  f"item.items[{index}].item")


def _merge_lines(current: list[dict], changes: list[dict], replace: bool) -> list[dict]:
    if replace:
        return [copy.deepcopy(line) for line in changes]
    merged = [dict(line) for line in current]
    by_line = {line.get("line"): line for line in merged}
    for change in changes:
        target = by_line.get(change.get("line"))
        if target is not None:
            if ("quantity" in change or "rate" in change) and "amount" not in change:
                target.pop("amount", None)  # NetSuite recalculates the amount from the new quantity or rate
            target.update(copy.deepcopy(change))
        else:
            merged.append(copy.deepcopy(change))
    return merged


def _finish_transaction(record_type: str, record: dict, today: date) -> None:
    """Line numbers and amounts, total, tranId, tranDate and status, as NetSuite fills them in."""
    total = Decimal(0)
    for field in _HEADER_NUMBERS:
        if field in record:
            record[field] = float(money(record[field]))  # numbers on the wire, as NetSuite answers
    for number, line in enumerate(record["item"]["items"], start=1):
        for field in _LINE_NUMBERS:
            if field in line:
                line[field] = float(money(line[field]))
        line.setdefault("line", number)
        line.setdefault("isClosed", False)
        if "rate" in line and "quantity" in line and "amount" not in line:
            line["amount"] = float((money(line["rate"]) * money(line["quantity"])).quantize(CENT))
        if not line["isClosed"]:
            total += money(line.get("amount", 0))
    total += money(record.get("shippingCost", 0)) + money(record.get("handlingCost", 0))
    total += money(record.get("taxTotal", 0))
    record["item"].update(count=len(record["item"]["items"]), hasMore=False, offset=0,
                          totalResults=len(record["item"]["items"]))
    record["total"] = float(total.quantize(CENT))
    record.setdefault("tranId", f"{_TRANSACTION_PREFIX[record_type]}{record['id']}")
    record.setdefault("tranDate", today.isoformat())
    if record_type == "salesOrder":
        lines = record["item"]["items"]
        status = record.get("orderStatus", {}).get("id", "B")
        record["orderStatus"] = {"id": status, "refName": _SALES_ORDER_STATUS.get(status, status)}
        if lines and all(line["isClosed"] for line in lines):
            record["status"] = {"id": "H", "refName": "Closed"}
        else:
            record["status"] = {"id": status, "refName": _SALES_ORDER_STATUS.get(status, status)}
    else:
        record["status"] = {"id": "B", "refName": "Not Deposited"}


def apply(store: RecordStore, record_type: str, current: dict | None, body: dict, *, record_id: int,
          replace: set[str] = frozenset(), today: date) -> dict:
    """The record after creating it from `body` (current None) or changing `current` by `body`; not stored."""
    record = copy.deepcopy(current) if current else {}
    for field, value in body.items():
        if field in ("id", "links", "total", "status"):
            continue  # read-only in NetSuite
        if field == "item" and isinstance(value, dict) and record_type in TRANSACTION_TYPES:
            record["item"] = {"items": _merge_lines(record.get("item", {}).get("items", []),
                                                     value.get("items", []), "item" in replace)}
        else:
            record[field] = copy.deepcopy(value)
    record["id"] = str(record_id)
    if record_type in TRANSACTION_TYPES:
        _finish_transaction(record_type, record, today)
    return record
