"""Which NetSuite prices each storefront shows on Amazon (`pricing:` in the settings file). Every setting has a
default: the Base Price level in the storefront's currency, pushed, behind a gate against a price moving by more
than a quarter at once or under cost."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from amazon_netsuite.lib.settings.accounts import StrictModel

BASE_PRICE = "Base Price"


class StorefrontPrices(StrictModel):
    """Where one storefront's prices come from, and the bounds Amazon enforces on them."""

    price_level: str = Field(BASE_PRICE, description="the NetSuite price level (its name); a SKU without a price "
                             "there takes its Base Price in the storefront's currency")
    push: bool = Field(True, description="push this storefront's prices (off: the price list still computes)")
    minimum_allowed_share: Decimal | None = Field(None, gt=0, le=1, description="send "
                                                  "minimum_seller_allowed_price = price × this share")
    maximum_allowed_share: Decimal | None = Field(None, ge=1, description="send maximum_seller_allowed_price = "
                                                  "price × this share")


class PricingSettings(StrictModel):
    storefronts: dict[str, StorefrontPrices] = Field(default_factory=dict)
    max_change_share: Decimal = Field(Decimal("0.25"), gt=0, description="the gate: refuse a price list where a "
                                      "price moved by more than this share of the price Amazon last accepted")
    allow_below_cost: bool = Field(False, description="the gate: refuse a price under the item's cost unless set")
    cost_currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="the currency NetSuite keeps item costs in "
                               "(the company's base currency); prices in another currency are not compared with cost")

    @model_validator(mode="after")
    def _bounds(self) -> "PricingSettings":
        for key, prices in self.storefronts.items():
            low, high = prices.minimum_allowed_share, prices.maximum_allowed_share
            if low is not None and high is not None and low > high:
                raise ValueError(f"pricing.storefronts.{key}: minimum_allowed_share is above maximum_allowed_share")
        return self
