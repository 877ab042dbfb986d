"""Test helpers for talking to a running sandbox over HTTP, and the official Reports API model as a contract."""

from __future__ import annotations

import json
import time
from functools import cache

import httpx
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from amazon_netsuite.lib.settings import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    sandbox_refresh_token,
)
from amazon_netsuite.sandbox.world import ORDER_REPORT_TYPE
from amazon_netsuite_tests.conftest import REPORTS_MODEL, SPAPI_MODELS

REPORTS = "/reports/2021-06-30/reports"
DOCUMENTS = "/reports/2021-06-30/documents"
US, CA, DE = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1PA6795UKMFR9"


def access_token(http: httpx.Client, account: str) -> str:
    response = http.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": sandbox_refresh_token(account),
            "client_id": SANDBOX_LWA_CLIENT_ID,
            "client_secret": SANDBOX_LWA_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def seller_client(url: str, account: str = "demo-na") -> httpx.Client:
    """An httpx client whose requests carry the account's access token."""
    http = httpx.Client(base_url=url, timeout=10)
    http.headers["x-amz-access-token"] = access_token(http, account)
    return http


def order_report_request(start: str, end: str, marketplaces: list[str] | None = None) -> dict:
    return {"reportType": ORDER_REPORT_TYPE, "marketplaceIds": marketplaces or [US],
            "dataStartTime": start, "dataEndTime": end}


def wait_for_report(http: httpx.Client, report_id: str, timeout: float = 5.0) -> dict:
    """Poll getReport until the report is DONE, CANCELLED or FATAL (backing off on 429, as a client must)."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"{REPORTS}/{report_id}")
        if response.status_code == 429:
            time.sleep(0.5)  # getReport refills two tokens a second
            continue
        report = response.json()
        if report["processingStatus"] in ("DONE", "CANCELLED", "FATAL") or time.monotonic() > deadline:
            return report
        time.sleep(0.1)


@cache
def reports_model() -> dict:
    return json.loads(REPORTS_MODEL.read_text())


@cache
def spapi_model(name: str) -> dict:
    """An official model kept in amazon_netsuite_tests/spapi_models/, e.g. `fbaInventory.json`."""
    return json.loads((SPAPI_MODELS / name).read_text())


def _operation(operation_id: str, model: dict) -> dict:
    for methods in model["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation
    raise KeyError(operation_id)


def assert_conforms(response: httpx.Response, operation_id: str, model: dict | None = None) -> None:
    """The response's status, headers and body are what the official model (default: Reports API) declares."""
    model = model or reports_model()
    declared = _operation(operation_id, model)["responses"].get(str(response.status_code))
    assert declared is not None, f"{operation_id} does not declare HTTP {response.status_code}"
    headers = declared.get("headers", {})
    assert response.headers.get("x-amzn-RequestId"), "every response carries x-amzn-RequestId"
    has_rate = "x-amzn-RateLimit-Limit" in response.headers
    assert has_rate == ("x-amzn-RateLimit-Limit" in headers), f"rate header on HTTP {response.status_code}"
    if has_rate:
        float(response.headers["x-amzn-RateLimit-Limit"])
    schema = declared.get("schema")
    if schema is None:
        assert response.content == b""
        return
    validator = OAS30Validator({**schema, "definitions": model["definitions"]}, format_checker=oas30_format_checker)
    validator.validate(response.json())
