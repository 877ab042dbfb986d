"""The orders job: one storefront-day from report rows to typed orders, lines, quarantine and their checks."""

import dagster as dg

from amazon_netsuite.defs.orders.assets import order_report_rows, storefront_days, typed_orders

orders_job = dg.define_asset_job(
    "orders_job",
    selection=dg.AssetSelection.assets(order_report_rows, typed_orders),
    partitions_def=storefront_days,
    description="Load one storefront-day of orders from the Seller Central order report.",
    tags={"flow": "orders"},
)
