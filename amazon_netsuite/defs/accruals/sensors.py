"""When a settlement posts, the month before shrinks: its accrual must no longer carry what the settlement now books.

The mark is the newest settlement record posted to NetSuite per storefront (the posting ledger); when it moves, the
accruals run of the previous month's last day starts again for that storefront, so the accrual journal carries only
what is still unsettled and nothing is counted twice.
"""

from datetime import timedelta

import dagster as dg

from amazon_netsuite.defs.accruals.jobs import accruals_job
from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    storefronts = flow.storefronts

    @dg.sensor(name="settlement_postings_accruals", job=accruals_job, minimum_interval_seconds=120,
               default_status=flow.sensor_status,
               description="Runs the previous month's accrual again for a storefront whose settlement just posted.")
    def settlement_postings_accruals(context: dg.SensorEvaluationContext):
        from amazon_netsuite.defs.partitions import partition_key
        from amazon_netsuite.lib.postings import peek_warehouse, utc_now
        from amazon_netsuite.lib.settings import warehouse_path

        marks = peek_warehouse(warehouse_path(), lambda con: dict(con.execute(
            "SELECT storefront, CAST(max(last_attempt) AS VARCHAR) FROM netsuite_postings WHERE flow = 'settlements' "
            "AND status = 'posted' GROUP BY storefront").fetchall()), {})
        if marks is None:
            return dg.SkipReason("the warehouse is busy (another process is writing); the next tick looks again")
        # The cursor is `seen;storefront=mark|…`; the first look only learns the marks (a restart must not run the
        # accruals again), every later one runs a storefront whose mark moved or appeared (its first settlement).
        first_look = context.cursor is None or not context.cursor.startswith("seen;")
        seen = dict(item.split("=", 1) for item in (context.cursor or "").removeprefix("seen;").split("|")
                    if "=" in item)
        month_end = utc_now().date().replace(day=1) - timedelta(days=1)
        requests = [dg.RunRequest(run_key=f"{storefront}|{month_end}|{mark}",
                                  partition_key=str(partition_key(storefront, month_end)))
                    for storefront, mark in sorted(marks.items())
                    if storefront in storefronts and not first_look and seen.get(storefront) != mark]
        context.update_cursor("seen;" + "|".join(f"{k}={v}" for k, v in sorted(marks.items())))
        return requests or dg.SkipReason("no settlement posted since the last look")

    return dg.Definitions(sensors=[settlement_postings_accruals])
