"""The settlement import job: one storefront-day from the settlement reports to lines, matches and GL summary,
with every gate. Posting is `settlement_posting_job` (posting.py), which runs once the gates passed."""

import dagster as dg

from amazon_netsuite.defs.settlements.assets import (
    TAGS,
    settlement_gl_summary,
    settlement_line_matches,
    settlement_lines,
    settlement_reports,
)

settlements_job = dg.define_asset_job(
    "settlements_job",
    selection=dg.AssetSelection.assets(settlement_reports, settlement_lines, settlement_line_matches,
                                       settlement_gl_summary),
    description="Import one storefront-day's settlements: reports, lines, matches to NetSuite, GL summary, gates.",
    tags=TAGS,
)
