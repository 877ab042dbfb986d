"""What the inventory flow writes: changed quantities to Amazon (`inventory_feed_submissions`) and Amazon's FBA
movements to NetSuite (`fba_inventory_adjustments_posted`).

Nobody needs to launch them: `inventory_automation` (running by default, switched by the inventory flow) pushes
today's quantities of a storefront once they were computed again and the gate passed, and posts a storefront-day's
FBA adjustments once its ledger loaded.
"""

from datetime import datetime, timezone

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow, counted_markdown
from amazon_netsuite.defs.inventory.assets import OVERRIDE_TAG, today_only
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib.inventory.gate import settings_gate
from amazon_netsuite.lib.postings import utc_now
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="inventory_feed_submissions", deps=["available_to_sell"], kinds={"amazon", "duckdb"},
        # Only the newest day: yesterday's quantities are out of date the moment today's exist.
        automation_condition=post_when_loaded(look_back=None),
        description="Every message sent to Amazon: only SKUs whose quantity differs from what Amazon last "
                    "accepted, as JSON_LISTINGS_FEED `merge` patches of fulfillment_availability (lead time "
                    "survives), with the processing report's outcome; refusals go to integration_errors.")
    def inventory_feed_submissions(context: dg.AssetExecutionContext, warehouse: Warehouse,
                                   seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.feeds import FeedsApi
        from amazon_netsuite.lib.amazon.listings import ListingsApi
        from amazon_netsuite.lib.inventory.push_run import push_storefront_day

        storefront, day = today_only(context)
        settings = load_settings()
        if not settings.inventory_pushed(storefront):
            return dg.MaterializeResult(metadata={"skipped": f"inventory push is off for {storefront}"})
        now = utc_now()
        if context.run.tags.get(OVERRIDE_TAG, "").lower() != "true":
            # Again here, so a push launched on its own cannot pass a snapshot the gate refused.
            with warehouse.connection() as con:
                gate = settings_gate(con, settings, storefront, day, now)
            if not gate.passed:
                raise dg.Failure("the gate refuses this push: " + "; ".join(gate.reasons))
        with seller_central.client(settings.account_of(storefront).key) as client:
            result = push_storefront_day(warehouse.connection, FeedsApi(client), ListingsApi(client), settings,
                                         storefront, day, now, log=context.log)
        return dg.MaterializeResult(metadata={
            "messages": result.messages, "unchanged": result.unchanged, "feeds": ", ".join(result.feeds) or "none",
            "feed_statuses": dict(result.statuses), "outcomes": dict(result.outcomes)})

    @flow.partitioned_asset(
        name="fba_inventory_adjustments_posted", deps=["fba_inventory_ledger"], kinds={"netsuite", "duckdb"},
        automation_condition=post_when_loaded(),
        description="One NetSuite inventory adjustment at the region's FBA location per ledger row that moves "
                    "sellable stock no other record moves (receipts, customer returns, removals, damaged, lost, "
                    "found), external id AMZ-FBA-{hash of the row}, so NetSuite's FBA quantity follows Amazon's; "
                    "and once per FBA location, when a landed ledger covers a snapshot, each SKU's opening balance "
                    "(table fba_opening_balances).")
    def fba_inventory_adjustments_posted(context: dg.AssetExecutionContext, warehouse: Warehouse,
                                         netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.inventory.fba_run import post_fba_adjustments
        from amazon_netsuite.lib.inventory.opening import post_fba_opening

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        with netsuite.client() as client:
            result = post_fba_adjustments(warehouse.connection, client, settings, storefront, day,
                                          account=netsuite.ledger_account(), log=context.log)
            opening = post_fba_opening(warehouse.connection, client, settings, storefront,
                                       account=netsuite.ledger_account(), log=context.log)
        return dg.MaterializeResult(metadata={
            "posted": result.posted, "already_posted_unchanged": result.unchanged, "failed": result.failed,
            "not_adjusted": counted_markdown(result.not_adjusted.most_common()),
            "errors_by_class": dict(result.errors_by_class),
            "opening_balance": opening.waiting or (f"{opening.skus} SKUs, {opening.units:+} units: {opening.posted} "
                                                   f"posted, {opening.unchanged} unchanged, {opening.failed} failed"
                                                   + (" (computed in this run)" if opening.computed else ""))})

    automation = flow.automation(
        "inventory_automation", inventory_feed_submissions, fba_inventory_adjustments_posted,
        description="Pushes a storefront's quantities once today's were computed and the gate passed; posts a "
                    "storefront-day's FBA adjustments once its ledger loaded.")
    return dg.Definitions(assets=[inventory_feed_submissions, fba_inventory_adjustments_posted],
                          sensors=[automation])
