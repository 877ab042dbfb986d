"""What the shipments flow writes: each package to Amazon's confirmShipment (`shipment_confirmations`).

Nobody needs to launch it: `shipments_automation` (running by default, switched by the shipments flow) confirms a
storefront-day's packages once they were read from NetSuite. A package Amazon took is never sent again.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow, counted_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib import postings
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

    automation = dg.AutomationConditionSensorDefinition(
        "shipments_automation",
        target=dg.AssetSelection.assets(shipment_confirmations),
        default_status=flow.sensor_status,
        description="Confirms a storefront-day's packages to Amazon once they were read from NetSuite.",
    )
    return dg.Definitions(assets=[shipment_confirmations], sensors=[automation])
