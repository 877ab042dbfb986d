"""Reports API 2021-06-30: request a report, follow it to a terminal status, download its document."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any, Callable, Iterator, Literal, Sequence
from urllib.parse import quote

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from amazon_netsuite.lib.amazon.client import SpApiClient, iso_utc
from amazon_netsuite.lib.amazon.documents import DownloadedReport, decode_report_document
from amazon_netsuite.lib.amazon.errors import Forbidden, ReportDocumentError, ReportTimeout, SpApiError

VERSION = "2021-06-30"
BASE_PATH = f"/reports/{VERSION}"


def _utc(moment: datetime) -> datetime:
    # Amazon always sends an offset; should one be missing, the value is UTC like everything else it returns.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class ProcessingStatus(str, Enum):
    IN_QUEUE = "IN_QUEUE"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"  # cancelled on request, or automatically when there was no data to report
    FATAL = "FATAL"


TERMINAL_STATUSES = frozenset({ProcessingStatus.DONE, ProcessingStatus.CANCELLED, ProcessingStatus.FATAL})


class _ApiModel(BaseModel):
    # Attribute names are snake_case; the wire names are Amazon's camelCase.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")


class Report(_ApiModel):
    """A report as `getReport` / `getReports` describe it."""

    report_id: str
    report_type: str
    processing_status: ProcessingStatus
    created_time: UtcDateTime
    marketplace_ids: list[str] | None = None
    data_start_time: UtcDateTime | None = None
    data_end_time: UtcDateTime | None = None
    report_schedule_id: str | None = None
    processing_start_time: UtcDateTime | None = None
    processing_end_time: UtcDateTime | None = None
    report_document_id: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.processing_status in TERMINAL_STATUSES


class ReportsPage(_ApiModel):
    """One page of `getReports`."""

    reports: list[Report]
    next_token: str | None = None


class CreateReportResponse(_ApiModel):
    report_id: str


class ReportDocument(_ApiModel):
    """Where to fetch a report's content; the URL expires five minutes after it is issued."""

    report_document_id: str
    url: str
    compression_algorithm: Literal["GZIP"] | None = None


def create_report_specification(
    report_type: str,
    marketplace_ids: Sequence[str],
    data_start_time: datetime | None = None,
    data_end_time: datetime | None = None,
    report_options: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The `CreateReportSpecification` body of createReport."""
    if not marketplace_ids or len(marketplace_ids) > 25:
        raise ValueError(f"createReport takes 1 to 25 marketplace ids, got {len(marketplace_ids)}")
    body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": list(marketplace_ids)}
    if data_start_time is not None:
        body["dataStartTime"] = iso_utc(data_start_time)
    if data_end_time is not None:
        body["dataEndTime"] = iso_utc(data_end_time)
    if report_options:
        body["reportOptions"] = {str(k): str(v) for k, v in report_options.items()}
    return body


def get_reports_query(
    report_types: Sequence[str],
    processing_statuses: Sequence[ProcessingStatus | str] | None = None,
    marketplace_ids: Sequence[str] | None = None,
    created_since: datetime | None = None,
    created_until: datetime | None = None,
    page_size: int = 100,
) -> dict[str, Any]:
    """The query of the first getReports call (later pages send `nextToken` alone)."""
    if not report_types or len(report_types) > 10:
        raise ValueError(f"getReports takes 1 to 10 report types, got {len(report_types)}")
    if marketplace_ids is not None and len(marketplace_ids) > 10:
        raise ValueError(f"getReports takes at most 10 marketplace ids, got {len(marketplace_ids)}")
    if not 1 <= page_size <= 100:
        raise ValueError(f"getReports pageSize must be 1..100, got {page_size}")
    statuses = [ProcessingStatus(s).value for s in processing_statuses] if processing_statuses else None
    return {
        "reportTypes": list(report_types),
        "processingStatuses": statuses,
        "marketplaceIds": list(marketplace_ids) if marketplace_ids else None,
        "pageSize": page_size,
        "createdSince": created_since,
        "createdUntil": created_until,
    }


class ReportsApi:
    """Reports API, version 2021-06-30, over one `SpApiClient`."""

    version = VERSION

    def __init__(
        self,
        client: SpApiClient,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self._clock = clock
        self._sleep = sleep

    def create_report(
        self,
        report_type: str,
        marketplace_ids: Sequence[str],
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: dict[str, str] | None = None,
    ) -> str:
        """Request a report; returns its report id."""
        body = create_report_specification(report_type, marketplace_ids, data_start_time, data_end_time, report_options)
        response = self.client.request("createReport", "POST", f"{BASE_PATH}/reports", json=body)
        return CreateReportResponse.model_validate(response.payload).report_id

    def get_reports(
        self,
        report_types: Sequence[str],
        *,
        processing_statuses: Sequence[ProcessingStatus | str] | None = None,
        marketplace_ids: Sequence[str] | None = None,
        created_since: datetime | None = None,
        created_until: datetime | None = None,
        page_size: int = 100,
    ) -> Iterator[Report]:
        """Every matching report, newest first as Amazon orders them, across all pages."""
        params: dict[str, Any] = get_reports_query(
            report_types, processing_statuses, marketplace_ids, created_since, created_until, page_size
        )
        while True:
            response = self.client.request("getReports", "GET", f"{BASE_PATH}/reports", params=params)
            page = ReportsPage.model_validate(response.payload)
            yield from page.reports
            if not page.next_token:
                return
            # Amazon rejects nextToken combined with any other parameter.
            params = {"nextToken": page.next_token}

    def get_report(self, report_id: str) -> Report:
        response = self.client.request("getReport", "GET", f"{BASE_PATH}/reports/{_segment(report_id)}")
        return Report.model_validate(response.payload)

    def cancel_report(self, report_id: str) -> None:
        """Cancel a report that is still IN_QUEUE (Amazon refuses others with 400)."""
        self.client.request("cancelReport", "DELETE", f"{BASE_PATH}/reports/{_segment(report_id)}")

    def get_report_document(self, report_document_id: str) -> ReportDocument:
        response = self.client.request(
            "getReportDocument", "GET", f"{BASE_PATH}/documents/{_segment(report_document_id)}"
        )
        return ReportDocument.model_validate(response.payload)

    def wait_for_report(self, report_id: str, poll_seconds: float = 30.0, timeout: float = 1800.0,
                        max_poll_seconds: float = 30.0) -> Report:
        """Poll getReport until DONE, CANCELLED or FATAL; those are returned, not raised.

        The wait starts at `poll_seconds` and grows by half each time up to `max_poll_seconds`: a quick report is
        seen quickly, and one that takes Amazon many minutes costs a few calls, not one a second."""
        return poll_until_terminal(lambda: self.get_report(report_id), ReportTimeout, report_id,
                                   clock=self._clock, sleep=self._sleep, poll_seconds=poll_seconds, timeout=timeout,
                                   max_poll_seconds=max_poll_seconds)

    def download_report_document(self, report_document_id: str, *, report_id: str | None = None) -> DownloadedReport:
        """Fetch the document record and its content right away (the URL lives 5 minutes), then gunzip and decode."""
        label = f"report document {report_document_id}" + (f" (report {report_id})" if report_id else "")
        operation = f"download of {label}"
        document = self.get_report_document(report_document_id)
        try:
            try:
                response = self.client.download(document.url, operation=operation)
            except Forbidden:
                # The presigned URL expired (slow queue, clock skew): ask for a fresh one, once.
                document = self.get_report_document(report_document_id)
                response = self.client.download(document.url, operation=operation)
        except (SpApiError, httpx.DecodingError) as exc:
            # DecodingError: a `Content-Encoding: gzip` body that does not inflate (e.g. cut off in transit).
            raise ReportDocumentError(
                str(exc) if isinstance(exc, SpApiError) else f"{operation} failed: the body does not inflate ({exc})",
                report_document_id=report_document_id,
                report_id=report_id,
            ) from exc
        return decode_report_document(
            response.content,
            report_document_id=report_document_id,
            report_id=report_id,
            compression_algorithm=document.compression_algorithm,
            content_type=response.headers.get("content-type"),
            content_encoding=response.headers.get("content-encoding"),
        )


def poll_until_terminal(fetch: Callable[[], Any], timeout_error: Callable[[str, str, float], Exception], item_id: str,
                        *, clock: Callable[[], float], sleep: Callable[[float], None], poll_seconds: float,
                        timeout: float, max_poll_seconds: float) -> Any:
    """Call `fetch` until what it returns `is_terminal`; the wait grows by half each time up to `max_poll_seconds`.
    Raises `timeout_error(item_id, last status, seconds waited)` when the next wait would pass `timeout`."""
    started = clock()
    wait = poll_seconds
    while True:
        item = fetch()
        if item.is_terminal:
            return item
        waited = clock() - started
        if waited + wait > timeout:
            raise timeout_error(item_id, item.processing_status.value, waited)
        sleep(wait)
        wait = min(wait * 1.5, max(max_poll_seconds, poll_seconds))


def _segment(value: str) -> str:
    # Ids go into the path; a stray slash must not turn into another route.
    return quote(value, safe="")
