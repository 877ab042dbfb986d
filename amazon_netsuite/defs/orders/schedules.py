"""Every hour, ask Amazon for an order report per seller account (the sensor loads it when it is ready)."""


from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.orders.assets import settings
from amazon_netsuite.defs.resources import SellerCentral
from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.orders.report_requests import decide_order_report_request


@dg.op(description="Create an order report per seller account unless one is in flight or a FATAL is cooling down.")
def request_order_reports(context: dg.OpExecutionContext, seller_central: SellerCentral) -> None:
    now = datetime.now(timezone.utc)
    for account in settings.seller_accounts:
        with seller_central.reports(account.key) as api:
            recent = list(api.get_reports([ORDER_REPORT_TYPE], created_since=now - timedelta(hours=6)))
            decision = decide_order_report_request(recent, now)
            if decision.action == "create":
                start, end = decision.window
                report_id = api.create_report(ORDER_REPORT_TYPE, account.marketplace_ids, start, end)
                context.log.info(f"{account.key}: requested order report {report_id} for {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC")
            else:
                context.log.info(f"{account.key}: {decision.action}: {decision.reason}")


@dg.job(description="Request order reports from Seller Central for every seller account.", tags={"flow": "orders"})
def request_order_reports_job():
    request_order_reports()


order_reports_hourly = dg.ScheduleDefinition(
    name="order_reports_hourly",
    job=request_order_reports_job,
    cron_schedule="7 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING if settings.flows.orders else dg.DefaultScheduleStatus.STOPPED,
    description="Hourly order report request per seller account; reuses one in flight, backs off after FATAL.",
)
