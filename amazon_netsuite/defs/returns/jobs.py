"""The returns flow's job: land one storefront-day of both returns reports and post their returns."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

returns_job = dg.define_asset_job(
    "returns_job",
    selection=dg.AssetSelection.assets("fba_customer_returns", "mfn_returns", "return_receipts_posted")
    .required_multi_asset_neighbors(),
    description="Load one storefront-day of Amazon's FBA and MFN returns and post their NetSuite return "
                "authorizations and item receipts.",
    tags={"flow": "returns"},
)


return_posting_job = dg.define_asset_job(
    "return_posting_job",
    selection=dg.AssetSelection.assets("return_receipts_posted"),
    description="Post one storefront-day of landed returns to NetSuite again (the retry of refused ones).",
    tags={"flow": "returns"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[returns_job, return_posting_job])
