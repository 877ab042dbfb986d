"""The orders flow: order reports → typed orders with blocking checks → Sales Orders and Cash Sales in NetSuite.

Every flow folder has this shape: `assets.py` (what the flow loads, with its blocking checks), `posting.py` (what it
writes to NetSuite, with the automation sensor that posts it), `jobs.py`, `sensors.py`, `schedules.py`, each with a
`definitions(flow)`; this file merges them.
"""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.orders import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
