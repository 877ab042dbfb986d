"""Listings Items API 2021-08-01 (getListingsItem, patchListingsItem, putListingsItem) and the rules that listings
feeds share with it, plus the admin view of every listing. Every change is checked against the product type's schema
(product_types.py) and the variation family; `mode=VALIDATION_PREVIEW` checks and keeps nothing.

Rules (https://developer-docs.amazon.com/sp-api/docs/merge-a-listing and the product type definitions): a DEFAULT
entry needs an integer `quantity` ≥ 0 unless `is_inventory_available`; an Amazon channel entry carries no quantity,
lead time or restock date; the lead time is 0–30 days. `merge` updates the entry with the same
`fulfillment_channel_code` (a quantity update keeps the lead time), `replace` rewrites the whole attribute,
`delete` removes it. `purchasable_offer` follows offers.py. Issue codes are the sandbox's own (Amazon documents none):
see the sandbox README.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timezone

from jsonschema import Draft7Validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central import offers, product_types
from amazon_netsuite.sandbox.seller_central.errors import ACCESS_DENIED, ApiError, invalid_input, not_found
from amazon_netsuite.sandbox.seller_central.listing_store import Listing
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.seller_central.report_store import api_time
from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.listings import AMAZON_CHANNELS, MERCHANT_CHANNEL, is_fba_listed

BASE = "/listings/2021-08-01/items"
ATTRIBUTE = "fulfillment_availability"
ATTRIBUTE_PATH = f"/attributes/{ATTRIBUTE}"
KEPT = (ATTRIBUTE, offers.ATTRIBUTE)  # the attributes with rules of their own (offers.py and below)
RELATIONSHIP = "child_parent_sku_relationship"
INCLUDED_DATA = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability", "procurement",
                 "relationships", "productTypes")

# Issue codes (the sandbox's own, stable; Amazon's are undocumented numbers).
SKU_NOT_FOUND = "SKU_NOT_FOUND"
INVALID_MESSAGE = "INVALID_MESSAGE"
INVALID_VALUE = "INVALID_ATTRIBUTE_VALUE"
INVALID_PATH = "INVALID_PATCH_PATH"
CHANNEL_CHANGED = "FULFILLMENT_CHANNEL_CHANGED"
INVALID_PRODUCT_TYPE = "INVALID_PRODUCT_TYPE"
INVALID_PARENT = "INVALID_PARENT_SKU"

_NON_MERCHANT_FORBIDDEN = ("quantity", "lead_time_to_ship_max_days", "restock_date")

# fulfillment_availability after a change, as JSON Schema (the product type definition's rules, US sample).
FULFILLMENT_AVAILABILITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["fulfillment_channel_code"],
        "properties": {
            "fulfillment_channel_code": {"enum": [MERCHANT_CHANNEL, *AMAZON_CHANNELS.values()]},
            "quantity": {"type": "integer", "minimum": 0},
            "lead_time_to_ship_max_days": {"type": "integer", "minimum": 0, "maximum": 30},
            "restock_date": {"type": "string"},
            "is_inventory_available": {"type": "boolean"},
        },
        "if": {"properties": {"fulfillment_channel_code": {"const": MERCHANT_CHANNEL}}},
        "then": {
            "oneOf": [
                {"required": ["quantity"], "not": {"required": ["is_inventory_available"]}},
                {"required": ["is_inventory_available"], "not": {"required": ["quantity"]}},
            ]
        },
        "else": {"not": {"anyOf": [{"required": [name]} for name in _NON_MERCHANT_FORBIDDEN]}},
    },
}
_VALUE_VALIDATOR = Draft7Validator(FULFILLMENT_AVAILABILITY_SCHEMA)


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    severity: str = "ERROR"
    attribute_name: str | None = None
    category: str | None = None  # INVALID_PRICE, MISSING_PRICE, INVALID_ATTRIBUTE, …

    def to_api(self) -> dict:
        """An `Issue` of the Listings Items API."""
        body = {"code": self.code, "message": self.message, "severity": self.severity,
                "categories": [self.category] if self.category else []}
        if self.attribute_name:
            body["attributeNames"] = [self.attribute_name]
        return body


@dataclass(frozen=True)
class Outcome:
    """What a patch or feed message does to one listing: the new attribute (when accepted) and the issues."""

    accepted: bool
    fulfillment_availability: list[dict] | None
    issues: tuple[Issue, ...]
    deleted: bool = False
    purchasable_offer: list[dict] | None = None
    attributes: dict | None = None  # every other attribute after the change; None: unchanged
    product_type: str | None = None  # None: unchanged


def _value_issues(value: list[dict]) -> list[Issue]:
    return [
        Issue(INVALID_VALUE, f"'{ATTRIBUTE}{''.join(f'[{p}]' for p in e.absolute_path)}': {_describe(e)}",
              attribute_name=ATTRIBUTE)
        for e in sorted(_VALUE_VALIDATOR.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _describe(error) -> str:
    if error.validator == "if" or error.validator == "oneOf":
        return "the DEFAULT channel needs an integer quantity of 0 or more, or is_inventory_available, not both"
    if error.validator == "not":
        return f"a non-DEFAULT channel must not carry {', '.join(_NON_MERCHANT_FORBIDDEN)}"
    return error.message


def _merge(current: list[dict], value: list[dict]) -> list[dict]:
    merged = [dict(entry) for entry in current]
    for update in value:
        code = update.get("fulfillment_channel_code")
        target = next((e for e in merged if e.get("fulfillment_channel_code") == code), None)
        if target is None:
            merged.append({k: v for k, v in update.items() if v is not None})
            continue
        for key, new in update.items():
            if new is None:
                target.pop(key, None)  # merge with null removes the field
            else:
                target[key] = new
    return merged


def _apply_patch(current: list[dict] | None, patch: dict) -> list[dict] | None | Issue:
    op, value = patch["op"], patch.get("value")
    if op == "delete":
        if not value:
            return None
        codes = {v.get("fulfillment_channel_code") for v in value}
        return [e for e in current or [] if e.get("fulfillment_channel_code") not in codes]
    if value is None:
        return Issue(INVALID_VALUE, f"'{op}' needs a value", attribute_name=ATTRIBUTE)
    if op == "merge":
        if any(not v.get("fulfillment_channel_code") for v in value):
            return Issue(INVALID_VALUE, "merge needs a non-empty fulfillment_channel_code in every entry",
                         attribute_name=ATTRIBUTE)
        return _merge(current or [], value)
    return [dict(v) for v in value]  # add / replace: the whole attribute, omitted sub-fields dropped


def apply_patches(sku: str, current: list[dict] | None, patches: list[dict]) -> Outcome:
    """Apply JSON patches to a listing's fulfillment_availability (other attributes are accepted and not kept)."""
    result = current
    named: set[str] = set()
    for patch in patches:
        path = patch.get("path", "")
        if not path.startswith("/attributes/") or "/" in path.removeprefix("/attributes/") or path == "/attributes/":
            return Outcome(False, current, (Issue(INVALID_PATH, f"Invalid path '{path}': only top-level listings item "
                                                  "attributes can be patched"),))
        if path != ATTRIBUTE_PATH:
            continue
        applied = _apply_patch(result, patch)
        if isinstance(applied, Issue):
            return Outcome(False, current, (applied,))
        result = applied
        named |= {v.get("fulfillment_channel_code") for v in patch.get("value") or [] if patch["op"] != "delete"}
    return _checked(sku, current, result, named)


def replace_attribute(sku: str, current: list[dict] | None, attributes: dict, *, full: bool) -> Outcome:
    """UPDATE (`full`: attributes left out are gone) or PARTIAL_UPDATE (only the attributes given) of a message."""
    if ATTRIBUTE not in attributes:
        return _checked(sku, current, None if full else current, set())
    value = attributes[ATTRIBUTE]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return Outcome(False, current, (Issue(INVALID_VALUE, f"'{ATTRIBUTE}' must be a list of objects",
                                              attribute_name=ATTRIBUTE),))
    return _checked(sku, current, [dict(v) for v in value], {v.get("fulfillment_channel_code") for v in value})


def _checked(sku: str, current: list[dict] | None, result: list[dict] | None, named: set[str]) -> Outcome:
    if result is None:
        return Outcome(True, None, ())
    issues = _value_issues(result)
    if issues:
        return Outcome(False, current, tuple(issues))
    codes = {e["fulfillment_channel_code"] for e in result}
    if MERCHANT_CHANNEL in codes and codes - {MERCHANT_CHANNEL}:
        # Sellers report that a DEFAULT quantity on an FBA listing makes it merchant-fulfilled (and the reverse);
        # the channel the change names wins (not verified, see the sandbox README).
        keep_merchant = MERCHANT_CHANNEL in named
        result = [e for e in result if (e["fulfillment_channel_code"] == MERCHANT_CHANNEL) == keep_merchant]
        channel = "merchant-fulfilled (DEFAULT)" if keep_merchant else "fulfilled by Amazon"
        return Outcome(True, result, (Issue(CHANNEL_CHANGED, f"The listing {sku} is now {channel}",
                                            severity="WARNING", attribute_name=ATTRIBUTE),))
    return Outcome(True, result, ())


@dataclass(frozen=True)
class Submission:
    """Where a listing change lands: its marketplace, that marketplace's currency, and all the marketplaces of the
    patch or feed (an offer may name any of them)."""

    marketplace_id: str
    currency: str
    marketplace_ids: list[str]


def patch_listing(listing: Listing, patches: list[dict], where: Submission) -> Outcome:
    """Apply JSON patches to both kept attributes; nothing changes unless every patch is accepted."""
    outcome = apply_patches(listing.sku, listing.fulfillment_availability, patches)
    if not outcome.accepted:
        return replace(outcome, purchasable_offer=listing.purchasable_offer)
    offer = listing.purchasable_offer
    for patch in patches:
        if patch.get("path") != offers.ATTRIBUTE_PATH:
            continue
        value = patch.get("value")
        mine = offers.for_marketplace(value, where.marketplace_id)
        if patch["op"] == "delete" and value and not mine:
            continue  # it deletes offers of other marketplaces only
        applied = offers.apply_patch(offer, patch["op"], mine)
        if isinstance(applied, offers.OfferIssue):
            return _refused(listing, [applied])
        refused = offers.sent_issues(value, where.marketplace_ids)
        if refused:
            return _refused(listing, refused)
        offer = applied
    others = _patch_others(listing.attributes, patches)
    if isinstance(others, Issue):
        return _rejected(listing, [others])
    return replace(_offer_checked(listing, outcome, offer, where), attributes=others)


def _patch_others(current: dict, patches: list[dict]) -> dict | Issue:
    """The attributes besides the two checked above after the patches: add and replace set the whole attribute,
    delete removes it; merge is for fulfillment_availability and purchasable_offer only (merge-a-listing)."""
    result = dict(current)
    for patch in patches:
        name = patch["path"].removeprefix("/attributes/")
        if name in KEPT:
            continue
        if patch["op"] == "delete":
            result.pop(name, None)
        elif patch["op"] == "merge":
            return Issue(INVALID_PATH, f"'merge' is not supported for '{name}'", attribute_name=name)
        else:
            result[name] = patch.get("value")
    return result


def update_listing(listing: Listing, attributes: dict, where: Submission, *, full: bool) -> Outcome:
    """UPDATE (`full`: attributes left out are gone) or PARTIAL_UPDATE (only the attributes given) of both kept
    attributes."""
    others = {name: value for name, value in attributes.items() if name not in KEPT}
    others = others if full else {**listing.attributes, **others}
    return replace(_update_kept(listing, attributes, where, full=full), attributes=others)


def _update_kept(listing: Listing, attributes: dict, where: Submission, *, full: bool) -> Outcome:
    outcome = replace_attribute(listing.sku, listing.fulfillment_availability, attributes, full=full)
    if not outcome.accepted:
        return replace(outcome, purchasable_offer=listing.purchasable_offer)
    if offers.ATTRIBUTE not in attributes:
        return _offer_checked(listing, outcome, None if full else listing.purchasable_offer, where)
    value = attributes[offers.ATTRIBUTE]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return _refused(listing, [offers.OfferIssue(offers.INVALID_VALUE, f"'{offers.ATTRIBUTE}' must be a list of "
                                                                          "objects", "INVALID_ATTRIBUTE")])
    refused = offers.sent_issues(value, where.marketplace_ids)
    if refused:
        return _refused(listing, refused)
    return _offer_checked(listing, outcome, offers.for_marketplace(value, where.marketplace_id), where)


def _offer_checked(listing: Listing, outcome: Outcome, offer: list[dict] | None, where: Submission) -> Outcome:
    refused = [] if offer is None else offers.offer_issues(offer, where.marketplace_id, where.currency)
    if refused:
        return _refused(listing, refused)
    return replace(outcome, purchasable_offer=offer)


def _refused(listing: Listing, refused: list[offers.OfferIssue]) -> Outcome:
    return _rejected(listing, [Issue(i.code, i.message, attribute_name=offers.ATTRIBUTE, category=i.category)
                               for i in refused])


def _rejected(listing: Listing, issues: list[Issue]) -> Outcome:
    return Outcome(False, listing.fulfillment_availability, tuple(issues), purchasable_offer=listing.purchasable_offer)


# --- the product type's schema and the variation family --------------------------------------------------------


def schema_checked(listing: Listing, outcome: Outcome, product_type: str, lookup: Callable[[str], Listing | None],
                   named: set[str] | None = None) -> Outcome:
    """Check an accepted change against the product type's schema (only the attributes `named`, when given: a patch
    or partial update of a listing whose product facts live in Amazon's catalog) and the variation family: a child
    names an existing parent SKU of the same storefront. Any ERROR refuses the whole change."""
    if product_type not in product_types.PRODUCT_TYPES:
        return _rejected(listing, [Issue(INVALID_PRODUCT_TYPE, f"Product type '{product_type}' is not valid for this "
                                                               "marketplace", category="INVALID_ATTRIBUTE")])
    if not outcome.accepted or outcome.deleted:
        return outcome
    attributes = _full_attributes(outcome.attributes if outcome.attributes is not None else listing.attributes,
                                  outcome.fulfillment_availability, outcome.purchasable_offer)
    found = [Issue(i.code, i.message, attribute_name=i.attribute, category=i.category)
             for i in product_types.attribute_issues(product_type, attributes)
             if named is None or i.attribute in named]
    parent_sku = parent_sku_of(attributes)
    if parent_sku is not None and (named is None or RELATIONSHIP in named):
        parent = lookup(parent_sku)
        if parent is None or parentage_of(parent.attributes) != "parent":
            found.append(Issue(INVALID_PARENT, f"The parent SKU '{parent_sku}' is not a variation parent listed in "
                                               "this marketplace", attribute_name=RELATIONSHIP,
                               category="INVALID_ATTRIBUTE"))
    if found:
        return _rejected(listing, found)
    return replace(outcome, product_type=product_type)


def _full_attributes(others: dict, availability: list[dict] | None, offer: list[dict] | None) -> dict:
    kept = {ATTRIBUTE: availability, offers.ATTRIBUTE: offer}
    return {**others, **{name: value for name, value in kept.items() if value is not None}}


def parentage_of(attributes: dict) -> str | None:
    """`parent`, `child` or None (a stand-alone listing)."""
    return next((e.get("value") for e in attributes.get("parentage_level") or [] if isinstance(e, dict)), None)


def parent_sku_of(attributes: dict) -> str | None:
    return next((e.get("parent_sku") for e in attributes.get(RELATIONSHIP) or [] if isinstance(e, dict)), None)


def theme_of(attributes: dict) -> str | None:
    return next((e.get("name") for e in attributes.get("variation_theme") or [] if isinstance(e, dict)), None)


def store(state, account: str, marketplace: str, sku: str, listing: Listing | None, outcome: Outcome,
          at: datetime) -> None:
    """Keep an accepted change: every attribute, the product type and the change's issues (warnings)."""
    state.listings.put(
        account, marketplace, sku, outcome.fulfillment_availability, at, deleted=outcome.deleted,
        purchasable_offer=outcome.purchasable_offer,
        product_type=outcome.product_type or (listing.product_type if listing else None),
        attributes=outcome.attributes if outcome.attributes is not None else (listing.attributes if listing else {}),
        issues=[i.to_api() for i in outcome.issues])


def submission(state, marketplace_id: str, marketplace_ids: list[str]) -> Submission:
    currency = next(s.currency for s in state.settings.storefronts if s.marketplace_id == marketplace_id)
    return Submission(marketplace_id, currency, list(marketplace_ids))


def patch_request_issues(body: object) -> list[Issue]:
    """Problems with a ListingsItemPatchRequest body itself."""
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str) or not isinstance(
        body.get("patches"), list
    ) or not body["patches"]:
        return [Issue(INVALID_MESSAGE, "The body must be a ListingsItemPatchRequest: productType and patches")]
    for patch in body["patches"]:
        if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge", "delete") or not (
            isinstance(patch.get("path"), str)
        ) or not isinstance(patch.get("value", []), list) or not all(
            isinstance(v, dict) for v in patch.get("value", [])
        ):
            return [Issue(INVALID_MESSAGE, f"Invalid patch operation {json.dumps(patch)[:200]}")]
    return []


# --- the Listings Items API item ----------------------------------------------------------------------------


def listings_item(listing: Listing, marketplace_id: str, included: list[str], created: datetime,
                  now: datetime | None = None, relationships: list[dict] | None = None) -> dict:
    """An `Item` of getListingsItem with the included data asked for; the offers' live prices and the status are
    those at `now`; `relationships` are the listing's VARIATION relationships (`relationships_of`)."""
    now = now or created
    item: dict = {"sku": listing.sku}
    availability = listing.fulfillment_availability or []
    product = PRODUCTS_BY_SKU.get(listing.sku)
    attributes = listing.attributes
    if "summaries" in included:
        summary = {
            "marketplaceId": marketplace_id,
            "productType": listing.product_type,
            "conditionType": next((e.get("value") for e in attributes.get("condition_type") or []), "new_new"),
            "status": ["BUYABLE", "DISCOVERABLE"] if is_buyable(listing, marketplace_id, now) else ["DISCOVERABLE"],
            "createdDate": api_time(listing.created_at or created),
            "lastUpdatedDate": api_time(listing.changed_at or created),
        }
        name = next((e.get("value") for e in attributes.get("item_name") or []), None)
        if product is not None:
            summary |= {"asin": product.asin, "itemName": name or product.name}
            if is_fba_listed(listing.sku):
                summary["fnSku"] = "X00" + product.asin[3:]
        elif name:
            summary["itemName"] = name
        item["summaries"] = [summary]
    if "attributes" in included:
        item["attributes"] = _full_attributes(attributes, listing.fulfillment_availability, listing.purchasable_offer)
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": e["fulfillment_channel_code"],
             **({"quantity": e["quantity"]} if "quantity" in e else {})}
            for e in availability
        ]
    if "issues" in included:
        item["issues"] = listing.issues
    if "offers" in included:
        item["offers"] = offers.offers_api(listing.purchasable_offer, marketplace_id, now)
    if "procurement" in included:
        item["procurement"] = []
    if "relationships" in included:
        item["relationships"] = [{"marketplaceId": marketplace_id, "relationships": relationships or []}]
    return item


def is_buyable(listing: Listing, marketplace_id: str, now: datetime) -> bool:
    """Buyers can order it: stock (or FBA) and an open offer with a price for everyone; never a variation parent."""
    stocked = any(e.get("quantity", 0) > 0 or e.get("fulfillment_channel_code") != MERCHANT_CHANNEL
                  for e in listing.fulfillment_availability or [])
    offered = any(o["offerType"] == "B2C" for o in offers.offers_api(
        [o for o in listing.purchasable_offer or [] if offers.is_open(o, now)], marketplace_id, now))
    return stocked and offered and parentage_of(listing.attributes) != "parent"


def relationships_of(listing: Listing, family: list[Listing]) -> list[dict]:
    """The VARIATION relationships of a listing among its storefront's listings: a parent lists its children, a
    child its parent."""
    theme = theme_of(listing.attributes)
    if parentage_of(listing.attributes) == "parent":
        children = [other.sku for other in family if parent_sku_of(other.attributes) == listing.sku]
        relationship = {"childSkus": children}
    elif (parent := parent_sku_of(listing.attributes)) is not None:
        relationship = {"parentSkus": [parent]}
    else:
        return []
    if theme:
        parts = [product_types.THEME_ATTRIBUTES.get(part, part.lower()) for part in theme.split("/")]
        relationship["variationTheme"] = {"attributes": parts, "theme": theme}
    return [{**relationship, "type": "VARIATION"}]


def listed_since(state) -> datetime:
    """When every catalog listing was created: the first day of the world's history."""
    return datetime.combine(state.world.first_day, time.min, tzinfo=timezone.utc)


def one_marketplace(request: Request, state, account: str) -> str:
    raw = [v.strip() for v in request.query_params.get("marketplaceIds", "").split(",") if v.strip()]
    if len(raw) != 1:
        raise invalid_input("Invalid input", "marketplaceIds must name exactly one marketplace")
    if raw[0] not in state.settings.account(account).marketplace_ids:
        raise invalid_input("Invalid marketplaceIds", f"Marketplace id {raw[0]} does not belong to this seller")
    return raw[0]


def _seller(request: Request, state, account: str) -> None:
    if request.path_params["seller_id"] != state.settings.account(account).seller_id:
        raise ApiError(403, "Unauthorized", ACCESS_DENIED, "The sellerId does not match the access token's seller")


def _included(request: Request, allowed: tuple[str, ...], default: str) -> list[str]:
    included = [v.strip() for v in request.query_params.get("includedData", default).split(",") if v.strip()]
    bad = [v for v in included if v not in allowed]
    if bad:
        raise invalid_input("Invalid input", f"Invalid includedData: {', '.join(bad)}")
    return included


@sp_api_operation("getListingsItem")
async def get_listings_item(request: Request, state, account: str) -> Response:
    _seller(request, state, account)
    marketplace = one_marketplace(request, state, account)
    included = _included(request, INCLUDED_DATA, "summaries")
    sku = request.path_params["sku"]
    listing = state.listings.get(account, marketplace, sku)
    if listing is None:
        raise not_found(f"SKU '{sku}' not found in marketplace {marketplace}")
    family = state.listings.all(account, marketplace) if "relationships" in included else []
    return JSONResponse(listings_item(listing, marketplace, included, listed_since(state), state.clock.now(),
                                      relationships_of(listing, family)))


@sp_api_operation("patchListingsItem")
async def patch_listings_item(request: Request, state, account: str) -> Response:
    marketplace, preview, body = await _submission_request(request, state, account)
    problems = patch_request_issues(body)
    if problems:
        raise invalid_input(problems[0].message)
    sku = request.path_params["sku"]
    listing = state.listings.get(account, marketplace, sku)
    if listing is None:
        outcome = Outcome(False, None, (Issue(SKU_NOT_FOUND, f"SKU '{sku}' is not known in marketplace "
                                              f"{marketplace}"),))
    else:
        outcome = checked_patch(listing, body, submission(state, marketplace, [marketplace]),
                                storefront_lookup(state, account, marketplace))
    return _submitted(state, account, marketplace, sku, listing, outcome, preview)


@sp_api_operation("putListingsItem")
async def put_listings_item(request: Request, state, account: str) -> Response:
    """Create a listing or replace all its attributes, validated against its product type's schema."""
    marketplace, preview, body = await _submission_request(request, state, account)
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str) or not isinstance(
        body.get("attributes"), dict
    ) or body.get("requirements", "LISTING") not in product_types.REQUIREMENTS:
        raise invalid_input("Invalid input", "The body must be a ListingsItemPutRequest: productType, requirements "
                                             "(LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY) and attributes")
    sku = request.path_params["sku"]
    listing = state.listings.get(account, marketplace, sku)
    outcome = put_listing(listing or Listing(sku, None, None), body, submission(state, marketplace, [marketplace]),
                          storefront_lookup(state, account, marketplace))
    return _submitted(state, account, marketplace, sku, listing, outcome, preview)


def put_listing(listing: Listing, body: dict, where: Submission, lookup: Callable[[str], Listing | None]) -> Outcome:
    """A full replace (putListingsItem, a feed's UPDATE): every attribute left out is gone. LISTING_OFFER_ONLY
    replaces the offer attributes only and checks just those."""
    offer_only = body.get("requirements") == "LISTING_OFFER_ONLY"
    outcome = update_listing(listing, body["attributes"], where, full=not offer_only)
    named = set(product_types.PROPERTY_GROUPS["offer"]) if offer_only else None
    return schema_checked(listing, outcome, body["productType"], lookup, named)


def checked_patch(listing: Listing, request: dict, where: Submission,
                  lookup: Callable[[str], Listing | None]) -> Outcome:
    """A patch request or feed PATCH message (`productType`, `patches`) applied and checked for the attributes it
    names. The productType sent must exist; the listing keeps its own (Amazon's catalog decides it)."""
    outcome = patch_listing(listing, request["patches"], where)
    named = {p["path"].removeprefix("/attributes/") for p in request["patches"]}
    return schema_checked(listing, outcome, kept_product_type(listing, request["productType"]), lookup, named)


def kept_product_type(listing: Listing, sent: str) -> str:
    """The product type a patch or partial update checks against: the listing's own, unless the one sent is unknown
    (then the change is refused for it)."""
    return listing.product_type if sent in product_types.PRODUCT_TYPES else sent


def storefront_lookup(state, account: str, marketplace: str) -> Callable[[str], Listing | None]:
    return lambda sku: state.listings.get(account, marketplace, sku)


async def _submission_request(request: Request, state, account: str) -> tuple[str, bool, object]:
    """What a put or patch asks: (the marketplace, whether it previews, the JSON body)."""
    _seller(request, state, account)
    marketplace = one_marketplace(request, state, account)
    _included(request, ("identifiers", "issues"), "issues")
    mode = request.query_params.get("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        raise invalid_input("Invalid input", f"Invalid mode {mode!r}")
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise invalid_input("Invalid input", "The request body is not valid JSON") from None
    return marketplace, mode == "VALIDATION_PREVIEW", body


def _submitted(state, account: str, marketplace: str, sku: str, listing: Listing | None, outcome: Outcome,
               preview: bool) -> JSONResponse:
    """The `ListingsItemSubmissionResponse`; an accepted change is kept unless previewed."""
    if outcome.accepted and not preview:
        store(state, account, marketplace, sku, listing, outcome, state.clock.now())
    status = ("VALID" if preview else "ACCEPTED") if outcome.accepted else "INVALID"
    return JSONResponse({"sku": sku, "status": status, "submissionId": uuid.uuid4().hex,
                         "issues": [i.to_api() for i in outcome.issues]})


async def admin_listings(request: Request) -> JSONResponse:
    """`GET /_sandbox/listings?seller_account=&marketplace_id=`: every listing's channel, quantity, lead time, live
    price (audience ALL, at the world clock's now), product type, parentage, parent SKU and status."""
    state = request.app.state.sandbox
    account, marketplace = (request.query_params.get(k) for k in ("seller_account", "marketplace_id"))
    accounts = {a.key: a for a in state.settings.seller_accounts}
    if account not in accounts or marketplace not in accounts[account].marketplace_ids:
        return JSONResponse({"error": "seller_account and marketplace_id must name one of the seller's "
                                      "storefronts"}, status_code=400)
    now = state.clock.now()
    rows = [
        {"sku": listing.sku, "fulfillment_channel_code": entry.get("fulfillment_channel_code"),
         "quantity": entry.get("quantity"), "lead_time_to_ship_max_days": entry.get("lead_time_to_ship_max_days"),
         **_admin_price(listing, marketplace, now),
         "product_type": listing.product_type, "parentage": parentage_of(listing.attributes),
         "parent_sku": parent_sku_of(listing.attributes),
         "status": "BUYABLE" if is_buyable(listing, marketplace, now) else "DISCOVERABLE",
         "changed_at": listing.changed_at.isoformat() if listing.changed_at else None}
        for listing in state.listings.all(account, marketplace)
        for entry in (listing.fulfillment_availability or [{}])
    ]
    return JSONResponse({"seller_account": account, "marketplace_id": marketplace, "listings": rows})


def _admin_price(listing: Listing, marketplace: str, now: datetime) -> dict:
    live = next((o for o in offers.offers_api(listing.purchasable_offer, marketplace, now)
                 if o["offerType"] == "B2C"), None)
    return {"price": live["price"]["amount"] if live else None, "currency": live["price"]["currencyCode"] if live
            else None}


routes = [
    Route(f"{BASE}/{{seller_id}}/{{sku:path}}", get_listings_item, methods=["GET"]),
    Route(f"{BASE}/{{seller_id}}/{{sku:path}}", patch_listings_item, methods=["PATCH"]),
    Route(f"{BASE}/{{seller_id}}/{{sku:path}}", put_listings_item, methods=["PUT"]),
    Route("/_sandbox/listings", admin_listings, methods=["GET"]),
]
