"""The inventory flow: NetSuite stock → available to sell → only the changed quantities to Amazon, behind a gate
against zeroing listings; Amazon's FBA stock and ledger → NetSuite's FBA location. Same shape as `defs/orders/`."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.inventory import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
