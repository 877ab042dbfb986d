"""NetSuite inventory adjustments of the FBA location, one per ledger row that moves it.

`POST /record/v1/inventoryAdjustment` with `account`, `adjLocation`, `subsidiary` and `inventory.items[]`
(`item`, `location`, `adjustQtyBy`):
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_0817101055.html.
The external id is a hash of the ledger key, so re-sending a ledger row (an upsert by external id) never moves the
stock twice.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Mapping

EXTERNAL_ID_PREFIX = "AMZ-FBA-"

_EVENTS = {
    "Receipts": "received into FBA",
    "Shipments": "shipped to a customer by FBA",
    "CustomerReturns": "returned by a customer to FBA",
    "Adjustments": "adjusted by FBA",
    "VendorReturns": "removed from FBA",
    "WhseTransfers": "moved between FBA warehouses",
    "Opening balance": "Amazon's FBA stock at go-live less NetSuite's and the movements still to post",
}
_REASONS = {"M": "lost (M)", "F": "found (F)", "E": "damaged in the warehouse (E)"}  # codes not verified


def adjustment_external_id(ledger_key: str) -> str:
    return EXTERNAL_ID_PREFIX + hashlib.sha256(ledger_key.encode()).hexdigest()[:32]


def adjustment_memo(row: Mapping[str, Any]) -> str:
    """`Amazon FBA ledger: Adjustments, lost (M), ref 123, SKU X, -1 (SEA8)`: what moved, and why."""
    event = row["event_type"]
    what = _EVENTS.get(event, event)
    reason = _REASONS.get(row.get("reason") or "", row.get("reason") or "")
    parts = [f"Amazon FBA ledger: {event} ({what})", reason, f"ref {row.get('reference_id') or '-'}",
             f"SKU {row['sku']}", f"{row['quantity']:+}", row.get("fulfillment_center") or ""]
    return ", ".join(p for p in parts if p)


def adjustment_payload(row: Mapping[str, Any], *, subsidiary: str, fba_location: str, account: str) -> dict:
    """The `inventoryAdjustment` body for one ledger row; every reference by external id."""
    event_date = row["event_date"]
    return {
        "externalId": adjustment_external_id(row["ledger_key"]),
        "tranDate": event_date.isoformat() if isinstance(event_date, date) else str(event_date),
        "subsidiary": {"externalId": subsidiary},
        "account": {"externalId": account},
        "adjLocation": {"externalId": fba_location},
        "memo": adjustment_memo(row),
        "inventory": {"items": [{
            "item": {"externalId": row["sku"]},
            "location": {"externalId": fba_location},
            # Whole units as an integer; a fraction (only an opening against a fractional NetSuite quantity) as is.
            "adjustQtyBy": int(row["quantity"]) if row["quantity"] == int(row["quantity"]) else float(row["quantity"]),
        }]},
    }
