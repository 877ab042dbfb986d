"""Feeds API 2021-06-30 and JSON_LISTINGS_FEED processing in the sandbox, over HTTP: the whole flow, each refusal,
the limits, FATAL feeds, and every effect read back from the listings."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from jsonschema import Draft7Validator

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.seller_central.product_types import product_type_of
from amazon_netsuite.sandbox.world.catalog import CATALOG
from amazon_netsuite.sandbox.world.listings import FBA_SKUS, MFN_SKUS, is_fba_listed, starting_stock
from amazon_netsuite_tests.conftest import FEED_REPORT_SCHEMA

from .helpers import (
    CA,
    FEED_CONTENT_TYPE,
    FEED_DOCUMENTS,
    FEEDS,
    US,
    create_feed,
    feed_report,
    listings,
    listings_feed,
    quantity_message,
    seller_client,
    upload_feed_document,
    wait_for_feed,
)

MFN = next(s for s in MFN_SKUS if not s.startswith("KIT-") and starting_stock(s, "WH-na") > 0)
MFN_2 = next(s for s in MFN_SKUS if s != MFN and not s.startswith("KIT-"))
FBA = FBA_SKUS[0]


@pytest.fixture
def http(sandbox) -> httpx.Client:
    return seller_client(sandbox.url)


def _finished(http, document, marketplaces=None) -> dict:
    created = create_feed(http, document, marketplaces)
    assert created.status_code == 202, created.text
    return wait_for_feed(http, created.json()["feedId"])


def _report_issues(report: dict) -> list[tuple]:
    return [(i.get("messageId"), i.get("sku"), i["code"], i["severity"]) for i in report["issues"]]


def test_every_catalog_sku_starts_listed_fba_ones_on_the_amazon_channel_and_the_others_with_warehouse_stock(sandbox):
    shown = listings(sandbox.url)
    expected = {
        p.sku: {"sku": p.sku, "fulfillment_channel_code": "AMAZON_NA", "quantity": None,
                "lead_time_to_ship_max_days": None, "changed_at": None, "price": str(p.price_usd), "currency": "USD",
                "product_type": product_type_of(p.sku), "parentage": None, "parent_sku": None, "status": "BUYABLE"}
        if is_fba_listed(p.sku) else
        {"sku": p.sku, "fulfillment_channel_code": "DEFAULT", "quantity": starting_stock(p.sku, "WH-na"),
         "lead_time_to_ship_max_days": 2, "changed_at": None, "price": str(p.price_usd), "currency": "USD",
         "product_type": product_type_of(p.sku), "parentage": None, "parent_sku": None,
         "status": "BUYABLE" if starting_stock(p.sku, "WH-na") > 0 else "DISCOVERABLE"}
        for p in CATALOG
    }
    assert shown == expected
    assert {r["fulfillment_channel_code"] for r in listings(sandbox.url, "demo-eu", "A1PA6795UKMFR9").values()} == {
        "AMAZON_EU", "DEFAULT"}
    assert httpx.get(f"{sandbox.url}/_sandbox/listings", params={"seller_account": "demo-na",
                                                                 "marketplace_id": "A1PA6795UKMFR9"}).status_code == 400


def test_a_listings_feed_moves_from_queue_to_done_and_only_its_sku_changes(sandbox, http):
    before = listings(sandbox.url)
    created = create_feed(http, listings_feed(quantity_message(1, MFN, 3)))
    feed_id = created.json()["feedId"]
    seen = [http.get(f"{FEEDS}/{feed_id}").json()["processingStatus"]]
    feed = wait_for_feed(http, feed_id)
    seen.append(feed["processingStatus"])
    assert seen[0] in ("IN_QUEUE", "IN_PROGRESS") and seen[-1] == "DONE"
    assert feed["feedType"] == "JSON_LISTINGS_FEED" and feed["marketplaceIds"] == [US]
    report = feed_report(http, feed)
    Draft7Validator(json.loads(FEED_REPORT_SCHEMA.read_text())).validate(report)
    assert report["header"] == {"sellerId": "A2DEMOSELLERNA1", "version": "2.0", "feedId": feed_id}
    assert report["issues"] == []
    assert report["summary"] == {"errors": 0, "warnings": 0, "messagesProcessed": 1, "messagesAccepted": 1,
                                 "messagesInvalid": 0}
    after = listings(sandbox.url)
    assert after[MFN]["quantity"] == 3 and after[MFN]["changed_at"] == "2026-11-20T12:00:00+00:00"
    assert {s: r for s, r in after.items() if s != MFN} == {s: r for s, r in before.items() if s != MFN}
    # The other storefronts of the account are their own listings.
    assert listings(sandbox.url, marketplace=CA)[MFN]["quantity"] == before[MFN]["quantity"]


def test_a_feed_applies_to_every_marketplace_it_names(sandbox, http):
    assert _finished(http, listings_feed(quantity_message(1, MFN, 4)), [US, CA])["processingStatus"] == "DONE"
    assert (listings(sandbox.url)[MFN]["quantity"], listings(sandbox.url, marketplace=CA)[MFN]["quantity"]) == (4, 4)


def test_merge_keeps_the_lead_time_and_replace_drops_what_it_leaves_out(sandbox, http):
    feed = _finished(http, listings_feed(quantity_message(1, MFN, 5, "merge"),
                                         quantity_message(2, MFN_2, 6, "replace")))
    assert feed["processingStatus"] == "DONE"
    shown = listings(sandbox.url)
    assert (shown[MFN]["quantity"], shown[MFN]["lead_time_to_ship_max_days"]) == (5, 2)
    assert (shown[MFN_2]["quantity"], shown[MFN_2]["lead_time_to_ship_max_days"]) == (6, None)


def test_merge_with_a_lead_time_changes_it_and_delete_removes_the_attribute(sandbox, http):
    delete = {"messageId": 2, "sku": MFN_2, "operationType": "PATCH", "productType": "PRODUCT",
              "patches": [{"op": "delete", "path": "/attributes/fulfillment_availability"}]}
    _finished(http, listings_feed(quantity_message(1, MFN, 5, lead_time_to_ship_max_days=9), delete))
    shown = listings(sandbox.url)
    assert (shown[MFN]["quantity"], shown[MFN]["lead_time_to_ship_max_days"]) == (5, 9)
    assert (shown[MFN_2]["fulfillment_channel_code"], shown[MFN_2]["quantity"]) == (None, None)


def test_partial_update_replaces_the_attribute_and_delete_removes_the_listing(sandbox, http):
    partial = {"messageId": 1, "sku": MFN, "operationType": "PARTIAL_UPDATE", "productType": "PRODUCT",
               "attributes": {"fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 6}],
                              "item_name": [{"value": "kept by Amazon, not by the sandbox"}]}}
    delete = {"messageId": 2, "sku": MFN_2, "operationType": "DELETE"}
    assert _finished(http, listings_feed(partial, delete))["processingStatus"] == "DONE"
    shown = listings(sandbox.url)
    assert (shown[MFN]["quantity"], shown[MFN]["lead_time_to_ship_max_days"]) == (6, None)
    assert MFN_2 not in shown
    assert http.get(f"/listings/2021-08-01/items/A2DEMOSELLERNA1/{MFN_2}", params={"marketplaceIds": US}
                    ).status_code == 404
    again = feed_report(http, _finished(http, listings_feed(quantity_message(1, MFN_2, 1))))
    assert [i["code"] for i in again["issues"]] == ["SKU_NOT_FOUND"]


def test_each_bad_message_is_an_error_of_its_own_and_the_good_ones_apply(sandbox, http):
    amazon_quantity = {**quantity_message(3, FBA, 1), "patches": [
        {"op": "merge", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "AMAZON_NA", "quantity": 1}]}]}
    no_quantity = {**quantity_message(6, MFN_2, 0), "patches": [
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "lead_time_to_ship_max_days": 2}]}]}
    document = listings_feed(
        quantity_message(1, MFN, 8),
        quantity_message(2, "NOT-A-SKU", 1),
        amazon_quantity,
        quantity_message(4, MFN_2, 2.5),
        quantity_message(5, MFN_2, -1),
        no_quantity,
        quantity_message(7, MFN_2, 1, lead_time_to_ship_max_days=31),
        {"messageId": 8, "sku": MFN_2, "operationType": "PATCH"},  # no productType, no patches
        quantity_message(1, MFN_2, 9),  # a messageId used twice
        {**quantity_message(10, MFN_2, 1), "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability/0/quantity", "value": [{}]}]},
    )
    before = listings(sandbox.url)
    feed = _finished(http, document)
    assert feed["processingStatus"] == "DONE"
    report = feed_report(http, feed)
    Draft7Validator(json.loads(FEED_REPORT_SCHEMA.read_text())).validate(report)
    assert sorted({i[:3] for i in _report_issues(report)}) == [
        (1, MFN_2, "INVALID_MESSAGE"),
        (2, "NOT-A-SKU", "SKU_NOT_FOUND"),
        (3, FBA, "INVALID_ATTRIBUTE_VALUE"),
        (4, MFN_2, "INVALID_ATTRIBUTE_VALUE"),
        (5, MFN_2, "INVALID_ATTRIBUTE_VALUE"),
        (6, MFN_2, "INVALID_ATTRIBUTE_VALUE"),
        (7, MFN_2, "INVALID_ATTRIBUTE_VALUE"),
        (8, MFN_2, "INVALID_MESSAGE"),
        (10, MFN_2, "INVALID_PATCH_PATH"),
    ]
    assert all(i["severity"] == "ERROR" for i in report["issues"])
    assert {i["attributeName"] for i in report["issues"] if i["code"] == "INVALID_ATTRIBUTE_VALUE"} == {
        "fulfillment_availability"}
    assert report["summary"]["messagesProcessed"] == 10
    assert (report["summary"]["messagesAccepted"], report["summary"]["messagesInvalid"]) == (1, 9)
    after = listings(sandbox.url)
    assert after[MFN]["quantity"] == 8
    assert {s: r for s, r in after.items() if s != MFN} == {s: r for s, r in before.items() if s != MFN}


def test_a_default_quantity_sent_to_an_fba_listing_makes_it_merchant_fulfilled_with_a_warning(sandbox, http):
    feed = _finished(http, listings_feed(quantity_message(1, FBA, 4)))
    report = feed_report(http, feed)
    assert _report_issues(report) == [(1, FBA, "FULFILLMENT_CHANNEL_CHANGED", "WARNING")]
    assert report["summary"]["messagesAccepted"] == 1 and report["summary"]["warnings"] == 1
    row = listings(sandbox.url)[FBA]
    assert (row["fulfillment_channel_code"], row["quantity"]) == ("DEFAULT", 4)


def test_a_report_block_in_the_header_brings_the_listings_into_the_report(sandbox, http):
    document = listings_feed(quantity_message(1, MFN, 2))
    document["header"]["report"] = {"includedData": ["fulfillmentAvailability"], "apiVersion": "2021-08-01"}
    report = feed_report(http, _finished(http, document))
    assert report["items"] == [{"sku": MFN, "fulfillmentAvailability": [
        {"fulfillmentChannelCode": "DEFAULT", "quantity": 2}]}]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<?xml version='1.0'?><AmazonEnvelope/>", "not valid JSON"),
        (json.dumps({"header": {"sellerId": "A2DEMOSELLERNA1", "version": "1.0"},
                     "messages": [quantity_message(1, MFN, 1)]}).encode(), "header/version"),
        (json.dumps({"header": {"sellerId": "A2DEMOSELLERNA1", "version": "2.0"}, "messages": []}).encode(),
         "messages"),
        (json.dumps(listings_feed(quantity_message(1, MFN, 1), seller_id="A2SOMEONEELSE")).encode(), "sellerId"),
    ],
    ids=["not-json", "bad-version", "no-messages", "foreign-seller"],
)
def test_a_document_refused_as_a_whole_ends_fatal_with_the_reason_and_changes_nothing(sandbox, http, content,
                                                                                      reason):
    before = listings(sandbox.url)
    feed = _finished(http, content)
    assert feed["processingStatus"] == "FATAL"
    report = feed_report(http, feed)
    Draft7Validator(json.loads(FEED_REPORT_SCHEMA.read_text())).validate(report)
    assert [i["code"] for i in report["issues"]] == ["FEED_INVALID"] and reason in report["issues"][0]["message"]
    assert listings(sandbox.url) == before


def test_more_than_25000_messages_end_fatal(sandbox, http):
    document = listings_feed(*(quantity_message(n, MFN, 1) for n in range(1, 25_002)))
    feed = _finished(http, document)
    assert feed["processingStatus"] == "FATAL"
    assert "messages" in feed_report(http, feed)["issues"][0]["message"]
    assert listings(sandbox.url)[MFN]["changed_at"] is None


def test_a_fatal_feed_fault_applies_the_first_half_and_leaves_no_report(sandbox, http):
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"fatal_feeds_next": 1}).raise_for_status()
    skus = [s for s in MFN_SKUS if not s.startswith("KIT-")][:4]
    feed = _finished(http, listings_feed(*(quantity_message(n, sku, 40 + n) for n, sku in enumerate(skus, 1))))
    assert feed["processingStatus"] == "FATAL" and "resultFeedDocumentId" not in feed
    shown = listings(sandbox.url)
    assert [shown[s]["quantity"] for s in skus[:2]] == [41, 42]
    assert [shown[s]["changed_at"] for s in skus[2:]] == [None, None]
    # The fault is spent: the next feed is processed normally.
    assert _finished(http, listings_feed(quantity_message(1, skus[3], 7)))["processingStatus"] == "DONE"


def test_a_legacy_inventory_feed_is_accepted_and_ends_fatal(sandbox, http):
    created = create_feed(http, b"<AmazonEnvelope/>", feed_type="POST_INVENTORY_AVAILABILITY_DATA")
    assert created.status_code == 202
    feed = wait_for_feed(http, created.json()["feedId"])
    assert (feed["processingStatus"], feed.get("resultFeedDocumentId")) == ("FATAL", None)


def test_create_feed_refuses_other_types_foreign_marketplaces_and_documents_without_content(sandbox, http):
    document_id = upload_feed_document(http, json.dumps(listings_feed(quantity_message(1, MFN, 1))).encode())

    def create(**changes):
        body = {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": document_id}
        return http.post(FEEDS, json={**body, **changes})

    assert create(feedType="POST_ORDER_FULFILLMENT_DATA").status_code == 400
    foreign = create(marketplaceIds=["A1PA6795UKMFR9"])
    assert foreign.status_code == 400 and "A1PA6795UKMFR9" in foreign.json()["errors"][0]["details"]
    assert create(marketplaceIds=[]).status_code == 400
    empty = http.post(FEED_DOCUMENTS, json={"contentType": FEED_CONTENT_TYPE}).json()["feedDocumentId"]
    assert create(inputFeedDocumentId=empty).status_code == 400
    assert create(inputFeedDocumentId="amzn1.tortuga.4.na.unknown").status_code == 400
    other_seller = seller_client(sandbox.url, "demo-eu")
    assert other_seller.post(FEEDS, json={"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["A1PA6795UKMFR9"],
                                          "inputFeedDocumentId": document_id}).status_code == 400
    assert create().status_code == 202


def test_the_upload_url_is_bound_to_its_content_type_and_expires_after_five_minutes(sandbox, http):
    created = http.post(FEED_DOCUMENTS, json={"contentType": FEED_CONTENT_TYPE}).json()
    wrong = httpx.put(created["url"], content=b"{}", headers={"content-type": "text/plain"})
    assert wrong.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in wrong.text
    assert httpx.put(created["url"], content=b"{}", headers={"content-type": FEED_CONTENT_TYPE}).status_code == 200
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 301}).raise_for_status()
    late = httpx.put(created["url"], content=b"{}", headers={"content-type": FEED_CONTENT_TYPE})
    assert late.status_code == 403 and "Request has expired" in late.text
    assert http.post(FEED_DOCUMENTS, json={}).status_code == 400


def test_the_sixth_listings_feed_in_five_minutes_is_throttled_until_the_window_moves_on(sandbox, http):
    document = listings_feed(quantity_message(1, MFN, 1))
    assert [create_feed(http, document).status_code for _ in range(5)] == [202] * 5
    throttled = create_feed(http, document)
    assert throttled.status_code == 429 and throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    # Another seller account has its own window.
    assert create_feed(seller_client(sandbox.url, "demo-eu"), document, ["A1PA6795UKMFR9"]).status_code != 429
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 301}).raise_for_status()
    assert create_feed(http, document).status_code == 202


def test_get_feeds_filters_by_type_and_status_and_pages(sandbox, http):
    ids = [create_feed(http, listings_feed(quantity_message(1, MFN, n))).json()["feedId"] for n in range(3)]
    for feed_id in ids:
        wait_for_feed(http, feed_id)
    first = http.get(FEEDS, params={"feedTypes": "JSON_LISTINGS_FEED", "pageSize": 2})
    assert first.status_code == 200
    second = http.get(FEEDS, params={"nextToken": first.json()["nextToken"]}).json()
    assert [f["feedId"] for f in first.json()["feeds"] + second["feeds"]] == ids[::-1]
    assert "nextToken" not in second
    assert http.get(FEEDS, params={"feedTypes": "JSON_LISTINGS_FEED", "processingStatuses": "FATAL"}).json() == {
        "feeds": []}
    assert http.get(FEEDS, params={"pageSize": 2}).status_code == 400
    assert http.get(FEEDS, params={"nextToken": first.json()["nextToken"], "pageSize": 2}).status_code == 400


def test_only_a_queued_feed_can_be_cancelled_and_a_cancelled_feed_changes_nothing(tmp_path, settings):
    from .conftest import NOW

    config = SandboxConfig(settings=settings, state_dir=tmp_path / "slow", clock=NOW, report_delay_seconds=3.0)
    with start_in_thread(config) as slow:
        http = seller_client(slow.url)
        feed_id = create_feed(http, listings_feed(quantity_message(1, MFN, 1))).json()["feedId"]
        assert http.delete(f"{FEEDS}/{feed_id}").status_code == 200
        time.sleep(3.1)
        feed = http.get(f"{FEEDS}/{feed_id}").json()
        assert feed["processingStatus"] == "CANCELLED" and listings(slow.url)[MFN]["changed_at"] is None
        again = http.delete(f"{FEEDS}/{feed_id}")
        assert again.status_code == 400 and "CANCELLED" in again.json()["errors"][0]["details"]
        assert http.delete(f"{FEEDS}/60099999999").status_code == 404
        assert http.get(f"{FEEDS}/not-a-feed").status_code == 400
