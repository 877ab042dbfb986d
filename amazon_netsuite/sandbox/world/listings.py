"""Which of the seller's SKUs Amazon fulfils, and the stock the world starts with.

Every catalog SKU is listed in every storefront. About two in five stand-alone SKUs are fulfilled by Amazon (their
listing's `fulfillment_availability` names the region's Amazon channel, and Amazon holds their stock in its
fulfilment network, one pool per seller account); the others and every kit are fulfilled by the merchant (channel
`DEFAULT`, the quantity the seller pushes). A kit sold through FBA ships as a virtual bundle: its members leave the
FBA pool. The order generator predates listings and picks FBA or MFN per order for any SKU, so an FBA order line of
a merchant-fulfilled SKU moves no FBA stock.
"""

from __future__ import annotations

import hashlib
import zlib

from amazon_netsuite.sandbox.world.catalog import CATALOG, PRODUCTS_BY_SKU, Product

MERCHANT_CHANNEL = "DEFAULT"
AMAZON_CHANNELS = {"na": "AMAZON_NA", "eu": "AMAZON_EU", "fe": "AMAZON_JP"}


def is_fba_listed(sku: str) -> bool:
    """Whether Amazon fulfils this SKU (the same in every storefront of the seller)."""
    product = PRODUCTS_BY_SKU.get(sku)
    return product is not None and not product.is_kit and zlib.crc32(f"fba|{sku}".encode()) % 5 < 2


FBA_SKUS: tuple[str, ...] = tuple(p.sku for p in CATALOG if is_fba_listed(p.sku))
MFN_SKUS: tuple[str, ...] = tuple(p.sku for p in CATALOG if not is_fba_listed(p.sku))


def fulfillment_channel(sku: str, region: str) -> str:
    """The listing's `fulfillment_channel_code`: the region's Amazon channel for FBA SKUs, else DEFAULT."""
    return AMAZON_CHANNELS[region] if is_fba_listed(sku) else MERCHANT_CHANNEL


def fba_units(product: Product, quantity: int) -> list[tuple[str, int]]:
    """The FBA-listed units one order line takes from the pool: the SKU itself, or a kit's members."""
    parts = product.components or ((product.sku, 1),)
    return [(sku, per * quantity) for sku, per in parts if is_fba_listed(sku)]


def starting_stock(sku: str, location_external_id: str) -> int:
    """Deterministic stock per SKU × location when the world starts (NetSuite's seed and Amazon's FBA pool agree:
    `FBA-{region}` is the pool); about one in eleven is out of stock there."""
    product = PRODUCTS_BY_SKU[sku]
    roll = int(hashlib.sha1(f"{product.sku}|{location_external_id}".encode()).hexdigest(), 16)
    if roll % 11 == 0:
        return 0
    per_unit = 10 if location_external_id.startswith("FBA-") else 15
    return product.popularity * per_unit + roll % 40
