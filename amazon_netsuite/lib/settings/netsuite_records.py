"""Every NetSuite record the settings name, with where: the mapping path in the settings file, the record type, and
how it is named (external id, name, or a currency's ISO code). Defaults count too (`SUB-{region}`, the Base Price
level), since a storefront posts to them just the same."""

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
    return [NamedRecord(f"{path}.{field.rstrip('_')}", record_type, value, default=field not in written)
            for field, record_type in fields if (value := getattr(posting, field))]


def storefront_records(settings: Settings, key: str) -> list[NamedRecord]:
    """What one storefront's mappings name: posting targets, stock locations, price level and currency."""
    account = settings.account_of(key)
    index = [s.key for s in account.storefronts].index(key)
    stock_given = key in settings.inventory.storefronts and settings.inventory.storefronts[key].locations
    stock = [NamedRecord(f"inventory.storefronts.{key}.locations[{i}]", "location", loc, default=not stock_given)
             for i, loc in enumerate(settings.storefront_stock(key).locations)]
    prices = settings.storefront_prices(key)
    return [
        *_posting(settings, key),
        *stock,
        NamedRecord(f"pricing.storefronts.{key}.price_level", "pricelevel", prices.price_level, by="name",
                    default=key not in settings.pricing.storefronts),
        NamedRecord(f"seller_accounts.{account.key}.storefronts[{index}].currency", "currency",
                    settings.storefront(key).currency, by="name"),
    ]


def shared_records(settings: Settings) -> list[NamedRecord]:
    """What the settings name for every storefront at once: return locations and Amazon-label ship methods."""
    named = [NamedRecord(f"returns.{field}", "location", value)
             for field in ("return_location", "damaged_location")
             if (value := getattr(settings.returns, field))]
    named += [NamedRecord(f"shipments.amazon_label_ship_methods[{i}]", "shipitem", method, by="name")
              for i, method in enumerate(settings.shipments.amazon_label_ship_methods)]
    return named


def named_records(settings: Settings, account_key: str | None = None) -> list[NamedRecord]:
    """Every record the settings name (one seller account's storefronts and the shared ones, when given)."""
    accounts = [settings.account(account_key)] if account_key else settings.seller_accounts
    return [*(r for a in accounts for s in a.storefronts for r in storefront_records(settings, s.key)),
            *shared_records(settings)]
