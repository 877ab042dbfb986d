"""The vendor flow's jobs: land, post and acknowledge one vendor account-day; acknowledge alone; post again.

Their steps are a chain that waits on the one DuckDB slot anyway, so they run in the run's own process
(`in_process_executor`) rather than a process per step: on a small machine the vendor runs then cost one interpreter
start each, and leave the order runs beside them their pace."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

vendor_job = dg.define_asset_job(
    "vendor_job",
    selection=dg.AssetSelection.assets("vendor_purchase_orders", "vendor_sales_orders_posted",
                                       "vendor_acknowledgements", "vendor_order_status"),
    description="Load a vendor account's purchase orders of one day, post them to NetSuite as Sales Orders and "
                "acknowledge every approved one to Amazon.",
    tags={"flow": "vendor"},
    executor_def=dg.in_process_executor,
)

vendor_acknowledgement_job = dg.define_asset_job(
    "vendor_acknowledgement_job",
    selection=dg.AssetSelection.assets("vendor_acknowledgements", "vendor_order_status"),
    description="Acknowledge the vendor account's approved Sales Orders and follow Amazon's answers.",
    tags={"flow": "vendor"},
    executor_def=dg.in_process_executor,
)

vendor_posting_job = dg.define_asset_job(
    "vendor_posting_job",
    selection=dg.AssetSelection.assets("vendor_sales_orders_posted"),
    description="Post one vendor account-day's purchase orders to NetSuite again (the retry of refused ones).",
    tags={"flow": "vendor"},
    executor_def=dg.in_process_executor,
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[vendor_job, vendor_acknowledgement_job, vendor_posting_job])
