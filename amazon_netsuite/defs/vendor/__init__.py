"""The vendor flow: Vendor Central purchase orders → NetSuite Sales Orders → acknowledgements built from the Sales
Orders as approved → Amazon's transaction status → the integration status in NetSuite and the warehouse (README
"Vendor Central"). Same shape as `defs/returns/`; partitioned vendor account × day."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.vendor import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
