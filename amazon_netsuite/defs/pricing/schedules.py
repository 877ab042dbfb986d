"""The pricing flow's schedule: every storefront's prices two minutes past each hour (UTC). The 00:02 run is the
cut-over: a change scheduled in NetSuite for a day reaches Amazon from that day's first run, and never before; the
other runs pick up prices edited in NetSuite during the day and send again what Amazon refused."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.pricing.jobs import pricing_job


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(schedules=[flow.every_storefront(
        "prices_hourly", pricing_job, "2 * * * *",
        "Computes every storefront's price list each hour and pushes what changed; the 00:02 run puts the day's "
        "scheduled price changes live.")])
