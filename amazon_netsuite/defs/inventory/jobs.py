"""The inventory flow's jobs: snapshot, compute and push one storefront's quantities; load a day's FBA ledger and
post its adjustments."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

TAGS = {"flow": "inventory"}

inventory_job = dg.define_asset_job(
    "inventory_job",
    selection=dg.AssetSelection.assets("netsuite_inventory_snapshot", "netsuite_kit_members",
                                       "fba_inventory_snapshot", "available_to_sell", "inventory_feed_submissions"),
    description="Take today's NetSuite and FBA snapshots of one storefront, compute what Amazon should show and push "
                "what changed, unless the gate refuses (run it with the tag inventory/override_gate: true to push "
                "a refused snapshot once).",
    tags=TAGS,
)

fba_ledger_job = dg.define_asset_job(
    "fba_ledger_job",
    selection=dg.AssetSelection.assets("fba_inventory_ledger", "fba_inventory_adjustments_posted"),
    description="Load one storefront-day of Amazon's FBA ledger and post the NetSuite adjustments it calls for.",
    tags=TAGS,
)


fba_adjustments_job = dg.define_asset_job(
    "fba_adjustments_job",
    selection=dg.AssetSelection.assets("fba_inventory_adjustments_posted"),
    description="Post one storefront-day's FBA adjustments (and the FBA location's opening balance) again from the "
                "ledger already loaded: what NetSuite refused before goes through once its item exists.",
    tags=TAGS,
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[inventory_job, fba_ledger_job, fba_adjustments_job])
