"""When Amazon publishes a settlement report, import the storefront-day of its deposit.

Amazon generates settlement reports by itself (createReport is refused), so the sensor lists them over getReports
per seller account, from a createdTime watermark. The deposit day, which names the partition, is only in the
document: the sensor lands each new document once (the run then reads it from the registry) and requests one run
per report and partition (run key `{report id}|{partition}`). A report already imported (by `amazon-netsuite
sync`, say) is not requested again; one whose deposit day has no partition yet waits in the cursor.
"""


import json
from datetime import date, datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.defs.settlements.assets import REPORT_ID_TAG, settings, storefront_days
from amazon_netsuite.defs.settlements.jobs import settlements_job
from amazon_netsuite.lib.partitions import DATE, partition_key
from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.load import SettlementDocument, document, land_amazon_report
from amazon_netsuite.lib.settlements.match import UnknownStorefront

# Settlements are rare (one per 14 days and currency) and each matters: the first tick looks back this far.
FIRST_TICK_LOOK_BACK = timedelta(days=30)


def _imported(warehouse: Warehouse, doc: SettlementDocument) -> bool:
    with warehouse.connection() as con:
        return con.execute("SELECT count(*) FROM settlements WHERE report_id = ? AND storefront = ? AND day = ?",
                           [doc.report_id, doc.storefront, doc.day]).fetchone()[0] > 0


def _last_day() -> date:
    return date.fromisoformat(storefront_days.get_partitions_def_for_dimension(DATE).get_last_partition_key())


@dg.sensor(
    name="new_settlement_reports",
    job=settlements_job,
    minimum_interval_seconds=900,
    default_status=dg.DefaultSensorStatus.RUNNING if settings.flows.settlements else dg.DefaultSensorStatus.STOPPED,
    description="Starts a run for the storefront-day of each newly published settlement report's deposit.",
)
def new_settlement_reports(context: dg.SensorEvaluationContext, seller_central: SellerCentral,
                           warehouse: Warehouse) -> dg.SensorResult:
    cursor: dict[str, dict] = json.loads(context.cursor or "{}")
    now = datetime.now(timezone.utc)
    first_day, last_day = settings.partitions.start_date, _last_day()
    requests: list[dg.RunRequest] = []

    def request(doc: SettlementDocument) -> str:
        """'run', 'skip' or 'wait' for one indexed report."""
        if doc.day < first_day:
            context.log.warning(f"settlement report {doc.report_id}: deposit {doc.day} is before the first partition "
                                f"({first_day}); not imported")
            return "skip"
        if doc.day > last_day:
            return "wait"
        if _imported(warehouse, doc):
            return "skip"
        key = partition_key(doc.storefront, doc.day)
        requests.append(dg.RunRequest(run_key=f"{doc.report_id}|{key}", partition_key=key,
                                      tags={REPORT_ID_TAG: doc.report_id}))
        return "run"

    for account in settings.seller_accounts:
        state = cursor.setdefault(account.key, {"since": (now - FIRST_TICK_LOOK_BACK).isoformat(), "seen": [],
                                                "waiting": []})
        since = datetime.fromisoformat(state["since"])
        waiting = []
        for report_id in state["waiting"]:
            with warehouse.connection() as con:
                doc = document(con, report_id)
            if doc is not None and request(doc) == "wait":
                waiting.append(report_id)
        with seller_central.reports(account.key) as api:
            listed = [r for r in api.get_reports([REPORT_TYPE], processing_statuses=["DONE"], created_since=since)
                      if r.report_id not in state["seen"]]
            for report in sorted(listed, key=lambda r: r.created_time):
                try:
                    doc = land_amazon_report(warehouse.connection, api, account.key, report, settings,
                                             log=context.log)
                except (ReportFileError, UnknownStorefront) as exc:
                    context.log.warning(f"settlement report {report.report_id} of {account.key} not imported: {exc}")
                else:
                    if request(doc) == "wait":
                        waiting.append(report.report_id)
                if report.created_time > since:
                    since, state["seen"] = report.created_time, []
                state["seen"].append(report.report_id)
        state["since"], state["waiting"] = since.isoformat(), waiting
    if not requests:
        return dg.SensorResult(skip_reason="no new settlement reports", cursor=json.dumps(cursor))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))
