"""The finances flow's schedules: every storefront's transactions of today (each hour at :50, so a refund reaches
NetSuite within the hour it happens) and of yesterday (after midnight, for what posted late in the day), with their
refunds."""

import dagster as dg

from amazon_netsuite.defs.finances.jobs import finances_job
from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(schedules=[
        flow.every_storefront(
            "finances_hourly", finances_job, "50 * * * *",
            "Loads today's Finances API transactions so far of every storefront and posts the refunds among them."),
        flow.every_storefront(
            "finances_yesterday", finances_job, "35 0 * * *",
            "Loads yesterday's whole day of Finances API transactions of every storefront and posts the refunds "
            "posted late in it.", days_back=1),
    ])
