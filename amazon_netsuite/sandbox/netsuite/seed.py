"""The NetSuite account the sandbox starts with, built from the same settings and catalog as Seller Central.

Every seeded record has an external id, so callers can refer to it as `{"externalId": ...}`:
subsidiary `SUB-{region}`, locations `WH-{region}` (the seller's warehouse) and `FBA-{region}` (Amazon's
fulfilment network), currency = ISO code, customer `AMZ-CUSTOMER-{storefront}`, item = SKU.
The SKUs in MISSING_SKUS are deliberately left out so that orders for them exercise the "unmapped SKU" path.
"""

from __future__ import annotations

from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.sandbox.netsuite.store import RecordStore
from amazon_netsuite.sandbox.world import CATALOG

MISSING_SKUS = frozenset({"CAP-OLIVE", "CANDLE-CEDAR", "KIT-COFFEE-LOVER"})
_SUBSIDIARIES = {  # region → (name, country, base currency)
    "na": ("Demo Seller Inc.", "US", "USD"),
    "eu": ("Demo Seller GmbH", "DE", "EUR"),
    "fe": ("Demo Seller K.K.", "JP", "JPY"),
}
_CURRENCY_NAMES = {"USD": "US Dollar", "CAD": "Canadian Dollar", "EUR": "Euro", "GBP": "British Pound",
                   "JPY": "Japanese Yen", "MXN": "Mexican Peso"}


def _ref(store: RecordStore, record_type: str, external_id: str) -> dict:
    return {"id": str(store.id_for(record_type, external_id))}


def _add(store: RecordStore, record_type: str, external_id: str, **fields: object) -> None:
    store.put(record_type, {"id": str(store.next_id()), "externalId": external_id, **fields})


def seed_records(store: RecordStore, settings: Settings) -> None:
    """Subsidiaries and locations per region, currencies, a customer per storefront, an item per catalog SKU."""
    regions = list(dict.fromkeys(account.region for account in settings.seller_accounts))
    currencies = list(dict.fromkeys([*(_SUBSIDIARIES[r][2] for r in regions),
                                     *(s.currency for s in settings.storefronts)]))
    for code in currencies:
        _add(store, "currency", code, symbol=code, name=_CURRENCY_NAMES.get(code, code), isInactive=False)
    for region in regions:
        name, country, currency = _SUBSIDIARIES[region]
        _add(store, "subsidiary", f"SUB-{region}", name=name, country={"id": country},
             currency=_ref(store, "currency", currency), isInactive=False)
        subsidiary = _ref(store, "subsidiary", f"SUB-{region}")
        _add(store, "location", f"WH-{region}", name=f"Main Warehouse ({region.upper()})",
             subsidiary=subsidiary, isInactive=False)
        _add(store, "location", f"FBA-{region}", name=f"Amazon FBA ({region.upper()})",
             subsidiary=subsidiary, isInactive=False)
    for account in settings.seller_accounts:
        for storefront in account.storefronts:
            _add(store, "customer", f"AMZ-CUSTOMER-{storefront.key}",
                 entityId=f"{storefront.sales_channel} ({storefront.key})",
                 companyName=f"{storefront.sales_channel} customers", isPerson=False,
                 subsidiary=_ref(store, "subsidiary", f"SUB-{account.region}"),
                 currency=_ref(store, "currency", storefront.currency), isInactive=False)
    all_subsidiaries = {"items": [_ref(store, "subsidiary", f"SUB-{r}") for r in regions]}
    for product in CATALOG:
        if product.sku in MISSING_SKUS:
            continue
        fields = dict(itemId=product.sku, displayName=product.name, basePrice=float(product.price_usd),
                      subsidiary=all_subsidiaries, isInactive=False)
        if product.is_kit:
            members = [{"item": _ref(store, "inventoryItem", sku), "quantity": qty} for sku, qty in product.components]
            _add(store, "kitItem", product.sku, **fields, member={"items": members})
        else:
            _add(store, "inventoryItem", product.sku, **fields)
