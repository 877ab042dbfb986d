"""The quantities of a feed's messages, and the register of what Amazon accepted (`amazon_listing_quantities`).
How Amazon answered each message is `lib/amazon/listings_feed.message_outcomes`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon import listings_feed
from amazon_netsuite.lib.amazon.listings_feed import ACCEPTED, READ_BACK


def _quantity(message: Mapping[str, Any]) -> int | None:
    for patch in message.get("patches", []):
        for value in patch.get("value") or []:
            if value.get("fulfillment_channel_code") == "DEFAULT":
                return value.get("quantity")
    return None


def message_outcomes(messages: Sequence[Mapping[str, Any]], report: Mapping[str, Any] | None,
                     feed_status: str) -> list[dict[str, Any]]:
    """`listings_feed.message_outcomes` of a quantity feed, each row with the quantity its message set."""
    rows = listings_feed.message_outcomes(messages, report, feed_status)
    for row, message in zip(rows, messages, strict=True):
        row["quantity"] = _quantity(message)
    return rows


def record_accepted(con: duckdb.DuckDBPyConnection, storefront: str, rows: Iterable[Mapping[str, Any]],
                    feed_id: str | None, at: datetime) -> int:
    """Upsert `amazon_listing_quantities` with what Amazon now shows; returns the SKUs written.

    Accepted rows carry the feed's id; read-back rows (the quantity read from the listing) carry none.
    """
    kept = [(r["sku"], r["quantity"], feed_id if r["outcome"] == ACCEPTED else None) for r in rows
            if r["outcome"] in (ACCEPTED, READ_BACK) and r.get("quantity") is not None]
    if not kept:
        return 0
    table = pa.table({"sku": [k[0] for k in kept], "quantity": pa.array([k[1] for k in kept], pa.int32()),
                      "feed_id": pa.array([k[2] for k in kept], pa.string())})
    con.register("_accepted_quantities", table)
    try:
        con.execute("""
            INSERT INTO amazon_listing_quantities (storefront, sku, quantity, accepted_at, feed_id)
            SELECT ?, sku, quantity, ?::TIMESTAMP, feed_id FROM _accepted_quantities
            ON CONFLICT (storefront, sku) DO UPDATE
            SET quantity = excluded.quantity, accepted_at = excluded.accepted_at, feed_id = excluded.feed_id
        """, [storefront, at])
    finally:
        con.unregister("_accepted_quantities")
    return len(kept)
