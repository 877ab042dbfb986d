"""The client reads Amazon's own sandbox examples (the `x-amzn-api-sandbox` static responses of the official
Reports API model) and writes requests that the model's schemas accept."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from openapi_schema_validator import OAS30Validator

from amazon_netsuite.lib.amazon.client import encode_query
from amazon_netsuite.lib.amazon.errors import InvalidInput, SpApiError
from amazon_netsuite.lib.amazon.reports import (
    CreateReportResponse,
    ProcessingStatus,
    Report,
    ReportDocument,
    ReportsPage,
    create_report_specification,
    get_reports_query,
)
from amazon_netsuite_tests.conftest import REPORTS_MODEL as MODEL_FILE

USED_OPERATIONS = {"createReport", "getReports", "getReport", "cancelReport", "getReportDocument"}


def _model() -> dict:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def _examples(kind: str) -> list[tuple[str, int, dict]]:
    """(operationId, status, example) for every static sandbox example of the operations we call."""
    found = []
    for operations in _model()["paths"].values():
        for op in operations.values():
            if not isinstance(op, dict) or op.get("operationId") not in USED_OPERATIONS:
                continue
            for status, response in op["responses"].items():
                ok = status.startswith("2")
                if (kind == "success") != ok:
                    continue
                for example in response.get("x-amzn-api-sandbox", {}).get("static", []):
                    found.append((op["operationId"], int(status), example))
    return found


def _ids(examples):
    return [f"{op}-{status}-{i}" for i, (op, status, _) in enumerate(examples)]


SUCCESS = _examples("success")
ERRORS = _examples("error")


def _same_instant(model_value: datetime, wire_value: str) -> None:
    assert model_value.tzinfo is not None
    assert model_value == datetime.fromisoformat(wire_value.replace("Z", "+00:00"))


def _check_report(report: Report, wire: dict) -> None:
    assert report.report_id == wire["reportId"]
    assert report.report_type == wire["reportType"]
    assert report.processing_status == ProcessingStatus(wire["processingStatus"])
    for field in ("createdTime", "dataStartTime", "dataEndTime", "processingStartTime", "processingEndTime"):
        if field in wire:
            _same_instant(getattr(report, _snake(field)), wire[field])
    assert report.report_document_id == wire.get("reportDocumentId")
    assert report.marketplace_ids == wire.get("marketplaceIds")


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def test_every_operation_we_call_has_amazon_examples():
    assert {op for op, _, _ in SUCCESS} == USED_OPERATIONS
    assert {op for op, _, _ in ERRORS} == USED_OPERATIONS


@pytest.mark.parametrize("operation,status,example", SUCCESS, ids=_ids(SUCCESS))
def test_amazon_success_examples_parse_into_our_models(operation, status, example):
    body = example.get("response")
    if operation == "getReports":
        page = ReportsPage.model_validate(body)
        assert page.next_token == body.get("nextToken")
        assert len(page.reports) == len(body["reports"]) > 0
        for report, wire in zip(page.reports, body["reports"]):
            _check_report(report, wire)
    elif operation == "getReport":
        _check_report(Report.model_validate(body), body)
    elif operation == "createReport":
        assert status == 202
        assert CreateReportResponse.model_validate(body).report_id == body["reportId"]
    elif operation == "getReportDocument":
        document = ReportDocument.model_validate(body)
        assert document.report_document_id == body["reportDocumentId"]
        assert document.url == body["url"]
        assert document.compression_algorithm == body.get("compressionAlgorithm")
    elif operation == "cancelReport":
        # 200 with no body: the client must not expect one.
        assert body is None
    else:  # pragma: no cover - guarded by USED_OPERATIONS
        pytest.fail(f"no parser for {operation}")


@pytest.mark.parametrize("operation,status,example", ERRORS, ids=_ids(ERRORS))
def test_amazon_error_examples_become_typed_errors(operation, status, example):
    body = example["response"]
    error = SpApiError.from_body(status, body, request_id="req-1", operation=operation)
    assert isinstance(error, InvalidInput) and error.status == 400
    assert [(e.code, e.message, e.details) for e in error.errors] == [
        (e["code"], e["message"], e.get("details")) for e in body["errors"]
    ]
    text = str(error)
    assert operation in text and "400" in text and body["errors"][0]["message"] in text and "req-1" in text


def _schema_validator(name: str) -> OAS30Validator:
    model = _model()
    return OAS30Validator({**model["definitions"][name], "definitions": model["definitions"]})


def test_our_create_report_body_matches_amazons_example_request_and_schema():
    (example,) = [e for op, status, e in SUCCESS if op == "createReport"]
    wire = example["request"]["parameters"]["body"]["value"]
    ours = create_report_specification(
        wire["reportType"],
        wire["marketplaceIds"],
        data_start_time=datetime.fromisoformat(wire["dataStartTime"].replace("Z", "+00:00")),
    )
    _schema_validator("CreateReportSpecification").validate(ours)
    assert ours["reportType"] == wire["reportType"]
    assert ours["marketplaceIds"] == wire["marketplaceIds"]
    _same_instant(datetime.fromisoformat(ours["dataStartTime"].replace("Z", "+00:00")), wire["dataStartTime"])
    assert set(ours) == set(wire)


def test_report_options_are_strings_as_the_schema_requires():
    body = create_report_specification("GET_X", ["ATVPDKIKX0DER"], report_options={"ShowSalesChannel": True})
    _schema_validator("CreateReportSpecification").validate(body)
    assert body["reportOptions"] == {"ShowSalesChannel": "True"}


def test_our_get_reports_query_matches_amazons_example_request():
    (example,) = [e for op, status, e in SUCCESS if op == "getReports"]
    params = example["request"]["parameters"]
    query = encode_query(
        get_reports_query(params["reportTypes"]["value"], processing_statuses=params["processingStatuses"]["value"])
    )
    # Swagger 2 arrays without collectionFormat are comma-separated.
    assert query["reportTypes"] == ",".join(params["reportTypes"]["value"])
    assert query["processingStatuses"] == ",".join(params["processingStatuses"]["value"])
    assert query["pageSize"] == "100"
    assert set(query) == {"reportTypes", "processingStatuses", "pageSize"}


def test_a_status_outside_the_models_enum_is_refused_before_sending():
    (example,) = [e for op, status, e in ERRORS if op == "getReports"]
    bad = example["request"]["parameters"]["processingStatuses"]["value"]
    with pytest.raises(ValueError):
        get_reports_query(["GET_X"], processing_statuses=bad)
