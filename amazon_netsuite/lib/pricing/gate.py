"""The gate of a price push: a price that moved by more than a share since the price Amazon last accepted (a typo,
a wrong currency or price level) or fell under the item's cost is refused, with the SKUs named, before anything is
sent. A SKU Amazon has no accepted price for yet is judged on cost alone."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.gates import GateResult, named


def price_gate(prices: pa.Table, accepted: pa.Table, costs: pa.Table, *, max_change_share: Decimal,
               allow_below_cost: bool) -> GateResult:
    """`prices` (sku, price: the price list, NULL when held back), `accepted` (sku, price Amazon last accepted),
    `costs` (sku, cost in the price list's currency)."""
    with duckdb.connect() as con:
        for name, table in (("prices", prices), ("accepted", accepted), ("costs", costs)):
            con.register(name, table)
        moved, under = con.sql(
            """
            SELECT list(p.sku || ' ' || a.price || ' → ' || p.price ORDER BY p.sku)
                     FILTER (WHERE abs(p.price - a.price) > a.price * $share),
                   list(p.sku || ' ' || p.price || ' < cost ' || c.cost ORDER BY p.sku)
                     FILTER (WHERE p.price < c.cost AND NOT $below)
            FROM prices p LEFT JOIN accepted a USING (sku) LEFT JOIN costs c USING (sku)
            WHERE p.price IS NOT NULL
            """, params={"share": max_change_share, "below": allow_below_cost}).fetchall()[0]
    reasons, skus = [], []
    if moved:
        reasons.append(f"{len(moved)} price(s) moved by more than {max_change_share:.0%} since Amazon last accepted "
                       f"them: {named(moved)}. If they are right, override the gate for one run.")
        skus += [m.split(" ", 1)[0] for m in moved]
    if under:
        reasons.append(f"{len(under)} price(s) are under the item's cost: {named(under)}. Fix the price, or set "
                       "pricing.allow_below_cost.")
        skus += [u.split(" ", 1)[0] for u in under]
    return GateResult(not reasons, reasons, sorted(set(skus)))
