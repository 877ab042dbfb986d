"""Settlement reports in the Reports API: Amazon generates them every 14 days; they are found with getReports,
read with getReport / getReportDocument, and never created (createReport answers 400, as Amazon does).

They are not stored: each is a pure function of the world and the period (world/settlements.py), so report ids,
document ids and content survive restarts. A document is built and registered on the first getReportDocument; one
built while a document fault was on (truncated, wrong charset) is built again on the next download, as a failed
transfer from Amazon is followed by a good one once the fault is gone.
"""

from __future__ import annotations

import weakref
from datetime import datetime

import anyio.to_thread

from amazon_netsuite.sandbox.seller_central.report_store import DocumentRecord, ReportRecord
from amazon_netsuite.sandbox.world.settlement_file import settlement_document
from amazon_netsuite.sandbox.world.settlements import (
    SETTLEMENT_REPORT_TYPE,
    SettlementPeriod,
    periods_available,
    settlement,
    settlement_streams,
    settlement_summary,
)

# Amazon refuses createReport for settlement types naming its internal number of the type.
_INTERNAL_NUMBERS = {SETTLEMENT_REPORT_TYPE: "1118", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE": "1117"}
SETTLEMENT_REPORT_TYPES = frozenset({*_INTERNAL_NUMBERS, "GET_V2_SETTLEMENT_REPORT_DATA_XML"})


# Documents built under a fault, per report store: downloaded again rather than served as stored.
_FAULTY: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def built_under_fault(state, document_id: str) -> bool:
    """Whether the stored settlement document was built while a document fault was on (then it is built again)."""
    return document_id in _FAULTY.get(state.reports, ())


def refusal_message(report_type: str) -> str:
    """createReport's 400 message for a settlement report type."""
    return f"Request for report type {_INTERNAL_NUMBERS.get(report_type, report_type)} is not allowed at this time"


def _record(period: SettlementPeriod) -> ReportRecord:
    return ReportRecord(
        report_id=period.report_id,
        seller_account=period.stream.account,
        report_type=SETTLEMENT_REPORT_TYPE,
        marketplace_ids=list(period.stream.marketplace_ids),
        report_options={},
        data_start_time=period.start,
        data_end_time=period.end,
        created_time=period.created,
        created_wall=0.0,
        processing_status="DONE",
        processing_start_time=period.created,
        processing_end_time=period.available,
        report_document_id=period.report_document_id,
    )


def _periods(state, account: str, as_of: datetime) -> list[SettlementPeriod]:
    streams = [s for s in settlement_streams(state.settings) if s.account == account]
    return [p for stream in streams for p in periods_available(state.world, stream, as_of)]


def settlement_reports(state, account: str, created_since: datetime, created_until: datetime) -> list[ReportRecord]:
    """The account's settlement reports that exist now and were created in [since, until], newest first."""
    periods = _periods(state, account, state.clock.now())
    found = [_record(p) for p in periods if created_since <= p.created <= created_until]
    return sorted(found, key=lambda r: r.created_time, reverse=True)


def _period_of_report(state, account: str, report_id: str) -> SettlementPeriod | None:
    return next((p for p in _periods(state, account, state.clock.now()) if p.report_id == report_id), None)


def settlement_report(state, account: str, report_id: str) -> ReportRecord | None:
    """The settlement report with that id, if the account has it and it exists yet."""
    period = _period_of_report(state, account, report_id)
    return _record(period) if period else None


async def settlement_report_document(state, account: str, document_id: str) -> DocumentRecord | None:
    """The document of one of the account's settlement reports, built and stored on first use."""
    period = next(
        (p for p in _periods(state, account, state.clock.now()) if p.report_document_id == document_id), None
    )
    if period is None:
        return None
    async with state.finishing:
        document = state.reports.document(document_id)
        faulty = _FAULTY.setdefault(state.reports, set())
        if document is None or not document.path.exists() or document_id in faulty:
            faults = state.faults.faults
            found = await anyio.to_thread.run_sync(settlement, state.world, period)
            data, content_type = await anyio.to_thread.run_sync(
                lambda: settlement_document(state.world, found, truncated=faults.truncated_documents,
                                            wrong_charset=faults.wrong_charset_documents)
            )
            state.reports.add_document(document_id, _record(period), data, content_type)
            if faults.truncated_documents or faults.wrong_charset_documents:
                faulty.add(document_id)
            else:
                faulty.discard(document_id)
            document = state.reports.document(document_id)
    return document


def settlement_truth(state, account: str | None, as_of: datetime) -> list[dict]:
    """Every settlement that exists at `as_of` (all accounts when None), oldest first, with the sandbox's figures."""
    streams = [s for s in settlement_streams(state.settings) if account is None or s.account == account]
    periods = [p for stream in streams for p in periods_available(state.world, stream, as_of)]
    periods.sort(key=lambda p: (p.created, p.stream.index))
    return [settlement_summary(settlement(state.world, p)) for p in periods]

