"""Returns are read a day at a time by `returns_nightly`, and `returns_automation` (posting.py) posts each day once
its reports loaded. One sensor catches up: yesterday's returns of a storefront that never loaded them (a product
started today, or down last night) load at once."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.returns.jobs import returns_job


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(sensors=[flow.catch_up(
        "returns_catch_up", returns_job, "fba_customer_returns", days_back=[1],
        description="Loads yesterday's FBA and MFN returns of each storefront that has none yet, and posts them.")])
