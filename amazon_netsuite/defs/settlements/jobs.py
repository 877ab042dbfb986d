"""The settlement import jobs: `settlement_report_documents_job` lands the documents Amazon listed and finds each
one's storefront-day; `settlements_job` imports one storefront-day from the settlement reports to lines, matches
and GL summary, with every gate. Posting is `settlement_posting_job` (posting.py), which runs once the gates
passed."""

import dagster as dg

from amazon_netsuite.defs.settlements.assets import (
    TAGS,
    settlement_gl_summary,
    settlement_line_matches,
    settlement_lines,
    settlement_report_documents,
    settlement_reports,
)

settlement_report_documents_job = dg.define_asset_job(
    "settlement_report_documents_job",
    selection=dg.AssetSelection.assets(settlement_report_documents),
    description="Download and read the settlement reports Amazon listed; record each one's storefront-day, or why "
                "it cannot be used.",
    tags=TAGS,
)

settlements_job = dg.define_asset_job(
    "settlements_job",
    selection=dg.AssetSelection.assets(settlement_reports, settlement_lines, settlement_line_matches,
                                       settlement_gl_summary),
    description="Import one storefront-day's settlements: reports, lines, matches to NetSuite, GL summary, gates.",
    tags=TAGS,
)
