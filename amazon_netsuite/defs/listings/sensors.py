"""When NetSuite's items change, publish them: a new item or matrix family, edited content or a retired item reaches
Amazon within minutes. The cursor is the newest item edit and the item count (`lib/netsuite/watermarks.item_watermark`);
the run sends only what changed, so an edit that changes no listing costs a read and no submission."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.listings.jobs import listings_job
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.defs.resources import NetSuite
from amazon_netsuite.lib import postings


def definitions(flow: Flow) -> dg.Definitions:
    publishing = [s.key for s in flow.settings.storefronts if flow.settings.listings_published(s.key)]

    @dg.sensor(name="netsuite_item_changes", job=listings_job, minimum_interval_seconds=120,
               default_status=flow.sensor_status,
               description="Starts today's listings run of each publishing storefront when NetSuite's items changed.")
    def netsuite_item_changes(context: dg.SensorEvaluationContext, netsuite: NetSuite) -> dg.SensorResult:
        from amazon_netsuite.lib.netsuite.watermarks import item_watermark

        with netsuite.client() as client:
            watermark = item_watermark(client)
        if watermark is None:
            return dg.SensorResult(skip_reason="NetSuite has no item yet")
        if context.cursor == watermark:
            return dg.SensorResult(skip_reason=f"no item change since {watermark}")
        day = postings.utc_now().date()
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"{watermark}|{partition_key(storefront, day)}",
                                        partition_key=partition_key(storefront, day)) for storefront in publishing],
            cursor=watermark)

    return dg.Definitions(sensors=[netsuite_item_changes])
