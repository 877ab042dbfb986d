"""When Amazon finishes an order report, load every storefront-day it covers.

The cursor holds, per seller account, a watermark (`lib/orders/report_watermark.py`): Amazon finishes reports in
any order, so it is held at the oldest report still in flight. Run keys (report id × partition) make a re-seen
report harmless all the same. A tick only lists reports: documents are downloaded by the runs, never by the sensor
(60 s tick budget).
"""

import json
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import REPORT_ID_TAG, Flow
from amazon_netsuite.defs.orders.jobs import orders_job
from amazon_netsuite.defs.partitions import first_day, partition_key
from amazon_netsuite.defs.resources import SellerCentral
from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.orders.report_watermark import Watermark, next_watermark
from amazon_netsuite.lib.reporting_days import days_covered

# On its very first tick the sensor only sets its watermark: history is loaded by `amazon-netsuite sync` (which
# `make run` does before the UI starts) or by a backfill, and re-running it all from the sensor would be waste.
FIRST_TICK_LOOK_BACK = timedelta(minutes=0)


def definitions(flow: Flow) -> dg.Definitions:
    @dg.sensor(
        name="new_order_reports",
        job=orders_job,
        minimum_interval_seconds=120,
        default_status=flow.sensor_status,
        description="Starts a run per storefront-day covered by each newly finished order report.",
    )
    def new_order_reports(context: dg.SensorEvaluationContext, seller_central: SellerCentral) -> dg.SensorResult:
        cursor: dict[str, str | dict] = json.loads(context.cursor or "{}")
        now = datetime.now(timezone.utc)
        start = first_day(flow.partitions)
        requests: list[dg.RunRequest] = []
        for account in flow.seller_accounts:
            if account.key not in cursor:
                cursor[account.key] = Watermark(now - FIRST_TICK_LOOK_BACK, frozenset()).to_cursor()
                continue
            position = Watermark.from_cursor(cursor[account.key])
            with seller_central.reports(account.key) as api:
                # Every status: a report still in flight holds the watermark until it is done.
                listed = list(api.get_reports([ORDER_REPORT_TYPE], created_since=position.since))
            finished, position = next_watermark(position, listed, now, context.log)
            for report in finished:
                for day in days_covered(report.data_start_time, report.data_end_time, start, now.date()):
                    for storefront in account.storefronts:
                        key = partition_key(storefront.key, day)
                        requests.append(
                            dg.RunRequest(
                                run_key=f"{report.report_id}|{key}",
                                partition_key=key,
                                tags={REPORT_ID_TAG: report.report_id},
                            )
                        )
            cursor[account.key] = position.to_cursor()
        if not requests:
            return dg.SensorResult(skip_reason="no newly finished order reports", cursor=json.dumps(cursor))
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))

    return dg.Definitions(sensors=[new_order_reports])
