"""What the pricing flow writes: the changed prices to Amazon (`price_feed_submissions`).

Nobody needs to launch it: `pricing_automation` (running by default, switched by the pricing flow) pushes today's
prices of a storefront once its price list was computed again and the gate passed.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.pricing.assets import OVERRIDE_TAG, today
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="price_feed_submissions", deps=["price_list"], kinds={"amazon", "duckdb"},
        # Only the newest day: a price list of another day is not what Amazon should show now.
        automation_condition=post_when_loaded(look_back=None),
        description="Every price message sent to Amazon: only SKUs whose price differs from the one Amazon last "
                    "accepted, as JSON_LISTINGS_FEED `merge` patches of purchasable_offer (our_price, and the "
                    "minimum/maximum allowed prices when configured; a running sale is kept), with the processing "
                    "report's outcome; refusals go to integration_errors.")
    def price_feed_submissions(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.feeds import FeedsApi
        from amazon_netsuite.lib.amazon.listings import ListingsApi
        from amazon_netsuite.lib.pricing.run import gate_for, push_prices

        storefront, day = split_partition_key(context.partition_key)
        if day != today():
            raise dg.Failure(f"only today's prices ({today()}) are sent: a price list of {day} is not what Amazon "
                             "should show now (a future day's price goes live from that day's run)")
        settings = load_settings()
        if not (settings.flows.pricing and settings.storefront_prices(storefront).push):
            return dg.MaterializeResult(metadata={"skipped": f"price push is off for {storefront}"})
        if context.run.tags.get(OVERRIDE_TAG, "").lower() != "true":
            # Again here, so a push launched on its own cannot pass a price list the gate refused.
            with warehouse.connection() as con:
                gate = gate_for(con, settings, storefront, day)
            if not gate.passed:
                raise dg.Failure("the gate refuses this push: " + "; ".join(gate.reasons))
        with seller_central.client(settings.account_of(storefront).key) as client:
            result = push_prices(warehouse.connection, FeedsApi(client), ListingsApi(client), settings, storefront,
                                 day, postings.utc_now(), log=context.log)
        return dg.MaterializeResult(metadata={
            "messages": result.messages, "unchanged": result.unchanged, "sales_kept": result.sales_kept,
            "feeds": ", ".join(result.feeds) or "none", "feed_statuses": dict(result.statuses),
            "outcomes": dict(result.outcomes)})

    automation = flow.automation(
        "pricing_automation", price_feed_submissions,
        description="Pushes a storefront's changed prices once today's price list was computed and the gate passed.")
    return dg.Definitions(assets=[price_feed_submissions], sensors=[automation])
