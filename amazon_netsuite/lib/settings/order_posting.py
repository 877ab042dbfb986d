"""How orders become NetSuite transactions (`order_posting` in the settings file): each storefront's targets, the
Sales Order status, Seller-Fulfilled Prime marking, and how an Amazon SKU finds its NetSuite item."""

from __future__ import annotations

import csv
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from amazon_netsuite.lib.settings.accounts import StrictModel
from amazon_netsuite.lib.settings.paths import data_dir


def _external_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise ValueError(f"{value!r} is not a NetSuite external id (letters, digits, '_' and '-' only)")
    return value


def _custom_field(prefix: str) -> AfterValidator:
    def check(value: str) -> str:
        if not re.fullmatch(rf"{prefix}[a-z0-9_]+", value):
            raise ValueError(f"{value!r} is not a NetSuite custom field id ({prefix}…: lower-case letters, digits, '_')")
        return value

    return AfterValidator(check)


ExternalId = Annotated[str, AfterValidator(_external_id)]
SalesOrderStatus = Literal["pending_fulfillment", "pending_approval"]
# NetSuite's orderStatus ids for a new Sales Order (the REST API Browser's salesOrder schema,
# https://github.com/wsjmnh/netsuite-record-rest-docs docs/schemas/salesOrder.md).
SALES_ORDER_STATUS_IDS: dict[str, str] = {"pending_fulfillment": "B", "pending_approval": "A"}
SKU_MAP_CSV_COLUMNS = ("sku", "item_external_id")


class ChannelField(StrictModel):
    """A custom body field set on every transaction of a storefront, e.g. `custbody_amz_channel: Amazon.com`."""

    name: Annotated[str, _custom_field("custbody_")]
    value: str = Field(min_length=1)


class TaxCodes(StrictModel):
    """The SuiteTax tax codes (salesTaxItem) and tax types the tax lines name, each an external id: VAT of
    VAT-inclusive storefronts, and sales tax a seller collects on top of the price (US, Canada's GST/HST/PST/QST in
    the one amount Amazon charged). The defaults are the sandbox's."""

    vat_code: ExternalId = "TAXCODE-VAT-STANDARD"
    vat_type: ExternalId = "TAXTYPE-VAT"
    sales_tax_code: ExternalId = "TAXCODE-SALES-TAX"
    sales_tax_type: ExternalId = "TAXTYPE-SALES-TAX"


class StorefrontPosting(StrictModel):
    """Where one storefront's transactions go in NetSuite, each an external id. Unset fields take the defaults."""

    subsidiary: ExternalId | None = Field(None, description="default SUB-{region}")
    location: ExternalId | None = Field(None, description="of MFN/SFP Sales Orders; default WH-{region}")
    fba_location: ExternalId | None = Field(None, description="of FBA Cash Sales; default FBA-{region}")
    customer: ExternalId | None = Field(None, description="default AMZ-CUSTOMER-{storefront}")
    class_: ExternalId | None = Field(None, alias="class", description="the channel's class (classification)")
    department: ExternalId | None = None
    channel_field: ChannelField | None = None
    sales_order_status: SalesOrderStatus | None = None
    bill_on_fulfilment: bool | None = Field(None, description="overrides order_posting.bill_on_fulfilment")
    tax: TaxCodes | None = Field(None, description="the fields given override order_posting.tax")


class SfpSettings(StrictModel):
    """Seller-Fulfilled Prime orders: Amazon already has their tracking, so they are marked in NetSuite and never
    confirmed back to Amazon, as NetSuite Connector does
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164433264647.html)."""

    checkbox: Annotated[str, _custom_field("custbody_")] | None = Field(
        "custbody_amz_sfp", description="a checkbox body field set true on SFP Sales Orders; null sets none")
    memo_prefix: str = "[SFP] "


def read_sku_map_csv(path: Path) -> dict[str, str]:
    """SKU → NetSuite item external id from a CSV with the header `sku,item_external_id`."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ())[:2] != SKU_MAP_CSV_COLUMNS:
            raise ValueError(f"{path}: the header must start with {','.join(SKU_MAP_CSV_COLUMNS)}, "
                             f"found {','.join(reader.fieldnames or ['nothing'])}")
        mapping: dict[str, str] = {}
        for row in reader:
            sku, item = ((row.get(c) or "").strip() for c in SKU_MAP_CSV_COLUMNS)
            if not sku and not item:
                continue
            where = f"{path}: line {reader.line_num}"
            if not sku or not item:
                raise ValueError(f"{where}: both sku and item_external_id are needed")
            if sku in mapping:
                raise ValueError(f"{where}: SKU {sku!r} is mapped twice")
            mapping[sku] = _external_id(item)
    return mapping


class ItemLookup(StrictModel):
    """How an Amazon SKU finds its NetSuite item: the item's external id is the SKU (default), a SKU map (inline
    and/or a CSV), or an item custom field holding the SKU (`custitem_…`, resolved by one SuiteQL query a run)."""

    by: Literal["external_id", "sku_map", "alias_field"] = "external_id"
    sku_map: dict[str, ExternalId] = Field(default_factory=dict, description="SKU → item external id")
    sku_map_csv: Path | None = Field(None, description="CSV `sku,item_external_id`; relative to the settings file")
    alias_field: Annotated[str, _custom_field("custitem_")] | None = None

    @field_validator("sku_map_csv")
    @classmethod
    def _readable_csv(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        base = (info.context or {}).get("settings_dir") or data_dir()
        path = value if value.is_absolute() else Path(base) / value
        if not path.is_file():
            raise ValueError(f"SKU map file {path} not found")
        read_sku_map_csv(path)  # fail at load, naming the line, rather than mid-run
        return path

    @model_validator(mode="after")
    def _consistent(self) -> "ItemLookup":
        if self.by == "alias_field" and not self.alias_field:
            raise ValueError("by: alias_field needs alias_field (the item custom field holding the SKU, custitem_…)")
        if self.by == "sku_map" and not (self.sku_map or self.sku_map_csv):
            raise ValueError("by: sku_map needs sku_map entries or sku_map_csv")
        if self.by != "sku_map" and (self.sku_map or self.sku_map_csv):
            raise ValueError(f"sku_map / sku_map_csv are set but by is {self.by!r}; set by: sku_map to use them")
        if self.by != "alias_field" and self.alias_field:
            raise ValueError(f"alias_field is set but by is {self.by!r}; set by: alias_field to use it")
        return self

    @cached_property
    def sku_map_table(self) -> dict[str, str]:
        """The SKU map in force: the CSV's rows, overridden by inline entries."""
        table = read_sku_map_csv(self.sku_map_csv) if self.sku_map_csv else {}
        return {**table, **self.sku_map}


class OrderPostingSettings(StrictModel):
    """How orders become NetSuite transactions. The defaults are what the integration did before it had settings."""

    sales_order_status: SalesOrderStatus = "pending_fulfillment"
    bill_on_fulfilment: bool = Field(
        True, description="bill a Sales Order (invoice dated its last ship day) as soon as it is fully shipped, so "
        "its revenue is in the month it shipped; off: its settlement (or an early refund) bills it, as before")
    promotion_item: ExternalId = Field("AMZ-PROMOTION", description="the Discount item promotions post against")
    facilitator_tax: Literal["omit", "post"] = Field(
        "omit", description="marketplace-facilitator tax: Amazon collects and remits it, so omitted by default")
    tax: TaxCodes = TaxCodes()
    customer: Literal["per_storefront", "per_buyer"] = "per_storefront"
    items: ItemLookup = ItemLookup()
    sfp: SfpSettings = SfpSettings()
    storefronts: dict[str, StorefrontPosting] = Field(default_factory=dict, description="overrides by storefront key")
