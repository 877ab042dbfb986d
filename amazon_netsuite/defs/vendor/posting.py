"""What the vendor flow writes to NetSuite and sends to Amazon: `vendor_sales_orders_posted` (a Sales Order per
purchase order, Amazon's later changes applied) and `vendor_acknowledgements` (acknowledgements of approved Sales
Orders, followed to Amazon's answer). `vendor_automation` (running by default) posts a day's purchase orders once
they landed; the sensor `vendor_acknowledgements_due` (sensors.py) acknowledges what a person approved."""

from collections import Counter

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow, counted_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="vendor_sales_orders_posted", deps=["vendor_purchase_orders"], kinds={"netsuite", "duckdb"},
        automation_condition=post_when_loaded(),
        description="A NetSuite Sales Order per purchase order of the day (external id AMZV-{account}-{PO}), Pending "
                    "Approval, or Pending Fulfillment where the program acknowledges automatically; lines Amazon cut "
                    "later are lowered or closed. Purchase orders NetSuite cannot take go to integration_errors.")
    def vendor_sales_orders_posted(context: dg.AssetExecutionContext, warehouse: Warehouse,
                                   netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.vendor.run import post_vendor_orders

        key, day = split_partition_key(context.partition_key)
        with netsuite.client() as client, warehouse.connection() as con:
            result = post_vendor_orders(con, client, load_settings(), key, day, account=netsuite.ledger_account())
        for error in result.errors:
            context.log.warning(error)
        return dg.MaterializeResult(metadata={"posted": result.posted, "updated_for_amazon_changes": result.updated,
                                              "already_posted_unchanged": result.unchanged, "failed": result.failed})

    spec = flow.asset_spec

    @flow.partitioned_tables(
        spec("vendor_acknowledgements", "Every acknowledgement sent to Amazon for an approved Sales Order of the "
             "vendor account (reduced lines Backordered or Rejected with a reason), with its transaction and Amazon's "
             "answer. A run covers every open purchase order of the account, whatever its day.",
             deps=["vendor_sales_orders_posted"], kinds=("amazon", "netsuite", "duckdb")),
        spec("vendor_order_status", "Each purchase order's integration status in words (awaiting approval, "
             "awaiting Amazon, posted, awaiting shipment, rejected: reason, held: what to correct), the same text its "
             "Sales Order shows in NetSuite.", deps=["vendor_sales_orders_posted"]))
    def vendor_acknowledgements(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite,
                                seller_central: SellerCentral):
        from amazon_netsuite.lib.amazon.vendor_orders import DirectFulfillmentOrdersApi, VendorOrdersApi
        from amazon_netsuite.lib.vendor.purchase_orders import DIRECT, RETAIL
        from amazon_netsuite.lib.vendor.run import acknowledge_vendor_orders, order_statuses

        key, _ = split_partition_key(context.partition_key)
        settings = load_settings()
        with seller_central.client(key) as amazon, netsuite.client() as client, warehouse.connection() as con:
            apis = {RETAIL: VendorOrdersApi(amazon), DIRECT: DirectFulfillmentOrdersApi(amazon)}
            result = acknowledge_vendor_orders(con, client, apis, settings, key, account=netsuite.ledger_account())
            statuses = order_statuses(con, key)
        for error in result.errors:
            context.log.warning(error)
        yield dg.MaterializeResult(asset_key="vendor_acknowledgements", metadata={
            "sent": result.sent, "confirmed_by_amazon": result.confirmed, "refused_by_amazon": result.refused,
            "held_for_correction": result.held, "awaiting_approval": result.awaiting_approval,
            "no_answer_yet_past_timeout": result.stuck})
        yield dg.MaterializeResult(asset_key="vendor_order_status", metadata={
            "dagster/row_count": len(statuses),
            "by_status": counted_markdown(Counter(s.split(":")[0].split(" (")[0] for s in statuses.values())
                                          .most_common())})

    automation = flow.automation(
        "vendor_automation", vendor_sales_orders_posted,
        description="Posts a vendor account's purchase orders of a day once they landed.")
    return dg.Definitions(assets=[vendor_sales_orders_posted, vendor_acknowledgements], sensors=[automation])
