"""The orders flow's schedules: an order report every hour, and a retry of what could not post every 30 minutes."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.orders.jobs import request_order_reports_job, retry_failed_postings
from amazon_netsuite.lib.orders.retry import open_error_count


def definitions(flow: Flow) -> dg.Definitions:
    order_reports_hourly = dg.ScheduleDefinition(
        name="order_reports_hourly",
        job=request_order_reports_job,
        cron_schedule="7 * * * *",
        execution_timezone="UTC",
        default_status=flow.schedule_status,
        description="Hourly order report request per seller account; reuses one in flight, backs off after FATAL "
                    "(the `new_order_reports` sensor loads each report when it is ready).",
    )

    # Every 30 minutes, as NetSuite Connector retries order errors on each sync
    # (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_163966792450.html). A run can be narrowed
    # by run config to one storefront and/or some error classes, e.g. after creating the items of `mapping` errors.
    @flow.every_30_minutes(
        "retry_failed_postings_every_30_minutes", retry_failed_postings,
        "Retries the orders flow's open integration errors; skips when none is open.",
    )
    def retry_failed_postings_every_30_minutes(context: dg.ScheduleEvaluationContext):
        if open_error_count() == 0:
            return dg.SkipReason("no open integration errors in the orders flow")
        # A busy warehouse (count None) cannot be read now; the run queues behind the writer and finds out itself.
        return dg.RunRequest(tags=flow.tags)

    return dg.Definitions(schedules=[order_reports_hourly, retry_failed_postings_every_30_minutes])
