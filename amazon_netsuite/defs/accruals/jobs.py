"""The accruals flow's job: one storefront-day's daily accrual (and on the month's last day its journal)."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

accruals_job = dg.define_asset_job(
    "accruals_job", selection=dg.AssetSelection.assets("daily_accrual", "month_end_accruals"),
    description="Write one storefront-day's daily accrual; on the month's last day upsert the month's accrual "
                "journal, which NetSuite reverses on the 1st.",
    tags={"flow": "accruals"})


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[accruals_job])
