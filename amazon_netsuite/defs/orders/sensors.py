"""When Amazon finishes an order report, load every storefront-day it covers.

The cursor is a createdTime watermark per seller account; run keys (report id × partition) make a re-seen report
harmless. A tick only lists reports: documents are downloaded by the runs, never by the sensor (60 s tick budget).
"""


import json
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.orders.assets import REPORT_ID_TAG, settings, storefront_days
from amazon_netsuite.defs.orders.jobs import orders_job
from amazon_netsuite.defs.resources import SellerCentral
from amazon_netsuite.lib.partitions import partition_key
from amazon_netsuite.lib.report_registry import ORDER_REPORT_TYPE
from amazon_netsuite.lib.reporting_days import days_covered

# On its very first tick the sensor only sets its watermark: history is loaded by `amazon-netsuite sync` (which
# `make run` does before the UI starts) or by a backfill, and re-running it all from the sensor would be waste.
FIRST_TICK_LOOK_BACK = timedelta(minutes=0)


@dg.sensor(
    name="new_order_reports",
    job=orders_job,
    minimum_interval_seconds=120,
    default_status=dg.DefaultSensorStatus.RUNNING if settings.flows.orders else dg.DefaultSensorStatus.STOPPED,
    description="Starts a run per storefront-day covered by each newly finished order report.",
)
def new_order_reports(context: dg.SensorEvaluationContext, seller_central: SellerCentral) -> dg.SensorResult:
    cursor: dict[str, str] = json.loads(context.cursor or "{}")
    now = datetime.now(timezone.utc)
    first_day = storefront_days.get_partitions_def_for_dimension("date").start.date()
    requests: list[dg.RunRequest] = []
    for account in settings.seller_accounts:
        if account.key not in cursor:
            cursor[account.key] = (now - FIRST_TICK_LOOK_BACK).isoformat()
            continue
        since = datetime.fromisoformat(cursor[account.key])
        with seller_central.reports(account.key) as api:
            finished = list(
                api.get_reports([ORDER_REPORT_TYPE], processing_statuses=["DONE", "CANCELLED"], created_since=since)
            )
        for report in sorted(finished, key=lambda r: r.created_time):
            for day in days_covered(report.data_start_time, report.data_end_time, first_day, now.date()):
                for storefront in account.storefronts:
                    key = partition_key(storefront.key, day)
                    requests.append(
                        dg.RunRequest(
                            run_key=f"{report.report_id}|{key}",
                            partition_key=key,
                            tags={REPORT_ID_TAG: report.report_id},
                        )
                    )
            cursor[account.key] = max(report.created_time, since).isoformat()
    if not requests:
        return dg.SensorResult(skip_reason="no newly finished order reports", cursor=json.dumps(cursor))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))
