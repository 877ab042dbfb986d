"""`GET_LEDGER_DETAIL_VIEW_DATA` through the Reports API: the FBA pool's movements in the report's window.

One row per ledger event in [dataStartTime, dataEndTime] whose country is a requested marketplace's;
`reportOptions.eventType` keeps one event type
(https://developer-docs.amazon.com/sp-api/changelog/september-2022-sp-api-release-announcement).
An unknown event type matches nothing, so the report is CANCELLED like any report without data (Amazon's answer
to an unknown value is not verified).
"""

from __future__ import annotations

from amazon_netsuite.sandbox.seller_central.report_store import ReportRecord
from amazon_netsuite.sandbox.world.fba import ledger_report_rows, ledger_report_text


def ledger_document_text(state, report: ReportRecord) -> str | None:
    """The report file's text, or None when no event qualifies."""
    rows = ledger_report_rows(state.world, report.seller_account, report.marketplace_ids, report.data_start_time,
                              report.data_end_time, report.report_options.get("eventType"))
    return ledger_report_text(rows) if rows else None
