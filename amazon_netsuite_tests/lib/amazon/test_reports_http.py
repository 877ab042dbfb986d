"""Reports API 2021-06-30 over HTTP against the Seller Central sandbox: lifecycle, paging, faults, downloads."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest

from amazon_netsuite.lib.amazon import (
    Forbidden,
    InvalidInput,
    NotFound,
    ProcessingStatus,
    QuotaExceeded,
    ReportsApi,
)

from .conftest import ORDER_REPORT, US, advance_world_clock, connection_to, set_faults

YESTERDAY = datetime(2026, 11, 19, tzinfo=timezone.utc)
TODAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


def _finished(reports: ReportsApi, report_id: str):
    return reports.wait_for_report(report_id, poll_seconds=0.05, timeout=15)


def test_an_order_report_goes_to_done_and_its_cp1252_gzip_document_decodes(sandbox, reports):
    report_id = reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    report = _finished(reports, report_id)
    assert report.processing_status is ProcessingStatus.DONE
    assert (report.report_id, report.report_type, report.marketplace_ids) == (report_id, ORDER_REPORT, [US])
    assert (report.data_start_time, report.data_end_time) == (YESTERDAY, TODAY)
    assert report.created_time.tzinfo is not None and report.report_document_id

    downloaded = reports.download_report_document(report.report_document_id, report_id=report_id)

    stored = sandbox.state.reports.document(report.report_document_id).path.read_bytes()
    assert downloaded.raw == gzip.decompress(stored)
    assert downloaded.text == downloaded.raw.decode("cp1252")
    assert (downloaded.charset, downloaded.declared_charset, downloaded.compression_algorithm) == (
        "cp1252",
        "Cp1252",
        "GZIP",
    )
    assert (downloaded.report_document_id, downloaded.report_id) == (report.report_document_id, report_id)
    header, *rows = downloaded.text.splitlines()
    assert header.split("\t")[:3] == ["amazon-order-id", "merchant-order-id", "purchase-date"]
    assert rows and all(row.count("\t") == header.count("\t") for row in rows)
    # Characters that exist in Windows-1252 but not in Latin-1 survive: the declared charset was honoured.
    assert set(downloaded.text) & {"–", "’", "™", "€"}


def test_fatal_and_cancelled_reports_are_statuses_not_exceptions(sandbox, reports):
    set_faults(sandbox, fatal_next=1, cancelled_next=1)
    fatal = _finished(reports, reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY))
    cancelled = _finished(reports, reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY))
    assert (fatal.processing_status, fatal.report_document_id) == (ProcessingStatus.FATAL, None)
    assert (cancelled.processing_status, cancelled.report_document_id) == (ProcessingStatus.CANCELLED, None)
    assert fatal.is_terminal and cancelled.is_terminal


def test_a_report_without_data_ends_cancelled(reports):
    report = _finished(reports, reports.create_report(ORDER_REPORT, [US], datetime(2020, 1, 1, tzinfo=timezone.utc),
                                                      datetime(2020, 1, 2, tzinfo=timezone.utc)))
    assert report.processing_status is ProcessingStatus.CANCELLED


def test_a_queued_report_can_be_cancelled_but_a_finished_one_cannot(start_sandbox, settings, make_client, retry_sleeps):
    slow = start_sandbox(report_delay_seconds=30)
    reports = ReportsApi(make_client(connection_to(slow, settings)))
    report_id = reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    reports.cancel_report(report_id)
    assert reports.get_report(report_id).processing_status is ProcessingStatus.CANCELLED
    with pytest.raises(InvalidInput, match="only IN_QUEUE reports can be cancelled"):
        reports.cancel_report(report_id)
    assert retry_sleeps.waits == []


def test_get_reports_pages_with_next_token_alone(sandbox, client, reports):
    created = [reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY) for _ in range(5)]
    listed = list(reports.get_reports([ORDER_REPORT], marketplace_ids=[US], page_size=2))
    assert sorted(r.report_id for r in listed) == sorted(created)  # 3 pages, nothing lost or repeated
    # Filters apply to every page: the token carries them, since Amazon refuses it next to other parameters.
    assert list(reports.get_reports([ORDER_REPORT], marketplace_ids=["A2EUQ1WTGCTBG2"], page_size=2)) == [
        r for r in listed if "A2EUQ1WTGCTBG2" in (r.marketplace_ids or [])
    ]
    first = client.request("getReports", "GET", "/reports/2021-06-30/reports",
                           params={"reportTypes": [ORDER_REPORT], "pageSize": 2})
    with pytest.raises(InvalidInput, match="nextToken must be the only parameter"):
        client.request("getReports", "GET", "/reports/2021-06-30/reports",
                       params={"nextToken": first.next_token, "reportTypes": [ORDER_REPORT]})


def test_get_reports_filters_by_status(reports):
    done = reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    _finished(reports, done)
    assert [r.report_id for r in reports.get_reports([ORDER_REPORT], processing_statuses=["DONE"])] == [done]
    assert list(reports.get_reports([ORDER_REPORT], processing_statuses=[ProcessingStatus.FATAL])) == []


def test_a_429_storm_is_ridden_out_by_backing_off(sandbox, reports, retry_sleeps):
    report_id = reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    set_faults(sandbox, throttle_rate=0.5)
    assert [reports.get_report(report_id).report_id for _ in range(10)] == [report_id] * 10
    assert len(retry_sleeps.waits) >= 3  # the sandbox's seeded dice throttle about half of the calls


def test_server_errors_are_retried(sandbox, reports, retry_sleeps):
    report_id = reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    set_faults(sandbox, error_rate=0.5)
    assert [reports.get_report(report_id).report_id for _ in range(10)] == [report_id] * 10
    assert len(retry_sleeps.waits) >= 3


def test_timeouts_are_retried(sandbox, settings, make_client, retry_sleeps):
    reports = ReportsApi(make_client(connection_to(sandbox, settings), timeout=0.3))
    report_id = reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    set_faults(sandbox, timeout_rate=0.5, timeout_seconds=2)
    assert [reports.get_report(report_id).report_id for _ in range(8)] == [report_id] * 8
    assert retry_sleeps.waits, "no call timed out: the fault dice changed"


def test_throttling_that_never_ends_surfaces_after_the_bounded_attempts(sandbox, settings, make_client, retry_sleeps):
    reports = ReportsApi(make_client(connection_to(sandbox, settings), max_attempts=3))
    set_faults(sandbox, throttle_rate=1.0)
    with pytest.raises(QuotaExceeded) as raised:
        reports.get_report("50000000001")
    assert len(retry_sleeps.waits) == 2
    assert raised.value.request_id and "getReport (seller account demo-na)" in str(raised.value)


def test_bad_input_and_unknown_reports_are_raised_without_retrying(reports, retry_sleeps):
    with pytest.raises(InvalidInput) as bad:
        reports.get_report("not-a-report-id")
    with pytest.raises(NotFound):
        reports.get_report("59999999999")
    with pytest.raises(InvalidInput, match="not allowed"):
        reports.create_report("GET_NOT_A_REAL_REPORT", [US])
    assert bad.value.status == 400 and bad.value.request_id
    assert retry_sleeps.waits == []


def test_the_rate_limit_header_updates_the_bucket(client, reports):
    reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY)
    # The sandbox reports its scaled plan (0.0167/s x 100); the client adopts the server's figure.
    assert client.rate_limiter.bucket("createReport").rate == pytest.approx(1.67)


def test_a_document_url_expires_after_five_minutes_and_a_fresh_one_is_fetched(sandbox, client, reports):
    report = _finished(reports, reports.create_report(ORDER_REPORT, [US], YESTERDAY, TODAY))
    stale = reports.get_report_document(report.report_document_id)
    advance_world_clock(sandbox, 301)
    with pytest.raises(Forbidden) as expired:
        client.download(stale.url, operation="download of a stale URL")
    assert [(e.code, e.message) for e in expired.value.errors] == [("AccessDenied", "Request has expired")]
    assert reports.download_report_document(report.report_document_id).text.startswith("amazon-order-id\t")
