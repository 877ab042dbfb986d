"""The inventory flow's schedules: every storefront's quantities each hour (whatever the sensor saw), yesterday's
FBA ledger each night, and every 30 minutes the FBA adjustments NetSuite refused (an item missing), as the other
flows retry theirs."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, retry_runs
from amazon_netsuite.defs.inventory.jobs import fba_adjustments_job, fba_ledger_job, inventory_job


def definitions(flow: Flow) -> dg.Definitions:
    # Every storefront, pushing or not: the snapshots are what the FBA tie-out and the opening balance compare
    # (the push itself skips a storefront whose push is off).
    inventory_hourly = flow.every_storefront(
        "inventory_hourly", inventory_job, "17 * * * *",
        "Snapshots every storefront's stock each hour and pushes the quantities of those that push: Amazon is "
        "brought back in line even when no stock change was seen.")
    fba_ledger_nightly = flow.every_storefront(
        "fba_ledger_nightly", fba_ledger_job, "40 0 * * *",
        "Loads yesterday's FBA ledger of every storefront and posts its adjustments.", days_back=1)

    @flow.every_30_minutes(
        "retry_failed_fba_adjustments_every_30_minutes", fba_adjustments_job,
        "Posts again each storefront-day's FBA adjustments (and opening balance) that NetSuite refused; skips when "
        "none is open.",
    )
    def retry_failed_fba_adjustments_every_30_minutes(context: dg.ScheduleEvaluationContext):
        from amazon_netsuite.lib.inventory.fba_run import open_adjustment_partitions

        return retry_runs(context, flow, fba_adjustments_job, open_adjustment_partitions, "of FBA adjustments")

    return dg.Definitions(schedules=[inventory_hourly, fba_ledger_nightly,
                                     retry_failed_fba_adjustments_every_30_minutes])
