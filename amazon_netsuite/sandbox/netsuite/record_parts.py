"""What every record module shares: exact amounts, references by internal id, NetSuite's user errors, and the
sublists (their line keys, reference and number fields, collection envelope and PATCH merging). It sits below
records.py and the per-type modules, so they import it and never each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.store import ITEM_TYPES

CENT = Decimal("0.01")
_SEGMENTS = {"location": ("location",), "class": ("classification",), "department": ("department",)}


def money(value: object) -> Decimal:
    """A JSON number (Decimal or int) or numeric string as Decimal, without passing through binary float."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def ref_id(value: object) -> int | None:
    """The internal id of a stored reference `{"id": "12", ...}` (or a bare id)."""
    if isinstance(value, dict):
        value = value.get("id")
    return int(value) if value is not None and str(value).isdigit() else None


def is_matrix_parent(item: dict) -> bool:
    """A matrix parent item (`matrixType` PARENT, as a select `{"id": ...}` or plain text): it holds no stock."""
    value = item.get("matrixType")
    return (value.get("id") if isinstance(value, dict) else value) == "PARENT"


LineKey = str | tuple[str, ...] | None  # a tuple: lines match when every part does


@dataclass(frozen=True)
class Sublist:
    """A sublist's line key (lines with a matching key are updated by PATCH; None: lines are always appended),
    its reference fields and its numeric fields."""

    key: LineKey
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    numbers: tuple[str, ...] = ()


# The pricing matrix: one line per currency × price level × quantity break
# (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_159531460854.html).
PRICE_LINES = Sublist(("currencyPage", "priceLevel", "quantity"),
                      {"currencyPage": ("currency",), "priceLevel": ("priceLevel",)}, ("price",))
_ITEM_LINES = Sublist("line", {"item": ITEM_TYPES, **_SEGMENTS}, ("quantity", "rate", "amount"))
_TAX_LINES = Sublist(None, {"taxType": ("taxType",), "taxCode": ("salesTaxItem",)},
                     ("taxBasis", "taxRate", "taxAmount"))
_APPLY = Sublist("doc", {"doc": ("invoice",)}, ("amount",))
_GL_LINES = Sublist(None, {"account": ("account",), "entity": ("customer",), **_SEGMENTS}, ("amount",))
SUBLISTS: dict[str, dict[str, Sublist]] = {
    "salesOrder": {"item": _ITEM_LINES, "taxDetails": _TAX_LINES},
    "cashSale": {"item": _ITEM_LINES, "taxDetails": _TAX_LINES},
    "invoice": {"item": _ITEM_LINES, "taxDetails": _TAX_LINES},
    "creditMemo": {"item": _ITEM_LINES, "taxDetails": _TAX_LINES, "apply": _APPLY},
    "cashRefund": {"item": _ITEM_LINES, "taxDetails": _TAX_LINES},
    "itemFulfillment": {"item": Sublist("line", {"item": ITEM_TYPES, "location": ("location",)}, ("quantity",)),
                        "package": Sublist(None, {}, ("packageWeight",))},
    "returnAuthorization": {"item": _ITEM_LINES},
    "itemReceipt": {"item": Sublist("line", {"item": ITEM_TYPES, "location": ("location",)}, ("quantity",))},
    "customerPayment": {"apply": _APPLY},
    "inventoryAdjustment": {"inventory": Sublist("line", {"item": ("inventoryItem",), "location": ("location",)},
                                                 ("adjustQtyBy", "unitCost"))},
    "customerRefund": {"apply": Sublist("doc", {"doc": ("creditMemo",)}, ("amount",))},
    "journalEntry": {"line": Sublist("line", {"account": ("account",), "entity": ("customer",), **_SEGMENTS},
                                     ("debit", "credit"))},
    "deposit": {"payment": Sublist("id", {}, ("paymentAmount",)), "other": _GL_LINES, "cashback": _GL_LINES},
    "kitItem": {"member": Sublist(None, {"item": ITEM_TYPES}, ("quantity",))},
    "inventoryItem": {"locations": Sublist("location", {"location": ("location",)},
                                           ("quantityOnHand", "preferredStockLevel", "reorderPoint")),
                      "price": PRICE_LINES},
}
SUBLISTS["kitItem"]["price"] = PRICE_LINES


def _line_key(line: dict, key: str | tuple[str, ...]) -> str | None:
    """A line's key as text: a reference's id, a `{"value": n}`'s value; a tuple key joins its parts."""
    if isinstance(key, tuple):
        parts = [_line_key(line, part) for part in key]
        return None if None in parts else "|".join(parts)
    value = line.get(key)
    if isinstance(value, dict) and "id" not in value and value.get("value") is not None:
        return format(money(value["value"]).normalize(), "f")  # a quantity: 0, 0.0 and 0.00 are one break
    if isinstance(value, dict):
        value = value.get("id")
    return None if value is None else str(value)


def merge_lines(current: list[dict], changes: list[dict], replace: bool, key: LineKey) -> list[dict]:
    """PATCH semantics: `replace` swaps every line; else lines whose key matches are updated, others appended.
    Takes ownership of both lists (callers pass copies)."""
    if replace:
        return list(changes)
    merged = list(current)
    by_key = {_line_key(line, key): line for line in merged} if key else {}
    for change in changes:
        target = by_key.get(_line_key(change, key)) if key and _line_key(change, key) is not None else None
        if target is None:
            merged.append(change)
            continue
        if ("quantity" in change or "rate" in change) and "amount" not in change:
            target.pop("amount", None)  # NetSuite recalculates the amount from the new quantity or rate
        target.update(change)
    return merged


def finish_sublist(record: dict, name: str) -> list[dict]:
    """The sublist's lines with NetSuite's collection envelope around them."""
    lines = record.get(name, {}).get("items", [])
    record[name] = {"items": lines, "count": len(lines), "hasMore": False, "offset": 0, "totalResults": len(lines)}
    return lines


def number_lines(lines: list[dict]) -> None:
    next_line = max((int(line["line"]) for line in lines if str(line.get("line", "")).isdigit()), default=0) + 1
    for line in lines:
        if not str(line.get("line", "")).isdigit():
            line["line"] = next_line
            next_line += 1
        else:
            line["line"] = int(line["line"])


def user_error(detail: str, path: str | None = None) -> RecordError:
    return RecordError(400, "USER_ERROR", detail, path)


def require(record: dict, name: str, label: str) -> None:
    if record.get(name) in (None, "", {}):
        raise user_error(f"Please enter value(s) for: {label}", name)


def source_line_of(line: dict, source_lines: dict[int, dict], done: dict[int, Decimal], path: str) -> tuple[dict,
                                                                                                         Decimal]:
    """A fulfillment's or receipt's line matched to its source line by `orderLine` (INVALID_KEY_OR_REF when none):
    the source's item copied, `itemReceive` defaulting to true, `quantity` to what is left (the source line less
    `done`); the source line and what is left."""
    source = source_lines.get(int(line["orderLine"])) if str(line.get("orderLine", "")).isdigit() else None
    if source is None:
        raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid orderLine reference key {line.get('orderLine')}.",
                          f"{path}.orderLine")
    remaining = money(source["quantity"]) - done[source["line"]]
    line.update(orderLine=source["line"], item={"id": source["item"]["id"], "refName": source["item"].get("refName")})
    line.setdefault("itemReceive", True)
    line["quantity"] = money(line["quantity"]) if line.get("quantity") is not None else remaining
    line["quantityRemaining"] = remaining
    return source, remaining


def check_units(line: dict, remaining: Decimal, path: str, too_many: str) -> None:
    """A received or shipped line moves a positive number of units, at most what is left (`too_many` says so)."""
    if line["quantity"] <= 0:
        raise user_error("Inventory items must have a positive amount.", f"{path}.quantity")
    if line["quantity"] > remaining:
        raise user_error(too_many, f"{path}.quantity")
