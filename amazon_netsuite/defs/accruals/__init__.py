"""The accruals flow: Finances API transactions no posted settlement carries yet, per storefront-day (`daily_accrual`),
and on a month's last day the accrual journal NetSuite reverses on the 1st (`month_end_accruals`). Same shape as
`defs/pricing/`."""

import dagster as dg

from amazon_netsuite.defs.accruals import assets, jobs, posting, schedules, sensors
from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
