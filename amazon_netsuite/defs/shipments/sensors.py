"""When NetSuite's item fulfillments change, confirm them: a package the warehouse ships reaches Amazon within
minutes. The mark is `last_fulfillment_change` (the newest fulfillment edit and the count); when it moves, today's
run of every storefront starts (a fulfillment is dated on its ship day, normally today; the schedules catch
yesterday's)."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.shipments.jobs import shipments_job


def definitions(flow: Flow) -> dg.Definitions:
    from amazon_netsuite.lib.shipments.netsuite_fulfillments import last_fulfillment_change

    return dg.Definitions(sensors=[flow.netsuite_changes(
        "netsuite_fulfillment_changes", shipments_job, [s.key for s in flow.settings.storefronts],
        last_fulfillment_change, interval_seconds=60,
        description="Starts today's shipments run of each storefront when NetSuite's item fulfillments changed.")])
