"""The vendor flow's jobs: land, post and acknowledge one vendor account-day; acknowledge alone; post again."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

vendor_job = dg.define_asset_job(
    "vendor_job",
    selection=dg.AssetSelection.assets("vendor_purchase_orders", "vendor_sales_orders_posted",
                                       "vendor_acknowledgements", "vendor_order_status"),
    description="Load a vendor account's purchase orders of one day, post them to NetSuite as Sales Orders and "
                "acknowledge every approved one to Amazon.",
    tags={"flow": "vendor"},
)

vendor_acknowledgement_job = dg.define_asset_job(
    "vendor_acknowledgement_job",
    selection=dg.AssetSelection.assets("vendor_acknowledgements", "vendor_order_status"),
    description="Acknowledge the vendor account's approved Sales Orders and follow Amazon's answers.",
    tags={"flow": "vendor"},
)

vendor_posting_job = dg.define_asset_job(
    "vendor_posting_job",
    selection=dg.AssetSelection.assets("vendor_sales_orders_posted"),
    description="Post one vendor account-day's purchase orders to NetSuite again (the retry of refused ones).",
    tags={"flow": "vendor"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[vendor_job, vendor_acknowledgement_job, vendor_posting_job])
