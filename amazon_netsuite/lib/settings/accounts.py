"""Who sells where, and which NetSuite account they post to: seller accounts, storefronts, flow switches, the first
partition day, endpoint overrides, and the names of the environment variables holding credentials (never the
credentials themselves)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Region = Literal["na", "eu", "fe"]
# transactional: the settlement settles the records the orders flow posted (NetSuite Connector / Celigo style);
# summary: one journal of the whole settlement (A2X style), for storefronts whose orders this project does not post.
SettlementPosting = Literal["transactional", "summary"]

# Standard VAT rate (percent) by sales channel, for storefronts whose prices include VAT (the European Commission's
# table: https://taxation-customs.ec.europa.eu/taxation/vat/vat-directive/vat-rates_en; UK:
# https://www.gov.uk/guidance/rates-of-vat-on-different-goods-and-services).
VAT_RATES = {"amazon.de": Decimal(19), "amazon.fr": Decimal(20), "amazon.it": Decimal(22), "amazon.es": Decimal(21),
             "amazon.co.uk": Decimal(20), "amazon.nl": Decimal(21), "amazon.se": Decimal(25),
             "amazon.pl": Decimal(23), "amazon.com.be": Decimal(21)}


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(StrictModel):
    """Names of the environment variables that hold one seller account's LWA credentials."""

    lwa_client_id_env: str
    lwa_client_secret_env: str
    refresh_token_env: str

    def env_names(self) -> list[str]:
        return [self.lwa_client_id_env, self.lwa_client_secret_env, self.refresh_token_env]


class Storefront(StrictModel):
    """One seller account in one marketplace: the unit every domain asset is partitioned by."""

    key: str = Field(description="partition key, e.g. demo-US")
    marketplace_id: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    sales_channel: str = Field(description="the sales-channel value in order reports, e.g. Amazon.com")
    prices_include_vat: bool = False
    post_orders: bool = Field(True, description="post this storefront's orders as Cash Sales and Sales Orders (off: "
                              "its reports still load, and its settlements post as a summary journal)")
    settlement_posting: SettlementPosting | None = Field(
        None, description="how its settlements post; it follows order posting (transactional when orders post, "
                          "summary when not), and a value that contradicts it is refused")
    vat_rate: Decimal | None = Field(None, ge=0, lt=100, description="percent included in the prices; default: "
                                     "the marketplace's standard rate (VAT_RATES)")

    @model_validator(mode="after")
    def _vat_rate(self) -> "Storefront":
        if self.prices_include_vat and self.vat_rate is None:
            rate = VAT_RATES.get(self.sales_channel.lower())
            if rate is None:
                raise ValueError(f"prices_include_vat: no standard VAT rate known for {self.sales_channel}; set "
                                 "vat_rate (percent)")
            object.__setattr__(self, "vat_rate", rate)
        return self

    @field_validator("key")
    @classmethod
    def _partition_safe(cls, value: str) -> str:
        # Dagster static partition keys may not contain | , [ ] and we also use them in file names.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
            raise ValueError("storefront keys use letters, digits, '-' and '_' only (e.g. acme-US)")
        return value


class SellerAccount(StrictModel):
    key: str
    seller_id: str
    region: Region
    credentials: Credentials
    storefronts: list[Storefront] = Field(min_length=1)
    active: bool = Field(True, description="off: no sensor or schedule starts a run for its storefronts (their "
                         "assets stay defined, for backfills); a cloned or added account starts off")

    @property
    def marketplace_ids(self) -> list[str]:
        return [s.marketplace_id for s in self.storefronts]


class Flows(StrictModel):
    orders: bool = True
    settlements: bool = True
    inventory: bool = True
    pricing: bool = True
    listings: bool = True
    shipments: bool = True
    returns: bool = True
    finances: bool = True  # Finances API transactions daily, refunds posted as they happen
    accruals: bool = True
    vendor: bool = True  # Vendor Central purchase orders → Sales Orders, acknowledged back


class Partitions(StrictModel):
    start_date: date = date(2026, 10, 1)


class AmazonEndpoints(StrictModel):
    """Optional overrides of the SP-API base URL per region and of the LWA token URL (live mode)."""

    sp_api: dict[Region, str] = Field(default_factory=dict)
    lwa_token_url: str | None = None


class NetSuiteCredentials(StrictModel):
    """Names of the environment variables holding NetSuite credentials (OAuth 2.0 M2M first, TBA as legacy)."""

    client_id_env: str = "NETSUITE_CLIENT_ID"
    certificate_id_env: str = "NETSUITE_CERTIFICATE_ID"
    private_key_path_env: str = "NETSUITE_PRIVATE_KEY_PATH"
    consumer_key_env: str = "NETSUITE_CONSUMER_KEY"
    consumer_secret_env: str = "NETSUITE_CONSUMER_SECRET"
    token_id_env: str = "NETSUITE_TOKEN_ID"
    token_secret_env: str = "NETSUITE_TOKEN_SECRET"


class NetSuiteSettings(StrictModel):
    """The one NetSuite account every storefront posts to."""

    account_id: str = Field("1234567_SB1", description="as NetSuite shows it, e.g. 1234567 or 1234567_SB1")
    auth: Literal["oauth2", "tba"] = "oauth2"
    credentials: NetSuiteCredentials = NetSuiteCredentials()
    concurrency_limit: int = Field(5, ge=1, description="share of the account's concurrency this integration uses")
    base_url: str | None = Field(None, description="override of https://<account>.suitetalk.api.netsuite.com")
