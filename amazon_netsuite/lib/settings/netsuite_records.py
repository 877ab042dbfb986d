"""Every NetSuite record the settings name, with where: the mapping path in the settings file, the record type, and
how it is named (external id, name, or a currency's ISO code). Defaults count too (`SUB-{region}`, the Base Price
level, `AMZ-VENDOR-{key}`), since a storefront or vendor account posts to them just the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from amazon_netsuite.lib.settings.models import Settings

# The record types `netsuite refresh-metadata` reads, by NetSuite's SuiteQL table names.
RecordType = Literal["shipitem", "paymentmethod", "location", "subsidiary", "pricelevel", "currency",
                     "classification", "department", "customer"]
NamedBy = Literal["external_id", "name"]


@dataclass(frozen=True)
class NamedRecord:
    """One mapping: `path` in the settings names a `record_type` record whose `by` is `value`."""

    path: str
    record_type: RecordType
    value: str
    by: NamedBy = "external_id"
    default: bool = False  # not written in the file: the default the storefront posts to
    account: str | None = None  # the seller or vendor account whose mapping it is; None: shared by every account

    def described(self) -> str:
        how = "named" if self.by == "name" else "external id"
        return f"{self.path} = {self.value}{' (default)' if self.default else ''}: {self.record_type} {how} {self.value}"


def _posting(settings: Settings, key: str) -> list[NamedRecord]:
    given = settings.order_posting.storefronts.get(key)
    written = given.model_fields_set if given else set()
    posting = settings.storefront_posting(key)
    path = f"order_posting.storefronts.{key}"
    fields = (("subsidiary", "subsidiary"), ("location", "location"), ("fba_location", "location"),
              ("customer", "customer"), ("class_", "classification"), ("department", "department"))
    account = settings.account_of(key).key
    return [NamedRecord(f"{path}.{field.rstrip('_')}", record_type, value, default=field not in written,
                        account=account)
            for field, record_type in fields if (value := getattr(posting, field))]


def storefront_records(settings: Settings, key: str) -> list[NamedRecord]:
    """What one storefront's mappings name: posting targets, stock locations, price level and currency."""
    account = settings.account_of(key)
    index = [s.key for s in account.storefronts].index(key)
    stock_given = key in settings.inventory.storefronts and settings.inventory.storefronts[key].locations
    stock = [NamedRecord(f"inventory.storefronts.{key}.locations[{i}]", "location", loc, default=not stock_given,
                         account=account.key)
             for i, loc in enumerate(settings.storefront_stock(key).locations)]
    prices = settings.storefront_prices(key)
    return [
        *_posting(settings, key),
        *stock,
        NamedRecord(f"pricing.storefronts.{key}.price_level", "pricelevel", prices.price_level, by="name",
                    default=key not in settings.pricing.storefronts, account=account.key),
        NamedRecord(f"seller_accounts.{account.key}.storefronts[{index}].currency", "currency",
                    settings.storefront(key).currency, by="name", account=account.key),
    ]


def vendor_records(settings: Settings, key: str) -> list[NamedRecord]:
    """What a vendor account's NetSuite targets name (its Sales Orders' customer, subsidiary, location, class,
    department) and its currency."""
    vendor = settings.vendor_account(key)
    written = vendor.netsuite.model_fields_set
    path = f"vendor_accounts.{key}"
    fields = (("customer", "customer"), ("subsidiary", "subsidiary"), ("location", "location"),
              ("class_", "classification"), ("department", "department"))
    return [*(NamedRecord(f"{path}.netsuite.{field.rstrip('_')}", record_type, value,
                          default=field not in written, account=key)
              for field, record_type in fields if (value := getattr(vendor.posting, field))),
            NamedRecord(f"{path}.currency", "currency", vendor.currency, by="name", account=key)]


def shared_records(settings: Settings) -> list[NamedRecord]:
    """What the settings name for every storefront at once: return locations and Amazon-label ship methods."""
    named = [NamedRecord(f"returns.{field}", "location", value)
             for field in ("return_location", "damaged_location")
             if (value := getattr(settings.returns, field))]
    named += [NamedRecord(f"shipments.amazon_label_ship_methods[{i}]", "shipitem", method, by="name")
              for i, method in enumerate(settings.shipments.amazon_label_ship_methods)]
    return named


def named_records(settings: Settings, account_key: str | None = None) -> list[NamedRecord]:
    """Every record the settings name; given a key, what that account's mappings name (a seller account's with the
    shared ones, which its storefronts post to; a vendor account's alone)."""
    if account_key in {v.key for v in settings.vendor_accounts}:
        return vendor_records(settings, account_key)
    accounts = [settings.account(account_key)] if account_key else settings.seller_accounts
    vendors = [] if account_key else settings.vendor_accounts
    return [*(r for a in accounts for s in a.storefronts for r in storefront_records(settings, s.key)),
            *(r for v in vendors for r in vendor_records(settings, v.key)),
            *shared_records(settings)]
