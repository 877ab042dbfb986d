"""What the finances flow writes: refunds, chargebacks and A-to-z claims to NetSuite as they happen
(`refunds_posted`), for storefronts whose orders this project posts (transactional settlement posting); in summary
mode the settlement's journal books refunds as before.

Nobody needs to launch it: `finances_automation` (running by default, switched by the finances flow) posts a
storefront-day once its transactions loaded.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="refunds_posted", deps=["finance_transactions"], kinds={"netsuite", "duckdb"},
        automation_condition=post_when_loaded(),
        description="Each Refund, Chargeback and GuaranteeClaim transaction of the day as its NetSuite record, once "
                    "(external id AMZ-RFD-{transaction id}): a cash refund of a Cash Sale, or a credit memo applied "
                    "to the Sales Order's invoice and a customer refund of the rest, paid out of the Amazon clearing "
                    "account on the refund item, never the SKU. What cannot post goes to integration_errors.")
    def refunds_posted(context: dg.AssetExecutionContext, warehouse: Warehouse,
                       netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.settlements.early_refunds import post_refunds
        from amazon_netsuite.lib.gl_mapping import load_gl_mapping

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        if not settings.flows.finances or settings.settlement_posting(storefront) != "transactional":
            return dg.MaterializeResult(metadata={
                "skipped": f"{storefront}'s orders are not posted: its settlement's summary journal books refunds"})
        with netsuite.client() as client:
            outcomes = post_refunds(warehouse.connection, client, settings, load_gl_mapping(), storefront, day,
                                    log=context.log)
        statuses: dict[str, int] = {}
        for outcome in outcomes:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        return dg.MaterializeResult(metadata={"dagster/row_count": len(outcomes), "statuses": statuses})

    automation = flow.automation(
        "finances_automation", refunds_posted,
        description="Posts a storefront-day's refunds once its Finances API transactions loaded.")
    return dg.Definitions(assets=[refunds_posted], sensors=[automation])
