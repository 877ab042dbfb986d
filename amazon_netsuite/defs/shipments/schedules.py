"""The shipments flow's schedules, a net under the sensor: today's packages every 30 minutes (a held package whose
tracking number was added, a failure to send again), and yesterday's once after midnight (fulfillments entered late
for their ship day)."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.shipments.jobs import shipments_job


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(schedules=[
        flow.every_storefront("shipments_every_30_minutes", shipments_job, "*/30 * * * *",
                              "Confirms every storefront's packages shipped today that Amazon has not taken yet."),
        flow.every_storefront("shipments_yesterday", shipments_job, "15 0 * * *",
                              "Confirms every storefront's packages shipped yesterday that Amazon has not taken "
                              "yet.", days_back=1),
    ])
