"""A small set of Amazon product types, their JSON Schemas, and the schema validation that putListingsItem,
patchListingsItem and listings feeds share (definitions.py serves them).

Each schema is draft 2019-09 with Amazon's extra keywords (`selectors`, `editable`, `hidden`, `enumNames`), which a
standard validator ignores. The required attributes and conditional rules live in the schema (`required` and `allOf`
if/then) and are evaluated with `jsonschema`, never listed by hand. The attribute shapes follow Amazon's published
schemas (https://developer-docs.amazon.com/sp-api/docs/product-type-definitions-api-v2020-09-01-reference); the
rule set is a reduction (see the sandbox README).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache

from jsonschema import Draft201909Validator

from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU

REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")
GENERIC = "PRODUCT"

# name → (display name, allowed variation themes). Theme names are per product type enums on Amazon.
PRODUCT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "SHIRT": ("Shirt", ("SIZE/COLOR", "COLOR", "SIZE")),
    "SWEATSHIRT": ("Sweatshirt", ("SIZE/COLOR", "COLOR", "SIZE")),
    "DRINKING_CUP": ("Drinking Cup", ("COLOR",)),
    "SOCKS": ("Socks", ("SIZE/COLOR", "COLOR", "SIZE")),
    GENERIC: ("Product", ("COLOR", "SIZE", "SIZE/COLOR")),
}
# The world catalog's variation families → product type; everything else is the generic PRODUCT.
FAMILY_TYPES = {"TSHIRT": "SHIRT", "HOODIE": "SWEATSHIRT", "MUG-CAFE": "DRINKING_CUP", "SOCKS": "SOCKS"}
THEME_ATTRIBUTES = {"COLOR": "color", "SIZE": "size"}  # a theme's part → the attribute a child must carry

CONDITION_TYPES = ("new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new",
                   "used_very_good", "used_good", "used_acceptable", "collectible_like_new", "collectible_very_good",
                   "collectible_good", "collectible_acceptable", "club_club")
PROPERTY_GROUPS = {
    "offer": ["condition_type", "purchasable_offer", "fulfillment_availability"],
    "product_identity": ["item_name", "brand", "externally_assigned_product_identifier",
                         "supplier_declared_has_product_identifier_exemption"],
    "product_details": ["product_description", "bullet_point", "color", "size"],
    "images": ["main_product_image_locator"],
    "variations": ["parentage_level", "child_parent_sku_relationship", "variation_theme"],
}


def product_type_of(sku: str) -> str:
    """The product type a catalog SKU is listed under."""
    product = PRODUCTS_BY_SKU.get(sku)
    return FAMILY_TYPES.get(product.parent_sku if product else "", GENERIC)


def _values(item: dict, required: tuple[str, ...] = ("value",), min_items: int = 1, max_items: int | None = None,
            **extra) -> dict:
    """An Amazon attribute: an array of objects with selectors (marketplace_id, language_tag) and values."""
    schema = {"type": "array", "minItems": min_items, "selectors": ["marketplace_id", "language_tag"],
              "items": {"type": "object", "required": list(required),
                        "properties": {"marketplace_id": {"type": "string"}, "language_tag": {"type": "string"},
                                       **item}}, **extra}
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


def _text(max_length: int, **extra) -> dict:
    return _values({"value": {"type": "string", "minLength": 1, "maxLength": max_length, "editable": True}}, **extra)


def _has(attribute: str, key: str, value) -> dict:
    """`attribute` is present and one of its entries has `key` = `value`."""
    return {"required": [attribute], "properties": {attribute: {
        "contains": {"type": "object", "required": [key], "properties": {key: value}}}}}


IS_PARENT = _has("parentage_level", "value", {"const": "parent"})
IS_CHILD = _has("parentage_level", "value", {"const": "child"})


@cache
def schema(product_type: str) -> dict:
    """The product type's JSON Schema (requirements LISTING, enforced)."""
    _, themes = PRODUCT_TYPES[product_type]
    rules = [
        {"if": {"not": {"anyOf": [IS_PARENT, _has("supplier_declared_has_product_identifier_exemption", "value",
                                                  {"const": True})]}},
         "then": {"required": ["externally_assigned_product_identifier"]}},
        {"if": {"not": IS_PARENT}, "then": {"required": ["condition_type"]}},
        # A parent groups its children: it names a theme and sells nothing itself.
        {"if": IS_PARENT, "then": {"required": ["variation_theme"], "properties": {
            name: {"maxItems": 0} for name in ("purchasable_offer", "fulfillment_availability",
                                               "child_parent_sku_relationship")}}},
        {"if": IS_CHILD, "then": {"required": ["child_parent_sku_relationship", "variation_theme"]}},
    ]
    for part, attribute in THEME_ATTRIBUTES.items():
        named = [t for t in themes if part in t.split("/")]
        if named:
            rules.append({"if": {"allOf": [IS_CHILD, _has("variation_theme", "name", {"enum": named})]},
                          "then": {"required": [attribute]}})
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/{product_type}",
        "$comment": "Amazon product type definition (sandbox reduction)",
        "type": "object",
        "required": ["item_name", "brand", "bullet_point", "product_description", "main_product_image_locator"],
        "properties": {
            "item_name": _text(200, max_items=1),
            "brand": _text(100, max_items=1),
            "bullet_point": _text(500, max_items=10),
            "product_description": _text(2000, max_items=1),
            "externally_assigned_product_identifier": _values(
                {"type": {"enum": ["ean", "upc", "gtin"], "enumNames": ["EAN", "UPC", "GTIN"]},
                 "value": {"type": "string", "pattern": r"^[0-9]{8,14}$"}}, required=("type", "value")),
            "supplier_declared_has_product_identifier_exemption": _values({"value": {"type": "boolean"}},
                                                                          max_items=1),
            "main_product_image_locator": _values({"media_location": {"type": "string", "pattern": "^https://"}},
                                                  required=("media_location",), max_items=1),
            "condition_type": _values({"value": {"enum": list(CONDITION_TYPES)}}, max_items=1),
            "parentage_level": _values({"value": {"enum": ["parent", "child"]}}, max_items=1),
            "child_parent_sku_relationship": _values(
                {"child_relationship_type": {"enum": ["variation"]}, "parent_sku": {"type": "string",
                                                                                      "minLength": 1}},
                required=("child_relationship_type", "parent_sku"), max_items=1),
            "variation_theme": _values({"name": {"enum": list(themes)}}, required=("name",), max_items=1),
            "color": _text(100, max_items=1),
            "size": _text(100, max_items=1),
            # Their rules are the Listings Items sandbox's own checks (listings.py, offers.py).
            "fulfillment_availability": {"type": "array", "items": {"type": "object"}, "hidden": False},
            "purchasable_offer": {"type": "array", "items": {"type": "object"}},
        },
        "allOf": rules,
    }


def checksum(product_type: str) -> str:
    """Base64 MD5 of the schema document, as Amazon gives it (a cache key)."""
    return base64.b64encode(hashlib.md5(document(product_type)).digest()).decode()


def document(product_type: str) -> bytes:
    return json.dumps(schema(product_type), sort_keys=True).encode()


@cache
def _validator(product_type: str) -> Draft201909Validator:
    return Draft201909Validator(schema(product_type))


@dataclass(frozen=True)
class SchemaIssue:
    code: str
    message: str
    attribute: str | None
    category: str  # MISSING_ATTRIBUTE or INVALID_ATTRIBUTE


MISSING = "MISSING_REQUIRED_ATTRIBUTE"
INVALID = "INVALID_ATTRIBUTE_VALUE"


def attribute_issues(product_type: str, attributes: dict) -> list[SchemaIssue]:
    """What the product type's schema finds wrong with a listing's full attributes, one issue per attribute."""
    found: dict[tuple[str, str | None], SchemaIssue] = {}
    for error in _validator(product_type).iter_errors(attributes):
        for issue in _issues(error):
            found.setdefault((issue.category, issue.attribute), issue)
    return sorted(found.values(), key=lambda i: (i.attribute or "", i.category))


def _issues(error) -> list[SchemaIssue]:
    path = list(error.absolute_path)
    if error.validator == "required" and not path:
        missing = [n for n in error.validator_value if n not in error.instance]
        return [SchemaIssue(MISSING, f"'{n}' is required but not supplied.", n, "MISSING_ATTRIBUTE") for n in missing]
    if error.validator in ("allOf", "anyOf", "if") and error.context:
        return [i for sub in error.context for i in _issues(sub)]
    attribute = str(path[0]) if path else None
    where = "".join(f"[{p}]" for p in path[1:])
    message = (f"'{attribute}' is not allowed on a variation parent." if error.validator == "maxItems" and
               error.validator_value == 0 else f"'{attribute}{where}': {error.message}")
    return [SchemaIssue(INVALID, message, attribute, "INVALID_ATTRIBUTE")]
