"""What the returns flow writes to NetSuite (`return_receipts_posted`). Nobody needs to launch it:
`returns_automation` (running by default, switched by the returns flow) posts a storefront-day's returns once both
its reports loaded."""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="return_receipts_posted", deps=["fba_customer_returns", "mfn_returns"], kinds={"netsuite", "duckdb"},
        automation_condition=post_when_loaded(),
        description="Per return, a NetSuite return authorization from the order's Cash Sale (FBA) or Sales Order "
                    "(MFN) and its item receipt: sellable units into the FBA location or the returns location, "
                    "unsellable ones into returns.damaged_location or written off; external ids AMZ-RMA-{hash}. "
                    "Returns NetSuite cannot take go to integration_errors.")
    def return_receipts_posted(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.returns.run import post_returns

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        with netsuite.client() as client:
            result = post_returns(warehouse.connection, client, settings, storefront, day,
                                  account=netsuite.ledger_account())
        for error in result.errors:
            context.log.warning(error)
        return dg.MaterializeResult(metadata={"posted": result.posted, "already_posted_unchanged": result.unchanged,
                                              "failed": result.failed})

    automation = flow.automation(
        "returns_automation", return_receipts_posted,
        description="Posts a storefront-day's returns once its two returns reports loaded.")
    return dg.Definitions(assets=[return_receipts_posted], sensors=[automation])
