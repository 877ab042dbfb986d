"""The inventory flow's schedules: every storefront's quantities each hour (whatever the sensor saw), yesterday's
FBA ledger each night, and every 30 minutes the FBA adjustments NetSuite refused (an item missing), as the other
flows retry theirs."""

from datetime import timedelta

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, retry_runs
from amazon_netsuite.defs.inventory.jobs import fba_adjustments_job, fba_ledger_job, inventory_job
from amazon_netsuite.defs.partitions import partition_key


def definitions(flow: Flow) -> dg.Definitions:
    storefronts = [s.key for s in flow.settings.storefronts]

    # Every storefront, pushing or not: the snapshots are what the FBA tie-out and the opening balance compare
    # (the push itself skips a storefront whose push is off).
    @dg.schedule(name="inventory_hourly", job=inventory_job, cron_schedule="17 * * * *", execution_timezone="UTC",
                 default_status=flow.schedule_status,
                 description="Snapshots every storefront's stock each hour and pushes the quantities of those that "
                             "push: Amazon is brought back in line even when no stock change was seen.")
    def inventory_hourly(context: dg.ScheduleEvaluationContext):
        day = context.scheduled_execution_time.date()
        return [dg.RunRequest(run_key=f"{context.scheduled_execution_time.isoformat()}|{storefront}",
                              partition_key=partition_key(storefront, day)) for storefront in storefronts]

    @dg.schedule(name="fba_ledger_nightly", job=fba_ledger_job, cron_schedule="40 0 * * *", execution_timezone="UTC",
                 default_status=flow.schedule_status,
                 description="Loads yesterday's FBA ledger of every storefront and posts its adjustments.")
    def fba_ledger_nightly(context: dg.ScheduleEvaluationContext):
        day = context.scheduled_execution_time.date() - timedelta(days=1)
        return [dg.RunRequest(run_key=f"{day}|{storefront}", partition_key=partition_key(storefront, day))
                for storefront in storefronts]

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
