"""Report document URLs point at the sandbox itself, whatever Host header the request carried: a caller that sets
`Host: evil.example` must not get a download link (with its signature) on a host it chose."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from amazon_netsuite.sandbox.server import start_in_thread

from .helpers import DOCUMENTS, REPORTS, order_report_request, seller_client, wait_for_report

DAY = ("2026-11-19T00:00:00+00:00", "2026-11-20T00:00:00+00:00")


def _document_id(http: httpx.Client) -> str:
    report_id = http.post(REPORTS, json=order_report_request(*DAY)).json()["reportId"]
    return wait_for_report(http, report_id)["reportDocumentId"]


def test_a_forged_host_header_still_gets_a_document_url_on_the_sandboxs_own_address(sandbox):
    http = seller_client(sandbox.url)
    document_id = _document_id(http)
    response = http.get(f"{DOCUMENTS}/{document_id}", headers={"Host": "evil.example"})
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert "evil.example" not in url
    assert urlsplit(url).netloc == urlsplit(sandbox.url).netloc
    assert httpx.get(url).status_code == 200  # and it downloads


def test_a_configured_public_url_is_the_base_of_every_document_url(sandbox_config):
    config = sandbox_config.model_copy(update={"public_url": "https://sandbox.example.test:9443/"})
    with start_in_thread(config) as sandbox:
        http = seller_client(sandbox.url)
        response = http.get(f"{DOCUMENTS}/{_document_id(http)}", headers={"Host": "evil.example"})
    assert response.json()["url"].startswith("https://sandbox.example.test:9443/_documents/amzn1.spdoc.")
