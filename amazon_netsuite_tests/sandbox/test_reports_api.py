"""The Reports API over HTTP: report lifecycle, documents, validation, paging and usage plans."""

from __future__ import annotations

import csv
import gzip
import io
import time
from datetime import datetime, timezone

import httpx
import pytest

from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import ORDER_REPORT_TYPE, order_report_rows

from .conftest import NOW
from .helpers import (
    CA,
    DE,
    DOCUMENTS,
    REPORTS,
    US,
    assert_conforms,
    order_report_request,
    seller_client,
    wait_for_report,
)

DAY = ("2026-11-19T00:00:00+00:00", "2026-11-20T00:00:00+00:00")


def download(http: httpx.Client, document_id: str, **params: str) -> tuple[httpx.Response, str]:
    response = http.get(f"{DOCUMENTS}/{document_id}", params=params)
    assert_conforms(response, "getReportDocument")
    document = httpx.get(response.json()["url"])
    assert document.status_code == 200, document.text
    charset = document.headers["content-type"].split("charset=")[1]
    return document, gzip.decompress(document.content).decode(charset)


def test_an_order_report_goes_from_in_queue_to_done_and_its_document_holds_the_worlds_rows(sandbox, world):
    http = seller_client(sandbox.url)
    created = http.post(REPORTS, json=order_report_request(*DAY))
    assert created.status_code == 202
    assert_conforms(created, "createReport")
    report_id = created.json()["reportId"]

    first = http.get(f"{REPORTS}/{report_id}")
    assert_conforms(first, "getReport")
    assert first.json()["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS")
    assert first.json()["createdTime"] == "2026-11-20T12:00:00+00:00"

    report = wait_for_report(http, report_id)
    assert report["processingStatus"] == "DONE"
    assert report["reportType"] == ORDER_REPORT_TYPE and report["marketplaceIds"] == [US]
    assert report["dataStartTime"] == DAY[0] and report["processingEndTime"] == "2026-11-20T12:00:00+00:00"

    response = http.get(f"{DOCUMENTS}/{report['reportDocumentId']}")
    assert response.json()["compressionAlgorithm"] == "GZIP"
    document, text = download(http, report["reportDocumentId"])
    assert document.headers["content-type"] == "text/plain; charset=Cp1252"
    assert "content-encoding" not in document.headers
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    start, end = (datetime.fromisoformat(t) for t in DAY)
    assert rows == order_report_rows(world, "demo-na", start, end, NOW)
    # The report ignores marketplaceIds: both storefronts of the account are in it.
    assert {r["sales-channel"] for r in rows} == {"Amazon.com", "Amazon.ca"}


def test_the_document_url_can_ask_for_content_encoding_gzip(sandbox):
    http = seller_client(sandbox.url)
    report = wait_for_report(http, http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"])
    document, _ = download(http, report["reportDocumentId"])
    encoded = http.get(f"{DOCUMENTS}/{report['reportDocumentId']}", params={"enableContentEncodingUrlHeader": "true"})
    fetched = httpx.get(encoded.json()["url"])
    assert fetched.headers["content-encoding"] == "gzip"
    assert fetched.content == gzip.decompress(document.content)  # httpx decompressed it


def test_a_document_url_expires_after_five_minutes(sandbox):
    http = seller_client(sandbox.url)
    report = wait_for_report(http, http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"])
    url = http.get(f"{DOCUMENTS}/{report['reportDocumentId']}").json()["url"]
    assert httpx.get(url).status_code == 200
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403
    http.post("/_sandbox/clock", json={"advance_seconds": 301})
    expired = httpx.get(url)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code>" in expired.text and "Request has expired" in expired.text
    fresh = http.get(f"{DOCUMENTS}/{report['reportDocumentId']}").json()["url"]
    assert httpx.get(fresh).status_code == 200


def test_a_window_without_orders_ends_cancelled_without_a_document(sandbox):
    http = seller_client(sandbox.url)
    created = http.post(REPORTS, json=order_report_request("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"))
    report = wait_for_report(http, created.json()["reportId"])
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report


def test_only_a_report_in_queue_can_be_cancelled(unthrottled_sandbox):
    http = seller_client(unthrottled_sandbox.url)
    report_id = http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]
    cancelled = http.delete(f"{REPORTS}/{report_id}")
    assert cancelled.status_code == 200
    assert_conforms(cancelled, "cancelReport")
    assert http.get(f"{REPORTS}/{report_id}").json()["processingStatus"] == "CANCELLED"

    done_id = http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]
    assert wait_for_report(http, done_id)["processingStatus"] == "DONE"
    refused = http.delete(f"{REPORTS}/{done_id}")
    assert refused.status_code == 400
    assert_conforms(refused, "cancelReport")
    missing = http.delete(f"{REPORTS}/99999999999")
    assert missing.status_code == 404
    assert_conforms(missing, "cancelReport")


def test_create_report_validates_the_specification(sandbox):
    http = seller_client(sandbox.url)
    bad_bodies = {
        "no marketplaceIds": {"reportType": ORDER_REPORT_TYPE},
        "no reportType": {"marketplaceIds": [US]},
        "another seller's marketplace": order_report_request(*DAY, marketplaces=[US, DE]),
        "a type the sandbox cannot create": {
            **order_report_request(*DAY), "reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
        },
        "start in the future": order_report_request("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"),
        "start after end": order_report_request("2026-11-19T00:00:00Z", "2026-11-18T00:00:00Z"),
        "not a date": order_report_request("yesterday", "2026-11-18T00:00:00Z"),
        "options not strings": {**order_report_request(*DAY), "reportOptions": {"a": 1}},
    }
    for reason, body in bad_bodies.items():
        response = http.post(REPORTS, json=body)
        assert response.status_code == 400, reason
        assert response.json()["errors"][0]["code"] == "InvalidInput"
        assert_conforms(response, "createReport")
    assert http.post(REPORTS, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    both = http.post(REPORTS, json=order_report_request(*DAY, marketplaces=[US, CA]))
    assert both.status_code == 202


def test_get_reports_filters_pages_newest_first_and_takes_next_token_alone(unthrottled_sandbox):
    http = seller_client(unthrottled_sandbox.url)
    ids = [http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]]
    assert http.delete(f"{REPORTS}/{ids[0]}").status_code == 200
    ids += [http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"] for _ in range(4)]

    seen, params = [], {"reportTypes": ORDER_REPORT_TYPE, "pageSize": "2"}
    while True:
        page = http.get(REPORTS, params=params)
        assert page.status_code == 200
        assert_conforms(page, "getReports")
        seen += [r["reportId"] for r in page.json()["reports"]]
        if "nextToken" not in page.json():
            break
        params = {"nextToken": page.json()["nextToken"]}
    assert seen == list(reversed(ids))

    cancelled = http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE, "processingStatuses": "CANCELLED"})
    assert [r["reportId"] for r in cancelled.json()["reports"]] == [ids[0]]
    other_type = http.get(REPORTS, params={"reportTypes": "GET_MERCHANT_LISTINGS_ALL_DATA"})
    assert other_type.json() == {"reports": []}
    before = http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE, "createdUntil": "2026-11-19T00:00:00Z"})
    assert before.json()["reports"] == []

    first = http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE, "pageSize": "2"}).json()
    mixed = http.get(REPORTS, params={"nextToken": first["nextToken"], "pageSize": "2"})
    assert mixed.status_code == 400
    assert_conforms(mixed, "getReports")
    for params in ({}, {"reportTypes": ORDER_REPORT_TYPE, "pageSize": "0"},
                   {"reportTypes": ORDER_REPORT_TYPE, "processingStatuses": "BAD_VALUE"}, {"nextToken": "garbage"}):
        response = http.get(REPORTS, params=params)
        assert response.status_code == 400, params
        assert_conforms(response, "getReports")


def test_the_usage_plan_answers_429_once_the_burst_is_spent(sandbox):
    http = seller_client(sandbox.url)
    params = {"reportTypes": ORDER_REPORT_TYPE}
    for _ in range(10):  # getReports: burst 10, refill 0.0222/s
        ok = http.get(REPORTS, params=params)
        assert ok.status_code == 200 and ok.headers["x-amzn-RateLimit-Limit"] == "0.0222"
    throttled = http.get(REPORTS, params=params)
    assert throttled.status_code == 429
    assert throttled.json() == {"errors": [{"code": "QuotaExceeded",
                                            "message": "You exceeded your quota for the requested resource.",
                                            "details": ""}]}
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert_conforms(throttled, "getReports")
    # Buckets are per seller account and per operation.
    assert seller_client(sandbox.url, "demo-eu").get(REPORTS, params=params).status_code == 200
    assert http.post(REPORTS, json=order_report_request(*DAY)).status_code == 202


def test_rate_scale_speeds_up_refills(sandbox_config):
    with start_in_thread(sandbox_config.model_copy(update={"rate_scale": 1000.0})) as sandbox:
        http = seller_client(sandbox.url)
        # The burst of 10 runs out; on a busy machine a few calls may refill in between, so call until it does.
        statuses = []
        while 429 not in statuses and len(statuses) < 200:
            statuses.append(http.get(REPORTS, params={"reportTypes": "X"}).status_code)
        assert statuses[-1] == 429 and len(statuses) >= 11
        time.sleep(0.1)  # 22.2 tokens a second
        refilled = http.get(REPORTS, params={"reportTypes": "X"})
        assert refilled.status_code == 200 and refilled.headers["x-amzn-RateLimit-Limit"] == "22.2"


def test_reports_and_documents_survive_a_restart(sandbox_config, world):
    with start_in_thread(sandbox_config) as sandbox:
        http = seller_client(sandbox.url)
        report_id = http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]
        before = wait_for_report(http, report_id)
        _, text_before = download(http, before["reportDocumentId"])
        token = http.headers["x-amz-access-token"]
    with start_in_thread(sandbox_config) as sandbox:
        http = httpx.Client(base_url=sandbox.url, headers={"x-amz-access-token": token})
        after = http.get(f"{REPORTS}/{report_id}").json()
        assert after == before
        _, text_after = download(http, after["reportDocumentId"])
        assert text_after == text_before
        next_id = http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]
        assert int(next_id) == int(report_id) + 1


def test_unknown_paths_answer_with_an_sp_api_error(sandbox):
    response = httpx.get(f"{sandbox.url}/orders/v0/orders")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NotFound"
    assert response.headers["x-amzn-RequestId"]
    http = seller_client(sandbox.url)
    assert_conforms(http.get(f"{REPORTS}/not-a-number"), "getReport")
    assert http.get(f"{DOCUMENTS}/amzn1.spdoc.1.4.na.missing").status_code == 404
    assert http.get(f"{DOCUMENTS}/garbage").status_code == 400


def test_report_time_zone_offsets_are_normalised_to_utc(sandbox):
    http = seller_client(sandbox.url)
    body = order_report_request("2026-11-18T19:00:00-05:00", "2026-11-19T19:00:00-05:00")
    report = wait_for_report(http, http.post(REPORTS, json=body).json()["reportId"])
    assert report["dataStartTime"] == "2026-11-19T00:00:00+00:00"
    assert report["processingStatus"] == "DONE"
    assert datetime.fromisoformat(report["createdTime"]) == NOW.astimezone(timezone.utc)


def test_document_faults_truncate_or_mislabel_the_file(sandbox):
    http = seller_client(sandbox.url)
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"truncated_documents": 1.0})
    truncated = wait_for_report(http, http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"])
    url = http.get(f"{DOCUMENTS}/{truncated['reportDocumentId']}").json()["url"]
    with pytest.raises(EOFError):
        gzip.decompress(httpx.get(url).content)

    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"truncated_documents": 0, "wrong_charset_documents": 1.0})
    mislabelled = wait_for_report(http, http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"])
    url = http.get(f"{DOCUMENTS}/{mislabelled['reportDocumentId']}").json()["url"]
    document = httpx.get(url)
    assert document.headers["content-type"] == "text/plain; charset=Cp1252"
    raw = gzip.decompress(document.content)
    assert "–".encode("utf-8") in raw and raw.decode("cp1252", errors="replace") != raw.decode("utf-8")
