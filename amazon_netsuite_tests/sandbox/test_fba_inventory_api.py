"""FBA Inventory API v1 over HTTP: the sandbox's answers match the world's pools and Amazon's model, and the
client follows pages, filters and expired tokens."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from amazon_netsuite.lib.amazon import RetryPolicy, SpApiClient
from amazon_netsuite.lib.amazon.fba_inventory import FbaInventoryApi
from amazon_netsuite.lib.settings import amazon_connection
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world.fba import fba_stock
from amazon_netsuite.sandbox.world.listings import FBA_SKUS

from .conftest import NOW
from .helpers import CA, DE, US, assert_conforms, seller_client
from amazon_netsuite_tests.conftest import SPAPI_MODELS

SUMMARIES = "/fba/inventory/v1/summaries"
OPERATION = "getInventorySummaries"


def _params(marketplace: str = US, **extra) -> dict:
    return {"granularityType": "Marketplace", "granularityId": marketplace, "marketplaceIds": marketplace,
            "details": "true", **extra}


def _get(http: httpx.Client, params: dict) -> httpx.Response:
    response = http.get(SUMMARIES, params=params)
    assert_conforms(response, OPERATION, SPAPI_MODELS / "fbaInventory.json")
    return response


@pytest.fixture
def start(sandbox_config):
    running = []

    def start(**overrides):
        running.append(start_in_thread(sandbox_config.model_copy(update={"rate_scale": 1000.0, **overrides})))
        return running[-1].__enter__()

    yield start
    for sandbox in running:
        sandbox.__exit__(None, None, None)


def _api(sandbox, settings) -> FbaInventoryApi:
    connection = amazon_connection(settings, "demo-na", environ={"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    policy = RetryPolicy(max_attempts=5, max_total_seconds=30.0, sleep=lambda s: time.sleep(min(s, 0.05)))
    return FbaInventoryApi(SpApiClient(connection, timeout=10, rate_scale=1000.0, retry_policy=policy))


def test_every_marketplace_of_an_account_shows_the_accounts_pool_as_the_world_holds_it(start):
    sandbox = start()
    http = seller_client(sandbox.url)
    truth = fba_stock(sandbox.state.world, "demo-na", NOW)
    us = _get(http, _params(US)).json()["payload"]
    ca = _get(http, _params(CA)).json()["payload"]
    assert us["granularity"] == {"granularityType": "Marketplace", "granularityId": US}
    assert us["inventorySummaries"] == ca["inventorySummaries"]
    assert [s["sellerSku"] for s in us["inventorySummaries"]] == sorted(FBA_SKUS)
    for summary in us["inventorySummaries"]:
        quantities, details = truth[summary["sellerSku"]], summary["inventoryDetails"]
        assert details["fulfillableQuantity"] == quantities.fulfillable >= 0
        assert details["reservedQuantity"]["pendingCustomerOrderQuantity"] == quantities.reserved
        assert details["unfulfillableQuantity"]["totalUnfulfillableQuantity"] == quantities.unfulfillable
        assert summary["totalQuantity"] == quantities.total
    assert any(s["inventoryDetails"]["reservedQuantity"]["totalReservedQuantity"] for s in us["inventorySummaries"])
    without = _get(http, _params(US, details="false")).json()["payload"]["inventorySummaries"]
    assert all("inventoryDetails" not in s for s in without) and len(without) == len(FBA_SKUS)


def test_start_date_time_returns_only_the_skus_that_moved_since(start, settings):
    sandbox = start()
    since = NOW - timedelta(minutes=45)
    truth = fba_stock(sandbox.state.world, "demo-na", NOW)
    changed = sorted(sku for sku, q in truth.items() if q.last_updated >= since)
    assert 0 < len(changed) < len(FBA_SKUS)
    listed = list(_api(sandbox, settings).summaries(US, start_date_time=since))
    assert [s["sellerSku"] for s in listed] == changed


def test_the_client_follows_next_token_across_pages_and_filters_by_sku(start, settings):
    sandbox = start(fba_page_size=10)
    http = seller_client(sandbox.url)
    first = _get(http, _params()).json()
    token = first["pagination"]["nextToken"]
    second = _get(http, _params(nextToken=token)).json()
    assert [s["sellerSku"] for s in first["payload"]["inventorySummaries"] + second["payload"]["inventorySummaries"]] \
        == sorted(FBA_SKUS)[:20]
    assert _get(http, _params(CA, nextToken=token)).status_code == 400  # a token belongs to its query

    api = _api(sandbox, settings)
    assert [s["sellerSku"] for s in api.summaries(US)] == sorted(FBA_SKUS)
    wanted = sorted(FBA_SKUS)[3:6]
    assert [s["sellerSku"] for s in api.summaries(US, seller_skus=wanted, details=False)] == wanted


def test_a_next_token_expires_and_the_client_starts_over_once(start, settings):
    sandbox = start(fba_page_size=10, fba_next_token_seconds=0.3)
    http = seller_client(sandbox.url)
    token = _get(http, _params()).json()["pagination"]["nextToken"]
    time.sleep(0.4)
    expired = _get(http, _params(nextToken=token))
    assert expired.status_code == 400 and "expired" in expired.json()["errors"][0]["details"]

    yielded = []
    for summary in _api(sandbox, settings).summaries(US):
        yielded.append(summary["sellerSku"])
        if len(yielded) == 10:
            time.sleep(0.4)  # a slow consumer lets the first page's token expire
    assert yielded == sorted(FBA_SKUS)


@pytest.mark.parametrize("params, problem", [
    (_params(US, marketplaceIds=f"{US},{CA}"), "Invalid marketplaceIds"),
    (_params(DE), "Invalid marketplaceIds"),
    (_params(US, granularityId=CA), "Invalid granularityId"),
    (_params(US, granularityType="Country"), "Invalid granularityType"),
    (_params(US, sellerSkus=",".join(f"SKU-{i}" for i in range(51))), "Invalid sellerSkus"),
    (_params(US, startDateTime="2020-01-01T00:00:00Z"), "Invalid startDateTime"),
    (_params(US, nextToken="garbage"), "Invalid nextToken"),
])
def test_bad_queries_are_refused_as_amazon_refuses_them(sandbox, params, problem):
    response = _get(seller_client(sandbox.url), params)
    assert response.status_code == 400 and response.json()["errors"][0]["message"] == problem


def test_the_usage_plan_is_two_requests_a_second_with_a_burst_of_two(sandbox):
    http = seller_client(sandbox.url)
    first = _get(http, _params())  # builds the pool's timeline; the bucket refills meanwhile
    assert first.status_code == 200 and first.headers["x-amzn-RateLimit-Limit"] == "2"
    statuses = [_get(http, _params()).status_code for _ in range(4)]
    assert 429 in statuses and statuses[0] == 200


def test_a_call_without_a_valid_access_token_is_forbidden(sandbox):
    response = _get(httpx.Client(base_url=sandbox.url), _params())
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "Unauthorized"
