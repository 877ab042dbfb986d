"""The product master on the sandbox account's items: the custom item fields a seller adds for Amazon, the matrix
option fields, and the deterministic values seeded on every catalog item (README "Product master").

Native item fields used (REST API Browser, inventoryItem): `displayName`, `upcCode`, `manufacturer`, `mpn`,
`storeDisplayName`, `storeDescription`, `salesDescription`, `isInactive`, `parent`, `matrixType`. NetSuite has no
brand field (`manufacturer` is the maker, not the brand Amazon asks for), so the brand is a custom field.
"""

from __future__ import annotations

import hashlib

from amazon_netsuite.sandbox.world import Product
from amazon_netsuite.sandbox.world.catalog import FAMILY_AXES

PRODUCT_TYPE_FIELD = "custitem_amz_product_type"  # Amazon product type name, e.g. SHIRT
BRAND_FIELD = "custitem_amz_brand"
BULLET_FIELDS = tuple(f"custitem_amz_bullet_{n}" for n in range(1, 6))  # bullet points 1–5
IMAGE_FIELDS = ("custitem_amz_image_main", *(f"custitem_amz_image_{n}" for n in range(2, 6)))  # main + 4 others
RETIRED_FIELD = "custitem_amz_retired"  # checkbox: off Amazon, still active for returns and FBA stock
# Matrix options: one custom item field per axis (a list/record field on a real account; README "Product master").
OPTION_FIELDS = {axis: f"custitem_{axis}" for axis in dict.fromkeys(a for axes in FAMILY_AXES.values() for a in axes)}
PRODUCT_FIELDS = (PRODUCT_TYPE_FIELD, BRAND_FIELD, *BULLET_FIELDS, *IMAGE_FIELDS, RETIRED_FIELD,
                  *OPTION_FIELDS.values())

BRAND = "Northwind Goods"
MANUFACTURER = "Demo Seller Manufacturing"
PRODUCT_TYPES = {"TSHIRT": "SHIRT", "HOODIE": "SWEATSHIRT", "MUG-CAFE": "DRINKING_CUP", "SOCKS": "SOCKS"}
DEFAULT_PRODUCT_TYPE = "PRODUCT"  # Amazon's generic product type
# Bad input on purpose (the reader returns it as it is; Amazon's validation refuses it): sku → what is wrong.
NO_BRAND_SKU = "NOTEBOOK-A5-GRID"
UNKNOWN_PRODUCT_TYPE_SKU = "TOTE-BLACK"
UNKNOWN_PRODUCT_TYPE = "GARDEN_GNOME"
BAD_PRODUCT_SEEDS = {NO_BRAND_SKU: "no brand", UNKNOWN_PRODUCT_TYPE_SKU: f"product type {UNKNOWN_PRODUCT_TYPE}"}


def upc(sku: str) -> str:
    """A deterministic 12-digit UPC-A for the SKU with a valid GS1 check digit."""
    body = "0" + f"{int.from_bytes(hashlib.sha1(sku.encode()).digest()[:8], 'big') % 10**10:010d}"
    odd = sum(int(d) for d in body[0::2])
    even = sum(int(d) for d in body[1::2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


def product_type(family_or_sku: str) -> str:
    if family_or_sku == UNKNOWN_PRODUCT_TYPE_SKU:
        return UNKNOWN_PRODUCT_TYPE
    return PRODUCT_TYPES.get(family_or_sku, DEFAULT_PRODUCT_TYPE)


def _content(sku: str, name: str, kind: str) -> dict:
    bullets = (f"{name}", f"Made for everyday use by {BRAND}",
               "Ships from the seller's warehouse or Amazon's fulfilment network")
    fields: dict = {PRODUCT_TYPE_FIELD: product_type(kind), BRAND_FIELD: BRAND, "manufacturer": MANUFACTURER,
                    IMAGE_FIELDS[0]: f"https://images.demo-seller.example/{sku}/main.jpg",
                    **dict(zip(BULLET_FIELDS, bullets)), "salesDescription": name}
    if sku == NO_BRAND_SKU:
        del fields[BRAND_FIELD]
    return fields


def parent_fields(family: str, name: str) -> dict:
    """A matrix parent's product master: no identifier (Amazon parents have none)."""
    return _content(family, name, family)


def item_fields(product: Product) -> dict:
    """A child's or stand-alone item's product master: a UPC, its content and, for a child, its matrix options."""
    kind = product.sku if product.sku in BAD_PRODUCT_SEEDS else (product.parent_sku or product.sku)
    fields = {**_content(product.sku, product.name, kind), "upcCode": upc(product.sku), "mpn": product.sku}
    if product.parent_sku:
        axes = FAMILY_AXES[product.parent_sku]
        fields.update({OPTION_FIELDS[axis]: value for axis, value in zip(axes, product.options)})
    return fields
