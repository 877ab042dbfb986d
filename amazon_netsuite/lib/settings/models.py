"""The settings file, `data/accounts.yaml`, as one validated model: seller accounts and storefronts, flow switches,
the NetSuite account and how orders post to it. Reading it fails with a SettingsError naming the file, the path
inside it and the reason."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from amazon_netsuite.lib.settings.accounts import (
    AmazonEndpoints,
    Flows,
    NetSuiteSettings,
    Partitions,
    SellerAccount,
    SettlementPosting,
    Storefront,
    StrictModel,
)
from amazon_netsuite.lib.settings.inventory import InventorySettings, StorefrontStock
from amazon_netsuite.lib.settings.listings import ListingsSettings, StorefrontListings
from amazon_netsuite.lib.settings.order_posting import OrderPostingSettings, StorefrontPosting
from amazon_netsuite.lib.settings.paths import settings_path
from amazon_netsuite.lib.settings.pricing import PricingSettings, StorefrontPrices
from amazon_netsuite.lib.settings.returns import ReturnsSettings
from amazon_netsuite.lib.settings.shipments import ShipmentSettings
from amazon_netsuite.lib.settings.vendor import VendorAccount


class SettingsError(ValueError):
    """Settings that cannot be used; the message names the file, the path inside it and the reason."""


class Settings(StrictModel):
    seller_accounts: list[SellerAccount] = Field(min_length=1)
    flows: Flows = Flows()
    partitions: Partitions = Partitions()
    amazon: AmazonEndpoints = AmazonEndpoints()
    netsuite: NetSuiteSettings = NetSuiteSettings()
    order_posting: OrderPostingSettings = OrderPostingSettings()
    inventory: InventorySettings = InventorySettings()
    pricing: PricingSettings = PricingSettings()
    listings: ListingsSettings = ListingsSettings()
    shipments: ShipmentSettings = ShipmentSettings()
    returns: ReturnsSettings = ReturnsSettings()
    vendor_accounts: list[VendorAccount] = Field(default_factory=list)
    allow_mixed_sandbox: bool = Field(False, description="let live Amazon post to the NetSuite sandbox, or the "
                                      "Amazon sandbox post to a live NetSuite account (refused otherwise)")

    @model_validator(mode="after")
    def _unique_keys(self) -> "Settings":
        for label, keys in (
            ("seller account key", [a.key for a in self.seller_accounts]),
            ("storefront key", [s.key for s in self.storefronts]),
            ("account key (seller and vendor accounts share one name space)",
             [a.key for a in self.seller_accounts] + [v.key for v in self.vendor_accounts]),
            ("partition key (storefronts and vendor accounts share one name space)",
             [s.key for s in self.storefronts] + [v.key for v in self.vendor_accounts]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"duplicate {label}: {', '.join(dupes)}")
        self._one_storefront_per_marketplace()
        for label, named in (("order_posting.storefronts", self.order_posting.storefronts),
                             ("inventory.storefronts", self.inventory.storefronts),
                             ("inventory.safety_stock.storefronts", self.inventory.safety_stock.storefronts),
                             ("pricing.storefronts", self.pricing.storefronts),
                             ("listings.storefronts", self.listings.storefronts),
                             *((f"inventory.split_locations.{loc}", shares)
                               for loc, shares in self.inventory.split_locations.items())):
            unknown = sorted(set(named) - set(self.storefront_keys))
            if unknown:
                raise ValueError(f"{label}: {', '.join(unknown)} is not a storefront of this file "
                                 f"(known: {', '.join(self.storefront_keys)})")
        return self

    def _one_storefront_per_marketplace(self) -> None:
        """A storefront is one seller in one marketplace; settlements find their storefront by sales channel across
        the file, so two active accounts may not share one (an inactive clone may, until it is switched on)."""
        seen: dict[tuple[str, str], str] = {}
        for account in self.seller_accounts:
            channels = [s.sales_channel.lower() for s in account.storefronts]
            if len(set(channels)) != len(channels):  # its order reports are routed by sales channel
                raise ValueError(f"seller account {account.key}: two storefronts have the same sales channel")
            for s in account.storefronts:
                other = seen.setdefault((account.seller_id, s.marketplace_id), s.key)
                if other != s.key:
                    raise ValueError(
                        f"storefronts {other} and {s.key} are both seller {account.seller_id} in marketplace "
                        f"{s.marketplace_id}: a storefront is one seller account in one marketplace, so keep one of "
                        "them (or give the other account its own seller_id)")
        channels: dict[str, str] = {}
        for s in self.active_storefronts:
            other = channels.setdefault(s.sales_channel.lower(), s.key)
            if other != s.key:
                raise ValueError(
                    f"sales channel {s.sales_channel} is sold by two active storefronts, {other} and {s.key}: "
                    "settlements find their storefront by sales channel, so only one active seller account may "
                    "sell on it; set `active: false` on the other account")

    @model_validator(mode="after")
    def _revenue_once(self) -> "Settings":
        """A settlement posting mode that contradicts order posting would book revenue twice or settle nothing."""
        problems = []
        for s in self.storefronts:
            if s.settlement_posting is None or s.settlement_posting == self._follows_orders(s):
                continue
            if s.settlement_posting == "summary":
                problems.append(
                    f"storefront {s.key}: settlement_posting: summary while its orders post (flows.orders and "
                    "post_orders are on) would book revenue twice: the Cash Sales and Sales Orders carry the sales "
                    "and the summary journal credits them again. Remove settlement_posting (it follows order "
                    "posting: transactional), or set post_orders: false to post the summary journal alone")
            else:
                problems.append(
                    f"storefront {s.key}: settlement_posting: transactional while its orders are not posted "
                    f"({'flows.orders is off' if not self.flows.orders else 'post_orders: false'}) settles "
                    "nothing: there is no Cash Sale or Sales Order to settle, so every sale would wait in suspense. "
                    "Remove settlement_posting (it follows order posting: summary), or turn order posting on "
                    "(flows.orders: true and post_orders: true)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _follows_orders(self, storefront: Storefront) -> SettlementPosting:
        return "transactional" if self.orders_posted(storefront.key) else "summary"

    def orders_posted(self, storefront_key: str) -> bool:
        """Whether this project posts the storefront's orders: the orders flow is on and so is its `post_orders`."""
        return self.flows.orders and self.storefront(storefront_key).post_orders

    def bills_on_fulfilment(self, storefront_key: str) -> bool:
        """Whether the shipments flow bills the storefront's fully shipped Sales Orders: its orders post and
        `bill_on_fulfilment` is on (off: the settlement bills them)."""
        return self.orders_posted(storefront_key) and bool(self.storefront_posting(storefront_key).bill_on_fulfilment)

    def settlement_posting(self, storefront_key: str) -> SettlementPosting:
        """How the storefront's settlements post: transactional (settle the order records) when its orders post,
        the summary journal (A2X style) when they do not, so revenue is booked once."""
        return self._follows_orders(self.storefront(storefront_key))

    def storefront_stock(self, key: str) -> StorefrontStock:
        """Where the storefront's MFN stock comes from, defaults filled in (its posting location)."""
        given = self.inventory.storefronts.get(key) or StorefrontStock()
        return given if given.locations else given.model_copy(
            update={"locations": [self.storefront_posting(key).location]})

    def storefront_prices(self, key: str) -> StorefrontPrices:
        """Where the storefront's prices come from (default: the Base Price level, pushed)."""
        return self.pricing.storefronts.get(key) or StorefrontPrices()

    def listings_published(self, key: str) -> bool:
        """Whether this project creates, updates and retires the storefront's listings: the flow and `publish`."""
        return self.flows.listings and (self.listings.storefronts.get(key) or StorefrontListings()).publish

    def inventory_pushed(self, key: str) -> bool:
        """Whether this project pushes the storefront's quantities: the inventory flow and its `push` are on."""
        return self.flows.inventory and self.storefront_stock(key).push

    @property
    def storefronts(self) -> list[Storefront]:
        return [s for a in self.seller_accounts for s in a.storefronts]

    @property
    def active_accounts(self) -> list[SellerAccount]:
        """The seller accounts whose sensors and schedules run (`active`, the default)."""
        return [a for a in self.seller_accounts if a.active]

    @property
    def active_storefronts(self) -> list[Storefront]:
        """The storefronts sensors and schedules start runs for: those of active accounts. Every storefront keeps
        its partitions, so an inactive one can still be backfilled by hand."""
        return [s for a in self.active_accounts for s in a.storefronts]

    @property
    def storefront_keys(self) -> list[str]:
        return [s.key for s in self.storefronts]

    def storefront(self, key: str) -> Storefront:
        for s in self.storefronts:
            if s.key == key:
                return s
        raise KeyError(f"storefront {key!r} is not in the settings file (known: {', '.join(self.storefront_keys)})")

    def account_of(self, storefront_key: str) -> SellerAccount:
        for a in self.seller_accounts:
            if any(s.key == storefront_key for s in a.storefronts):
                return a
        raise KeyError(f"storefront {storefront_key!r} is not in the settings file")

    @property
    def active_vendor_accounts(self) -> list[VendorAccount]:
        return [v for v in self.vendor_accounts if v.active]

    def vendor_account(self, key: str) -> VendorAccount:
        for v in self.vendor_accounts:
            if v.key == key:
                return v
        known = ", ".join(v.key for v in self.vendor_accounts) or "none"
        raise KeyError(f"vendor account {key!r} is not in the settings file (known: {known})")

    def amazon_account(self, key: str) -> SellerAccount | VendorAccount:
        """The seller or vendor account of that key: what an SP-API connection is made for."""
        for a in (*self.seller_accounts, *self.vendor_accounts):
            if a.key == key:
                return a
        raise KeyError(f"account {key!r} is not in the settings file")

    def account(self, key: str) -> SellerAccount:
        for a in self.seller_accounts:
            if a.key == key:
                return a
        raise KeyError(f"seller account {key!r} is not in the settings file")

    @cached_property
    def storefront_by_sales_channel(self) -> dict[str, Storefront]:
        """Sales channel → storefront; where an inactive account shares a channel with an active one, the active."""
        inactive = [s for a in self.seller_accounts if not a.active for s in a.storefronts]
        return {s.sales_channel.lower(): s for s in (*inactive, *self.active_storefronts)}

    def storefront_posting(self, key: str) -> StorefrontPosting:
        """The storefront's NetSuite targets with every default filled in (class, department and channel field
        stay None unless set)."""
        region = self.account_of(key).region
        given = self.order_posting.storefronts.get(key) or StorefrontPosting()
        return given.model_copy(update={
            "subsidiary": given.subsidiary or f"SUB-{region}",
            "location": given.location or f"WH-{region}",
            "fba_location": given.fba_location or f"FBA-{region}",
            "customer": given.customer or f"AMZ-CUSTOMER-{key}",
            "sales_order_status": given.sales_order_status or self.order_posting.sales_order_status,
            "bill_on_fulfilment": self.order_posting.bill_on_fulfilment if given.bill_on_fulfilment is None
            else given.bill_on_fulfilment,
            "tax": self.order_posting.tax.model_copy(update=given.tax.model_dump(include=given.tax.model_fields_set))
            if given.tax else self.order_posting.tax,
        })


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate the settings file; invalid settings raise SettingsError naming file, path and reason."""
    path = Path(path) if path else settings_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found (set AMAZON_NETSUITE_ACCOUNTS or create it)") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a mapping at the top level, found {type(raw).__name__}")
    try:
        return Settings.model_validate(raw, context={"settings_dir": path.parent})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"{path}: {where}: {err['msg']}")
        raise SettingsError("invalid settings\n" + "\n".join(problems)) from None
