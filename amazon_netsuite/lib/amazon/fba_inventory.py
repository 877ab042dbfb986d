"""FBA Inventory API v1 (getInventorySummaries) and the columns of the inventory ledger report.

https://developer-docs.amazon.com/sp-api/docs/fba-inventory-api-v1-reference: `granularityType=Marketplace`, one
marketplace per call, a `nextToken` that expires 30 seconds after it was issued. With Marketplace granularity the
fulfillable quantity is what could be fulfilled in that marketplace, so pooled stock shows in each marketplace of a
region: read one marketplace per pool, never add marketplaces up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterator, Sequence

from amazon_netsuite.lib.amazon.client import SpApiClient
from amazon_netsuite.lib.amazon.errors import InvalidInput

SUMMARIES_PATH = "/fba/inventory/v1/summaries"
MAX_SELLER_SKUS = 50

# https://developer-docs.amazon.com/sp-api/docs/fba-inventory-reports-attributes (Inventory Ledger, detailed view);
# the file's header names, in file order.
LEDGER_REPORT_TYPE = "GET_LEDGER_DETAIL_VIEW_DATA"
LEDGER_COLUMNS: tuple[str, ...] = (
    "Date", "FNSKU", "ASIN", "MSKU", "Title", "Event Type", "Reference ID", "Quantity", "Fulfillment Center",
    "Disposition", "Reason", "Country", "Reconciled Quantity", "Unreconciled Quantity", "Date and Time",
)


class FbaInventoryApi:
    """FBA Inventory API v1 over one `SpApiClient`."""

    def __init__(self, client: SpApiClient) -> None:
        self.client = client

    def summaries(
        self,
        marketplace_id: str,
        *,
        details: bool = True,
        start_date_time: datetime | None = None,
        seller_skus: Sequence[str] | None = None,
    ) -> Iterator[dict]:
        """Every inventory summary of the marketplace, following nextToken across pages.

        `start_date_time` keeps the SKUs that changed since (Amazon does not count inbound changes);
        `seller_skus` (at most 50) keeps those SKUs. A nextToken that expired while the caller was busy makes the
        listing start over once; SKUs already yielded are not yielded again.
        """
        if seller_skus is not None and len(seller_skus) > MAX_SELLER_SKUS:
            raise ValueError(f"sellerSkus takes at most {MAX_SELLER_SKUS} SKUs, got {len(seller_skus)}")
        query = {
            "granularityType": "Marketplace",
            "granularityId": marketplace_id,
            "marketplaceIds": [marketplace_id],
            "details": details,
            "startDateTime": start_date_time,
            "sellerSkus": list(seller_skus) if seller_skus else None,
        }
        seen: set[str] = set()
        restarted = False
        token: str | None = None
        while True:
            # The token goes with the full query: Amazon wants startDateTime resent with it.
            params = {**query, "nextToken": token}
            try:
                response = self.client.request("getInventorySummaries", "GET", SUMMARIES_PATH, params=params)
            except InvalidInput:
                if token is None or restarted:
                    raise
                restarted, token = True, None  # the token expired (30 s): start over, once
                continue
            for summary in (response.payload.get("payload") or {}).get("inventorySummaries") or []:
                if summary.get("sellerSku") not in seen:
                    seen.add(summary.get("sellerSku"))
                    yield summary
            token = response.next_token
            if not token:
                return
