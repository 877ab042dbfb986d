"""Which fields each record type has, and what NetSuite does with a body field it does not know.

`X-NetSuite-PropertyNameValidation` (`Error|Warning|Ignore`, default Warning) governs "invalid field names in the
request body, such as field names with incorrect spelling, or field names that do not exist on the record"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html). With `Error` the
request is refused, naming the field and its path; otherwise the field is dropped and the rest is saved, so a typo
silently loses data. Field names are matched without regard to case, as NetSuite does (Oracle's own example
creates a customer with `entityid` and `companyname`).

The standard fields below are those of the REST API Browser's schemas (Oracle's metadata catalog, as dumped in
https://github.com/wsjmnh/netsuite-record-rest-docs docs/schemas/) for the parts of each record the sandbox
emulates. Custom fields (`custbody_`, `custitem_`, `custentity_`, `custcol_`) exist only when the account defines
them: the sandbox defines the ones the settings name, plus the few in DEFINED_CUSTOM_FIELDS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.product_master import PRODUCT_FIELDS
from amazon_netsuite.sandbox.netsuite.store import (
    ITEM_TYPES,
    PRICE_CHANGE,
    PRICE_CHANGE_FIELDS,
    SALES_TYPES,
    TRANSACTION_TYPES,
)

log = logging.getLogger(__name__)

HEADER = "X-NetSuite-PropertyNameValidation"
MODES = ("error", "warning", "ignore")
DEFAULT_MODE = "warning"

# Read back with every record; a body that re-sends a record as read carries them (NetSuite ignores the values).
_READ_BACK = ("id", "links", "refName", "createdDate", "lastModifiedDate")
_TRANSACTION = (*_READ_BACK, "externalId", "tranId", "tranDate", "postingPeriod", "subsidiary", "currency",
                "exchangeRate", "memo", "entity", "location", "class", "department", "createdFrom", "customForm",
                "status", "total", "nexus", "source")
_SALES = (*_TRANSACTION, "otherRefNum", "email", "toBeEmailed", "shipMethod", "shipDate", "shippingCost",
          "handlingCost", "discountItem", "discountRate", "discountTotal", "isTaxable", "taxItem", "taxRate",
          "taxTotal", "subtotal", "billingAddress", "shippingAddress", "billAddress", "shipAddress", "salesRep",
          "partner", "terms", "promoCode", "salesChannel", "integrationId", "linkedTrackingNumbers", "dueDate",
          "shipIsResidential", "taxDetailsOverride", "taxRegOverride")
_SALES_LINE = ("item", "quantity", "rate", "amount", "price", "description", "location", "inventoryLocation",
               "isTaxable", "taxCode", "taxAmount", "taxRate1", "units", "commitInventory", "createPo", "isClosed",
               "line", "lineUniqueKey", "orderLine", "quantityFulfilled", "quantityBilled", "quantityCommitted",
               "quantityBackOrdered", "quantityAvailable", "inventoryDetail", "itemType", "matrixType", "options",
               "class", "department", "costEstimate", "costEstimateType", "taxDetailsReference", "refName", "links")
# SuiteTax tax detail lines (REST API Browser, salesOrder-taxDetailsElement); the last four NetSuite fills in.
_TAX_LINE = ("taxDetailsReference", "taxType", "taxCode", "taxBasis", "taxRate", "taxAmount", "lineType",
             "lineName", "netAmount", "calcDetail", "refName", "links")
_APPLY_LINE = ("doc", "apply", "amount", "applyDate", "createdFrom", "currency", "due", "job", "jobName", "line",
               "refNum", "total", "type", "refName", "links")
_GL_LINE = ("account", "amount", "entity", "memo", "department", "class", "location", "paymentMethod", "refNum",
            "refName", "links")
# REST API Browser, kitItem-priceElement.
_PRICE_LINE = ("currencyPage", "priceLevel", "priceLevelName", "priceQty", "quantity", "price", "discountDisplay",
               "isInactive", "refName", "links")
_ITEM = (*_READ_BACK, "externalId", "itemId", "displayName", "description", "salesDescription", "upcCode",
         "basePrice", "subsidiary", "includeChildren", "isInactive", "incomeAccount", "cogsAccount", "assetAccount",
         "taxSchedule", "itemType", "class", "department", "location", "vendorName", "purchaseDescription",
         "cost", "weight", "weightUnit", "manufacturer", "mpn", "storeDisplayName", "storeDescription",
         "storeDetailedDescription", "featuredDescription")

FIELDS: dict[str, tuple[str, ...]] = {
    "subsidiary": (*_READ_BACK, "externalId", "name", "country", "currency", "parent", "isInactive",
                   "isElimination", "legalName", "state", "email", "fax", "url"),
    "location": (*_READ_BACK, "externalId", "name", "subsidiary", "parent", "isInactive", "locationType",
                 "mainAddress", "makeInventoryAvailable", "useBins"),
    "currency": (*_READ_BACK, "externalId", "symbol", "name", "isInactive", "isBaseCurrency", "exchangeRate",
                 "displaySymbol", "currencyPrecision", "symbolPlacement"),
    "customer": (*_READ_BACK, "externalId", "entityId", "companyName", "firstName", "lastName", "isPerson",
                 "subsidiary", "currency", "isInactive", "email", "phone", "addressBook", "category", "terms",
                 "priceLevel", "salesRep", "taxable", "taxItem", "comments", "url", "parent", "defaultAddress"),
    "account": (*_READ_BACK, "externalId", "acctNumber", "acctName", "acctType", "subsidiary", "includeChildren",
                "isInactive", "currency", "parent", "description", "isSummary", "eliminate", "revalue",
                "generalRate", "cashFlowRate", "category1099misc", "legalName"),
    # SuiteTax: a tax type and its tax codes (salesTaxItem),
    # https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1557735990.html
    "taxType": (*_READ_BACK, "externalId", "name", "country", "description", "isInactive", "payablesAccount",
                "receivablesAccount"),
    # Shipping items (ship methods): REST record `shipItem`
    # (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_61232355280.html).
    "shipItem": (*_READ_BACK, "externalId", "itemId", "displayName", "description", "isInactive", "account",
                 "costBasis", "shippingFlatRateAmount", "taxSchedule", "subsidiary", "includeChildren"),
    # Payment methods (REST record paymentMethod; not verified), read by `netsuite refresh-metadata`.
    "paymentMethod": (*_READ_BACK, "externalId", "name", "isInactive", "account", "undepFunds"),
    "salesTaxItem": (*_READ_BACK, "externalId", "itemId", "description", "taxType", "rate", "country",
                     "isInactive", "subsidiary"),
    "classification": (*_READ_BACK, "externalId", "name", "subsidiary", "includeChildren", "parent", "isInactive"),
    "department": (*_READ_BACK, "externalId", "name", "subsidiary", "includeChildren", "parent", "isInactive"),
    "inventoryItem": (*_ITEM, "locations", "preferredStockLevel", "reorderPoint", "trackLandedCost",
                      "matchBillToReceipt", "parent", "matrixType", "matrixItemNameTemplate", "price",
                      "pricesIncludeTax"),
    "kitItem": (*_ITEM, "member", "price", "pricesIncludeTax"),
    # https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0718033232.html
    "priceLevel": (*_READ_BACK, "externalId", "name", "discountPct", "isInactive", "isOnline",
                   "updateExistingPrices"),
    # The sandbox account's custom record of scheduled price changes (README "Prices").
    PRICE_CHANGE: (*_READ_BACK, "externalId", "name", "isInactive", "owner", *PRICE_CHANGE_FIELDS),
    "discountItem": (*_ITEM, "account", "rate", "isPreTax", "nonPosting"),
    "otherChargeSaleItem": (*_ITEM, "rate", "isTaxable"),
    "salesOrder": (*_SALES, "orderStatus", "shipComplete", "startDate", "endDate", "orderType", "handlingMode",
                   "paymentOperation"),
    "cashSale": (*_SALES, "account", "undepFunds", "paymentMethod", "checkNumber", "handlingMode"),
    "invoice": (*_SALES, "account", "amountPaid", "amountRemaining", "approvalStatus"),
    "cashRefund": (*_SALES, "account", "undepFunds", "paymentMethod", "refundMethod", "handlingMode"),
    "creditMemo": (*_SALES, "account", "apply", "applied", "unapplied", "autoApply", "amountPaid",
                   "amountRemaining"),
    "itemFulfillment": (*_TRANSACTION, "shipStatus", "shipMethod", "shippedDate", "packedDate", "pickedDate",
                        "shipCarrier", "shipAddress", "shippingAddress", "handlingCost", "shippingCost",
                        "linkedTrackingNumbers"),
    "customerPayment": (*_TRANSACTION, "customer", "payment", "account", "undepFunds", "arAcct", "autoApply",
                        "checkNumber", "apply", "credit", "deposit", "applied", "unapplied", "pending", "balance",
                        "toBeEmailed", "paymentOption", "handlingMode", "paymentOperation", "integrationId"),
    "inventoryAdjustment": (*_TRANSACTION, "account", "adjLocation", "inventory", "estimatedTotalValue", "customer"),
    # REST API Browser returnAuthorization and itemReceipt (https://github.com/wsjmnh/netsuite-record-rest-docs)
    "returnAuthorization": (*_TRANSACTION, "otherRefNum", "orderStatus", "shipMethod", "shippingCost",
                            "handlingCost", "taxTotal", "subtotal", "salesRep", "partner", "email",
                            "billingAddress", "shippingAddress", "revenueStatus", "item"),
    "itemReceipt": (*_TRANSACTION, "item", "landedCostMethod", "exchangeRate"),
    "customerRefund": (*_TRANSACTION, "customer", "account", "apply", "paymentMethod", "refundMethod",
                       "toBeEmailed", "checkNumber", "toBePrinted"),
    "journalEntry": (*_TRANSACTION, "approved", "reversalDate", "reversalDefer", "isReversal", "line",
                     "accountingBook", "toSubsidiary"),
    "deposit": (*_TRANSACTION, "account", "payment", "other", "cashback", "department", "class"),
}

# Sublist line fields by record type and sublist.
LINE_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    **{t: {"item": _SALES_LINE, "taxDetails": _TAX_LINE} for t in SALES_TYPES},
    "creditMemo": {"item": _SALES_LINE, "taxDetails": _TAX_LINE, "apply": _APPLY_LINE},
    "customerRefund": {"apply": _APPLY_LINE},
    "inventoryAdjustment": {"inventory": ("line", "item", "location", "adjustQtyBy", "unitCost", "newQuantity",
                                          "quantityOnHand", "currentValue", "memo", "department", "class",
                                          "inventoryDetail", "refName", "links")},
    "customerPayment": {"apply": _APPLY_LINE, "credit": _APPLY_LINE,
                        "deposit": ("doc", "apply", "amount", "currencyName", "depositDate", "refNum", "remaining",
                                    "total", "refName", "links")},
    "returnAuthorization": {"item": (*_SALES_LINE, "quantityReceived")},
    "itemReceipt": {"item": ("orderLine", "line", "item", "itemReceive", "quantity", "quantityRemaining", "location",
                             "inventoryDetail", "description", "itemType", "units", "rate", "refName", "links")},
    "itemFulfillment": {
        "item": ("orderLine", "line", "item", "itemReceive", "quantity", "quantityRemaining", "location",
                 "inventoryDetail", "kitMemberOf", "description", "itemType", "units", "refName", "links"),
        "package": ("packageTrackingNumber", "packageWeight", "packageDescr", "packageCartonNumber",
                    "packageTrackingNumberReturn", "refName", "links"),
    },
    "journalEntry": {"line": ("line", "account", "debit", "credit", "entity", "memo", "department", "class",
                              "location", "eliminate", "cleared", "taxCode", "refName", "links")},
    "deposit": {"payment": ("deposit", "id", "docNumber", "paymentAmount", "transactionAmount", "type", "entity",
                            "refNum", "currency", "paymentMethod", "refName", "links"),
                "other": _GL_LINE, "cashback": _GL_LINE},
    "customer": {"addressBook": ("addressBookAddress", "defaultBilling", "defaultShipping", "isResidential",
                                 "label", "id", "internalId", "refName", "links")},
    "inventoryItem": {"price": _PRICE_LINE,
                      "locations": ("location", "quantityOnHand", "quantityAvailable", "quantityCommitted",
                                    "quantityBackOrdered", "preferredStockLevel", "reorderPoint", "refName",
                                    "links")},
    "kitItem": {"member": ("item", "quantity", "memberDescr", "lineNumber", "refName", "links"),
                "price": _PRICE_LINE},
}

# Custom fields an account has by prefix: body fields of transactions, item fields, entity (customer) fields and
# transaction line ("column") fields.
CUSTOM_PREFIXES = {"custbody_": TRANSACTION_TYPES, "custitem_": ITEM_TYPES, "custentity_": ("customer",)}
LINE_PREFIX = "custcol_"
# Defined in the sandbox's account whatever the settings say: the demo's channel and SFP fields, the order id on a
# transaction, the SKU alias on items (README "Posting options") and the product master's item fields (README
# "Product master").
DEFINED_CUSTOM_FIELDS = frozenset({"custbody_amz_sfp", "custbody_amz_channel", "custbody_amz_order_id",
                                   "custitem_amz_sku", *PRODUCT_FIELDS})


def custom_fields_of(settings: Settings) -> frozenset[str]:
    """The custom fields the sandbox's account defines: the fixed ones and every one the settings name."""
    named = {settings.order_posting.sfp.checkbox, settings.order_posting.items.alias_field,
             *(p.channel_field.name for p in settings.order_posting.storefronts.values() if p.channel_field)}
    named |= {vendor.status_field for vendor in settings.vendor_accounts}
    return DEFINED_CUSTOM_FIELDS | {name for name in named if name and name.startswith(("cust",))}


def mode_of(value: str | None) -> str:
    """The validation mode a request asks for (case-insensitive); 400 for a value NetSuite does not know."""
    if value is None or not value.strip():
        return DEFAULT_MODE
    mode = value.strip().lower()
    if mode not in MODES:
        raise RecordError(400, "INVALID_HEADER", f"Invalid value '{value}' for header {HEADER}: use Error, "
                          "Warning or Ignore.")
    return mode


def _lower(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


# A record's sublists are fields of its body too.
_KNOWN = {t: _lower([*names, *LINE_FIELDS.get(t, {})]) for t, names in FIELDS.items()}
_KNOWN_LINES = {t: {s.lower(): _lower(names) for s, names in sublists.items()} for t, sublists in LINE_FIELDS.items()}
_ANY_CUSTOM = (*CUSTOM_PREFIXES, LINE_PREFIX)


def _exists(name: str, known: frozenset[str], custom: frozenset[str], custom_prefix: str | None) -> bool:
    """A standard field of `known`, or a custom field with the prefix this place takes that the account defines."""
    lowered = name.lower()
    if lowered.startswith(_ANY_CUSTOM):
        return custom_prefix is not None and lowered.startswith(custom_prefix) and lowered in custom
    return lowered in known


def unknown_fields(record_type: str, body: dict, custom: frozenset[str]) -> list[tuple[str, str]]:
    """(field, path) of each body field the record type does not have, in body order: header fields, then the
    fields of each sublist line (`item.items[0].amout`)."""
    custom = _lower(custom)
    header_prefix = next((p for p, types in CUSTOM_PREFIXES.items() if record_type in types), None)
    line_prefix = LINE_PREFIX if record_type in TRANSACTION_TYPES else None
    sublists = _KNOWN_LINES.get(record_type, {})
    found: list[tuple[str, str]] = []
    for name, value in body.items():
        if not _exists(name, _KNOWN[record_type], custom, header_prefix):
            found.append((name, name))
            continue
        line_fields = sublists.get(name.lower())
        if line_fields is None or not isinstance(value, dict) or not isinstance(value.get("items"), list):
            continue
        for index, line in enumerate(value["items"]):
            if isinstance(line, dict):
                found += [(field, f"{name}.items[{index}].{field}") for field in line
                          if not _exists(field, line_fields, custom, line_prefix)]
    return found


def check_field_names(record_type: str, body: dict, custom: frozenset[str], mode: str) -> None:
    """Refuse the body (mode error) or drop its unknown fields (warning, ignore), as NetSuite does."""
    found = unknown_fields(record_type, body, custom)
    if not found:
        return
    if mode == "error":
        # Oracle does not document this refusal's code; NONEXISTENT_FIELD is NetSuite's code for a field that does
        # not exist (tolerated by Airbyte's NetSuite source, source_netsuite/errors.py). The client treats any 400
        # as a validation error, so the code matters less than the field and path, which are what a fix needs.
        field, path = found[0]
        raise RecordError(400, "NONEXISTENT_FIELD",
                          f"Invalid property name '{field}': {record_type} has no field '{field}'"
                          + (" (custom fields must exist in the account)" if field.lower().startswith("cust") else "")
                          + ".", path)
    for field, path in found:
        _drop(body, path)
    if mode == "warning":
        log.warning("NetSuite sandbox: %s ignored unknown field(s) %s", record_type, ", ".join(p for _, p in found))


def _drop(body: dict, path: str) -> None:
    if "." not in path:
        body.pop(path, None)
        return
    sublist, rest = path.split(".items[", 1)
    index, field = rest.split("].", 1)
    body[sublist]["items"][int(index)].pop(field, None)
