"""What the listings flow writes: listings created, updated and retired on Amazon (`listing_submissions`).

Nobody needs to launch it: `listings_automation` (running by default, switched by the listings flow) publishes a
storefront's listings once today's product master was read again.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.listings.assets import today_only
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="listing_submissions", deps=["product_master"], kinds={"amazon", "duckdb"},
        automation_condition=post_when_loaded(look_back=None),
        description="Every listing change sent to Amazon, each checked first with VALIDATION_PREVIEW: new SKUs "
                    "created (putListingsItem, a matrix parent before its children), changed content of listings "
                    "this project created replaced attribute by attribute, retired SKUs' offers ended and quantity "
                    "0 (never deleted). Refusals go to integration_errors with the attribute names.")
    def listing_submissions(context: dg.AssetExecutionContext, warehouse: Warehouse,
                            seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.listings import ListingsApi
        from amazon_netsuite.lib.listings.run import publish_listings

        storefront, day = today_only(context)
        settings = load_settings()
        if not settings.listings_published(storefront):
            return dg.MaterializeResult(metadata={"skipped": f"listings are not published for {storefront}"})
        with seller_central.client(settings.account_of(storefront).key) as client:
            result = publish_listings(warehouse.connection, ListingsApi(client), settings, storefront, day,
                                      postings.utc_now(), log=context.log)
        return dg.MaterializeResult(metadata={**{k: int(v) for k, v in result.actions.items()},
                                              "cannot_be_listed": result.problems})

    automation = flow.automation(
        "listings_automation", listing_submissions,
        description="Publishes a storefront's listings once today's product master was read.")
    return dg.Definitions(assets=[listing_submissions], sensors=[automation])
