"""How NetSuite stock becomes the quantities Amazon shows (`inventory:` in the settings file).

available to sell = Σ over the storefront's locations (on hand − committed), less safety stock, floored at 0; a kit
is min over its members of ⌊member available ÷ member quantity⌋. Every setting has a default.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import Field, model_validator

from amazon_netsuite.lib.settings.accounts import StrictModel


class SafetyStock(StrictModel):
    """Units held back from Amazon: per item first, then per storefront, then the default."""

    default: int = Field(0, ge=0)
    storefronts: dict[str, int] = Field(default_factory=dict)
    items: dict[str, int] = Field(default_factory=dict, description="SKU → units, whatever the storefront")

    def for_item(self, storefront: str, sku: str) -> int:
        if sku in self.items:
            return self.items[sku]
        return self.storefronts.get(storefront, self.default)


class StorefrontStock(StrictModel):
    """Where one storefront's merchant-fulfilled stock comes from."""

    locations: list[str] = Field(default_factory=list, description="NetSuite location external ids; default: "
                                 "the storefront's posting location (WH-{region})")
    push: bool = Field(True, description="push this storefront's quantities (off: the hourly snapshots still "
                       "load, for the FBA tie-out)")


class InventorySettings(StrictModel):
    storefronts: dict[str, StorefrontStock] = Field(default_factory=dict)
    safety_stock: SafetyStock = SafetyStock()
    # A location several storefronts draw from is shared (each sees all of it) unless split here: location → shares
    # per storefront, summing to at most 1 (the rest is kept back).
    split_locations: dict[str, dict[str, Decimal]] = Field(default_factory=dict)
    max_zeroed_share: Decimal = Field(Decimal("0.2"), ge=0, le=1, description="the gate: the largest share of "
                                      "in-stock SKUs one push may drop to zero")
    max_snapshot_age: timedelta = Field(timedelta(hours=2), description="the gate: a source snapshot older than "
                                        "this is stale and not pushed")
    lead_time_days: int | None = Field(None, ge=0, le=30, description="not sent by default: merge keeps Amazon's")
    fba_adjustment_account: str = Field("ACCT-INVENTORY-ADJUSTMENTS", description="the account FBA gains and "
                                        "losses post against (found, lost, damaged, customer returns; external id)")
    fba_inbound_account: str = Field("ACCT-FBA-INBOUND", description="the account an FBA receipt is credited to: "
                                     "units arriving at Amazon come from the seller's own shipment, not from "
                                     "nowhere, so they are not a gain (external id)")

    @model_validator(mode="after")
    def _shares(self) -> "InventorySettings":
        for location, shares in self.split_locations.items():
            if any(s < 0 for s in shares.values()) or sum(shares.values(), Decimal(0)) > 1:
                raise ValueError(f"split_locations.{location}: shares are fractions summing to at most 1")
        return self
