"""The pricing flow: NetSuite's prices (a price level per storefront, scheduled changes on their day) → the price
list → only the changed prices to Amazon, behind a gate against a price moving too far at once or under cost. Same
shape as `defs/inventory/`."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.pricing import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
