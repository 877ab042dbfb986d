"""Which Amazon report feeds which partition, and the documents exactly as downloaded.

Report documents are downloaded once per report (getReportDocument allows one call a minute after a burst of 15),
kept byte for byte under `data/reports/`, and registered in the `amazon_reports` table. Every storefront-day a report
covers is then read from that file, so a 14-day backfill costs one createReport and one download per seller account,
not one per partition.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import duckdb

from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.settings import data_dir

TERMINAL_STATUSES = ("DONE", "CANCELLED", "FATAL")


def reports_dir() -> Path:
    return data_dir() / "reports"


def naive_utc(value: datetime | None) -> datetime | None:
    """Warehouse timestamps are naive UTC (tz-aware partition columns corrupt partition deletes)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class RegisteredReport:
    report_id: str
    seller_account: str
    processing_status: str
    data_start_time: datetime | None
    data_end_time: datetime | None
    created_time: datetime
    report_document_id: str | None
    document_path: str | None
    charset: str | None


_COLUMNS = (
    "report_id, seller_account, processing_status, data_start_time, data_end_time, created_time, "
    "report_document_id, document_path, charset"
)


def record_report(con: duckdb.DuckDBPyConnection, seller_account: str, report) -> None:
    """Upsert what getReport(s) said about a report (status moves on; a landed document is kept)."""
    con.execute(
        """
        INSERT INTO amazon_reports (report_id, seller_account, report_type, processing_status, marketplace_ids,
            data_start_time, data_end_time, created_time, processing_end_time, report_document_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (report_id) DO UPDATE SET processing_status = excluded.processing_status,
            processing_end_time = excluded.processing_end_time, report_document_id = excluded.report_document_id
        """,
        [
            report.report_id,
            seller_account,
            report.report_type,
            report.processing_status,
            ",".join(report.marketplace_ids or []),
            naive_utc(report.data_start_time),
            naive_utc(report.data_end_time),
            naive_utc(report.created_time),
            naive_utc(report.processing_end_time),
            report.report_document_id,
        ],
    )


def get_registered(con: duckdb.DuckDBPyConnection, report_id: str) -> RegisteredReport | None:
    # fetchall, not fetchone: DuckDB refuses other work on a connection whose result was not read to the end.
    rows = con.execute(f"SELECT {_COLUMNS} FROM amazon_reports WHERE report_id = ?", [report_id]).fetchall()
    return RegisteredReport(*rows[0]) if rows else None


def find_covering_report(
    con: duckdb.DuckDBPyConnection, seller_account: str, day: date, report_type: str = ORDER_REPORT_TYPE
) -> RegisteredReport | None:
    """The newest finished report of the account whose data window covers the day (up to its creation time)."""
    start, end = (naive_utc(t) for t in day_window(day))
    row = con.execute(
        f"""
        SELECT {_COLUMNS} FROM amazon_reports
        WHERE seller_account = ? AND report_type = ? AND processing_status IN ('DONE', 'CANCELLED')
          AND data_start_time <= ? AND data_end_time >= least(?, created_time - INTERVAL 5 MINUTE)
          AND created_time >= ?
        ORDER BY created_time DESC LIMIT 1
        """,
        [seller_account, report_type, start, end, start],
    ).fetchone()
    return RegisteredReport(*row) if row else None


def land_document(
    con: duckdb.DuckDBPyConnection, report_id: str, raw: bytes, charset: str, data_rows: int | None = None
) -> Path:
    """Keep the document exactly as received (gzip-compressed if it was not) and register where it is."""
    folder = reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report_id}.tsv.gz"
    body = raw if raw[:2] == b"\x1f\x8b" else gzip.compress(raw, compresslevel=5)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(body)
    tmp.replace(path)
    con.execute(
        """UPDATE amazon_reports SET document_path = ?, document_sha256 = ?, charset = ?, data_rows = ?,
           downloaded_at = now()::TIMESTAMP WHERE report_id = ?""",
        [str(path), hashlib.sha256(raw).hexdigest(), charset, data_rows, report_id],
    )
    return path


def read_landed_document(report: RegisteredReport) -> bytes:
    """The decompressed bytes of a landed document."""
    if not report.document_path:
        raise FileNotFoundError(f"report {report.report_id} has no downloaded document yet")
    return gzip.decompress(Path(report.document_path).read_bytes())
