"""The returns reports through the Reports API: `GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA` (returns processed at a
fulfilment centre in the window) and `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE` (MFN returns requested in the
window, at most 60 days: https://developer-docs.amazon.com/sp-api/docs/report-type-values-returns).

Rows come from `world/returns.py`. A window without returns is CANCELLED like any report without data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from amazon_netsuite.lib.amazon.returns_reports import (
    FBA_RETURNS_COLUMNS,
    FBA_RETURNS_REPORT_TYPE,
    MFN_RETURNS_COLUMNS,
    MFN_RETURNS_MAX_DAYS,
    MFN_RETURNS_REPORT_TYPE,
)
from amazon_netsuite.sandbox.seller_central.errors import invalid_input
from amazon_netsuite.sandbox.seller_central.report_store import ReportRecord
from amazon_netsuite.sandbox.world.returns import (
    fba_returns,
    fba_returns_rows,
    mfn_returns,
    mfn_returns_rows,
    returns_report_text,
)

RETURNS_REPORT_TYPES = (FBA_RETURNS_REPORT_TYPE, MFN_RETURNS_REPORT_TYPE)


def check_returns_window(report_type: str, start: datetime, end: datetime) -> None:
    """Refuse an MFN returns report spanning more than 60 days (Amazon's exact answer is not verified)."""
    if report_type == MFN_RETURNS_REPORT_TYPE and end - start > timedelta(days=MFN_RETURNS_MAX_DAYS):
        raise invalid_input(
            "Invalid input",
            f"{MFN_RETURNS_REPORT_TYPE} covers at most {MFN_RETURNS_MAX_DAYS} days between dataStartTime and "
            "dataEndTime",
        )


def returns_document_text(state, report: ReportRecord, as_of: datetime) -> str | None:
    """The report file's text, or None when no return qualifies."""
    args = (state.world, report.seller_account, report.marketplace_ids, report.data_start_time,
            report.data_end_time)
    if report.report_type == FBA_RETURNS_REPORT_TYPE:
        rows = fba_returns_rows(fba_returns(*args))
        return returns_report_text(FBA_RETURNS_COLUMNS, rows) if rows else None
    rows = mfn_returns_rows(state.world, mfn_returns(*args), as_of)
    return returns_report_text(MFN_RETURNS_COLUMNS, rows) if rows else None
