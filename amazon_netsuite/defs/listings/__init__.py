"""The listings flow: NetSuite's product master (items, matrix families, Amazon content fields) → the listing each
item becomes per storefront → checked with Amazon's VALIDATION_PREVIEW, then created, updated or retired. Same shape
as `defs/pricing/`."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.listings import assets, jobs, posting, schedules, sensors


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions.merge(*(module.definitions(flow) for module in (assets, posting, jobs, sensors, schedules)))
