"""The pricing flow's schedule: every storefront's prices two minutes past each hour (UTC). The 00:02 run is the
cut-over: a change scheduled in NetSuite for a day reaches Amazon from that day's first run, and never before; the
other runs pick up prices edited in NetSuite during the day and send again what Amazon refused."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.defs.pricing.jobs import pricing_job


def definitions(flow: Flow) -> dg.Definitions:
    storefronts = [s.key for s in flow.settings.storefronts]

    @dg.schedule(name="prices_hourly", job=pricing_job, cron_schedule="2 * * * *", execution_timezone="UTC",
                 default_status=flow.schedule_status,
                 description="Computes every storefront's price list each hour and pushes what changed; the 00:02 "
                             "run puts the day's scheduled price changes live.")
    def prices_hourly(context: dg.ScheduleEvaluationContext):
        day = context.scheduled_execution_time.date()
        return [dg.RunRequest(run_key=f"{context.scheduled_execution_time.isoformat()}|{storefront}",
                              partition_key=partition_key(storefront, day)) for storefront in storefronts]

    return dg.Definitions(schedules=[prices_hourly])
