"""The client against the sandbox end to end: exact Decimal both ways, collections, transforms, TBA signing
(fresh nonce on every retry) and recovering from a revoked token."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.lib.netsuite import InvalidLogin, NetSuiteAuthError, NetSuiteClient
from amazon_netsuite.lib.settings import (
    SANDBOX_NETSUITE_CONSUMER_KEY,
    SANDBOX_NETSUITE_CONSUMER_SECRET,
    SANDBOX_NETSUITE_TOKEN_ID,
    SANDBOX_NETSUITE_TOKEN_SECRET,
)
from amazon_netsuite_tests.lib.netsuite.conftest import connect, short_sleep
from amazon_netsuite_tests.lib.netsuite.test_records_http import sales_order


def _no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return True


def tba(sandbox, **overrides):
    credentials = dict(auth="tba", consumer_key=SANDBOX_NETSUITE_CONSUMER_KEY,
                       consumer_secret=SANDBOX_NETSUITE_CONSUMER_SECRET, token_id=SANDBOX_NETSUITE_TOKEN_ID,
                       token_secret=SANDBOX_NETSUITE_TOKEN_SECRET)
    return connect(sandbox, **{**credentials, **overrides})


def test_money_travels_as_exact_decimal_both_ways(client, sandbox):
    body = sales_order(quantity=3, rate="19.99")
    body["item"]["items"][0]["rate"] = Decimal("19.99")  # a Decimal in the body is sent as the number 19.99
    body["shippingCost"] = Decimal("0.10")
    body["handlingCost"] = Decimal("0.20")
    client.upsert("salesOrder", "AMZ-demo-US-DEC-1", body)
    order = client.get("salesOrder", "eid:AMZ-demo-US-DEC-1")
    assert _no_floats(order)
    assert type(order["total"]) is Decimal and order["total"] == Decimal("60.27")  # 59.97 + 0.10 + 0.20
    assert order["item"]["items"][0]["amount"] == Decimal("59.97") and order["shippingCost"] == Decimal("0.10")
    stored = sandbox.app.state.netsuite.store.get("salesOrder", int(order["id"]))
    assert stored["item"]["items"][0]["rate"] == Decimal("19.99") and stored["handlingCost"] == Decimal("0.20")


def test_list_pages_through_a_filtered_collection(client):
    external_ids = [f"AMZ-demo-US-LIST-{n}" for n in range(7)]
    created = [client.upsert("salesOrder", eid, sales_order()) for eid in external_ids]
    listed = list(client.list("salesOrder", 'externalId START_WITH "AMZ-demo-US-LIST-"', page_size=3))
    assert listed == created  # ids in order, across three pages
    assert list(client.list("salesOrder", 'externalId IS "AMZ-demo-US-LIST-4"')) == [created[4]]
    with pytest.raises(ValueError):
        list(client.list("salesOrder", page_size=1001))


def test_transform_fulfils_and_bills_an_order_through_the_client(client):
    order_id = client.upsert("salesOrder", "AMZ-demo-US-TRANSFORM-1", sales_order(quantity=2, rate="12.50"))
    fulfillment_id = client.transform("salesOrder", order_id, "itemFulfillment", {
        "package": {"items": [{"packageTrackingNumber": "TRACK-1"}]}})
    assert client.get("itemFulfillment", fulfillment_id)["package"]["items"][0]["packageTrackingNumber"] == "TRACK-1"
    invoice_id = client.transform("salesOrder", order_id, "invoice")
    assert client.get("invoice", invoice_id)["amountRemaining"] == Decimal("25.00")
    assert client.get("salesOrder", order_id)["status"]["refName"] == "Billed"


def test_tba_signs_every_call_and_every_retry_afresh(start_sandbox):
    governed = start_sandbox(netsuite_concurrency_limit=1, netsuite_latency_ms=30)
    with NetSuiteClient(tba(governed), concurrency_limit=4, initial_backoff=0.01, max_backoff=0.05,
                        max_attempts=30, sleep=short_sleep) as client:
        assert client.get("currency", "eid:USD")["symbol"] == "USD"
        external_ids = [f"AMZ-demo-US-TBA-{n}" for n in range(8)]
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda eid: client.upsert("salesOrder", eid, sales_order()), external_ids))
        assert client.retries > 0  # 429s were retried, each with a new nonce (a replay would be INVALID_LOGIN)
        rows = list(client.suiteql("SELECT externalid FROM transaction WHERE externalid LIKE ? ORDER BY id",
                                   ["AMZ-demo-US-TBA-%"], page_size=3))
    assert sorted(row["externalid"] for row in rows) == sorted(external_ids)
    assert governed.app.state.netsuite.rejected > 0


def test_tba_with_a_lower_case_sandbox_realm_would_be_refused_so_the_client_upper_cases_it(sandbox):
    with NetSuiteClient(tba(sandbox, realm="1234567_sb1"), sleep=short_sleep) as client:
        assert client.get("currency", "eid:EUR")["symbol"] == "EUR"
    with NetSuiteClient(tba(sandbox, token_secret="wrong"), sleep=short_sleep) as client, \
            pytest.raises(InvalidLogin):
        client.get("currency", "eid:EUR")


def test_a_token_revoked_mid_run_is_renewed_once_and_the_call_goes_through(client, sandbox):
    client.get("currency", "eid:USD")
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"netsuite_invalid_login_next": 1}).status_code == 200
    order_id = client.upsert("salesOrder", "AMZ-demo-US-REVOKED-1", sales_order())
    assert client.get("salesOrder", order_id)["externalId"] == "AMZ-demo-US-REVOKED-1"
    assert client.auth.exchanges == 2
    httpx.post(f"{sandbox.url}/_sandbox/netsuite/tokens", json={"revoke": "all"})
    assert client.get("currency", "eid:USD")["symbol"] == "USD"
    assert client.auth.exchanges == 3


def test_withdrawn_access_fails_with_the_token_endpoints_invalid_grant(client, sandbox):
    client.get("currency", "eid:USD")
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"netsuite_invalid_login": True})
    try:
        with pytest.raises(NetSuiteAuthError) as info:
            client.upsert("salesOrder", "AMZ-demo-US-WITHDRAWN-1", sales_order())
        assert info.value.code == "invalid_grant"
    finally:
        httpx.post(f"{sandbox.url}/_sandbox/faults", json={"netsuite_invalid_login": False})
    assert sandbox.app.state.netsuite.store.id_for("salesOrder", "AMZ-demo-US-WITHDRAWN-1") is None
