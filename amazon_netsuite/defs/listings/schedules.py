"""The listings flow's schedule: every storefront's listings once a day (01:15 UTC), whatever the sensor saw, so a
refusal fixed on Amazon's side (a product type's new version) or a retry after an outage needs nobody."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.listings.jobs import listings_job
from amazon_netsuite.defs.partitions import partition_key


def definitions(flow: Flow) -> dg.Definitions:
    storefronts = [s.key for s in flow.settings.storefronts]

    @dg.schedule(name="listings_daily", job=listings_job, cron_schedule="15 1 * * *", execution_timezone="UTC",
                 default_status=flow.schedule_status,
                 description="Reads every storefront's product master and publishes its listings, once a day.")
    def listings_daily(context: dg.ScheduleEvaluationContext):
        day = context.scheduled_execution_time.date()
        return [dg.RunRequest(run_key=f"{day}|{storefront}", partition_key=partition_key(storefront, day))
                for storefront in storefronts]

    return dg.Definitions(schedules=[listings_daily])
