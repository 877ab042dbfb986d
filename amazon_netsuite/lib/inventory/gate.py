"""The gate against the classic disaster: a push that zeroes much of the catalogue, or comes from no or old stock.

An empty NetSuite snapshot (a saved search that returned nothing, a role that lost a permission) or a stale one
would tell Amazon "sold out" for listings that are not; refusing is cheaper than a day of lost sales.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb

from amazon_netsuite.lib.gates import GateResult
from amazon_netsuite.lib.gates import named as _named


def zero_drop_gate(con: duckdb.DuckDBPyConnection, storefront: str, day: date, *, max_zeroed_share: Decimal | float,
                   max_snapshot_age: timedelta, now: datetime) -> GateResult:
    """Whether the storefront-day's `available_to_sell` may be pushed, and if not, why and which SKUs."""
    if now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)  # warehouse timestamps are naive UTC
    (rows, taken_at), = con.execute(
        "SELECT count(*), max(taken_at) FROM netsuite_inventory_snapshot WHERE storefront = ? AND day = ?",
        [storefront, day]).fetchall()
    where = f"storefront {storefront}, day {day}"
    if rows == 0:
        return GateResult(False, [f"the NetSuite stock snapshot of {where} is empty: nothing is pushed, since an "
                                  "empty read would show every listing sold out. Check the NetSuite read."])
    reasons = []
    age = now - taken_at
    if age > max_snapshot_age:
        reasons.append(f"the NetSuite stock snapshot of {where} was taken at {taken_at:%Y-%m-%d %H:%M:%S} UTC, "
                       f"{age} before now, older than the {max_snapshot_age} allowed: read NetSuite again")
    in_stock, zeroed = con.execute("""
        SELECT count(*),
               list(l.sku ORDER BY l.sku) FILTER (WHERE a.quantity = 0)
        FROM amazon_listing_quantities l
        LEFT JOIN available_to_sell a ON a.storefront = l.storefront AND a.sku = l.sku AND a.day = ?
        WHERE l.storefront = ? AND l.quantity > 0
    """, [day, storefront]).fetchall()[0]
    zeroed = zeroed or []
    skus: list[str] = []
    if not in_stock:
        # The first push (nothing accepted yet): judged on the snapshot alone, since nothing says what Amazon shows.
        in_stock, zeroed = con.execute(
            "SELECT count(*), list(sku ORDER BY sku) FILTER (WHERE quantity = 0) FROM available_to_sell "
            "WHERE storefront = ? AND day = ? AND quantity IS NOT NULL", [storefront, day]).fetchall()[0]
        zeroed = zeroed or []
        if in_stock and Decimal(len(zeroed)) / in_stock > Decimal(str(max_zeroed_share)):
            skus = zeroed
            reasons.append(f"the first push would show {len(zeroed)} of its {in_stock} SKUs as out of stock "
                           f"({len(zeroed) / in_stock:.1%}, more than the {Decimal(str(max_zeroed_share)):.1%} "
                           f"allowed): {_named(zeroed)}. Check the storefront's locations; if the stock really is "
                           "gone, override the gate for one run.")
        return GateResult(not reasons, reasons, skus)
    if in_stock and Decimal(len(zeroed)) / in_stock > Decimal(str(max_zeroed_share)):
        skus = zeroed
        reasons.append(f"the push would drop {len(zeroed)} of the {in_stock} SKUs Amazon shows in stock to zero "
                       f"({len(zeroed) / in_stock:.1%}, more than the {Decimal(str(max_zeroed_share)):.1%} "
                       f"allowed): {_named(zeroed)}. If the stock really is gone, override the gate for one run.")
    return GateResult(not reasons, reasons, skus)


def settings_gate(con: duckdb.DuckDBPyConnection, settings, storefront: str, day: date, now: datetime) -> GateResult:
    """`zero_drop_gate` with the limits of the settings' `inventory:`."""
    return zero_drop_gate(con, storefront, day, max_zeroed_share=settings.inventory.max_zeroed_share,
                          max_snapshot_age=settings.inventory.max_snapshot_age, now=now)
