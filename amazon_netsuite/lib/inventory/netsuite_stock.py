"""NetSuite's stock as the inventory flow reads it, by SuiteQL: quantities per item × location
(`inventoryitemlocations`), kit members (`kititemmember`, else `itemmember`) and when stock last changed
(`lastquantityavailablechange`, the watermark the sensor polls).

Column names and tables: netsuite-facts §9.1 sources them from public SuiteQL (hotglue's tap-netsuite-rest
`InventoryItemLocationsStream`, https://github.com/hotgluexyz/tap-netsuite-rest, and Tim Dietrich's SuiteQL
library for `matrixtype`); which kit member table an account exposes is not verified, hence the fallback. Quantities
stay exact decimals: NetSuite allows fractions and negatives, and the flow decides what to do with them.
Times are read with TO_CHAR so no account date preference can change their format; they are taken as UTC (the
sandbox's are; a real account's time zone is not verified).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from amazon_netsuite.lib.netsuite import NetSuiteClient, NetSuiteError
from amazon_netsuite.lib.netsuite.client import SUITEQL_MAX_PAGE

QUANTITY = pa.decimal128(18, 4)  # DECIMAL(18,4), as lib/inventory/tables.py declares
_QUANTITIES = ("quantity_on_hand", "quantity_available", "quantity_committed", "quantity_on_order",
               "quantity_in_transit")
STOCK_SCHEMA = pa.schema([
    ("item_id", pa.string()), ("sku", pa.string()), ("item_type", pa.string()), ("matrix_type", pa.string()),
    ("location", pa.string()), ("is_fba_location", pa.bool_()), *((name, QUANTITY) for name in _QUANTITIES),
    ("last_quantity_change", pa.timestamp("us")),
])
KIT_MEMBERS_SCHEMA = pa.schema([("kit_sku", pa.string()), ("member_sku", pa.string()),
                                ("member_item_id", pa.string()), ("quantity", QUANTITY)])
_TIME = "'YYYY-MM-DD HH24:MI:SS'"
# Sellable stock-holding items: inventory items that are not matrix parents (Tim Dietrich's library:
# sellable = matrixtype IS NULL OR matrixtype = 'CHILD'), active.
_STOCK = f"""
    SELECT i.id AS item_id, i.itemid AS sku, i.itemtype AS item_type, i.matrixtype AS matrix_type,
           il.quantityonhand AS quantity_on_hand, il.quantityavailable AS quantity_available,
           il.quantitycommitted AS quantity_committed, il.quantityonorder AS quantity_on_order,
           il.quantityintransit AS quantity_in_transit,
           TO_CHAR(il.lastquantityavailablechange, {_TIME}) AS last_quantity_change
    FROM inventoryitemlocations il JOIN item i ON i.id = il.item
    WHERE il.location = ? AND i.itemtype = 'InvtPart' AND i.isinactive = 'F'
      AND (i.matrixtype IS NULL OR i.matrixtype = 'CHILD')"""
_KITS = """
    SELECT id AS item_id, itemid AS sku, itemtype AS item_type, matrixtype AS matrix_type
    FROM item WHERE itemtype = 'Kit' AND isinactive = 'F'"""
_KIT_MEMBERS = """
    SELECT p.itemid AS kit_sku, CASE WHEN m.isinactive = 'F' THEN m.itemid END AS member_sku,
           k.item AS member_item_id, k.quantity, k.parentitem, k.linenumber
    FROM {table} k JOIN item p ON p.id = k.parentitem LEFT JOIN item m ON m.id = k.item
    WHERE p.isinactive = 'F' ORDER BY k.parentitem, k.linenumber, k.item"""
KIT_MEMBER_TABLES = ("kititemmember", "itemmember")


class UnknownLocations(LookupError):
    """Locations the settings name that NetSuite does not have (by external id)."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"NetSuite has no location with external id {', '.join(missing)}: fix the storefront's "
                         "inventory locations in the settings or give the NetSuite location that external id")


def _quantity(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")


def _location_ids(client: NetSuiteClient, locations: list[str]) -> dict[str, str]:
    """External id → internal id of each location, in the order given; UnknownLocations for any NetSuite lacks."""
    wanted = list(dict.fromkeys(locations))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    found = {str(row["externalid"]): str(row["id"]) for row in client.suiteql(
        f"SELECT id, externalid FROM location WHERE externalid IN ({marks}) ORDER BY id", wanted)}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise UnknownLocations(missing)
    return {name: found[name] for name in wanted}


def read_stock(client: NetSuiteClient, locations: list[str], *, fba_locations: Collection[str] = (),
               page_size: int = SUITEQL_MAX_PAGE) -> pa.Table:
    """Every sellable inventory item × location of `locations` (external ids) with NetSuite's quantities, and every
    active kit once per location with NULL quantities (a kit's stock is its members'). Columns of
    `netsuite_inventory_snapshot` from `item_id` to `last_quantity_change`; `is_fba_location` is true for the
    locations in `fba_locations`. Matrix parents and inactive items are left out: nothing sells them. Pages by item
    id per location, so NetSuite's 100,000-row offset cap never applies."""
    rows: list[dict] = []
    kits = list(client.suiteql_by_key(_KITS, key="item_id", page_size=page_size))
    for location, location_id in _location_ids(client, locations).items():
        where = {"location": location, "is_fba_location": location in fba_locations}
        for row in client.suiteql_by_key(_STOCK, [location_id], key="item_id", page_size=page_size):
            rows.append({**_item(row), **where, **{name: _quantity(row.get(name)) for name in _QUANTITIES},
                         "last_quantity_change": _time(row.get("last_quantity_change"))})
        rows.extend({**_item(kit), **where} for kit in kits)
    return pa.Table.from_pylist(rows, schema=STOCK_SCHEMA)


def _item(row: dict) -> dict:
    return {"item_id": str(row["item_id"]), "sku": row.get("sku"), "item_type": row.get("item_type"),
            "matrix_type": row.get("matrix_type")}


def _member_rows(client: NetSuiteClient) -> Iterable[dict]:
    """Kit member rows from the first member table the account has."""
    for table in KIT_MEMBER_TABLES:
        try:
            return list(client.suiteql(_KIT_MEMBERS.format(table=table)))
        except NetSuiteError as exc:
            if exc.code != "INVALID_PARAMETER" or table == KIT_MEMBER_TABLES[-1]:
                raise  # the last table missing too, or a failure that is not about the query
    return []


def read_kit_members(client: NetSuiteClient) -> pa.Table:
    """One row per member of every active kit: (kit_sku, member_sku, member_item_id, quantity); `member_sku` is
    NULL when the member item is missing or inactive, so the kit can be held back with that reason."""
    rows = [{"kit_sku": row["kit_sku"], "member_sku": row.get("member_sku"),
             "member_item_id": str(row["member_item_id"]), "quantity": _quantity(row["quantity"])}
            for row in _member_rows(client)]
    return pa.Table.from_pylist(rows, schema=KIT_MEMBERS_SCHEMA)


def last_stock_change(client: NetSuiteClient) -> datetime | None:
    """When any item's quantity at any location last changed (naive UTC); None when none ever has."""
    rows = list(client.suiteql(
        f"SELECT TO_CHAR(MAX(lastquantityavailablechange), {_TIME}) AS changed FROM inventoryitemlocations"))
    return _time(rows[0].get("changed")) if rows else None
