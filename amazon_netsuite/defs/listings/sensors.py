"""When NetSuite's items change, publish them: a new item or matrix family, edited content or a retired item reaches
Amazon within minutes. The mark is the newest item edit and the item count (`lib/netsuite/watermarks.item_watermark`);
the run sends only what changed, so an edit that changes no listing costs a read and no submission."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.listings.jobs import listings_job


def definitions(flow: Flow) -> dg.Definitions:
    from amazon_netsuite.lib.netsuite.watermarks import item_watermark

    publishing = [s for s in flow.storefronts if flow.settings.listings_published(s)]
    return dg.Definitions(sensors=[flow.netsuite_changes(
        "netsuite_item_changes", listings_job, publishing, item_watermark, interval_seconds=120,
        description="Starts today's listings run of each publishing storefront when NetSuite's items changed.")])
