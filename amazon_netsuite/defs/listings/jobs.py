"""The listings flow's job: read one storefront's product master and publish what it calls for."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

listings_job = dg.define_asset_job(
    "listings_job",
    selection=dg.AssetSelection.assets("product_master", "listing_submissions"),
    description="Read today's product master of one storefront from NetSuite and create, update or retire its "
                "listings on Amazon, each after a validation preview.",
    tags={"flow": "listings"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[listings_job])
