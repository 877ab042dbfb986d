"""When Amazon finishes an order report, load every storefront-day it covers.

Amazon finishes reports in any order, so the cursor is, per seller account, a createdTime watermark held at the
oldest report still in flight, plus the ids of the reports at or after it already loaded. Run keys (report id ×
partition) make a re-seen report harmless all the same. A tick only lists reports: documents are downloaded by the
runs, never by the sensor (60 s tick budget).
"""


import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import REPORT_ID_TAG, Flow
from amazon_netsuite.defs.orders.jobs import orders_job
from amazon_netsuite.defs.partitions import first_day, partition_key
from amazon_netsuite.defs.resources import SellerCentral
from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.amazon.reports import Report
from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.reporting_days import days_covered

# On its very first tick the sensor only sets its watermark: history is loaded by `amazon-netsuite sync` (which
# `make run` does before the UI starts) or by a backfill, and re-running it all from the sensor would be waste.
FIRST_TICK_LOOK_BACK = timedelta(minutes=0)
# An order report is usually done within minutes. One still in flight after a day no longer holds the watermark
# back (it is logged), so the cursor and each tick's listing stay small; later hourly reports read its days again,
# each starting at the beginning of the day before.
LONGEST_WAIT = timedelta(days=1)
_IN_FLIGHT = ("IN_QUEUE", "IN_PROGRESS")
_LOADABLE = ("DONE", "CANCELLED")  # a CANCELLED order report is an empty window: its days load empty


@dataclass(frozen=True)
class _Position:
    """Where the sensor stands for one seller account."""

    since: datetime
    loaded: frozenset[str]

    @classmethod
    def from_cursor(cls, value: str | dict) -> "_Position":
        if isinstance(value, str):  # the cursor of earlier versions: a bare watermark
            return cls(datetime.fromisoformat(value), frozenset())
        return cls(datetime.fromisoformat(value["since"]), frozenset(value.get("loaded", ())))

    def to_cursor(self) -> dict:
        return {"since": self.since.isoformat(), "loaded": sorted(self.loaded)}


def _status(report: Report) -> str:
    return str(getattr(report.processing_status, "value", report.processing_status))


def _next_position(position: _Position, listed: list[Report], now: datetime, log) -> tuple[list[Report], _Position]:
    """The reports to load now, and the position after loading them."""
    new = [r for r in listed if _status(r) in _LOADABLE and r.report_id not in position.loaded]
    waiting = []
    for report in listed:
        if _status(report) in _IN_FLIGHT:
            if now - report.created_time < LONGEST_WAIT:
                waiting.append(report.created_time)
            else:
                log.warning(
                    f"order report {report.report_id} is still {_status(report)} "
                    f"{now - report.created_time} after it was created; not waiting for it any longer "
                    "(later reports read its days again)"
                )
    newest = max((r.created_time for r in listed), default=position.since)
    since = min(waiting) if waiting else max(newest, position.since)
    loaded = {r.report_id for r in listed if _status(r) in _LOADABLE and r.created_time >= since}
    return sorted(new, key=lambda r: r.created_time), _Position(since, frozenset(loaded))


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
        for account in flow.settings.seller_accounts:
            if account.key not in cursor:
                cursor[account.key] = _Position(now - FIRST_TICK_LOOK_BACK, frozenset()).to_cursor()
                continue
            position = _Position.from_cursor(cursor[account.key])
            with seller_central.reports(account.key) as api:
                # Every status: a report still in flight holds the watermark until it is done.
                listed = list(api.get_reports([ORDER_REPORT_TYPE], created_since=position.since))
            finished, position = _next_position(position, listed, now, context.log)
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
