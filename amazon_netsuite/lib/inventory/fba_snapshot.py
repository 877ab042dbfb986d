"""Amazon's FBA stock as rows of `fba_inventory_snapshot`, from getInventorySummaries with `details=true`
(https://developer-docs.amazon.com/sp-api/docs/fba-inventory-api-v1-reference)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

import pyarrow as pa

SCHEMA = pa.schema([
    ("storefront", pa.string()), ("day", pa.date32()), ("taken_at", pa.timestamp("us")), ("sku", pa.string()),
    ("fnsku", pa.string()), ("asin", pa.string()), ("fulfillable", pa.int64()), ("inbound_working", pa.int64()),
    ("inbound_shipped", pa.int64()), ("inbound_receiving", pa.int64()), ("reserved", pa.int64()),
    ("reserved_pending_customer_order", pa.int64()), ("unfulfillable", pa.int64()), ("researching", pa.int64()),
    ("total", pa.int64()), ("last_updated", pa.timestamp("us")),
])


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def fba_snapshot_table(summaries: Iterable[dict], storefront: str, day: date, taken_at: datetime) -> pa.Table:
    """One row per SKU; a quantity Amazon leaves out counts 0."""
    rows = []
    for s in summaries:
        details = s.get("inventoryDetails") or {}
        reserved = details.get("reservedQuantity") or {}
        rows.append(dict(
            storefront=storefront, day=day, taken_at=taken_at, sku=s["sellerSku"], fnsku=s.get("fnSku"),
            asin=s.get("asin"), fulfillable=details.get("fulfillableQuantity") or 0,
            inbound_working=details.get("inboundWorkingQuantity") or 0,
            inbound_shipped=details.get("inboundShippedQuantity") or 0,
            inbound_receiving=details.get("inboundReceivingQuantity") or 0,
            reserved=reserved.get("totalReservedQuantity") or 0,
            reserved_pending_customer_order=reserved.get("pendingCustomerOrderQuantity") or 0,
            unfulfillable=(details.get("unfulfillableQuantity") or {}).get("totalUnfulfillableQuantity") or 0,
            researching=(details.get("researchingQuantity") or {}).get("totalResearchingQuantity") or 0,
            total=s.get("totalQuantity") or 0, last_updated=_time(s.get("lastUpdatedTime"))))
    return pa.Table.from_pylist(rows, schema=SCHEMA)
