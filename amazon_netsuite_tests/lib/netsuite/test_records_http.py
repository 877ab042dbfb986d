"""The client against the NetSuite sandbox over loopback HTTP: auth, records, typed errors, governance."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from amazon_netsuite.lib.netsuite import (
    InvalidExternalId,
    InvalidKeyOrRef,
    InvalidLogin,
    M2MAuth,
    NetSuiteAuthError,
    NetSuiteClient,
    NetSuiteUnreachable,
    RecordNotFound,
)
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.lib.netsuite.conftest import connect, short_sleep

SKU = next(p.sku for p in CATALOG if p.sku not in MISSING_SKUS and not p.components)
UNMAPPED_SKU = sorted(MISSING_SKUS)[0]


def sales_order(sku: str = SKU, quantity: int = 2, rate: str = "12.50") -> dict:
    return {
        "entity": {"externalId": "AMZ-CUSTOMER-demo-US"},
        "subsidiary": {"externalId": "SUB-na"},
        "location": {"externalId": "WH-na"},
        "currency": {"externalId": "USD"},
        "otherRefNum": "111-0000001-0000001",
        "item": {"items": [{"item": {"externalId": sku}, "quantity": quantity, "rate": rate}]},
    }


def test_one_token_serves_many_calls(client):
    client.get("subsidiary", "eid:SUB-na")
    client.get("location", "eid:FBA-na")
    client.get("currency", "eid:USD")
    assert client.auth.exchanges == 1
    assert client.requests == 3


def test_create_returns_the_internal_id_from_the_location_header(client, sandbox):
    new_id = client.create("customer", {"entityId": "Walk-in", "subsidiary": {"externalId": "SUB-na"}})
    assert new_id.isdigit()
    record = client.get("customer", new_id)
    assert (record["id"], record["entityId"]) == (new_id, "Walk-in")


def test_upserting_the_same_external_id_twice_leaves_one_record(client, sandbox):
    first = client.upsert("salesOrder", "AMZ-demo-US-111-0000001-0000001", sales_order(), replace="item")
    second = client.upsert("salesOrder", "AMZ-demo-US-111-0000001-0000001", sales_order(quantity=3), replace="item")
    assert first == second
    matching = [r for r in sandbox.app.state.netsuite.store.all("salesOrder")
                if r.get("externalId") == "AMZ-demo-US-111-0000001-0000001"]
    assert len(matching) == 1
    record = client.get("salesOrder", "eid:AMZ-demo-US-111-0000001-0000001")
    assert record["id"] == first
    assert [line["quantity"] for line in record["item"]["items"]] == [3]  # replace=item: no appended line
    assert type(record["total"]) is Decimal and record["total"] == Decimal("37.50")


def test_patch_changes_only_the_fields_sent(client):
    new_id = client.create("customer", {"entityId": "Patch me", "companyName": "Old"})
    client.patch("customer", new_id, {"companyName": "New"})
    record = client.get("customer", new_id)
    assert (record["entityId"], record["companyName"]) == ("Patch me", "New")


def test_an_unknown_item_is_an_invalid_reference_with_its_path(client, sandbox):
    with pytest.raises(InvalidKeyOrRef) as info:
        client.upsert("salesOrder", "AMZ-demo-US-111-0000002-0000002", sales_order(sku=UNMAPPED_SKU))
    error = info.value
    assert (error.status, error.code, error.error_path) == (400, "INVALID_KEY_OR_REF", "item.items[0].item")
    assert UNMAPPED_SKU in str(error) and "upsert salesOrder eid:AMZ-demo-US-111-0000002-0000002" in str(error)
    assert sandbox.app.state.netsuite.store.id_for("salesOrder", "AMZ-demo-US-111-0000002-0000002") is None


def test_a_missing_record_is_not_found(client):
    with pytest.raises(RecordNotFound):
        client.get("salesOrder", "eid:AMZ-demo-US-never-posted")


def test_a_bad_external_id_is_refused_before_anything_is_sent(client):
    with pytest.raises(InvalidExternalId, match=r"' '"):
        client.upsert("salesOrder", "AMZ-demo US-1", sales_order())
    assert client.requests == 0


def test_a_foreign_key_is_refused_at_the_token_endpoint_naming_the_certificate(sandbox):
    foreign = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with NetSuiteClient(connect(sandbox, private_key_pem=foreign), sleep=short_sleep) as client:
        with pytest.raises(NetSuiteAuthError) as info:
            client.get("currency", "eid:USD")
    assert info.value.code == "invalid_grant"
    assert "sandbox-m2m-certificate" in str(info.value) and "sandbox-netsuite-integration" in str(info.value)


def test_a_refused_login_is_invalid_login_and_not_retried(sandbox):
    tba = connect(sandbox, auth="tba", consumer_key="ck", consumer_secret="cs", token_id="tk", token_secret="ts")
    with NetSuiteClient(tba, sleep=short_sleep) as client:
        with pytest.raises(InvalidLogin) as info:
            client.get("currency", "eid:USD")
        assert client.requests == 1
    assert info.value.status == 401 and info.value.code == "INVALID_LOGIN"


def test_the_client_never_exceeds_its_concurrency_limit(start_sandbox):
    governed = start_sandbox(netsuite_concurrency_limit=2, netsuite_latency_ms=50)
    with NetSuiteClient(connect(governed, concurrency_limit=2), sleep=short_sleep) as client:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: client.get("currency", "eid:USD")["id"], range(8)))
        assert len(set(results)) == 1 and client.retries == 0
    assert governed.app.state.netsuite.rejected == 0


def test_a_429_storm_is_retried_until_every_call_succeeds(start_sandbox):
    governed = start_sandbox(netsuite_concurrency_limit=2, netsuite_latency_ms=50)
    with NetSuiteClient(connect(governed, concurrency_limit=6), initial_backoff=0.02, max_backoff=0.1,
                        max_attempts=20, sleep=short_sleep) as client:
        external_ids = [f"AMZ-demo-US-STORM-{n}" for n in range(12)]
        with ThreadPoolExecutor(6) as pool:
            ids = list(pool.map(lambda eid: client.upsert("salesOrder", eid, sales_order()), external_ids))
        assert client.retries > 0
    assert governed.app.state.netsuite.rejected > 0
    stored = [r["externalId"] for r in governed.app.state.netsuite.store.all("salesOrder")]
    assert sorted(stored) == sorted(external_ids)  # each exactly once
    assert len(set(ids)) == 12


def test_the_token_is_renewed_only_near_the_end_of_its_hour(sandbox):
    later = [0.0]  # the sandbox checks assertions against real time, so the fake clock runs ahead of it
    with httpx.Client() as http:
        auth = M2MAuth(connect(sandbox), http, clock=lambda: time.time() + later[0])
        first = auth.access_token()
        later[0] = 50 * 60
        assert auth.access_token() == first
        later[0] = 59 * 60 + 30  # inside the renewal margin
        auth.access_token()
    assert auth.exchanges == 2


def test_an_unreachable_netsuite_is_reported_after_the_retries(sandbox):
    closed = "http://127.0.0.1:9"  # discard port: nothing listens on loopback
    connection = connect(sandbox, base_url=closed, token_url=f"{closed}/services/rest/auth/oauth2/v1/token")
    with NetSuiteClient(connection, max_attempts=3, initial_backoff=0.01, sleep=short_sleep) as client:
        with pytest.raises(NetSuiteUnreachable, match="after 3 attempt"):
            client.get("currency", "eid:USD")
        assert client.retries == 2
