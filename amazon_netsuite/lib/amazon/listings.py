"""Listings Items API 2021-08-01: read a listing (getListingsItem), create or replace it (putListingsItem) and patch
it (patchListingsItem), each with `mode=VALIDATION_PREVIEW`; the `fulfillment_availability` and `purchasable_offer`
patches that feeds and patches share.

https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference. "ACCEPTED" means the
change was queued, not applied: confirm with getListingsItem(includedData=fulfillmentAvailability,issues).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Sequence
from urllib.parse import quote

from amazon_netsuite.lib.amazon.client import SpApiClient
from amazon_netsuite.lib.amazon.errors import NotFound

VERSION = "2021-08-01"
BASE_PATH = f"/listings/{VERSION}/items"
MERCHANT_CHANNEL = "DEFAULT"
FULFILLMENT_AVAILABILITY_PATH = "/attributes/fulfillment_availability"
PURCHASABLE_OFFER = "purchasable_offer"
PURCHASABLE_OFFER_PATH = f"/attributes/{PURCHASABLE_OFFER}"
OFFER_TYPES = {"ALL": "B2C", "B2B": "B2B"}  # purchasable_offer audience → getListingsItem offerType


@dataclass(frozen=True)
class ListingIssue:
    """An `Issue` of the Listings Items API: ERROR, WARNING or INFO, the attributes it names and its categories
    (MISSING_ATTRIBUTE, INVALID_ATTRIBUTE, INVALID_PRICE, ...)."""

    code: str
    message: str
    severity: str
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, body: dict) -> "ListingIssue":
        return cls(body["code"], body["message"], body["severity"], tuple(body.get("attributeNames") or ()),
                   tuple(body.get("categories") or ()))


@dataclass(frozen=True)
class SubmissionResult:
    """A `ListingsItemSubmissionResponse`: ACCEPTED (queued), INVALID (refused, nothing changed) or, previewing,
    VALID."""

    sku: str
    status: str
    submission_id: str
    issues: tuple[ListingIssue, ...]

    @property
    def errors(self) -> tuple[ListingIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "ERROR")

    @classmethod
    def from_api(cls, body: dict) -> "SubmissionResult":
        return cls(body["sku"], body["status"], body["submissionId"],
                   tuple(ListingIssue.from_api(i) for i in body.get("issues") or ()))


@dataclass(frozen=True)
class ListingItem:
    """What getListingsItem shows of a listing in one marketplace (summaries, attributes, issues, relationships;
    a part not asked for is empty)."""

    sku: str
    product_type: str | None
    status: tuple[str, ...]  # BUYABLE, DISCOVERABLE
    item_name: str | None
    created: str | None  # ISO 8601 as Amazon sends it
    last_updated: str | None
    attributes: dict
    issues: tuple[ListingIssue, ...]
    parent_skus: tuple[str, ...] = ()
    child_skus: tuple[str, ...] = ()

    @property
    def buyable(self) -> bool:
        return "BUYABLE" in self.status

    @classmethod
    def from_api(cls, body: dict, marketplace_id: str) -> "ListingItem":
        summary = next((s for s in body.get("summaries") or [] if s.get("marketplaceId") == marketplace_id), {})
        relationships = [r for block in body.get("relationships") or [] if block.get("marketplaceId") ==
                         marketplace_id for r in block.get("relationships") or [] if r.get("type") == "VARIATION"]
        return cls(body["sku"], summary.get("productType"), tuple(summary.get("status") or ()),
                   summary.get("itemName"), summary.get("createdDate"), summary.get("lastUpdatedDate"),
                   body.get("attributes") or {}, tuple(ListingIssue.from_api(i) for i in body.get("issues") or ()),
                   tuple(s for r in relationships for s in r.get("parentSkus") or ()),
                   tuple(s for r in relationships for s in r.get("childSkus") or ()))


@dataclass(frozen=True)
class Sale:
    """A `discounted_price` schedule: `price` from `start_at` until `end_at` (dates or aware date-times)."""

    price: Decimal
    start_at: date | datetime
    end_at: date | datetime


@dataclass(frozen=True)
class ListedPrice:
    """What a listing shows for one audience: the live price (a running sale's, else our_price) and the stored
    `purchasable_offer` entry it comes from (None when Amazon returned no attributes for it)."""

    price: Decimal
    currency: str
    offer: dict | None


def price_patch(marketplace_id: str, currency: str, our_price: Decimal, *, sale: Sale | None = None,
                minimum: Decimal | None = None, maximum: Decimal | None = None, audience: str = "ALL") -> dict:
    """The `merge` patch that sets a listing's price and keeps what it does not name (a running sale, other
    audiences' offers): https://developer-docs.amazon.com/sp-api/docs/manage-purchasable-offer. A `replace` would
    rewrite the whole attribute and drop the sale. Prices must already be rounded to the currency (JPY whole yen)."""
    offer: dict[str, Any] = {"marketplace_id": marketplace_id, "currency": currency, "audience": audience,
                             "our_price": _schedule(our_price)}
    if sale is not None:
        offer["discounted_price"] = [{"schedule": [{"start_at": sale.start_at.isoformat(),
                                                    "end_at": sale.end_at.isoformat(),
                                                    "value_with_tax": _json_number(sale.price)}]}]
    if minimum is not None:
        offer["minimum_seller_allowed_price"] = _schedule(minimum)
    if maximum is not None:
        offer["maximum_seller_allowed_price"] = _schedule(maximum)
    return {"op": "merge", "path": PURCHASABLE_OFFER_PATH, "value": [offer]}


def price_message(message_id: int, sku: str, patch: dict, product_type: str = "PRODUCT") -> dict:
    """A JSON_LISTINGS_FEED PATCH message carrying one patch (e.g. `price_patch`), for
    `FeedsApi.submit_json_listings_feed`."""
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": product_type,
            "patches": [patch]}


def listed_price(listing: dict | None, marketplace_id: str, audience: str = "ALL") -> ListedPrice | None:
    """The live price and stored offer of a getListingsItem answer (includedData offers,attributes), else None."""
    offer_type = OFFER_TYPES.get(audience, audience)
    live = next((o for o in (listing or {}).get("offers") or []
                 if o.get("marketplaceId") == marketplace_id and o.get("offerType") == offer_type), None)
    if live is None:
        return None
    stored = next((o for o in ((listing or {}).get("attributes") or {}).get(PURCHASABLE_OFFER) or []
                   if o.get("marketplace_id") == marketplace_id and (o.get("audience") or "ALL") == audience), None)
    return ListedPrice(Decimal(str(live["price"]["amount"])), live["price"]["currencyCode"], stored)


def offer_value(offer: dict | None, attribute: str = "our_price") -> Decimal | None:
    """The first scheduled value of one of an offer's prices (`our_price`, `minimum_seller_allowed_price`, ...)."""
    for entry in (offer or {}).get(attribute) or []:
        for schedule in entry.get("schedule") or []:
            if schedule.get("value_with_tax") is not None:
                return Decimal(str(schedule["value_with_tax"]))
    return None


def running_sale(offer: dict | None, now: datetime) -> Sale | None:
    """The offer's `discounted_price` schedule live at `now`, if any (a naive time, and a date-only bound, count as
    UTC)."""
    def instant(value: str | datetime) -> datetime:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

    now = instant(now)

    for entry in (offer or {}).get("discounted_price") or []:
        for schedule in entry.get("schedule") or []:
            start, end = instant(schedule["start_at"]), instant(schedule["end_at"])
            if start <= now < end:
                return Sale(Decimal(str(schedule["value_with_tax"])), start, end)
    return None


def _schedule(amount: Decimal) -> list[dict]:
    return [{"schedule": [{"value_with_tax": _json_number(amount)}]}]


def _json_number(amount: Decimal) -> int | float:
    """A JSON number with exactly the Decimal's digits (Amazon's schema wants a number, not a string)."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError(f"a price is a finite Decimal, got {amount!r}")
    if amount == amount.to_integral_value() and amount.as_tuple().exponent >= 0:
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount.normalize():
        raise ValueError(f"{amount} has more digits than a JSON price can carry exactly")
    return number


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


def retire_patches(offers: Sequence[dict], end_at: datetime) -> list[dict]:
    """Patches that stop selling a SKU without deleting it: every current `purchasable_offer` entry (from
    getListingsItem attributes, so nothing else is lost by the replace) ends at `end_at`, and the merchant quantity
    becomes 0. The listing, its history and its FBA stock keep the SKU (https://github.com/amzn/selling-partner-api-
    models/issues/4780)."""
    if end_at.tzinfo is None:
        raise ValueError("end_at must be an aware date-time")
    ended = [{**offer, "end_at": [{"value": end_at.isoformat()}]} for offer in offers]
    return [{"op": "replace", "path": PURCHASABLE_OFFER_PATH, "value": ended}, quantity_patch(0)]


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

    def get_price(self, seller_id: str, sku: str, marketplace_id: str, audience: str = "ALL") -> ListedPrice | None:
        """The listing's live price and stored offer for the audience; None for an unknown SKU or no offer."""
        listing = self.get_listings_item(seller_id, sku, marketplace_id, included_data=("offers", "attributes"))
        return listed_price(listing, marketplace_id, audience)

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


    def put_item(self, seller_id: str, sku: str, marketplace_id: str, product_type: str, attributes: dict, *,
                 requirements: str = "LISTING", preview: bool = False) -> SubmissionResult:
        """Create the listing or replace all its attributes (putListingsItem); `preview` only validates."""
        params = {"marketplaceIds": [marketplace_id], "includedData": ["issues"],
                  "mode": "VALIDATION_PREVIEW" if preview else None}
        body = {"productType": product_type, "requirements": requirements, "attributes": attributes}
        response = self.client.request("putListingsItem", "PUT", _path(seller_id, sku), params=params, json=body)
        return SubmissionResult.from_api(response.payload)

    def patch_item(self, seller_id: str, sku: str, marketplace_id: str, product_type: str, patches: Sequence[dict],
                   *, preview: bool = False) -> SubmissionResult:
        """`patch_listings_item` as a typed result."""
        return SubmissionResult.from_api(self.patch_listings_item(
            seller_id, sku, marketplace_id, patches, product_type=product_type, validation_preview=preview))

    def get_item(self, seller_id: str, sku: str, marketplace_id: str,
                 included: Sequence[str] = ("summaries", "attributes", "issues")) -> ListingItem | None:
        """The listing as a `ListingItem`, or None when Amazon does not know the SKU."""
        body = self.get_listings_item(seller_id, sku, marketplace_id, included_data=included)
        return None if body is None else ListingItem.from_api(body, marketplace_id)


def _path(seller_id: str, sku: str) -> str:
    # A SKU may hold a slash or spaces; it is one path segment.
    return f"{BASE_PATH}/{quote(seller_id, safe='')}/{quote(sku, safe='')}"
