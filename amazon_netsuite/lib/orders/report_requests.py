"""Order reports for storefront-day partitions: finding, requesting and downloading the one that covers a day,
and the hourly decision whether to ask Amazon for a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.report_registry import (
    TERMINAL_STATUSES,
    RegisteredReport,
    day_window,
    find_covering_report,
    get_registered,
    land_document,
    record_report,
)


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
