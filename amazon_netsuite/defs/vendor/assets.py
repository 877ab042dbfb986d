"""The vendor flow's landed table: a vendor account's purchase orders of both programs, placed (or changed by
Amazon) in the day."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="vendor_purchase_orders", kinds={"amazon", "duckdb"},
        description="One row per line of the vendor account's purchase orders placed in the day, or changed by "
                    "Amazon in it, as Amazon shows them now: Retail Procurement (Vendor Orders API v1) and Direct "
                    "Fulfillment (Vendor Direct Fulfillment Orders API 2021-12-28), in eaches at net cost.")
    def vendor_purchase_orders(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.vendor_orders import DirectFulfillmentOrdersApi, VendorOrdersApi
        from amazon_netsuite.lib.vendor.purchase_orders import land_purchase_orders

        key, day = split_partition_key(context.partition_key)
        vendor = load_settings().vendor_account(key)
        with seller_central.client(key) as client, warehouse.connection() as con:
            landed = land_purchase_orders(
                con, key, day, VendorOrdersApi(client) if vendor.retail_procurement.enabled else None,
                DirectFulfillmentOrdersApi(client) if vendor.direct_fulfillment.enabled else None)
        return dg.MaterializeResult(metadata={"dagster/row_count": landed.lines, "retail_procurement": landed.retail,
                                              "direct_fulfillment": landed.direct, "changed_by_amazon": landed.changed})

    return dg.Definitions(assets=[vendor_purchase_orders])
