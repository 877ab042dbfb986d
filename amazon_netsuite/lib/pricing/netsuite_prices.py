"""NetSuite's prices as the pricing flow reads them, by SuiteQL: each item's list price (quantity 0) for one price
level and currency from the pricing matrix (`pricing`, `pricelevel`, `currency`), and the scheduled price changes
of the custom record `customrecord_amz_price_change` (NetSuite has no effective-dated prices of its own; the sandbox
NetSuite README, "Prices", explains the record).

Tables and columns: `pricing` (`item`, `pricelevel`, `quantity`, `unitprice`) and `pricelevel` are public SuiteQL
(hotglue's tap-netsuite-rest, https://github.com/hotgluexyz/tap-netsuite-rest); `pricing.currency` is not verified
(expected in a multi-currency account). Price levels are found by name, since "Base Price" = id 1 is an assumption of
Oracle's samples, not a documented fixed id. Prices stay exact decimals, never floats; dates are read with TO_CHAR so
no account date preference changes their format.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.netsuite.client import SUITEQL_MAX_PAGE
from amazon_netsuite.lib.netsuite.watermarks import item_watermark, table_watermark
from amazon_netsuite.lib.settings.pricing import BASE_PRICE

PRICE = pa.decimal128(18, 4)  # exact; room for the sub-cent prices NetSuite allows
PRICES_SCHEMA = pa.schema([("sku", pa.string()), ("item_id", pa.string()), ("price", PRICE),
                           ("price_level", pa.string()), ("currency", pa.string())])
PRICE_CHANGES_SCHEMA = pa.schema([
    ("change_id", pa.string()), ("sku", pa.string()), ("item_id", pa.string()), ("price_level", pa.string()),
    ("currency", pa.string()), ("price", PRICE), ("start_date", pa.date32()), ("end_date", pa.date32()),
    ("memo", pa.string()),
])
_PRICES = """
    SELECT i.id AS item_id, i.itemid AS sku, p.unitprice AS price
    FROM pricing p JOIN item i ON i.id = p.item
    WHERE p.pricelevel = ? AND p.currency = ? AND p.quantity = 0 AND i.isinactive = 'F'"""
_DAY = "'YYYY-MM-DD'"
_CHANGES = f"""
    SELECT c.id AS change_id, i.itemid AS sku, c.custrecord_apc_item AS item_id, pl.name AS price_level,
           cur.symbol AS currency, c.custrecord_apc_price AS price,
           TO_CHAR(c.custrecord_apc_start_date, {_DAY}) AS start_date,
           TO_CHAR(c.custrecord_apc_end_date, {_DAY}) AS end_date, c.custrecord_apc_memo AS memo
    FROM customrecord_amz_price_change c
    JOIN item i ON i.id = c.custrecord_apc_item
    JOIN pricelevel pl ON pl.id = c.custrecord_apc_price_level
    JOIN currency cur ON cur.id = c.custrecord_apc_currency
    WHERE c.isinactive = 'F'"""


class UnknownPriceReference(LookupError):
    """A price level (by name) or currency (by ISO code) the NetSuite account does not have, or has inactive."""


def _ids(client: NetSuiteClient, table: str, column: str, wanted: list[str], what: str) -> dict[str, str]:
    marks = ", ".join("?" for _ in wanted)
    found = {str(row[column]): str(row["id"]) for row in client.suiteql(
        f"SELECT id, {column} FROM {table} WHERE {column} IN ({marks}) AND isinactive = 'F' ORDER BY id", wanted)}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise UnknownPriceReference(f"NetSuite has no active {what} {', '.join(missing)}: fix the pricing settings "
                                    f"or create it in NetSuite")
    return found


def read_prices(client: NetSuiteClient, price_level: str, currency: str, *, fallback_level: str = BASE_PRICE,
                page_size: int = SUITEQL_MAX_PAGE) -> pa.Table:
    """Every active item's list price (quantity 0) in `currency` (ISO code) at `price_level` (name), or at
    `fallback_level` where the item has no price at that level; `price_level` in the result says which. Items with
    neither are left out. Columns of PRICES_SCHEMA, in item id order; UnknownPriceReference when NetSuite lacks the
    level, the fallback or the currency. Pages by item id, so NetSuite's 100,000-row offset cap never applies."""
    levels = list(dict.fromkeys([price_level, fallback_level]))
    level_ids = _ids(client, "pricelevel", "name", levels, "price level")
    currency_id = _ids(client, "currency", "symbol", [currency], "currency")[currency]
    chosen: dict[int, dict[str, Any]] = {}
    for level in reversed(levels):  # the fallback first, so the wanted level's price replaces it
        for row in client.suiteql_by_key(_PRICES, [level_ids[level], currency_id], key="item_id",
                                         page_size=page_size):
            chosen[int(row["item_id"])] = {"sku": row.get("sku"), "item_id": str(row["item_id"]),
                                           "price": Decimal(str(row["price"])), "price_level": level,
                                           "currency": currency}
    return pa.Table.from_pylist([chosen[key] for key in sorted(chosen)], schema=PRICES_SCHEMA)


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def read_price_changes(client: NetSuiteClient, *, page_size: int = SUITEQL_MAX_PAGE) -> pa.Table:
    """Every active scheduled price change (PRICE_CHANGES_SCHEMA), in record id order: the item, price level (name),
    currency (ISO code), the new price and the days it applies from and, when set, to."""
    rows = [{"change_id": str(row["change_id"]), "sku": row.get("sku"), "item_id": str(row["item_id"]),
             "price_level": row.get("price_level"), "currency": row.get("currency"),
             "price": Decimal(str(row["price"])), "start_date": _day(row.get("start_date")),
             "end_date": _day(row.get("end_date")), "memo": row.get("memo")}
            for row in client.suiteql_by_key(_CHANGES, key="change_id", page_size=page_size)]
    return pa.Table.from_pylist(rows, schema=PRICE_CHANGES_SCHEMA)


COSTS_SCHEMA = pa.schema([("sku", pa.string()), ("cost", PRICE)])
_COSTS = "SELECT id, itemid AS sku, cost FROM item WHERE cost IS NOT NULL AND isinactive = 'F'"


def read_costs(client: NetSuiteClient, *, page_size: int = SUITEQL_MAX_PAGE) -> pa.Table:
    """Every active item's purchase cost (`item.cost`, in the company's base currency), for the price gate."""
    rows = [{"sku": row.get("sku"), "cost": Decimal(str(row["cost"]))}
            for row in client.suiteql_by_key(_COSTS, key="id", page_size=page_size)]
    return pa.Table.from_pylist(rows, schema=COSTS_SCHEMA)


def price_watermark(client: NetSuiteClient) -> str | None:
    """A mark that moves when NetSuite's prices may have changed: the items' (an item's pricing matrix is part of
    the item record; that editing it bumps `item.lastmodifieddate` in a real account is not verified) and the
    scheduled price changes'. None when NetSuite has no item."""
    items = item_watermark(client)
    if items is None:
        return None
    changed, records = table_watermark(client, "customrecord_amz_price_change", "lastmodified")
    return f"{items} | price changes {changed} ({records})"
