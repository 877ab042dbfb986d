"""How NetSuite's product master becomes Amazon listings (`listings:` in the settings file). By default every
storefront publishes: new NetSuite items (and new matrix families) are created on Amazon after a validation preview,
the content of listings this project created follows NetSuite, and retired items stop selling. Listings that were on
Amazon before keep their content unless `update_existing`."""

from __future__ import annotations

from pydantic import Field

from amazon_netsuite.lib.settings.accounts import StrictModel


class StorefrontListings(StrictModel):
    publish: bool = Field(True, description="create, update and retire this storefront's listings")


class ListingsSettings(StrictModel):
    storefronts: dict[str, StorefrontListings] = Field(default_factory=dict)
    update_existing: bool = Field(False, description="NetSuite's content also replaces what Amazon shows for SKUs "
                                  "listed before this project (off: those keep their Amazon content)")
