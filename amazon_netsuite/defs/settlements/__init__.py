"""The settlements flow: settlement reports → lines, matches and a GL summary behind blocking checks → journal
entries and deposits (or payments and refund records) in NetSuite. Same shape as `defs/orders/`."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.settlements import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
