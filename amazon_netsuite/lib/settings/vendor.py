"""Vendor Central accounts (`vendor_accounts` in the settings file): who sells to Amazon, under which vendor code,
how its purchase orders are acknowledged per program, and where their Sales Orders go in NetSuite.

A vendor account is one vendor code in one marketplace: its key is the partition key of the vendor flow (a vendor
storefront), unique across seller storefronts too. Retail Procurement (Amazon buys for its warehouses) and Direct
Fulfillment (the vendor ships Amazon's customers) are separate programs with separate switches, as NetSuite
Connector has them (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_0113034027.html).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from amazon_netsuite.lib.settings.accounts import Credentials, Region, StrictModel
from amazon_netsuite.lib.settings.order_posting import ExternalId, _custom_field

# Amazon's rejection reasons for a Retail Procurement line (the Vendor Orders API v1 model, ItemAcknowledgement).
RejectionReason = Literal["TemporarilyUnavailable", "InvalidProductIdentifier", "ObsoleteProduct"]


class VendorProgram(StrictModel):
    """One Vendor Central program of an account."""

    enabled: bool = True
    auto_acknowledge: bool = Field(False, description="post its orders Pending Fulfillment and acknowledge them at "
                                   "once; off: Pending Approval, acknowledged once a person approves the Sales Order")


class VendorPosting(StrictModel):
    """Where the account's Sales Orders go in NetSuite, each an external id; unset fields take the defaults."""

    # `class` is a Python keyword: the field is `class_`, written `class` in the file; both names load (a dump
    # read back).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    subsidiary: ExternalId | None = Field(None, description="default SUB-{region}")
    location: ExternalId | None = Field(None, description="default WH-{region}")
    customer: ExternalId | None = Field(None, description="default AMZ-VENDOR-{key}")
    class_: ExternalId | None = Field(None, alias="class")
    department: ExternalId | None = None


class VendorAccount(StrictModel):
    key: str = Field(description="the vendor flow's partition key, e.g. demo-vendor")
    vendor_code: str = Field(pattern=r"^[A-Z0-9]{3,10}$", description="Amazon's sellingParty.partyId")
    region: Region
    marketplace_id: str = "ATVPDKIKX0DER"
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    credentials: Credentials
    active: bool = Field(True, description="off: no sensor or schedule starts a run for it")
    retail_procurement: VendorProgram = VendorProgram()
    direct_fulfillment: VendorProgram = VendorProgram(auto_acknowledge=True)
    netsuite: VendorPosting = VendorPosting()
    rejection_reason: RejectionReason = Field(
        "TemporarilyUnavailable", description="the reason sent for quantities a Sales Order does not approve")
    backorder_ship_days: int | None = Field(
        7, ge=1, description="a reduced line Amazon allows to back-order is Backordered, its scheduledShipDate this "
        "many days after the acknowledgement; null: reduced quantities are always Rejected")
    status_field: Annotated[str, _custom_field("custbody_")] = Field(
        "custbody_amz_vendor_status", description="the Sales Order body field showing the integration status")
    transaction_timeout_minutes: int = Field(
        30, ge=1, description="an acknowledgement whose transaction is still Processing after this long is an error")

    @field_validator("key")
    @classmethod
    def _partition_safe(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):  # as storefront keys: a Dagster partition key
            raise ValueError("vendor account keys use letters, digits, '-' and '_' only (e.g. acme-vendor-US)")
        return value

    def program(self, name: str) -> VendorProgram:
        return {"retail_procurement": self.retail_procurement, "direct_fulfillment": self.direct_fulfillment}[name]

    @property
    def posting(self) -> VendorPosting:
        """The NetSuite targets with the defaults filled in."""
        given = self.netsuite
        return given.model_copy(update={"subsidiary": given.subsidiary or f"SUB-{self.region}",
                                        "location": given.location or f"WH-{self.region}",
                                        "customer": given.customer or f"AMZ-VENDOR-{self.key}"})


__all__ = ["RejectionReason", "VendorAccount", "VendorPosting", "VendorProgram"]
