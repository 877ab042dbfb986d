"""Orders into NetSuite: paid MFN/SFP orders as Sales Orders, shipped FBA orders as Cash Sales, one storefront-day
at a time, each exactly once.

A new record is an upsert by external id, a change of a posted one a PATCH (cancellations close lines), each
recorded in the `netsuite_postings` ledger as it finishes; a re-run sends only what is new or changed, and never an
older state of an order over a newer one. An order that cannot post (an unmapped SKU, a validation error) goes to
`integration_errors` with its reason, and the rest of the day still posts; `retry_failed_postings` retries those.

Nobody needs to launch it: `order_posting_automation` (running by default, switched by the orders flow) posts every
storefront-day of the last weeks whose orders were loaded again and passed their blocking checks.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow, counted_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER
from amazon_netsuite.lib.orders.posting_run import DayPostingResult, post_storefront_day

ASSET_FOR = {SALES_ORDER: "sales_orders_posted", CASH_SALE: "cash_sales_posted"}
AUTH_FAILURE = "NetSuite refused our credentials; see integration_errors (class auth) and fix them."


def posting_metadata(result: DayPostingResult, record_type: str, requests: int) -> dict:
    """What an operator sees on the asset: posted / unchanged / updated / skipped / failed, and why."""
    return {
        "posted": result.posted[record_type],
        "already_posted_unchanged": result.unchanged[record_type],
        "updated": result.updated[record_type],
        "closed": result.closed[record_type],
        "failed": result.failed[record_type],
        # Skips are per order, not per record type: an order that is not postable has no type yet.
        "skipped": sum(result.skipped.values()),
        "skipped_reasons": counted_markdown(result.skipped.most_common()),
        "errors_by_class": dict(result.errors_by_class),
        "customers_upserted": result.customers_upserted,
        "netsuite_requests": requests,
    }


def definitions(flow: Flow) -> dg.Definitions:
    def spec(name: str, description: str) -> dg.AssetSpec:
        return flow.asset_spec(name, description, deps=["orders", "order_lines"], kinds=("netsuite", "duckdb"),
                               automation_condition=post_when_loaded())

    @flow.partitioned_tables(
        spec("sales_orders_posted",
             "Paid MFN and Seller-Fulfilled-Prime orders of the day as NetSuite Sales Orders (Pending Fulfillment "
             "by default), external id AMZ-{storefront}-{order id}; later cancellations close their lines, other "
             "changes PATCH them."),
        spec("cash_sales_posted",
             "Shipped FBA orders of the day as NetSuite Cash Sales at the region's FBA location, external id "
             "AMZ-{storefront}-{order id}."),
    )
    def orders_posted(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
        """Post the storefront-day's orders to NetSuite; what cannot post goes to `integration_errors`."""
        storefront, day = split_partition_key(context.partition_key)
        with netsuite.client() as client:
            result = post_storefront_day(warehouse, client, storefront, day, log=context.log)
            requests = client.requests
        if result.errors_by_class.get("auth"):
            raise dg.Failure(AUTH_FAILURE)
        for record_type, asset in ASSET_FOR.items():
            yield dg.MaterializeResult(asset_key=asset, metadata=posting_metadata(result, record_type, requests))

    automation = flow.automation(
        "order_posting_automation", orders_posted,
        description="Posts a storefront-day's orders to NetSuite once they are loaded (again) and their blocking "
                    "checks passed, for any day of the last weeks.")
    return dg.Definitions(assets=[orders_posted], sensors=[automation])
