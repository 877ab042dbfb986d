"""When NetSuite's prices change, push them: a price edited in NetSuite (or a price change scheduled) reaches
Amazon within minutes, not at the next hourly run.

The cursor is `netsuite_prices.price_watermark` (the newest item edit and scheduled price change); a tick that finds
another one starts today's pricing run of every storefront. The run sends only what changed, so an item edit that
moves no price costs a price list and no messages. Run keys (watermark × partition) make a re-seen mark harmless.
"""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.defs.pricing.assets import today
from amazon_netsuite.defs.pricing.jobs import pricing_job
from amazon_netsuite.defs.resources import NetSuite


def definitions(flow: Flow) -> dg.Definitions:
    pushing = [s.key for s in flow.settings.storefronts if flow.settings.storefront_prices(s.key).push]

    @dg.sensor(name="netsuite_price_changes", job=pricing_job, minimum_interval_seconds=60,
               default_status=flow.sensor_status,
               description="Starts today's pricing run of each pushing storefront when NetSuite's prices changed.")
    def netsuite_price_changes(context: dg.SensorEvaluationContext, netsuite: NetSuite) -> dg.SensorResult:
        from amazon_netsuite.lib.pricing.netsuite_prices import price_watermark

        with netsuite.client() as client:
            watermark = price_watermark(client)
        if watermark is None:
            return dg.SensorResult(skip_reason="NetSuite has no item yet")
        if context.cursor == watermark:
            return dg.SensorResult(skip_reason=f"no price change since {watermark}")
        day = today()
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"{watermark}|{partition_key(storefront, day)}",
                                        partition_key=partition_key(storefront, day)) for storefront in pushing],
            cursor=watermark)

    return dg.Definitions(sensors=[netsuite_price_changes])
