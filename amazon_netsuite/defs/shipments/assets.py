"""What the shipments flow reads: NetSuite's item fulfillments shipped on a storefront-day, one row per carton with
the units it holds (`shipped_packages`). The day is the fulfillment's ship date (its trandate), so a day's run can be
repeated: it reads NetSuite as it is now."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib import postings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="shipped_packages", kinds={"netsuite", "duckdb"},
        description="The storefront's shipped item fulfillments of the day (the Sales Orders the orders flow "
                    "posted), one row per package: ship method, carrier, tracking number (NULL when the warehouse "
                    "has none) and the units the carton holds (NetSuite's lines packed in line order).")
    def shipped_packages(context: dg.AssetExecutionContext, warehouse: Warehouse,
                         netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.shipments.run import load_shipped_packages

        storefront, day = split_partition_key(context.partition_key)
        with netsuite.client() as client, warehouse.connection() as con:
            table = load_shipped_packages(con, client, storefront, day, postings.utc_now())
        rows = table.to_pylist()
        return dg.MaterializeResult(metadata={
            "dagster/row_count": len(rows), "fulfillments": len({r["fulfillment_id"] for r in rows}),
            "orders": len({r["amazon_order_id"] for r in rows}),
            "without_tracking": sum(1 for r in rows if not r["tracking_number"])})

    return dg.Definitions(assets=[shipped_packages])
