"""When NetSuite's item fulfillments change, confirm them: a package the warehouse ships reaches Amazon within
minutes. Each tick reads the fulfillments changed since the newest change it saw (its cursor) and starts the run of
each storefront-day they ship on, so a shipment entered late, for an earlier day, goes too; the first tick looks back
two days. The schedules are the net for what a tick cannot see (two edits in the same second as its look)."""

from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import first_day, partition_key
from amazon_netsuite.defs.resources import NetSuite
from amazon_netsuite.defs.shipments.jobs import shipments_job
from amazon_netsuite.lib import postings

FIRST_LOOK_BACK = timedelta(days=2)


def definitions(flow: Flow) -> dg.Definitions:
    from amazon_netsuite.lib.shipments.netsuite_fulfillments import changed_ship_days

    storefronts = set(flow.storefronts)  # an inactive account's fulfillments start no runs

    @dg.sensor(name="netsuite_fulfillment_changes", job=shipments_job, minimum_interval_seconds=60,
               default_status=flow.sensor_status,
               description="Starts the shipments run of each storefront-day whose NetSuite item fulfillments changed.")
    def netsuite_fulfillment_changes(context: dg.SensorEvaluationContext, netsuite: NetSuite) -> dg.SensorResult:
        now = postings.utc_now()
        since = (datetime.strptime(context.cursor, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
                 if context.cursor else now - FIRST_LOOK_BACK)
        with netsuite.client() as client:
            days, newest = changed_ship_days(client, since)
        if newest is None:
            return dg.SensorResult(skip_reason=f"no fulfillment changed since {since:%Y-%m-%d %H:%M:%S} UTC")
        first = first_day(flow.partitions)
        keys = sorted(str(partition_key(s, d)) for s, d in days if s in storefronts and first <= d <= now.date())
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=f"{newest}|{key}", partition_key=key)
                                             for key in keys], cursor=newest)

    return dg.Definitions(sensors=[netsuite_fulfillment_changes])
