"""The shipments flow's job: read one storefront-day's shipped packages from NetSuite and confirm them to Amazon."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

shipments_job = dg.define_asset_job(
    "shipments_job",
    selection=dg.AssetSelection.assets("shipped_packages", "shipment_confirmations"),
    description="Read a storefront-day's shipped item fulfillments from NetSuite and confirm every package Amazon "
                "has not taken yet.",
    tags={"flow": "shipments"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[shipments_job])
