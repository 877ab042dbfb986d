"""What the shipments flow writes: each package to Amazon's confirmShipment (`shipment_confirmations`), and an
invoice of each Sales Order once fully shipped (`sales_orders_billed`).

Nobody needs to launch them: `shipments_automation` (running by default, switched by the shipments flow) confirms a
storefront-day's packages and bills its shipped orders once they were read from NetSuite. A package Amazon took is
never sent again; a Sales Order with an invoice is never billed again.
"""

from decimal import Decimal

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow, counted_markdown, listed_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="shipment_confirmations", deps=["shipped_packages"], kinds={"amazon", "duckdb"},
        automation_condition=post_when_loaded(),
        description="Every package confirmed to Amazon (Orders v0 confirmShipment, one call per package): a stable "
                    "packageReferenceId (fulfillment id × 1000 + carton), Amazon's carrier code for the ship method "
                    "(else Other + the carrier's name), the tracking number, the ship day and Amazon's order item "
                    "ids by SKU. Status confirmed | amazon_label (Buy Shipping, not sent) | held_no_tracking | "
                    "refused | failed; what is not confirmed is in integration_errors. FBA orders are never "
                    "confirmed.")
    def shipment_confirmations(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.shipments import OrdersApi
        from amazon_netsuite.lib.shipments.run import confirm_shipments

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        if not settings.flows.shipments:
            return dg.MaterializeResult(metadata={"skipped": "the shipments flow is off"})
        with seller_central.client(settings.account_of(storefront).key) as client:
            result = confirm_shipments(warehouse.connection, OrdersApi(client), settings, storefront, day,
                                       postings.utc_now(), log=context.log)
        return dg.MaterializeResult(metadata={
            "statuses": dict(result.statuses), "already_confirmed": result.already_confirmed,
            "fba_skipped": result.fba_skipped,
            "reasons": counted_markdown(((r, 1) for r in result.reasons[:50]), empty="every package confirmed")})

    @flow.partitioned_asset(
        name="sales_orders_billed", deps=["shipped_packages"], kinds={"netsuite", "duckdb"},
        automation_condition=post_when_loaded(),
        description="Each Sales Order of the day's shipments that is now fully shipped, billed (salesOrder → "
                    "invoice, external id AMZ-{storefront}-{order}-INV) and dated its last ship day, so its revenue "
                    "is in the month it shipped rather than when Amazon settles it. An order billed already (by a "
                    "settlement, a refund, by hand) is left alone; one partly shipped waits. Only for storefronts "
                    "whose orders post with order_posting.bill_on_fulfilment on (the default).")
    def sales_orders_billed(context: dg.AssetExecutionContext, warehouse: Warehouse,
                            netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.shipments.billing import bill_shipped_orders

        storefront, day = split_partition_key(context.partition_key)
        with netsuite.client() as client:
            result = bill_shipped_orders(warehouse.connection, client, load_settings(), storefront, day,
                                         postings.utc_now(), log=context.log)
        if result.skipped:
            return dg.MaterializeResult(metadata={"skipped": result.skipped})
        return dg.MaterializeResult(metadata={
            "dagster/row_count": len(result.billed), "already_billed": result.already_billed,
            "refused": result.failed,
            "amount": dg.MetadataValue.text(decimal_text(sum((r["amount"] for r in result.billed), Decimal(0)))),
            "waiting": listed_markdown(result.waiting[:50], empty="every shipped order billed")})

    automation = flow.automation(
        "shipments_automation", shipment_confirmations, sales_orders_billed,
        description="Confirms a storefront-day's packages to Amazon, and bills its fully shipped Sales Orders, once "
                    "they were read from NetSuite.")
    return dg.Definitions(assets=[shipment_confirmations, sales_orders_billed], sensors=[automation])
