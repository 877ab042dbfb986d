"""Test helpers for talking to a running sandbox over HTTP, and Amazon's official models as a contract."""

from __future__ import annotations

import gzip
import json
import time
from functools import cache
from pathlib import Path

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
def load_model(path: Path) -> dict:
    return json.loads(path.read_text())


def _operation(operation_id: str, model: dict) -> dict:
    for methods in model["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation
    raise KeyError(operation_id)


class Answers(dict):
    """The first answer of each operation and HTTP status, as contract tests collect them."""

    def record(self, operation: str, response: httpx.Response) -> httpx.Response:
        self.setdefault(operation, {}).setdefault(response.status_code, response)
        return response

    def __missing__(self, operation: str) -> dict:
        return {}


def assert_conforms(response: httpx.Response, operation_id: str, model_path: Path = REPORTS_MODEL) -> None:
    """The response's status, headers and body are what the official model declares for the operation."""
    model = load_model(model_path)
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
    validator = OAS30Validator({**schema, "definitions": model["definitions"]},
                               format_checker=oas30_format_checker)
    validator.validate(response.json())


FEEDS = "/feeds/2021-06-30/feeds"
FEED_DOCUMENTS = "/feeds/2021-06-30/documents"
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"
SELLER_NA = "A2DEMOSELLERNA1"


def quantity_message(message_id: int, sku: str, quantity: int, op: str = "merge", **extra) -> dict:
    """A PATCH message setting the DEFAULT channel's quantity (plus any other fields of the entry)."""
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity, **extra}]
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
            "patches": [{"op": op, "path": "/attributes/fulfillment_availability", "value": value}]}


def listings_feed(*messages: dict, seller_id: str = SELLER_NA) -> dict:
    return {"header": {"sellerId": seller_id, "version": "2.0"}, "messages": list(messages)}


def upload_feed_document(http: httpx.Client, content: bytes, content_type: str = FEED_CONTENT_TYPE) -> str:
    created = http.post(FEED_DOCUMENTS, json={"contentType": content_type})
    assert created.status_code == 201, created.text
    uploaded = httpx.put(created.json()["url"], content=content, headers={"content-type": content_type})
    assert uploaded.status_code == 200, uploaded.text
    return created.json()["feedDocumentId"]


def create_feed(http: httpx.Client, document: dict | bytes, marketplaces: list[str] | None = None,
                feed_type: str = "JSON_LISTINGS_FEED") -> httpx.Response:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return http.post(FEEDS, json={"feedType": feed_type, "marketplaceIds": marketplaces or [US],
                                  "inputFeedDocumentId": upload_feed_document(http, content)})


def wait_for_feed(http: httpx.Client, feed_id: str, timeout: float = 5.0) -> dict:
    """Poll getFeed until the feed is DONE, CANCELLED or FATAL."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"{FEEDS}/{feed_id}")
        if response.status_code == 429:
            time.sleep(0.5)
            continue
        feed = response.json()
        if feed["processingStatus"] in ("DONE", "CANCELLED", "FATAL") or time.monotonic() > deadline:
            return feed
        time.sleep(0.15)  # getFeed refills two tokens a second; its burst is 15


def feed_report(http: httpx.Client, feed: dict) -> dict:
    """The processing report of a finished feed (gzip, as getFeedDocument says)."""
    document = http.get(f"{FEED_DOCUMENTS}/{feed['resultFeedDocumentId']}").json()
    assert document["compressionAlgorithm"] == "GZIP"
    return json.loads(gzip.decompress(httpx.get(document["url"]).content))


def listings(url: str, account: str = "demo-na", marketplace: str = US) -> dict[str, dict]:
    """Every listing of a storefront, by SKU (the sandbox's admin view)."""
    response = httpx.get(f"{url}/_sandbox/listings", params={"seller_account": account, "marketplace_id": marketplace})
    response.raise_for_status()
    return {row["sku"]: row for row in response.json()["listings"]}
