"""Fault knobs (at start and through /_sandbox/faults), the world clock, and the sandbox's own order truth."""

from __future__ import annotations

import gzip
import time
from datetime import date

import httpx
import pytest

from amazon_netsuite.sandbox.config import Faults, parse_faults
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import ORDER_REPORT_TYPE, order_summary

from .conftest import NOW
from .helpers import DOCUMENTS, REPORTS, assert_conforms, order_report_request, seller_client, wait_for_report

DAY = ("2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z")


def set_faults(url: str, **knobs) -> dict:
    response = httpx.post(f"{url}/_sandbox/faults", json=knobs)
    assert response.status_code == 200, response.text
    return response.json()


def test_faults_parse_from_the_command_line():
    assert parse_faults("throttle_rate=0.1, fatal_next=2") == Faults(throttle_rate=0.1, fatal_next=2)
    assert parse_faults('{"error_rate": 0.5}').error_rate == 0.5
    assert parse_faults("") == Faults()
    with pytest.raises(ValueError):
        parse_faults("throttle_rate")
    with pytest.raises(ValueError):
        parse_faults("no_such_knob=1")


def test_faults_given_at_start_apply_from_the_first_call(sandbox_config):
    config = sandbox_config.model_copy(update={"faults": Faults(throttle_rate=1.0)})
    with start_in_thread(config) as sandbox:
        http = seller_client(sandbox.url)  # the token endpoint is not subject to faults
        response = http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE})
        assert response.status_code == 429
        assert_conforms(response, "getReports")


def test_faults_can_be_read_and_changed_while_running(sandbox):
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json() == Faults().model_dump()
    assert set_faults(sandbox.url, error_rate=1.0)["error_rate"] == 1.0
    http = seller_client(sandbox.url)
    statuses = set()
    for _ in range(8):
        response = http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE})
        assert_conforms(response, "getReports")
        statuses.add(response.status_code)
    assert statuses == {500, 503}
    assert set_faults(sandbox.url, error_rate=0)["error_rate"] == 0
    assert http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE}).status_code == 200
    bad = httpx.post(f"{sandbox.url}/_sandbox/faults", json={"throttle_rate": 2})
    assert bad.status_code == 400 and "throttle_rate" in bad.json()["error"]
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"typo": 1}).status_code == 400


def test_the_next_reports_can_be_made_fatal_or_cancelled(sandbox):
    set_faults(sandbox.url, fatal_next=1, cancelled_next=1)
    http = seller_client(sandbox.url)
    outcomes = []
    for _ in range(3):
        report_id = http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]
        outcomes.append(wait_for_report(http, report_id))
    assert [r["processingStatus"] for r in outcomes] == ["FATAL", "CANCELLED", "DONE"]
    assert "reportDocumentId" not in outcomes[0] and "reportDocumentId" not in outcomes[1]
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["fatal_next"] == 0


def test_malformed_rows_reach_the_report_document(sandbox):
    set_faults(sandbox.url, malformed_rows=0.5)
    http = seller_client(sandbox.url)
    report = wait_for_report(http, http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"])
    url = http.get(f"{DOCUMENTS}/{report['reportDocumentId']}").json()["url"]
    lines = gzip.decompress(httpx.get(url).content).decode("cp1252").splitlines()
    widths = {len(line.split("\t")) for line in lines}
    assert 34 in widths and widths - {34}, "some lines lost or gained fields"
    assert any("\tN/A\t" in line or "\t12.3O\t" in line or "\t#VALUE!\t" in line for line in lines)


def test_latency_and_hanging_calls(sandbox):
    http = seller_client(sandbox.url)
    set_faults(sandbox.url, latency_ms=150)
    started = time.perf_counter()
    assert http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE}).status_code == 200
    assert time.perf_counter() - started >= 0.15
    set_faults(sandbox.url, latency_ms=0, timeout_rate=1.0, timeout_seconds=0.3)
    slow = http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE})
    assert slow.status_code == 503
    assert_conforms(slow, "getReports")
    set_faults(sandbox.url, timeout_seconds=30)
    with pytest.raises(httpx.ReadTimeout):
        http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE}, timeout=0.3)


def test_stopping_releases_a_hanging_call_at_once(sandbox_config):
    sandbox = start_in_thread(sandbox_config.model_copy(update={"faults": Faults(timeout_rate=1.0)}))
    http = seller_client(sandbox.url)
    with pytest.raises(httpx.ReadTimeout):
        http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE}, timeout=0.2)
    started = time.perf_counter()
    sandbox.stop()
    assert time.perf_counter() - started < 3


def test_health_reports_the_world(sandbox):
    health = httpx.get(f"{sandbox.url}/_sandbox/health").json()
    assert health["status"] == "ok" and health["seed"] == 7
    assert health["now"] == NOW.isoformat() and health["clock_frozen"] is True
    assert health["first_day"] == "2026-11-06"
    assert health["storefronts"] == ["demo-US", "demo-CA", "demo-DE", "demo-FR"]
    assert health["vendor_accounts"] == [{"key": "demo-vendor", "vendor_code": "DEMOV"}]


def test_the_clock_can_be_set_advanced_and_let_run(sandbox):
    url = f"{sandbox.url}/_sandbox/clock"
    assert httpx.get(url).json() == {"now": NOW.isoformat(), "frozen": True}
    assert httpx.post(url, json={"advance_seconds": 3600}).json()["now"] == "2026-11-20T13:00:00+00:00"
    assert httpx.post(url, json={"now": "2026-11-21T08:00:00Z"}).json()["now"] == "2026-11-21T08:00:00+00:00"
    running = httpx.post(url, json={"frozen": False}).json()
    assert running["frozen"] is False and running["now"].startswith("2026-11-21T08:00")
    assert httpx.post(url, json={"now": "not a time"}).status_code == 400


def test_a_report_is_computed_as_of_the_world_clock(sandbox):
    http = seller_client(sandbox.url)
    window = ("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")
    noon = wait_for_report(http, http.post(REPORTS, json=order_report_request(*window)).json()["reportId"])
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": "2026-11-20T23:00:00Z"})
    night = wait_for_report(http, http.post(REPORTS, json=order_report_request(*window)).json()["reportId"])

    def shipped(report: dict) -> int:
        url = http.get(f"{DOCUMENTS}/{report['reportDocumentId']}").json()["url"]
        text = gzip.decompress(httpx.get(url).content).decode("cp1252")
        return sum("\tShipped\t" in line for line in text.splitlines())

    assert night["processingEndTime"] == "2026-11-20T23:00:00+00:00"
    assert shipped(night) > shipped(noon)


def test_orders_summary_is_the_worlds_own_count(sandbox, world):
    response = httpx.get(f"{sandbox.url}/_sandbox/orders/summary",
                         params={"storefront": "demo-CA", "from": "2026-11-14", "to": "2026-11-20"})
    assert response.status_code == 200
    assert response.json() == order_summary(world, "demo-CA", date(2026, 11, 14), date(2026, 11, 20), NOW)
    assert response.json()["orders"] > 500 and response.json()["currency"] == "CAD"
    earlier = httpx.get(f"{sandbox.url}/_sandbox/orders/summary",
                        params={"storefront": "demo-CA", "from": "2026-11-20", "to": "2026-11-20",
                                "as_of": "2026-11-20T06:00:00+00:00"}).json()
    assert earlier["orders"] < response.json()["days"][-1]["orders"]
    assert httpx.get(f"{sandbox.url}/_sandbox/orders/summary", params={"storefront": "nope"}).status_code == 400
