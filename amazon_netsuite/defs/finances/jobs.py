"""The finances flow's job: load one storefront-day of Finances API transactions and post its refunds."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

finances_job = dg.define_asset_job(
    "finances_job",
    selection=dg.AssetSelection.assets("finance_transactions", "refunds_posted"),
    description="Load one storefront-day of Finances API transactions and post its refunds, chargebacks and A-to-z "
                "claims to NetSuite.",
    tags={"flow": "finances"},
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[finances_job])
