"""How NetSuite's item fulfillments are confirmed to Amazon (`shipments:` in the settings file). Every setting has a
default: packages without a tracking number are held, every ship method's labels are our warehouse's own."""

from __future__ import annotations

from pydantic import Field

from amazon_netsuite.lib.settings.accounts import StrictModel


class ShipmentSettings(StrictModel):
    confirm_without_tracking: bool = Field(
        False, description="confirm a package without a tracking number (sent with the fulfillment's number in "
        "trackingNumber, which Amazon cannot track: it lowers the Valid Tracking Rate); off: held and listed in "
        "integration_errors")
    amazon_label_ship_methods: list[str] = Field(
        default_factory=list, description="ship methods (NetSuite shipping item names) whose labels the warehouse "
        "buys through Amazon's Buy Shipping: Amazon confirms those shipments itself, so they are never sent")
