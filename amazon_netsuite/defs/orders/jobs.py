"""The orders flow's jobs: load a storefront-day, post one, request order reports, retry what could not post."""

from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, counted_markdown
from amazon_netsuite.defs.orders.posting import AUTH_FAILURE
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.orders.report_requests import decide_order_report_request
from amazon_netsuite.lib.orders.retry import retry_open_errors
from amazon_netsuite.lib.postings import ERROR_CLASSES
from amazon_netsuite.lib.settings import load_settings

TAGS = {"flow": "orders"}

orders_job = dg.define_asset_job(
    "orders_job",
    selection=dg.AssetSelection.assets("order_report_rows", "order_report_unrouted", "orders", "order_lines",
                                       "order_report_quarantine"),
    description="Load one storefront-day of orders from the Seller Central order report.",
    tags=TAGS,
)

order_posting_job = dg.define_asset_job(
    "order_posting_job",
    selection=dg.AssetSelection.assets("sales_orders_posted", "cash_sales_posted"),
    description="Post one storefront-day of orders to NetSuite (Sales Orders and Cash Sales).",
    tags=TAGS,
)


@dg.op(description="Create an order report per active seller account unless one is in flight or a FATAL is cooling down.")
def request_order_reports(context: dg.OpExecutionContext, seller_central: SellerCentral) -> None:
    now = datetime.now(timezone.utc)
    for account in load_settings().active_accounts:  # an inactive account asks Amazon nothing
        with seller_central.reports(account.key) as api:
            recent = list(api.get_reports([ORDER_REPORT_TYPE], created_since=now - timedelta(hours=6)))
            decision = decide_order_report_request(recent, now)
            if decision.action == "create":
                start, end = decision.window
                report_id = api.create_report(ORDER_REPORT_TYPE, account.marketplace_ids, start, end)
                context.log.info(f"{account.key}: requested order report {report_id} for "
                                 f"{start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC")
            else:
                context.log.info(f"{account.key}: {decision.action}: {decision.reason}")


@dg.job(description="Request order reports from Seller Central for every seller account.", tags=TAGS)
def request_order_reports_job():
    request_order_reports()


class RetryScope(dg.Config):
    """Which open errors to retry; empty means all."""

    storefront: str | None = None
    error_classes: list[str] = []


@dg.op(pool="duckdb", tags=TAGS)
def repost_open_errors(context: dg.OpExecutionContext, config: RetryScope, warehouse: Warehouse,
                             netsuite: NetSuite):
    """Post every open order error again from the order's newest state (`orders_latest` and its lines)."""
    unknown = sorted(set(config.error_classes) - set(ERROR_CLASSES))
    if unknown:
        raise dg.Failure(f"error_classes {unknown} unknown; choose from {', '.join(ERROR_CLASSES)}")
    with netsuite.client() as client:
        outcome = retry_open_errors(warehouse, client, load_settings(), config.storefront, config.error_classes,
                                     log=context.log)
        requests = client.requests
    total = outcome.total
    context.add_output_metadata({
        "orders_retried": outcome.retried,
        "posted": sum(total.posted.values()),
        "updated": sum(total.updated.values()),
        "already_posted_unchanged": sum(total.unchanged.values()),
        "failed": sum(total.failed.values()),
        "skipped": counted_markdown(total.skipped.most_common()),
        "errors_by_class": dict(total.errors_by_class),
        "resolved_without_posting": total.errors_resolved_without_posting,
        "still_open": outcome.still_open,
        "netsuite_requests": requests,
    })
    if total.errors_by_class.get("auth"):
        raise dg.Failure(AUTH_FAILURE)


@dg.job(tags=TAGS, description="Re-post every open integration error of the orders flow.")
def retry_failed_postings():
    repost_open_errors()


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[orders_job, order_posting_job, request_order_reports_job, retry_failed_postings])
