"""The NetSuite account the sandbox starts with, built from the same settings and catalog as Seller Central.

Every seeded record has an external id, so callers can refer to it as `{"externalId": ...}`:
subsidiary `SUB-{region}`, locations `WH-{region}` (the seller's warehouse) and `FBA-{region}` (Amazon's
fulfilment network), currency = ISO code, customer `AMZ-CUSTOMER-{storefront}`, item = SKU, accounts as in
chart_of_accounts.py, classes `CLASS-AMAZON` and `CLASS-AMZ-{storefront}`, departments `DEPT-*`, the discount item
`AMZ-PROMOTION`, the other charge item `AMZ-REFUND`, SuiteTax tax types `TAXTYPE-*` and tax codes `TAXCODE-*`,
price levels `PRICELEVEL-*` and scheduled price changes `APC-*` (custom record `customrecord_amz_price_change`).
Each catalog family (`TSHIRT`, `MUG-CAFE`, ...) is a matrix parent item (matrixType PARENT, no stock, never sold)
whose variations are its children (`parent`, matrixType CHILD), as NetSuite models matrix items; every item carries
its product master (README "Product master": identifiers, Amazon content, matrix options).
The SKUs in MISSING_SKUS are deliberately left out so that orders for them exercise the "unmapped SKU" path.
Seeding only adds what is missing, so a state directory from an older sandbox gains the newer seed records.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.sandbox.netsuite.chart_of_accounts import CHART_OF_ACCOUNTS, TAX_CODES, TAX_TYPES
from amazon_netsuite.sandbox.netsuite.product_master import item_fields, parent_fields
from amazon_netsuite.sandbox.netsuite.shipping import SHIP_METHODS
from amazon_netsuite.sandbox.netsuite.store import PRICE_CHANGE, RecordStore
from amazon_netsuite.sandbox.world import CATALOG, Product
from amazon_netsuite.sandbox.world.listings import starting_stock

SEED_VERSION = "12"
PROMOTION_ITEM = "AMZ-PROMOTION"
REFUND_ITEM = "AMZ-REFUND"
COST_SHARE = Decimal("0.4")  # an item's purchase cost as a share of its price: what an item fulfillment posts to COGS
MISSING_SKUS = frozenset({"CAP-OLIVE", "CANDLE-CEDAR", "KIT-COFFEE-LOVER"})
_SUBSIDIARIES = {  # region → (name, country, base currency)
    "na": ("Demo Seller Inc.", "US", "USD"),
    "eu": ("Demo Seller GmbH", "DE", "EUR"),
    "fe": ("Demo Seller K.K.", "JP", "JPY"),
}
_CURRENCY_NAMES = {"USD": "US Dollar", "CAD": "Canadian Dollar", "EUR": "Euro", "GBP": "British Pound",
                   "JPY": "Japanese Yen", "MXN": "Mexican Peso"}
# inventoryItem.matrixType as the REST record shows it (the select's refName wording is not verified)
_PARENT = {"id": "PARENT", "refName": "Parent Matrix Item"}
_CHILD = {"id": "CHILD", "refName": "Child Matrix Item"}
# Every price level × currency of the pricing matrix, whatever currencies the settings use.
PRICE_CURRENCIES = ("USD", "CAD", "EUR", "GBP", "JPY")
_PRECISION = {"JPY": 0}  # currencies without minor units; the rest have cents
# A fixed FX table, USD → currency, so the matrix is deterministic (not today's rates).
FX_FROM_USD = {"USD": Decimal("1"), "CAD": Decimal("1.36"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79"),
               "JPY": Decimal("150"), "MXN": Decimal("17.5")}
BASE_PRICE = "Base Price"
# Price level name → markup over the base price in % (NetSuite's `discountPct`: negative = a discount).
PRICE_LEVELS = {BASE_PRICE: Decimal(0), "Amazon US": Decimal(10), "Amazon EU": Decimal(15)}
DEPARTMENTS = {"DEPT-ECOMMERCE": "E-commerce", "DEPT-MARKETPLACES": "Marketplaces"}


def _ref(store: RecordStore, record_type: str, external_id: str) -> dict:
    return {"id": str(store.id_for(record_type, external_id))}


def _add(store: RecordStore, record_type: str, external_id: str, **fields: object) -> None:
    """Add the record, or give an existing one the seeded fields it lacks."""
    existing_id = store.id_for(record_type, external_id)
    if existing_id is None:
        store.put(record_type, {"id": str(store.next_id()), "externalId": external_id, **fields})
        return
    existing = store.get(record_type, existing_id)
    missing = {k: v for k, v in fields.items() if k not in existing}
    if missing:
        store.put(record_type, {**existing, **missing})


def stock_on_hand(product: Product, location_external_id: str) -> int:
    """Deterministic starting stock per SKU × location (the world's, so FBA starts equal to Amazon's pool)."""
    return starting_stock(product.sku, location_external_id)


def item_cost(product: Product) -> Decimal:
    """The seeded purchase cost of an inventory item, to the cent."""
    return (Decimal(product.price_usd) * COST_SHARE).quantize(Decimal("0.01"))


def price_level_key(name: str) -> str:
    return "PRICELEVEL-" + name.upper().replace(" ", "-")


def seeded_price(product: Product, level: str, currency: str) -> Decimal:
    """The seeded unit price at quantity 0: the Base Price in USD is the catalog's `price_usd`; the rest is it
    marked up by the level and converted at FX_FROM_USD, ending in .99 (JPY: whole yen, rounded half up)."""
    usd = Decimal(product.price_usd)
    if (level, currency) == (BASE_PRICE, "USD"):
        return usd
    raw = usd * (1 + PRICE_LEVELS[level] / 100) * FX_FROM_USD[currency]
    if _PRECISION.get(currency) == 0:
        return raw.quantize(Decimal(1), ROUND_HALF_UP)
    return raw.quantize(Decimal(1), ROUND_CEILING) - Decimal("0.01")


def _price_matrix(store: RecordStore, product: Product, currencies: list[str]) -> dict:
    """The item's `price` sublist: every level × currency at quantity 0, references as a read shows them."""
    lines = []
    for name in PRICE_LEVELS:
        level = {**_ref(store, "priceLevel", price_level_key(name)), "refName": name}
        lines += [{"currencyPage": {**_ref(store, "currency", c), "refName": _CURRENCY_NAMES[c]},
                   "priceLevel": dict(level), "priceLevelName": name, "quantity": {"value": Decimal(0)},
                   "price": seeded_price(product, name, c)}
                  for c in currencies if c in FX_FROM_USD]
    return {"items": lines}


def _price_changes(store: RecordStore, today: date) -> None:
    """Scheduled price changes: one already in force, two starting tomorrow (README "Prices")."""
    item = next(p for p in CATALOG if p.sku not in MISSING_SKUS and not p.is_kit)
    kit = next(p for p in CATALOG if p.sku not in MISSING_SKUS and p.is_kit)
    changes = (("APC-PAST", item, "Amazon US", "USD", "-0.10", -30, None, "Autumn price"),
               ("APC-TOMORROW", item, "Amazon US", "USD", "0.05", 1, 8, "One-week price rise"),
               ("APC-TOMORROW-JPY", kit, BASE_PRICE, "JPY", "-0.20", 1, None, "Kit price cut in Japan"))
    for external_id, product, level, currency, change, start, end, memo in changes:
        price = seeded_price(product, level, currency) * (1 + Decimal(change))
        places = Decimal(1) if _PRECISION.get(currency) == 0 else Decimal("0.01")
        _add(store, PRICE_CHANGE, external_id, name=external_id, isInactive=False,
             custrecord_apc_item=_ref(store, "kitItem" if product.is_kit else "inventoryItem", product.sku),
             custrecord_apc_price_level=_ref(store, "priceLevel", price_level_key(level)),
             custrecord_apc_currency=_ref(store, "currency", currency),
             custrecord_apc_price=price.quantize(places, ROUND_HALF_UP),
             custrecord_apc_start_date=(today + timedelta(days=start)).isoformat(),
             custrecord_apc_end_date=(today + timedelta(days=end)).isoformat() if end else None,
             custrecord_apc_memo=memo)


def seed_records(store: RecordStore, settings: Settings, today: date | None = None) -> None:
    """Currencies, subsidiaries and locations per region, a customer per storefront, the chart of accounts,
    classes and departments, price levels, an item per catalog SKU with its stock per location and its pricing
    matrix, and scheduled price changes relative to `today` (the sandbox clock's date; None: none seeded)."""
    regions = list(dict.fromkeys([*(account.region for account in settings.seller_accounts),
                                  *(vendor.region for vendor in settings.vendor_accounts)]))
    currencies = list(dict.fromkeys([*(_SUBSIDIARIES[r][2] for r in regions),
                                     *(s.currency for s in settings.storefronts),
                                     *(c for *_, c, _ in CHART_OF_ACCOUNTS if c)]))
    _currencies(store, currencies)
    for region in regions:
        name, country, currency = _SUBSIDIARIES[region]
        _add(store, "subsidiary", f"SUB-{region}", name=name, country={"id": country},
             currency=_ref(store, "currency", currency), isInactive=False)
        subsidiary = _ref(store, "subsidiary", f"SUB-{region}")
        _add(store, "location", f"WH-{region}", name=f"Main Warehouse ({region.upper()})",
             subsidiary=subsidiary, isInactive=False)
        _add(store, "location", f"FBA-{region}", name=f"Amazon FBA ({region.upper()})",
             subsidiary=subsidiary, isInactive=False)
    all_subsidiaries = {"items": [_ref(store, "subsidiary", f"SUB-{r}") for r in regions]}
    for external_id, number, name, acct_type, currency, parent in CHART_OF_ACCOUNTS:
        extra: dict = {"currency": _ref(store, "currency", currency)} if currency else {}
        if parent:
            extra["parent"] = _ref(store, "account", parent)
        _add(store, "account", external_id, acctNumber=number, acctName=name,
             acctType={"id": acct_type, "refName": acct_type}, subsidiary=all_subsidiaries, includeChildren=True,
             isInactive=False, **extra)
    for external_id, name, payables in TAX_TYPES:
        _add(store, "taxType", external_id, name=name, isInactive=False,
             payablesAccount=_ref(store, "account", payables))
    for external_id, tax_type, rate in TAX_CODES:
        _add(store, "salesTaxItem", external_id, itemId=external_id, taxType=_ref(store, "taxType", tax_type),
             rate=Decimal(rate), isInactive=False)
    _add(store, "classification", "CLASS-AMAZON", name="Amazon", subsidiary=all_subsidiaries, isInactive=False)
    for account in settings.seller_accounts:
        for storefront in account.storefronts:
            _add(store, "customer", f"AMZ-CUSTOMER-{storefront.key}",
                 entityId=f"{storefront.sales_channel} ({storefront.key})",
                 companyName=f"{storefront.sales_channel} customers", isPerson=False,
                 subsidiary=_ref(store, "subsidiary", f"SUB-{account.region}"),
                 currency=_ref(store, "currency", storefront.currency), isInactive=False)
            _add(store, "classification", f"CLASS-AMZ-{storefront.key}", name=f"Amazon : {storefront.key}",
                 parent=_ref(store, "classification", "CLASS-AMAZON"), subsidiary=all_subsidiaries, isInactive=False)
    for external_id, name in DEPARTMENTS.items():
        _add(store, "department", external_id, name=name, subsidiary=all_subsidiaries, isInactive=False)
    accounts = {role: _ref(store, "account", eid) for role, eid in
                (("incomeAccount", "ACCT-SALES"), ("cogsAccount", "ACCT-COGS"), ("assetAccount", "ACCT-INVENTORY"))}
    # The seller's one-time setup for promotions (README "Posting options"): the discount item Amazon promotions post
    # against, so the demo posts promoted orders instead of queueing them.
    _add(store, "discountItem", PROMOTION_ITEM, itemId=PROMOTION_ITEM, displayName="Amazon promotion",
         subsidiary=all_subsidiaries, isInactive=False, account=_ref(store, "account", "ACCT-PROMOTIONS"))
    # The other charge item a settlement refund posts on (data/gl_mapping.yaml's refund rules): it moves money, never
    # stock, since a settlement does not say whether the unit came back.
    _add(store, "otherChargeSaleItem", REFUND_ITEM, itemId=REFUND_ITEM, displayName="Amazon refund",
         subsidiary=all_subsidiaries, isInactive=False, incomeAccount=_ref(store, "account", "ACCT-REFUNDS"))
    # The warehouse's ship methods (sandbox/netsuite/shipping.py), named after carrier and service.
    for method in SHIP_METHODS:
        _add(store, "shipItem", "SHIP-" + method.name.upper().replace(" ", "-"), itemId=method.name,
             displayName=method.name, subsidiary=all_subsidiaries, isInactive=False)
    locations = [f"{kind}-{region}" for region in regions for kind in ("WH", "FBA")]
    for product in CATALOG:
        if product.sku in MISSING_SKUS:
            continue
        fields = dict(itemId=product.sku, displayName=product.name, basePrice=Decimal(product.price_usd),
                      subsidiary=all_subsidiaries, isInactive=False, incomeAccount=accounts["incomeAccount"])
        if product.parent_sku:
            _add(store, "inventoryItem", product.parent_sku, itemId=product.parent_sku,
                 displayName=product.name.split(" – ")[0], subsidiary=all_subsidiaries, isInactive=False,
                 matrixType=_PARENT, **accounts)
            fields.update(parent=_ref(store, "inventoryItem", product.parent_sku), matrixType=_CHILD)
        if product.is_kit:
            members = [{"item": _ref(store, "inventoryItem", sku), "quantity": qty} for sku, qty in product.components]
            _add(store, "kitItem", product.sku, **fields, member={"items": members})
            continue
        stock = [{"location": _ref(store, "location", loc), "quantityOnHand": stock_on_hand(product, loc),
                  "preferredStockLevel": product.popularity * 20, "reorderPoint": product.popularity * 5}
                 for loc in locations]
        _add(store, "inventoryItem", product.sku, **fields, cost=item_cost(product),
             cogsAccount=accounts["cogsAccount"], assetAccount=accounts["assetAccount"], locations={"items": stock})
    _prices(store, [*currencies, *PRICE_CURRENCIES], today)
    _product_master(store)
    # Last, so every earlier record keeps the internal id it had before payment methods were seeded.
    _add(store, "paymentMethod", "PAYMETHOD-AMAZON", name="Amazon Pay-out", isInactive=False, undepFunds=True)
    # Amazon as a wholesale customer of each vendor account (its purchase orders become Sales Orders to it).
    for vendor in settings.vendor_accounts:
        _add(store, "customer", f"AMZ-VENDOR-{vendor.key}", entityId=f"Amazon Vendor Central ({vendor.key})",
             companyName="Amazon.com Services LLC", isPerson=False,
             subsidiary=_ref(store, "subsidiary", f"SUB-{vendor.region}"),
             currency=_ref(store, "currency", vendor.currency), isInactive=False)


def _product_master(store: RecordStore) -> None:
    """Every item's Amazon content, identifiers and matrix options (product_master.py), seeded last so no
    internal id moves."""
    for product in CATALOG:
        if product.sku in MISSING_SKUS:
            continue
        if product.parent_sku:
            _add(store, "inventoryItem", product.parent_sku,
                 **parent_fields(product.parent_sku, product.name.split(" – ")[0]))
        _add(store, "kitItem" if product.is_kit else "inventoryItem", product.sku, **item_fields(product))


def _currencies(store: RecordStore, codes: list[str]) -> None:
    for code in codes:
        _add(store, "currency", code, symbol=code, name=_CURRENCY_NAMES.get(code, code), isInactive=False,
             currencyPrecision=_PRECISION.get(code, 2))


def _prices(store: RecordStore, currencies: list[str], today: date | None) -> None:
    """Price levels, every item's pricing matrix and the scheduled price changes, seeded after everything else so
    the internal ids of the records seeded before prices existed stay as they were."""
    currencies = list(dict.fromkeys(currencies))
    _currencies(store, currencies)
    for name, markup in PRICE_LEVELS.items():
        _add(store, "priceLevel", price_level_key(name), name=name, discountPct=markup, isInactive=False,
             isOnline=name == BASE_PRICE)
    for product in CATALOG:
        if product.sku not in MISSING_SKUS:
            _add(store, "kitItem" if product.is_kit else "inventoryItem", product.sku,
                 price=_price_matrix(store, product, currencies))
    if today is not None:
        _price_changes(store, today)
