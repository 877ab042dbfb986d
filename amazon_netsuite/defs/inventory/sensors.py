"""When NetSuite's stock changes, push it: a sale in another channel, a receipt or a count reaches Amazon within
minutes, not at the next hourly run.

The cursor is NetSuite's newest `lastquantityavailablechange` (SuiteQL `inventoryitemlocations`); a tick that finds
a newer one starts today's inventory run of every storefront that pushes. The run sends only what changed, so a
tick that fires for a change no storefront sells costs a snapshot and no messages. Run keys (watermark × partition)
make a re-seen watermark harmless.
"""

from datetime import datetime, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.inventory.jobs import inventory_job
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.defs.resources import NetSuite


def definitions(flow: Flow) -> dg.Definitions:
    pushing = [s.key for s in flow.settings.storefronts if flow.settings.inventory_pushed(s.key)]

    @dg.sensor(
        name="netsuite_stock_changes",
        job=inventory_job,
        minimum_interval_seconds=60,
        default_status=flow.sensor_status,
        description="Starts today's inventory run of each pushing storefront when NetSuite's stock changed.",
    )
    def netsuite_stock_changes(context: dg.SensorEvaluationContext, netsuite: NetSuite) -> dg.SensorResult:
        from amazon_netsuite.lib.inventory.netsuite_stock import last_stock_change

        with netsuite.client() as client:
            changed = last_stock_change(client)
        if changed is None:
            return dg.SensorResult(skip_reason="NetSuite reports no stock change yet")
        watermark = changed.isoformat()
        if context.cursor == watermark:
            return dg.SensorResult(skip_reason=f"no stock change since {watermark}")
        today = datetime.now(timezone.utc).date()
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"{watermark}|{partition_key(storefront, today)}",
                                        partition_key=partition_key(storefront, today)) for storefront in pushing],
            cursor=watermark)

    return dg.Definitions(sensors=[netsuite_stock_changes])
