"""Listings Items API 2021-08-01: read a listing (getListingsItem) and patch it (patchListingsItem).

https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference. "ACCEPTED" means the
change was queued, not applied: confirm with getListingsItem(includedData=fulfillmentAvailability,issues).
"""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import quote

from amazon_netsuite.lib.amazon.client import SpApiClient
from amazon_netsuite.lib.amazon.errors import NotFound

VERSION = "2021-08-01"
BASE_PATH = f"/listings/{VERSION}/items"
MERCHANT_CHANNEL = "DEFAULT"
FULFILLMENT_AVAILABILITY_PATH = "/attributes/fulfillment_availability"


def quantity_patch(quantity: int) -> dict:
    """The patch that sets the merchant-fulfilled quantity and keeps the lead time (`merge` on the DEFAULT
    channel, https://developer-docs.amazon.com/sp-api/docs/merge-a-listing)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValueError(f"Amazon takes whole units of 0 or more, got {quantity!r}")
    return {"op": "merge", "path": FULFILLMENT_AVAILABILITY_PATH,
            "value": [{"fulfillment_channel_code": MERCHANT_CHANNEL, "quantity": quantity}]}


def merchant_quantity(listing: dict | None) -> int | None:
    """The DEFAULT channel's quantity of a getListingsItem answer (with `fulfillmentAvailability`), else None."""
    for entry in (listing or {}).get("fulfillmentAvailability") or []:
        if entry.get("fulfillmentChannelCode") == MERCHANT_CHANNEL:
            return entry.get("quantity")
    return None


def patch_request(product_type: str, patches: Sequence[dict]) -> dict:
    """The `ListingsItemPatchRequest` body of patchListingsItem."""
    if not patches:
        raise ValueError("patchListingsItem needs at least one patch")
    return {"productType": product_type, "patches": list(patches)}


class ListingsApi:
    """Listings Items API, version 2021-08-01, over one `SpApiClient`."""

    version = VERSION

    def __init__(self, client: SpApiClient) -> None:
        self.client = client

    def get_listings_item(self, seller_id: str, sku: str, marketplace_id: str,
                          included_data: Sequence[str] = ("summaries", "fulfillmentAvailability", "issues"),
                          ) -> dict | None:
        """The listing as Amazon shows it, or None when Amazon does not know the SKU (404)."""
        params = {"marketplaceIds": [marketplace_id], "includedData": list(included_data)}
        try:
            response = self.client.request("getListingsItem", "GET", _path(seller_id, sku), params=params)
        except NotFound:
            return None
        return response.payload

    def patch_listings_item(self, seller_id: str, sku: str, marketplace_id: str, patches: Sequence[dict], *,
                            product_type: str = "PRODUCT", validation_preview: bool = False,
                            included_data: Sequence[str] = ("issues",)) -> dict:
        """Patch a listing; the `ListingsItemSubmissionResponse` (status ACCEPTED, INVALID or, previewing, VALID)."""
        params: dict[str, Any] = {"marketplaceIds": [marketplace_id], "includedData": list(included_data),
                                  "mode": "VALIDATION_PREVIEW" if validation_preview else None}
        body = patch_request(product_type, patches)
        response = self.client.request("patchListingsItem", "PATCH", _path(seller_id, sku), params=params,
                                       json=body)
        return response.payload


def _path(seller_id: str, sku: str) -> str:
    # A SKU may hold a slash or spaces; it is one path segment.
    return f"{BASE_PATH}/{quote(seller_id, safe='')}/{quote(sku, safe='')}"
