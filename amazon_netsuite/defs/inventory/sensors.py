"""When NetSuite's stock changes, push it: a sale in another channel, a receipt or a count reaches Amazon within
minutes, not at the next hourly run.

The mark is NetSuite's newest `lastquantityavailablechange` (SuiteQL `inventoryitemlocations`); a tick that finds
a newer one starts today's inventory run of every storefront that pushes. The run sends only what changed, so a
tick that fires for a change no storefront sells costs a snapshot and no messages.
"""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.inventory.jobs import inventory_job


def _stock_watermark(client) -> str | None:
    from amazon_netsuite.lib.inventory.netsuite_stock import last_stock_change

    changed = last_stock_change(client)
    return None if changed is None else changed.isoformat()


def definitions(flow: Flow) -> dg.Definitions:
    pushing = [s for s in flow.storefronts if flow.settings.inventory_pushed(s)]
    return dg.Definitions(sensors=[flow.netsuite_changes(
        "netsuite_stock_changes", inventory_job, pushing, _stock_watermark, interval_seconds=60,
        description="Starts today's inventory run of each pushing storefront when NetSuite's stock changed.")])
