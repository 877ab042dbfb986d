"""Where returned units go in NetSuite (README "Returns"); every value an external id."""

from __future__ import annotations

from pydantic import Field

from amazon_netsuite.lib.settings.accounts import StrictModel
from amazon_netsuite.lib.settings.order_posting import ExternalId


class ReturnsSettings(StrictModel):
    return_location: ExternalId | None = Field(
        None, description="where sellable MFN returns are received; default the storefront's posting location")
    damaged_location: ExternalId | None = Field(
        None, description="where unsellable returns (damaged, defective, expired …) are received; unset: they are "
        "received where sellable ones are and written off at once")
    write_off_account: ExternalId = Field(
        "ACCT-INVENTORY-ADJUSTMENTS", description="the account an unsellable return is written off to")
