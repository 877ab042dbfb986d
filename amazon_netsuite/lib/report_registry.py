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

from amazon_netsuite.lib.orders.columns import REPORT_TYPE
from amazon_netsuite.lib.settings import data_dir

ORDER_REPORT_TYPE = REPORT_TYPE
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
    row = con.execute(f"SELECT {_COLUMNS} FROM amazon_reports WHERE report_id = ?", [report_id]).fetchone()
    return RegisteredReport(*row) if row else None


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


class ReportUnavailable(RuntimeError):
    """A report that cannot feed a partition (FATAL, or still processing when we gave up)."""


@dataclass
class ReportSource:
    """Finds, requests and downloads the order reports that feed storefront-day partitions."""

    reports_api: object  # lib.amazon.reports.ReportsApi
    connection: object  # a callable returning a context-managed warehouse connection
    seller_account: str
    marketplace_ids: list[str]
    poll_seconds: float = 15.0
    wait_timeout: float = 1800.0
    log: object = None

    def _info(self, message: str) -> None:
        if self.log is not None:
            self.log.info(message)

    def for_day(self, day: date, now: datetime, report_id: str | None = None) -> RegisteredReport:
        """The report to read for one day: the one named (by the sensor), a covering one we know, or a new one."""
        if report_id:
            return self.load(report_id)
        with self.connection() as con:
            known = find_covering_report(con, self.seller_account, day)
        if known is None:
            self._record_listed(day)
            with self.connection() as con:
                known = find_covering_report(con, self.seller_account, day)
        if known is None:
            start, end = day_window(day)
            # Amazon rejects data end times in the future; stay a couple of minutes behind its clock.
            end = min(end, now - timedelta(minutes=2))
            new_id = self.reports_api.create_report(ORDER_REPORT_TYPE, self.marketplace_ids, start, end)
            self._info(f"requested order report {new_id} for {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC")
            return self.load(new_id)
        self._info(f"using order report {known.report_id} ({known.processing_status}) already known for {day}")
        return self._ensure_landed(known)

    def load(self, report_id: str) -> RegisteredReport:
        """Wait for a report to finish, register it and download its document once."""
        return self._ensure_landed(self._refresh(report_id))

    def _record_listed(self, day: date) -> None:
        start, _ = day_window(day)
        listed = list(
            self.reports_api.get_reports(
                [ORDER_REPORT_TYPE], processing_statuses=["DONE", "CANCELLED"], created_since=start
            )
        )
        with self.connection() as con:
            for report in listed:
                record_report(con, self.seller_account, report)

    def _refresh(self, report_id: str) -> RegisteredReport:
        with self.connection() as con:
            known = get_registered(con, report_id)
        if known is not None and known.processing_status in TERMINAL_STATUSES:
            return known
        report = self.reports_api.wait_for_report(report_id, poll_seconds=self.poll_seconds, timeout=self.wait_timeout)
        with self.connection() as con:
            record_report(con, self.seller_account, report)
            return get_registered(con, report_id)

    def _ensure_landed(self, report: RegisteredReport) -> RegisteredReport:
        if report.processing_status == "FATAL":
            raise ReportUnavailable(
                f"order report {report.report_id} of {self.seller_account} ended FATAL (Amazon does this when a report "
                "is requested too often); the hourly request retries after a cool-down, or re-run this partition later"
            )
        if report.processing_status != "DONE" or report.document_path:
            return report
        from amazon_netsuite.lib.amazon.errors import ReportDocumentError

        for attempt in (1, 2):  # a damaged download (cut-off gzip) is fetched once more before giving up
            try:
                downloaded = self.reports_api.download_report_document(
                    report.report_document_id, report_id=report.report_id
                )
                break
            except ReportDocumentError as exc:
                if attempt == 2:
                    raise ReportUnavailable(
                        f"order report {report.report_id} of {self.seller_account}: the document could not be "
                        f"read twice in a row: {exc}"
                    ) from exc
                self._info(f"report {report.report_id}: {exc}; downloading again")
        with self.connection() as con:
            land_document(con, report.report_id, downloaded.raw, downloaded.charset)
            return get_registered(con, report.report_id)


FATAL_COOL_DOWN = timedelta(minutes=30)


@dataclass(frozen=True)
class RequestDecision:
    action: str  # "create" | "reuse" | "cool_down"
    reason: str
    report_id: str | None = None
    window: tuple[datetime, datetime] | None = None


def decide_order_report_request(recent_reports, now: datetime, cool_down: timedelta = FATAL_COOL_DOWN) -> RequestDecision:
    """Hourly: reuse a report of the type still in flight, hold off after a recent FATAL, else ask for a new one.

    The window runs from the start of yesterday (UTC) so the day that just ended is read once more after its last
    changes, to two minutes before now (Amazon rejects end times at or after its own clock).
    """
    newest_first = sorted(recent_reports, key=lambda r: r.created_time, reverse=True)
    for report in newest_first:
        status = str(getattr(report.processing_status, "value", report.processing_status))
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return RequestDecision("reuse", f"report {report.report_id} is still {status}", report.report_id)
        if status == "FATAL" and now - report.created_time < cool_down:
            return RequestDecision(
                "cool_down",
                f"report {report.report_id} ended FATAL at {report.created_time:%H:%M} UTC; "
                f"requesting again after {cool_down} cool-down",
                report.report_id,
            )
        if status in ("DONE", "CANCELLED"):
            break  # the newest settled report is fine; an older FATAL does not hold us back
    start = datetime.combine(now.date() - timedelta(days=1), time.min, tzinfo=timezone.utc)
    return RequestDecision("create", "no order report in flight", window=(start, now - timedelta(minutes=2)))
