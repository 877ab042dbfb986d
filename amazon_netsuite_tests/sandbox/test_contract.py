"""Every Reports API answer the sandbox gives has the status, headers and body the official model declares.

The model is amazon_netsuite_tests/spapi_models/reports_2021-06-30.json (Swagger 2.0, Amazon's own); bodies are validated against its
`definitions` with an OpenAPI 3.0 schema validator, formats (date-time) included.
"""

from __future__ import annotations

import httpx
import pytest
from jsonschema.exceptions import ValidationError

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import ORDER_REPORT_TYPE, demo_settings

from .conftest import NOW
from .helpers import (
    DOCUMENTS,
    REPORTS,
    US,
    Answers,
    assert_conforms,
    order_report_request,
    seller_client,
    wait_for_report,
)

DAY = ("2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z")

EXPECTED = {
    "createReport": {202, 400, 403, 429},
    "getReports": {200, 400, 403, 429},
    "getReport": {200, 400, 403, 404, 429},
    "cancelReport": {200, 400, 403, 404, 429},
    "getReportDocument": {200, 400, 403, 404, 429},
}


@pytest.fixture(scope="module")
def responses(tmp_path_factory) -> dict[str, dict[int, httpx.Response]]:
    """Drive every operation through its success, validation, auth, not-found and throttling answers."""
    config = SandboxConfig(settings=demo_settings(), state_dir=tmp_path_factory.mktemp("contract"), clock=NOW,
                           report_delay_seconds=1.0)
    seen = Answers()
    record = seen.record

    with start_in_thread(config) as sandbox:
        http = seller_client(sandbox.url)
        anonymous = httpx.Client(base_url=sandbox.url)

        created = record("createReport", http.post(REPORTS, json=order_report_request(*DAY)))
        report_id = created.json()["reportId"]
        queued_id = record("createReport", http.post(REPORTS, json=order_report_request(*DAY))).json()["reportId"]
        record("cancelReport", http.delete(f"{REPORTS}/{queued_id}"))
        document_id = wait_for_report(http, report_id)["reportDocumentId"]
        record("createReport", http.post(REPORTS, json={"reportType": ORDER_REPORT_TYPE}))
        record("createReport", anonymous.post(REPORTS, json=order_report_request(*DAY)))

        record("getReports", http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE, "pageSize": 1}))
        record("getReports", http.get(REPORTS, params={"pageSize": 5}))
        record("getReports", anonymous.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE}))

        record("getReport", http.get(f"{REPORTS}/{report_id}"))
        record("getReport", http.get(f"{REPORTS}/badReportId1"))
        record("getReport", http.get(f"{REPORTS}/12345"))
        record("getReport", anonymous.get(f"{REPORTS}/{report_id}"))

        record("cancelReport", http.delete(f"{REPORTS}/{report_id}"))  # DONE: not cancellable
        record("cancelReport", http.delete(f"{REPORTS}/12345"))
        record("cancelReport", anonymous.delete(f"{REPORTS}/{report_id}"))

        record("getReportDocument", http.get(f"{DOCUMENTS}/{document_id}"))
        record("getReportDocument", http.get(f"{DOCUMENTS}/badDocumentId1"))
        record("getReportDocument", http.get(f"{DOCUMENTS}/amzn1.spdoc.1.4.na.unknown"))
        record("getReportDocument", anonymous.get(f"{DOCUMENTS}/{document_id}"))

        # Spend every burst: createReport 15, getReports 10, getReport 15, cancelReport 10, getReportDocument 15.
        for _ in range(16):
            record("createReport", http.post(REPORTS, json=order_report_request(*DAY, marketplaces=[US])))
            record("getReports", http.get(REPORTS, params={"reportTypes": ORDER_REPORT_TYPE}))
            record("getReport", http.get(f"{REPORTS}/{report_id}"))
            record("cancelReport", http.delete(f"{REPORTS}/12345"))
            record("getReportDocument", http.get(f"{DOCUMENTS}/{document_id}"))
    return seen


@pytest.mark.parametrize(
    ("operation", "status"), [(op, status) for op, statuses in EXPECTED.items() for status in sorted(statuses)]
)
def test_the_answer_matches_the_official_model(responses, operation, status):
    assert status in responses[operation], f"{operation} never answered {status}"
    assert_conforms(responses[operation][status], operation)


def test_the_contract_check_rejects_a_body_the_model_does_not_allow(responses):
    good = responses["getReport"][200]
    broken = httpx.Response(200, json={**good.json(), "processingStatus": "WAITING"}, headers=good.headers)
    with pytest.raises(ValidationError):
        assert_conforms(broken, "getReport")
    no_created_time = {k: v for k, v in good.json().items() if k != "createdTime"}
    with pytest.raises(ValidationError):
        assert_conforms(httpx.Response(200, json=no_created_time, headers=good.headers), "getReport")
    bad_time = {**good.json(), "createdTime": "20 Nov 2026"}
    with pytest.raises(ValidationError):
        assert_conforms(httpx.Response(200, json=bad_time, headers=good.headers), "getReport")
