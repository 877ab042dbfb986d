"""The shipments flow: NetSuite's item fulfillments (MFN and Seller-Fulfilled Prime orders) → Orders v0
confirmShipment, one call per package, so Amazon shows the orders Shipped with their tracking numbers; and each Sales
Order they complete billed, so its revenue is in the month it shipped. Same shape as `defs/pricing/`."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.shipments import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
