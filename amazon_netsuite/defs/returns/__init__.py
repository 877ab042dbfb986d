"""The returns flow: Amazon's two returns reports → NetSuite return authorizations and item receipts (README
"Returns"). Same shape as `defs/inventory/`."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.returns import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
