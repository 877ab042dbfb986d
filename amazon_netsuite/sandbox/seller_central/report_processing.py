"""How a report moves IN_QUEUE → IN_PROGRESS → DONE/CANCELLED/FATAL, and what its document holds.

Progress follows real elapsed time (`report_delay_seconds`, or the `slow_report_seconds` knob for a report made
slow by `slow_next`), checked whenever the report is looked at; the content is computed as of the world clock at
the moment processing ends.
"""

from __future__ import annotations

import gzip
import random
import time
import uuid
from datetime import timedelta

import anyio.to_thread

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_REPORT_TYPE
from amazon_netsuite.sandbox.config import Faults
from amazon_netsuite.sandbox.seller_central.ledger_report import ledger_document_text
from amazon_netsuite.sandbox.seller_central.report_store import TERMINAL_STATUSES, ReportRecord
from amazon_netsuite.sandbox.seller_central.returns_reports import RETURNS_REPORT_TYPES, returns_document_text
from amazon_netsuite.sandbox.world import (
    ORDER_REPORT_TYPE,
    REPORT_CONTENT_TYPE,
    REPORT_ENCODING,
    order_report_rows,
    order_report_text,
)


def _build_document(state, report: ReportRecord, as_of, faults: Faults) -> bytes | None:
    """The gzip-compressed report file, or None when no order qualifies (Amazon then cancels the report)."""
    rng = random.Random(f"document|{state.config.seed}|{report.report_id}")
    if report.report_type == LEDGER_REPORT_TYPE:
        text = ledger_document_text(state, report)
    elif report.report_type in RETURNS_REPORT_TYPES:
        text = returns_document_text(state, report, as_of)
    elif report.report_type == ORDER_REPORT_TYPE:
        confirmed, days = state.shipments.confirmations(report.seller_account)
        rows = order_report_rows(state.world, report.seller_account, report.data_start_time, report.data_end_time,
                                 as_of, confirmed, days)
        text = order_report_text(rows, faults.malformed_rows, rng) if rows else None
    else:
        return None
    if text is None:
        return None
    # A mislabelled file: UTF-8 bytes while the download still declares Cp1252.
    encoding = "utf-8" if rng.random() < faults.wrong_charset_documents else REPORT_ENCODING
    data = gzip.compress(text.encode(encoding), compresslevel=6, mtime=0)
    if rng.random() < faults.truncated_documents:
        data = data[: len(data) // 2]
    return data


def processing_stage(created_wall: float, delay: float) -> str:
    """Where a report or feed created at `created_wall` (epoch seconds) stands after `delay` seconds of processing:
    IN_QUEUE for the first half, IN_PROGRESS for the second, then FINISHED."""
    elapsed = time.time() - created_wall
    return "IN_QUEUE" if elapsed < delay / 2 else "IN_PROGRESS" if elapsed < delay else "FINISHED"


async def refresh(state, report: ReportRecord) -> ReportRecord:
    """Bring a report's status up to date; finishing it builds and stores its document."""
    # Re-read: the caller's copy may be stale if another request cancelled or finished the report meanwhile.
    report = state.reports.get(report.seller_account, report.report_id) or report
    if report.processing_status in TERMINAL_STATUSES:
        return report
    delay = state.faults.report_delay(report.report_id, state.config.report_delay_seconds)
    stage = processing_stage(report.created_wall, delay)
    if stage == "IN_QUEUE":
        return report
    if stage == "IN_PROGRESS":
        if report.processing_status == "IN_QUEUE":
            report.processing_status = "IN_PROGRESS"
            report.processing_start_time = min(report.created_time + timedelta(seconds=delay / 2), state.clock.now())
            state.reports.save(report)
        return report
    async with state.finishing:
        current = state.reports.get(report.seller_account, report.report_id)
        if current is not None and current.processing_status in TERMINAL_STATUSES:
            return current  # finished by a concurrent request
        as_of = max(report.created_time, min(report.created_time + timedelta(seconds=delay), state.clock.now()))
        report.processing_start_time = report.processing_start_time or min(
            report.created_time + timedelta(seconds=delay / 2), as_of
        )
        report.processing_end_time = as_of
        if report.planned_outcome:
            report.processing_status = report.planned_outcome
        else:
            data = await anyio.to_thread.run_sync(_build_document, state, report, as_of, state.faults.faults)
            if data is None:
                report.processing_status = "CANCELLED"
            else:
                region = state.settings.account(report.seller_account).region
                document_id = f"amzn1.spdoc.1.4.{region}.{uuid.uuid4()}"
                state.reports.add_document(document_id, report, data, REPORT_CONTENT_TYPE)
                report.report_document_id = document_id
                report.processing_status = "DONE"
        state.reports.save(report)
        return report
