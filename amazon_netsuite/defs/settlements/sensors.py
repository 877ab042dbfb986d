"""When Amazon publishes a settlement report, import the storefront-day of its deposit.

Amazon generates settlement reports by itself (createReport is refused), so the sensor lists them over getReports
per seller account, from a createdTime watermark, and records each in `settlement_report_intake`. It downloads
nothing: the deposit day, which names the partition, is only in the document, so the sensor asks for a
`settlement_documents_job` run whenever reports wait for their document (new ones, unreadable ones whose
back-off is over, ones the settings refused before they changed), and, from what such runs indexed, one
`settlements_job` run per report and storefront-day (run key `{report id}|{partition}`): a storefront-day already
imported from its current document (by `amazon-netsuite sync`, say) is not requested again, one whose deposit day
has no partition yet waits in the table. A report that cannot be used stays in the intake with its reason.
"""


import json
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import REPORT_ID_TAG, Flow
from amazon_netsuite.defs.partitions import last_day, partition_key
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.defs.settlements.jobs import settlement_documents_job, settlements_job
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.intake import due_key, partitions_to_import, record_listed, reports_due

# Settlements are rare (one per 14 days and currency) and each matters: the first tick looks back this far.
FIRST_TICK_LOOK_BACK = timedelta(days=30)
# Each listing starts a day before the newest createdTime seen: a report that finished late is not missed
# (the intake table keeps each report once).
LISTING_OVERLAP = timedelta(days=1)
# Amazon is asked every 5 minutes per account (its plan allows one getReports call every 45 s sustained,
# https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference). The sensor itself ticks every
# minute: a tick between listings only reads the intake table, so a settlement's storefront-day is requested
# within a minute of the documents run that read it, not a whole listing interval later.
LIST_EVERY = timedelta(minutes=5)
LISTED_AT = "__listed_at__"


def _since(cursor: dict, account: str, now: datetime) -> datetime:
    state = cursor.get(account)
    if isinstance(state, dict):  # the cursor of earlier versions: {"since": ..., "seen": [...], "waiting": [...]}
        state = state.get("since")
    return datetime.fromisoformat(state) if state else now - FIRST_TICK_LOOK_BACK


def definitions(flow: Flow) -> dg.Definitions:
    @dg.sensor(
        name="new_settlement_reports",
        jobs=[settlement_documents_job, settlements_job],
        # A new settlement takes two ticks: listed (and its documents run requested), then its storefront-day.
        minimum_interval_seconds=60,
        default_status=flow.sensor_status,
        description="Lists new settlement reports; starts a run to download them, then one per storefront-day of a "
                    "deposit.",
    )
    def new_settlement_reports(context: dg.SensorEvaluationContext, seller_central: SellerCentral,
                               warehouse: Warehouse) -> dg.SensorResult:
        cursor: dict = json.loads(context.cursor or "{}")
        now = datetime.now(timezone.utc)
        listed_now = 0
        listed_at: dict = cursor.setdefault(LISTED_AT, {})
        for account in flow.seller_accounts:
            if account.key in listed_at and now - datetime.fromisoformat(listed_at[account.key]) < LIST_EVERY:
                continue
            listed_at[account.key] = now.isoformat()
            since = _since(cursor, account.key, now)
            with seller_central.reports(account.key) as api:
                listed = list(api.get_reports([REPORT_TYPE], processing_statuses=["DONE"],
                                              created_since=since - LISTING_OVERLAP))
            with warehouse.connection() as con:
                listed_now += record_listed(con, account.key, listed, now=now)
            newest = max([since, *(r.created_time for r in listed)])
            cursor[account.key] = newest.isoformat()

        requests: list[dg.RunRequest] = []
        with warehouse.connection() as con:
            due = reports_due(con, flow.settings, now)
            ready = partitions_to_import(con, flow.settings.partitions.start_date, last_day(flow.partitions),
                                         flow.storefronts)
        if due:
            requests.append(dg.RunRequest(job_name=settlement_documents_job.name, run_key=due_key(due, flow.settings),
                                          tags={"settlements/reports_due": str(len(due))}))
        for report_id, storefront, day in ready:
            key = partition_key(storefront, day)
            requests.append(dg.RunRequest(job_name=settlements_job.name, run_key=f"{report_id}|{key}",
                                          partition_key=key, tags={REPORT_ID_TAG: report_id}))
        if not requests:
            return dg.SensorResult(skip_reason=f"no new settlement reports ({listed_now} listed for the first time)",
                                   cursor=json.dumps(cursor))
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))

    return dg.Definitions(sensors=[new_settlement_reports])
