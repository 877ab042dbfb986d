"""The shipments flow's job: read one storefront-day's shipped packages from NetSuite, confirm them to Amazon and bill
the Sales Orders they complete."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

shipments_job = dg.define_asset_job(
    "shipments_job",
    selection=dg.AssetSelection.assets("shipped_packages", "shipment_confirmations", "sales_orders_billed"),
    description="Read a storefront-day's shipped item fulfillments from NetSuite, confirm every package Amazon "
                "has not taken yet and bill the Sales Orders now fully shipped.",
    tags={"flow": "shipments"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[shipments_job])
