"""One storefront-day of a returns report: requested, parsed, and its rows and quarantine written to the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from amazon_netsuite.lib.amazon.returns_reports import (
    FBA_RETURNS_COLUMNS,
    FBA_RETURNS_REPORT_TYPE,
    MFN_RETURNS_COLUMNS,
    MFN_RETURNS_REPORT_TYPE,
)
from amazon_netsuite.lib.returns.reports import parse_fba_returns, parse_mfn_returns
from amazon_netsuite.lib.warehouse.writes import replace_partition

_REPORTS = {"fba": ("fba_customer_returns", FBA_RETURNS_REPORT_TYPE, parse_fba_returns, FBA_RETURNS_COLUMNS),
            "mfn": ("mfn_returns", MFN_RETURNS_REPORT_TYPE, parse_mfn_returns, MFN_RETURNS_COLUMNS)}


class ReturnsReportUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Landed:
    report_id: str
    rows: int
    quarantined: int


def land_returns(connect, api, report: str, storefront: str, marketplace_id: str, day: date, start: datetime,
                 end: datetime, *, poll_seconds: float = 0.5) -> Landed:
    """Request `report` ("fba" or "mfn") for the storefront's marketplace over [start, end), wait for it and replace
    the day's rows and quarantine. A CANCELLED report is an empty one (Amazon cancels a report with nothing in it).
    The first poll comes soon (a day of returns is a small report); the wait grows by half each time after."""
    table_name, report_type, parse, columns = _REPORTS[report]
    report_id = api.create_report(report_type, [marketplace_id], start, end)
    done = api.wait_for_report(report_id, poll_seconds=poll_seconds, timeout=1800)
    status = done.processing_status.value
    if status == "CANCELLED":
        data, charset = ("\t".join(columns) + "\n").encode(), "utf-8"
    elif status != "DONE" or not done.report_document_id:
        raise ReturnsReportUnavailable(f"{report_type} report {report_id} ended {status}")
    else:
        document = api.download_report_document(done.report_document_id, report_id=report_id)
        data, charset = document.raw, document.charset
    rows, quarantine = parse(data, charset)
    with connect() as con:
        con.register("parsed", rows)
        written = replace_partition(con, table_name, storefront, str(day),
                                    "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, ?::VARCHAR AS report_id, * "
                                    "FROM parsed", params=[storefront, day, report_id])
        con.unregister("parsed")
        con.register("set_aside", quarantine)
        replace_partition(con, f"{table_name}_quarantine", storefront, str(day),
                          "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, ?::VARCHAR AS report_id, * "
                          "FROM set_aside", params=[storefront, day, report_id])
        con.unregister("set_aside")
    return Landed(report_id, written, quarantine.num_rows)
