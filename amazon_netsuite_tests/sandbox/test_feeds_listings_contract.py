"""Every Feeds API and Listings Items API answer the sandbox gives has the status, headers and body Amazon's official
models declare (amazon_netsuite_tests/spapi_models/feeds_2021-06-30.json and listingsItems_2021-08-01.json)."""

from __future__ import annotations

import json
import httpx
import pytest
from jsonschema.exceptions import ValidationError

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import demo_settings
from amazon_netsuite.sandbox.world.listings import FBA_SKUS, MFN_SKUS
from amazon_netsuite_tests.conftest import FEEDS_MODEL, LISTINGS_MODEL

from .conftest import NOW
from .helpers import (
    FEED_CONTENT_TYPE,
    FEED_DOCUMENTS,
    FEEDS,
    SELLER_NA,
    US,
    Answers,
    assert_conforms,
    create_feed,
    listings_feed,
    quantity_message,
    seller_client,
    wait_for_feed,
)

ITEMS = f"/listings/2021-08-01/items/{SELLER_NA}"
MFN = next(s for s in MFN_SKUS if not s.startswith("KIT-"))

EXPECTED = {
    "createFeedDocument": {201, 400, 403, 429},
    "createFeed": {202, 400, 403, 429},
    "getFeeds": {200, 400, 403, 429},
    "getFeed": {200, 400, 403, 404, 429},
    "cancelFeed": {200, 400, 403, 404, 429},
    "getFeedDocument": {200, 400, 403, 404, 429},
    "getListingsItem": {200, 400, 403, 404, 429},
    "patchListingsItem": {200, 400, 403, 429},
    "putListingsItem": {200, 400, 403, 429},
}
MODEL_OF = {op: LISTINGS_MODEL if "Listings" in op else FEEDS_MODEL for op in EXPECTED}


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
        document = json.dumps(listings_feed(quantity_message(1, MFN, 3))).encode()

        record("createFeedDocument", http.post(FEED_DOCUMENTS, json={"contentType": FEED_CONTENT_TYPE}))
        record("createFeedDocument", http.post(FEED_DOCUMENTS, json={}))
        record("createFeedDocument", anonymous.post(FEED_DOCUMENTS, json={"contentType": FEED_CONTENT_TYPE}))

        queued = record("createFeed", create_feed(http, document)).json()["feedId"]
        record("cancelFeed", http.delete(f"{FEEDS}/{queued}"))
        feed_id = record("createFeed", create_feed(http, document)).json()["feedId"]
        record("createFeed", create_feed(http, document, feed_type="POST_ORDER_FULFILLMENT_DATA"))
        record("createFeed", anonymous.post(FEEDS, json={}))
        record("getFeed", http.get(f"{FEEDS}/notAFeedId"))
        record("getFeed", http.get(f"{FEEDS}/12345"))
        result_id = wait_for_feed(http, feed_id)["resultFeedDocumentId"]

        record("getFeeds", http.get(FEEDS, params={"feedTypes": "JSON_LISTINGS_FEED", "pageSize": 1}))
        record("getFeeds", http.get(FEEDS, params={"pageSize": 1}))
        record("getFeeds", anonymous.get(FEEDS, params={"feedTypes": "JSON_LISTINGS_FEED"}))

        record("getFeed", http.get(f"{FEEDS}/{feed_id}"))
        record("getFeed", anonymous.get(f"{FEEDS}/{feed_id}"))

        record("cancelFeed", http.delete(f"{FEEDS}/{feed_id}"))  # DONE: not cancellable
        record("cancelFeed", http.delete(f"{FEEDS}/12345"))
        record("cancelFeed", anonymous.delete(f"{FEEDS}/{feed_id}"))

        record("getFeedDocument", http.get(f"{FEED_DOCUMENTS}/{result_id}"))
        record("getFeedDocument", http.get(f"{FEED_DOCUMENTS}/badDocumentId"))
        record("getFeedDocument", http.get(f"{FEED_DOCUMENTS}/amzn1.tortuga.4.na.unknown"))
        record("getFeedDocument", anonymous.get(f"{FEED_DOCUMENTS}/{result_id}"))

        for sku in (MFN, FBA_SKUS[0]):
            record("getListingsItem", http.get(f"{ITEMS}/{sku}", params={
                "marketplaceIds": US, "includedData": "summaries,attributes,issues,offers,fulfillmentAvailability"}))
        record("getListingsItem", http.get(f"{ITEMS}/{MFN}"))
        record("getListingsItem", http.get(f"{ITEMS}/NOT-A-SKU", params={"marketplaceIds": US}))
        record("getListingsItem", anonymous.get(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}))

        patch = {"productType": "PRODUCT", "patches": [{"op": "merge", "path": "/attributes/fulfillment_availability",
                                                        "value": [{"fulfillment_channel_code": "DEFAULT",
                                                                   "quantity": -1}]}]}
        record("patchListingsItem", http.patch(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}, json=patch))
        record("patchListingsItem", http.patch(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}, json={}))
        record("patchListingsItem", anonymous.patch(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}, json=patch))

        text = [{"value": "Sandbox", "marketplace_id": US}]
        parent = {"productType": "SHIRT", "requirements": "LISTING", "attributes": {
            "item_name": text, "brand": text, "bullet_point": text, "product_description": text,
            "main_product_image_locator": [{"media_location": "https://example.com/p.jpg"}],
            "parentage_level": [{"value": "parent"}], "variation_theme": [{"name": "COLOR"}]}}
        record("putListingsItem", http.put(f"{ITEMS}/CONTRACT-PARENT", params={"marketplaceIds": US}, json=parent))
        record("putListingsItem", http.put(f"{ITEMS}/CONTRACT-BAD", params={"marketplaceIds": US},
                                           json={**parent, "attributes": {}}))
        record("putListingsItem", http.put(f"{ITEMS}/CONTRACT-PARENT", params={"marketplaceIds": US}, json={}))
        record("putListingsItem", anonymous.put(f"{ITEMS}/CONTRACT-PARENT", params={"marketplaceIds": US},
                                                json=parent))
        record("getListingsItem with relationships", http.get(f"{ITEMS}/CONTRACT-PARENT", params={
            "marketplaceIds": US, "includedData": "summaries,attributes,issues,relationships"}))

        # Spend every burst; createFeed's 429 comes from the 5-per-5-minutes listings feed window first.
        for _ in range(5):
            record("createFeed", create_feed(http, document))
        for _ in range(30):
            record("createFeedDocument", http.post(FEED_DOCUMENTS, json={"contentType": FEED_CONTENT_TYPE}))
            record("getFeeds", http.get(FEEDS, params={"feedTypes": "JSON_LISTINGS_FEED"}))
            record("getFeed", http.get(f"{FEEDS}/{feed_id}"))
            record("cancelFeed", http.delete(f"{FEEDS}/12345"))
            record("getFeedDocument", http.get(f"{FEED_DOCUMENTS}/{result_id}"))
            record("getListingsItem", http.get(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}))
            record("patchListingsItem", http.patch(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}, json=patch))
            record("putListingsItem", http.put(f"{ITEMS}/CONTRACT-PARENT", params={"marketplaceIds": US},
                                               json=parent))
    return seen


@pytest.mark.parametrize(
    ("operation", "status"), [(op, status) for op, statuses in EXPECTED.items() for status in sorted(statuses)]
)
def test_the_answer_matches_the_official_model(responses, operation, status):
    assert status in responses[operation], f"{operation} never answered {status}"
    assert_conforms(responses[operation][status], operation, MODEL_OF[operation])


def test_the_contract_check_rejects_bodies_the_models_do_not_allow(responses):
    feed = responses["getFeed"][200]
    with pytest.raises(ValidationError):
        assert_conforms(httpx.Response(200, json={**feed.json(), "processingStatus": "WAITING"},
                                       headers=feed.headers), "getFeed", FEEDS_MODEL)
    item = responses["getListingsItem"][200]
    broken = {**item.json(), "fulfillmentAvailability": [{"quantity": 3}]}
    with pytest.raises(ValidationError):
        assert_conforms(httpx.Response(200, json=broken, headers=item.headers), "getListingsItem", LISTINGS_MODEL)


def test_a_put_listing_read_back_with_its_relationships_matches_the_model(responses):
    item = responses["getListingsItem with relationships"][200]
    assert item.json()["relationships"] == [{"marketplaceId": US, "relationships": [
        {"childSkus": [], "type": "VARIATION", "variationTheme": {"attributes": ["color"], "theme": "COLOR"}}]}]
    assert_conforms(item, "getListingsItem", LISTINGS_MODEL)
    assert responses["putListingsItem"][200].json()["status"] == "ACCEPTED"
