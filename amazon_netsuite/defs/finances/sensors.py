"""Amazon sends no notification of a new transaction that this project subscribes to, so the schedules read each day
(and `finances_automation` in posting.py posts what loaded). One sensor catches up: yesterday's transactions of a
storefront that never loaded them (a product started today, or down last night) load at once."""

import dagster as dg

from amazon_netsuite.defs.finances.jobs import finances_job
from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(sensors=[flow.catch_up(
        "finances_catch_up", finances_job, "finance_transactions", days_back=[1],
        description="Loads yesterday's Finances API transactions of each storefront that has none yet, and posts "
                    "their refunds.")])
