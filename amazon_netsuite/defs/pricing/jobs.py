"""The pricing flow's job: compute one storefront-day's price list and push what changed."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

pricing_job = dg.define_asset_job(
    "pricing_job",
    selection=dg.AssetSelection.assets("price_list", "price_feed_submissions"),
    description="Compute today's price list of one storefront from NetSuite and push the prices that changed, unless "
                "the gate refuses (run it with the tag pricing/override_gate: true to push a refused list once).",
    tags={"flow": "pricing"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[pricing_job])
