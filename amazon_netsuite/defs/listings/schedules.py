"""The listings flow's schedule: every storefront's listings once a day (01:15 UTC), whatever the sensor saw, so a
refusal fixed on Amazon's side (a product type's new version) or a retry after an outage needs nobody."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.listings.jobs import listings_job


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(schedules=[flow.every_storefront(
        "listings_daily", listings_job, "15 1 * * *",
        "Reads every storefront's product master and publishes its listings, once a day.")])
