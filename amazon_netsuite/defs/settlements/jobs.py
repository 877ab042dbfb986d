"""The settlements flow's jobs: `settlement_documents_job` lands the documents Amazon listed and finds each one's
storefront-day; `settlements_job` imports one storefront-day from the settlement reports to lines, matches and GL
summary, with every gate; `settlement_posting_job` posts what passed them."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow

TAGS = {"flow": "settlements"}

settlement_documents_job = dg.define_asset_job(
    "settlement_documents_job",
    selection=dg.AssetSelection.assets("settlement_documents"),
    description="Download and read the settlement reports Amazon listed; record each one's storefront-day, or why "
                "it cannot be used.",
    tags=TAGS,
)

settlements_job = dg.define_asset_job(
    "settlements_job",
    selection=dg.AssetSelection.assets("settlements", "settlement_lines", "settlement_line_quarantine",
                                       "settlement_line_matches", "settlement_gl_summary", "settlement_line_accounts",
                                       "settlement_reconciliation"),
    description="Import one storefront-day's settlements: reports, lines, matches to NetSuite, GL summary, gates.",
    tags=TAGS,
)

settlement_posting_job = dg.define_asset_job(
    "settlement_posting_job",
    selection=dg.AssetSelection.assets("settlement_gl_postings"),
    description="Post one storefront-day's settlements to NetSuite (those that passed every gate).",
    tags=TAGS,
)


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions(jobs=[settlement_documents_job, settlements_job, settlement_posting_job])
