"""Inventory adjustments: units added to or taken out of stock at a location, valued at a unit cost (default: the
item's cost), against an adjustment account. Exact to the cent."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite import record_parts as parts
from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.store import RecordStore

ZERO = Decimal(0)


def finish_adjustment(store: RecordStore, record: dict) -> None:
    """Every line names an inventory item, a location and a non-zero quantity; `estimatedTotalValue` is their
    value."""
    parts.require(record, "account", "Adjustment Account")
    lines = parts.finish_sublist(record, "inventory")
    if not lines:
        raise parts.user_error("You must enter at least one line item for this transaction.", "inventory")
    parts.number_lines(lines)
    total = ZERO
    for index, line in enumerate(lines):
        path = f"inventory.items[{index}]"
        item = store.get("inventoryItem", parts.ref_id(line.get("item")) or 0)
        if item is None:
            raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid item reference key {line.get('item')}: adjust "
                              "inventory items.", f"{path}.item")
        if parts.is_matrix_parent(item):
            # A matrix parent holds no stock; its children do (not verified: NetSuite's exact message).
            raise parts.user_error(f"{item.get('itemId')} is a matrix parent item: adjust one of its children.",
                                   f"{path}.item")
        if not line.get("location"):
            if not record.get("adjLocation"):
                raise parts.user_error("Please enter value(s) for: Location", f"{path}.location")
            line["location"] = record["adjLocation"]
        parts.require(line, "adjustQtyBy", "Adjust Qty. By")
        line["adjustQtyBy"] = parts.money(line["adjustQtyBy"])
        if not line["adjustQtyBy"]:
            raise parts.user_error("Adjust Qty. By cannot be zero.", f"{path}.adjustQtyBy")
        line["unitCost"] = parts.money(line["unitCost"] if line.get("unitCost") is not None else item.get("cost") or 0)
        total += parts.cents(line["adjustQtyBy"] * line["unitCost"])
    record["estimatedTotalValue"] = total
