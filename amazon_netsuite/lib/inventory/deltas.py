"""Deltas only: the SKUs whose quantity differs from what Amazon last accepted, as JSON_LISTINGS_FEED documents.

Each message merges `fulfillment_availability` for the DEFAULT (merchant) channel, so the lead time and restock date
Amazon holds survive (https://developer-docs.amazon.com/sp-api/docs/merge-a-listing). A feed takes at most 25,000
messages (`messages.maxItems` of Amazon's listings-feed-schema-v2.json;
https://developer-docs.amazon.com/sp-api/changelog/update-feed-size-and-rate-limit-changes-for-the-json_listings_feed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.feeds import MAX_LISTINGS_MESSAGES
from amazon_netsuite.lib.amazon.listings_feed import OFFER_ONLY_PRODUCT_TYPE, patch_documents
from amazon_netsuite.lib.warehouse import fetch_arrow
FULFILLMENT_AVAILABILITY = "/attributes/fulfillment_availability"


def changed_quantities(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> pa.Table:
    """sku, quantity, previous_quantity of the storefront-day's pushable SKUs Amazon does not show yet.

    Pushable: `available_to_sell` has a quantity (not held back). previous_quantity is NULL for a SKU never pushed.
    """
    return fetch_arrow(con, """
        SELECT a.sku, a.quantity, l.quantity AS previous_quantity
        FROM available_to_sell a
        LEFT JOIN amazon_listing_quantities l ON l.storefront = a.storefront AND l.sku = a.sku
        WHERE a.storefront = ? AND a.day = ? AND a.quantity IS NOT NULL AND a.quantity IS DISTINCT FROM l.quantity
        ORDER BY a.sku
    """, [storefront, day])


def quantity_patch(quantity: int, lead_time_days: int | None = None) -> dict[str, Any]:
    """The one patch a message carries: merge the DEFAULT channel's quantity (and lead time when configured)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValueError(f"Amazon takes whole units ≥ 0, not {quantity!r}")
    value: dict[str, Any] = {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
    if lead_time_days is not None:
        value["lead_time_to_ship_max_days"] = lead_time_days
    return {"op": "merge", "path": FULFILLMENT_AVAILABILITY, "value": [value]}


def feed_documents(seller_id: str, changes: pa.Table | Iterable[Mapping[str, Any]], *,
                   product_type: str = OFFER_ONLY_PRODUCT_TYPE, lead_time_days: int | None = None, max_messages: int = MAX_LISTINGS_MESSAGES,
                   issue_locale: str = "en_US") -> list[dict[str, Any]]:
    """JSON_LISTINGS_FEED documents setting each change's quantity, `max_messages` per document at most.

    `changes` has `sku` and `quantity` (a `changed_quantities` table, or rows). messageId restarts at 1 in every
    document: it is unique within one feed, and the processing report answers per messageId.
    """
    rows = changes.select(["sku", "quantity"]).to_pylist() if isinstance(changes, pa.Table) else list(changes)
    return patch_documents(seller_id, ((row["sku"], [quantity_patch(row["quantity"], lead_time_days)])
                                       for row in rows), product_type=product_type, max_messages=max_messages,
                           issue_locale=issue_locale)
