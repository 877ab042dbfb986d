"""The returns flow's schedule: yesterday's returns of every storefront each night (both reports cover a whole
day only once it is over)."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.returns.jobs import returns_job


def definitions(flow: Flow) -> dg.Definitions:
    returns_nightly = flow.every_storefront(
        "returns_nightly", returns_job, "55 0 * * *",
        "Loads yesterday's FBA and MFN returns of every storefront and posts them to NetSuite.", days_back=1)
    return dg.Definitions(schedules=[returns_nightly])
