"""The finances flow: Finances API 2024-06-19 transactions per storefront-day (`finance_transactions`) and the
refunds, chargebacks and A-to-z claims among them posted to NetSuite as they happen (`refunds_posted`), which the
settlement then matches instead of posting again. Same shape as `defs/pricing/`."""

import dagster as dg

from amazon_netsuite.defs.finances import assets, jobs, posting, schedules, sensors
from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
