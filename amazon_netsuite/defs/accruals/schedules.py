"""The accruals flow's schedule: at 01:30 UTC every storefront's previous day, once that day has closed (Amazon
posts a day's transactions within hours). On the 1st that day is the month's last: the accrual journal posts."""

import dagster as dg

from amazon_netsuite.defs.accruals.jobs import accruals_job
from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(schedules=[flow.every_storefront(
        "accruals_daily", accruals_job, "30 1 * * *",
        "Writes yesterday's daily accrual per storefront; on the 1st posts the month just ended's accrual journal.",
        days_back=1)])
