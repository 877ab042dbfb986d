"""When NetSuite's prices change, push them: a price edited in NetSuite (or a price change scheduled) reaches
Amazon within minutes, not at the next hourly run.

The mark is `netsuite_prices.price_watermark` (the newest item edit and scheduled price change, with their counts);
when it moves, today's pricing run of every pushing storefront starts. The run sends only what changed, so an item
edit that moves no price costs a price list and no messages.
"""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.pricing.jobs import pricing_job


def definitions(flow: Flow) -> dg.Definitions:
    from amazon_netsuite.lib.pricing.netsuite_prices import price_watermark

    pushing = [s for s in flow.storefronts if flow.settings.storefront_prices(s).push]
    return dg.Definitions(sensors=[flow.netsuite_changes(
        "netsuite_price_changes", pricing_job, pushing, price_watermark, interval_seconds=60,
        description="Starts today's pricing run of each pushing storefront when NetSuite's prices changed.")])
