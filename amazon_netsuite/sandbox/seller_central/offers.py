"""The `purchasable_offer` attribute: its shape, the per-marketplace price rules, merge and replace, the live price.

Shape and rules from the product type definitions and
https://developer-docs.amazon.com/sp-api/docs/manage-purchasable-offer: offers are selected by `marketplace_id`,
`currency` and `audience` (ALL by default, B2B); `our_price`, `discounted_price` (start_at, end_at and value_with_tax
all required; our_price required beside it), `minimum_seller_allowed_price` / `maximum_seller_allowed_price`,
`map_price` (audience ALL) and `quantity_discount_plan` (B2B). `replace` rewrites the whole attribute (a running sale
not sent again is gone); `merge` changes the sub-attributes it names in the offer with the same selectors and keeps
the rest (null removes one). Issue codes are the sandbox's own (Amazon documents none): see the sandbox README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from jsonschema import Draft7Validator

from amazon_netsuite.sandbox.world.markets import ZERO_DECIMAL_CURRENCIES

ATTRIBUTE = "purchasable_offer"
ATTRIBUTE_PATH = f"/attributes/{ATTRIBUTE}"
SELECTORS = ("marketplace_id", "currency", "audience")
DEFAULT_AUDIENCE = "ALL"
OFFER_TYPES = {"ALL": "B2C", "B2B": "B2B"}
AUDIENCE_NAMES = {"ALL": "All", "B2B": "Amazon Business (B2B)"}

# Issue codes (the sandbox's own, stable).
INVALID_VALUE = "INVALID_ATTRIBUTE_VALUE"
INVALID_CURRENCY = "INVALID_CURRENCY"
INVALID_PRICE_PRECISION = "INVALID_PRICE_PRECISION"
PRICE_BELOW_MINIMUM = "PRICE_BELOW_MINIMUM"
PRICE_ABOVE_MAXIMUM = "PRICE_ABOVE_MAXIMUM"
MISSING_OUR_PRICE = "MISSING_OUR_PRICE"


def _schedule(*required: str, **properties: dict) -> dict:
    """A price sub-attribute: one entry holding one schedule whose entries carry `required`."""
    entry = {"type": "object", "required": list(required), "additionalProperties": False,
             "properties": {"value_with_tax": {"type": "number", "exclusiveMinimum": 0}, **properties}}
    return {"type": "array", "minItems": 1, "maxItems": 1, "items": {
        "type": "object", "required": ["schedule"], "additionalProperties": False,
        "properties": {"schedule": {"type": "array", "minItems": 1, "items": entry}}}}


_PRICE = _schedule("value_with_tax")
_MOMENT = {"type": "string", "minLength": 10}
_VALUE = {"type": "array", "minItems": 1, "maxItems": 1,
          "items": {"type": "object", "required": ["value"], "properties": {"value": _MOMENT}}}

# One offer, as JSON Schema (the product type definition's rules, US sample).
OFFER_SCHEMA = {
    "type": "object",
    "required": ["marketplace_id", "currency"],
    "additionalProperties": False,
    "properties": {
        "marketplace_id": {"type": "string", "minLength": 1},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "audience": {"enum": list(OFFER_TYPES)},
        "our_price": _PRICE,
        "discounted_price": _schedule("start_at", "end_at", "value_with_tax", start_at=_MOMENT, end_at=_MOMENT),
        "minimum_seller_allowed_price": _PRICE,
        "maximum_seller_allowed_price": _PRICE,
        "map_price": _PRICE,
        "start_at": _VALUE,
        "end_at": _VALUE,
        "quantity_discount_plan": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
            "type": "object", "required": ["schedule"], "properties": {"schedule": {
                "type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["discount_type", "levels"], "properties": {
                        "discount_type": {"enum": ["fixed", "percent"]},
                        "levels": {"type": "array", "minItems": 1, "maxItems": 5, "items": {
                            "type": "object", "required": ["lower_bound", "value"], "properties": {
                                "lower_bound": {"type": "integer", "minimum": 0},
                                "value": {"type": "number", "minimum": 0}}}}}}}}}},
    },
    "allOf": [
        {"if": {"not": {"required": ["audience"], "properties": {"audience": {"const": "B2B"}}}},
         "then": {"not": {"required": ["quantity_discount_plan"]}}},
        {"if": {"required": ["audience"], "properties": {"audience": {"const": "B2B"}}},
         "then": {"not": {"required": ["map_price"]}}},
    ],
}
_VALIDATOR = Draft7Validator(OFFER_SCHEMA)
_PRICED = ("our_price", "discounted_price", "minimum_seller_allowed_price", "maximum_seller_allowed_price",
           "map_price")


@dataclass(frozen=True)
class OfferIssue:
    code: str
    message: str
    category: str = "INVALID_PRICE"


def selectors(offer: dict) -> tuple:
    return offer.get("marketplace_id"), offer.get("currency"), offer.get("audience") or DEFAULT_AUDIENCE


def apply_patch(current: list[dict] | None, op: str, value: list[dict] | None) -> list[dict] | None | OfferIssue:
    """The attribute after one patch operation (not yet checked), or the issue that refuses the operation."""
    if op == "delete":
        if not value:
            return None
        gone = {selectors(v) for v in value}
        return [o for o in current or [] if selectors(o) not in gone]
    if value is None:
        return OfferIssue(INVALID_VALUE, f"'{op}' needs a value", "INVALID_ATTRIBUTE")
    if op != "merge":
        return [dict(v) for v in value]  # add / replace: the whole attribute, a sale not sent again is dropped
    if any(not v.get("marketplace_id") or not v.get("currency") for v in value):
        return OfferIssue(INVALID_VALUE, "merge needs non-empty marketplace_id and currency selectors in every offer",
                          "INVALID_ATTRIBUTE")
    merged = [dict(o) for o in current or []]
    for update in value:
        target = next((o for o in merged if selectors(o) == selectors(update)), None)
        if target is None:
            merged.append({k: v for k, v in update.items() if v is not None})
            continue
        for key, new in update.items():
            if new is None:
                target.pop(key, None)  # merge with null removes the sub-attribute
            else:
                target[key] = new
    return merged


def for_marketplace(offers: list[dict] | None, marketplace_id: str) -> list[dict] | None:
    """The offers a listing in one marketplace keeps of an attribute sent for several."""
    if offers is None:
        return None
    return [o for o in offers if o.get("marketplace_id") in (None, marketplace_id)]


def sent_issues(value: list[dict] | None, marketplace_ids: list[str]) -> list[OfferIssue]:
    """Problems with the offers a message sends, before they meet the stored ones."""
    issues = [OfferIssue(INVALID_VALUE, f"marketplace_id {o.get('marketplace_id')} is not a marketplace of this "
                                        "submission", "INVALID_ATTRIBUTE")
              for o in value or [] if o.get("marketplace_id") and o["marketplace_id"] not in marketplace_ids]
    return issues + [
        OfferIssue(MISSING_OUR_PRICE, f"The offer for {'/'.join(map(str, selectors(o)))} sends discounted_price "
                                      "without our_price: our_price is required with a discounted price",
                   "MISSING_PRICE")
        for o in value or [] if o.get("discounted_price") is not None and not o.get("our_price")]


def offer_issues(offers: list[dict], marketplace_id: str, currency: str) -> list[OfferIssue]:
    """Why the attribute as it would be stored is refused in this marketplace (empty: accepted)."""
    issues: list[OfferIssue] = []
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    for offer in offers:
        where = f"{ATTRIBUTE}[{'/'.join(map(str, selectors(offer)))}]"
        before = len(issues)
        errors = sorted(_VALIDATOR.iter_errors(offer), key=lambda e: list(map(str, e.absolute_path)))
        issues += [OfferIssue(INVALID_VALUE, f"'{where}{''.join(f'[{p}]' for p in e.absolute_path)}': {e.message}",
                              "INVALID_ATTRIBUTE") for e in errors]
        if errors:
            continue
        if offer["marketplace_id"] != marketplace_id:
            issues.append(OfferIssue(INVALID_VALUE, f"'{where}': marketplace_id {offer['marketplace_id']} is not a "
                                                    "marketplace of this submission", "INVALID_ATTRIBUTE"))
            continue
        if offer["currency"] != currency:
            issues.append(OfferIssue(INVALID_CURRENCY, f"'{where}': currency {offer['currency']} is not the currency "
                                                       f"of marketplace {marketplace_id} ({currency})"))
            continue
        for name in _PRICED:
            for entry in _schedules(offer, name):
                amount = _amount(entry["value_with_tax"])
                if -amount.as_tuple().exponent > places:
                    issues.append(OfferIssue(INVALID_PRICE_PRECISION, f"'{where}[{name}]': {amount} {currency} has "
                                             f"more decimals than {currency} allows ({places})"))
        for entry in _schedules(offer, "discounted_price"):
            start, end = _moment(entry["start_at"], start=True), _moment(entry["end_at"], start=False)
            if start is None or end is None or start >= end:
                issues.append(OfferIssue(INVALID_VALUE, f"'{where}[discounted_price]': start_at and end_at must be "
                                                        "dates or date-times, start before end", "INVALID_ATTRIBUTE"))
        if len(issues) == before:  # bounds only mean something for well-formed prices
            issues += _bound_issues(offer, where, currency)
    return issues


def _bound_issues(offer: dict, where: str, currency: str) -> list[OfferIssue]:
    low, high = (_price(offer, f"{k}_seller_allowed_price") for k in ("minimum", "maximum"))
    issues = []
    for name in ("our_price", "discounted_price"):
        for entry in _schedules(offer, name):
            amount = _amount(entry["value_with_tax"])
            if low is not None and amount < low:
                issues.append(OfferIssue(PRICE_BELOW_MINIMUM, f"'{where}[{name}]': {money(amount, currency)} "
                                         f"{currency} is below the minimum_seller_allowed_price "
                                         f"{money(low, currency)} {currency}"))
            if high is not None and amount > high:
                issues.append(OfferIssue(PRICE_ABOVE_MAXIMUM, f"'{where}[{name}]': {money(amount, currency)} "
                                         f"{currency} is above the maximum_seller_allowed_price "
                                         f"{money(high, currency)} {currency}"))
    return issues


def money(amount: Decimal, currency: str) -> str:
    """The amount with the currency's decimals (19.9 → 19.90, 2980.0 → 2980); finer amounts as they are."""
    unit = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return str(amount.quantize(unit)) if amount == amount.quantize(unit) else str(amount)


def live_price(offer: dict, now: datetime) -> Decimal | None:
    """What a buyer pays now: the discounted price while `now` is inside its schedule, else our_price."""
    for entry in _schedules(offer, "discounted_price"):
        start, end = _moment(entry["start_at"], start=True), _moment(entry["end_at"], start=False)
        if start is not None and end is not None and start <= now < end:
            return _amount(entry["value_with_tax"])
    return _price(offer, "our_price")


def is_open(offer: dict, now: datetime) -> bool:
    """Whether the offer's validity (`start_at`, `end_at`) holds `now`; a bound left out is open. An offer whose
    `end_at` has passed is how a SKU is retired without deleting it (https://github.com/amzn/selling-partner-api-models
    issue 4780)."""
    start = next((_moment(e["value"], start=True) for e in offer.get("start_at") or []), None)
    end = next((_moment(e["value"], start=False) for e in offer.get("end_at") or []), None)
    return (start is None or start <= now) and (end is None or now < end)


def offers_api(offers: list[dict] | None, marketplace_id: str, now: datetime) -> list[dict]:
    """The `offers` of getListingsItem (`ItemOfferByMarketplace`): one per audience with a live price."""
    result = []
    for offer in offers or []:
        price = live_price(offer, now)
        if price is None or offer.get("marketplace_id") != marketplace_id:
            continue
        audience = offer.get("audience") or DEFAULT_AUDIENCE
        result.append({"marketplaceId": marketplace_id, "offerType": OFFER_TYPES.get(audience, "B2C"),
                       "price": {"currencyCode": offer["currency"], "amount": money(price, offer["currency"])},
                       "audience": {"value": audience, "displayName": AUDIENCE_NAMES.get(audience, audience)}})
    return result


def _schedules(offer: dict, name: str) -> list[dict]:
    return [entry for block in offer.get(name) or [] for entry in block.get("schedule") or []]


def _price(offer: dict, name: str) -> Decimal | None:
    entries = _schedules(offer, name)
    return _amount(entries[0]["value_with_tax"]) if entries else None


def _amount(value: int | float) -> Decimal:
    # JSON numbers arrive as float; their shortest repr is the digits the client wrote.
    return Decimal(str(value))


def _moment(value: str, *, start: bool) -> datetime | None:
    """A date means its whole day in UTC (start: its first instant, end: the next day's); not verified."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day if start else day + timedelta(days=1), time.min, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
