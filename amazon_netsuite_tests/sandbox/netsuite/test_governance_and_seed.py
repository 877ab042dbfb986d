"""Concurrency governance (429 CONCURRENCY_LIMIT_EXCEEDED) and the account the sandbox starts with."""

from __future__ import annotations

import asyncio

import httpx

from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, netsuite_client


async def _burst(url: str, token: str, n: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": token}, timeout=10) as http:
        return await asyncio.gather(*(http.get(f"{RECORDS}/currency/eid:USD") for _ in range(n)))


def test_requests_over_the_concurrency_limit_get_429_with_netsuites_body(sandbox_config):
    config = sandbox_config.model_copy(update={"netsuite_concurrency_limit": 2, "netsuite_latency_ms": 400})
    with start_in_thread(config) as sandbox, netsuite_client(sandbox.url) as http:
        responses = asyncio.run(_burst(sandbox.url, http.headers["Authorization"], 6))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 200, 429, 429, 429, 429]
        body = next(r for r in responses if r.status_code == 429).json()
        assert body["status"] == 429 and body["o:errorCode"] == "USER_ERROR"
        assert body["o:errorDetails"] == [{"detail": "Concurrent request limit exceeded. Request blocked.",
                                           "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}]
        assert sandbox.app.state.netsuite.rejected == 4
        # once the burst is over, the slots are free again
        assert http.get(f"{RECORDS}/currency/eid:USD").status_code == 200
        limits = http.get("/services/rest/system/v1/governanceLimits").json()
        assert limits["accountConcurrencyLimit"] == limits["integrationConcurrencyLimit"] == 2


def _get(http: httpx.Client, path: str) -> dict:
    response = http.get(f"{RECORDS}/{path}")
    assert response.status_code == 200, f"{path}: {response.text}"
    return response.json()


def test_the_account_has_subsidiaries_locations_currencies_and_a_customer_per_storefront(netsuite):
    na, eu = _get(netsuite, "subsidiary/eid:SUB-na"), _get(netsuite, "subsidiary/eid:SUB-eu")
    assert (na["name"], na["currency"]) == ("Demo Seller Inc.", {"id": _get(netsuite, "currency/eid:USD")["id"]})
    assert (eu["name"], eu["currency"]) == ("Demo Seller GmbH", {"id": _get(netsuite, "currency/eid:EUR")["id"]})
    for region, subsidiary in [("na", na), ("eu", eu)]:
        assert _get(netsuite, f"location/eid:WH-{region}")["subsidiary"] == {"id": subsidiary["id"]}
        assert _get(netsuite, f"location/eid:FBA-{region}")["name"] == f"Amazon FBA ({region.upper()})"
    for storefront, subsidiary, currency in [("demo-US", na, "USD"), ("demo-CA", na, "CAD"), ("demo-DE", eu, "EUR"),
                                             ("demo-FR", eu, "EUR")]:
        customer = _get(netsuite, f"customer/eid:AMZ-CUSTOMER-{storefront}")
        assert customer["subsidiary"] == {"id": subsidiary["id"]}
        assert customer["currency"] == {"id": _get(netsuite, f"currency/eid:{currency}")["id"]}


def test_every_catalog_sku_is_an_item_except_the_deliberately_missing_ones(netsuite):
    assert MISSING_SKUS == {"CAP-OLIVE", "CANDLE-CEDAR", "KIT-COFFEE-LOVER"}
    for product in CATALOG:
        record_type = "kitItem" if product.is_kit else "inventoryItem"
        response = netsuite.get(f"{RECORDS}/{record_type}/eid:{product.sku}")
        if product.sku in MISSING_SKUS:
            assert response.status_code == 404
        else:
            assert response.status_code == 200 and response.json()["itemId"] == product.sku
    kit = _get(netsuite, "kitItem/eid:KIT-SOCKS-3PK")
    socks = _get(netsuite, "inventoryItem/eid:SOCKS-GREY-SM")
    assert kit["member"]["items"] == [{"item": {"id": socks["id"]}, "quantity": 3}]


def test_collections_transforms_and_suiteql_share_the_same_concurrency_limit(sandbox_config):
    config = sandbox_config.model_copy(update={"netsuite_concurrency_limit": 1, "netsuite_latency_ms": 300})
    with start_in_thread(config) as sandbox, netsuite_client(sandbox.url) as http:
        body = {"entity": {"externalId": "AMZ-CUSTOMER-demo-US"},
                "item": {"items": [{"item": {"externalId": "TSHIRT-RED-M"}, "quantity": 1, "rate": "19.99"}]}}
        order_id = http.post(f"{RECORDS}/salesOrder", json=body).headers["Location"].rsplit("/", 1)[1]

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=sandbox.url, headers=http.headers, timeout=10) as client:
                return await asyncio.gather(
                    client.get(f"{RECORDS}/account", params={"limit": 5}),
                    client.post(f"{RECORDS}/salesOrder/{order_id}/!transform/itemFulfillment", json={}),
                    client.post("/services/rest/query/v1/suiteql", json={"q": "SELECT 1 AS one"},
                                headers={"Prefer": "transient"}))

        statuses = [r.status_code for r in asyncio.run(burst())]
        assert sorted(statuses) == [200, 429, 429] or sorted(statuses) == [204, 429, 429]
        assert sandbox.app.state.netsuite.rejected == 2
