"""Amazon's FBA ledger report (GET_LEDGER_DETAIL_VIEW_DATA) in the report registry: one report per seller account
covers all its marketplaces and a window of days, landed once and read by each storefront-day it covers, as order
reports are (`lib/report_registry.py`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_COLUMNS, LEDGER_REPORT_TYPE
from amazon_netsuite.lib.amazon.marketplaces import country_of
from amazon_netsuite.lib.inventory.ledger import parse_ledger_report
from amazon_netsuite.lib.report_registry import (
    RegisteredReport,
    find_covering_report,
    get_registered,
    land_document,
    read_landed_document,
    record_report,
)

Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


class LedgerUnavailable(Exception):
    """The ledger report ended FATAL or CANCELLED, or has no document."""


def load_ledger_report(api, connect: Connection, seller_account: str, marketplace_ids: list[str], start: datetime,
                       end: datetime, *, poll_seconds: float = 2.0) -> RegisteredReport:
    """Request the account's ledger over [start, end), wait for it, land its document; the registered report."""
    report_id = api.create_report(LEDGER_REPORT_TYPE, marketplace_ids, start, end)
    report = api.wait_for_report(report_id, poll_seconds=poll_seconds, timeout=1800)
    with connect() as con:
        record_report(con, seller_account, report)
    if report.processing_status.value == "CANCELLED":  # Amazon cancels a report with nothing in it
        with connect() as con:
            return get_registered(con, report_id)
    if report.processing_status.value != "DONE" or not report.report_document_id:
        raise LedgerUnavailable(f"ledger report {report_id} ended {report.processing_status.value}")
    document = api.download_report_document(report.report_document_id, report_id=report_id)
    with connect() as con:
        land_document(con, report_id, document.raw, document.charset)
        return get_registered(con, report_id)


def ledger_report_for(con: duckdb.DuckDBPyConnection, seller_account: str, day: date,
                      report_id: str | None) -> RegisteredReport | None:
    """The landed report a run was given, else the newest landed one covering the day (a CANCELLED one is an
    empty ledger), else None."""
    registered = get_registered(con, report_id) if report_id else find_covering_report(
        con, seller_account, day, LEDGER_REPORT_TYPE)
    usable = registered and (registered.document_path or registered.processing_status == "CANCELLED")
    return registered if usable else None


def storefront_day_rows(report: RegisteredReport, marketplace_id: str, day: date) -> pa.Table:
    """The report's rows of one storefront-day: the marketplace's country, the event's date."""
    if report.processing_status == "CANCELLED":
        return parse_ledger_report(("\t".join(LEDGER_COLUMNS) + "\n").encode(), "utf-8")  # no movements
    table = parse_ledger_report(read_landed_document(report), report.charset)
    if not table.num_rows:
        return table
    keep = pc.and_(pc.equal(table["country"], country_of(marketplace_id) or ""),
                   pc.equal(table["event_date"], pa.scalar(day, pa.date32())))
    return table.filter(keep)
