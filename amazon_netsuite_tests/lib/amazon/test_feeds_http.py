"""FeedsApi and ListingsApi over HTTP against the Seller Central sandbox: submit a listings feed, read its report,
read the listings back, patch one listing, and the failures a caller must handle."""

from __future__ import annotations

import httpx
import pytest

from amazon_netsuite.lib.amazon import (
    FeedsApi,
    FeedTimeout,
    Forbidden,
    ListingsApi,
    ProcessingStatus,
    QuotaExceeded,
    merchant_quantity,
    quantity_patch,
)
from amazon_netsuite.sandbox.world.listings import FBA_SKUS, MFN_SKUS, starting_stock

from .conftest import US, set_faults

SELLER = "A2DEMOSELLERNA1"
MFN = [s for s in MFN_SKUS if not s.startswith("KIT-")]


def _message(message_id: int, sku: str, quantity: int) -> dict:
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
            "patches": [quantity_patch(quantity)]}


def _feed(*messages: dict) -> dict:
    return {"header": {"sellerId": SELLER, "version": "2.0"}, "messages": list(messages)}


@pytest.fixture
def feeds(client) -> FeedsApi:
    return FeedsApi(client)


@pytest.fixture
def listings(client) -> ListingsApi:
    return ListingsApi(client)


def test_a_listings_feed_is_submitted_its_report_read_and_the_new_quantities_read_back(feeds, listings):
    outcome = feeds.submit_json_listings_feed(
        _feed(_message(1, MFN[0], 12), _message(2, MFN[1], 0), _message(3, "NOT-A-SKU", 1)), [US],
        poll_seconds=0.05, timeout=15)
    assert outcome.processing_status is ProcessingStatus.DONE and outcome.feed_id.isdigit()
    assert outcome.report["header"]["feedId"] == outcome.feed_id
    assert [(i["messageId"], i["code"]) for i in outcome.report["issues"]] == [(3, "SKU_NOT_FOUND")]
    assert outcome.report["summary"]["messagesAccepted"] == 2
    read_back = [merchant_quantity(listings.get_listings_item(SELLER, sku, US)) for sku in MFN[:3]]
    assert read_back == [12, 0, starting_stock(MFN[2], "WH-na")]


def test_a_fatal_feed_has_no_report_and_the_listings_say_what_was_applied(sandbox, feeds, listings):
    set_faults(sandbox, fatal_feeds_next=1)
    outcome = feeds.submit_json_listings_feed(_feed(*(_message(n, sku, 50 + n) for n, sku in enumerate(MFN[:4], 1))),
                                              [US], poll_seconds=0.05, timeout=15)
    assert (outcome.processing_status, outcome.report) == (ProcessingStatus.FATAL, None)
    read_back = [merchant_quantity(listings.get_listings_item(SELLER, sku, US)) for sku in MFN[:4]]
    assert read_back == [51, 52, starting_stock(MFN[2], "WH-na"), starting_stock(MFN[3], "WH-na")]


def test_an_upload_with_another_content_type_is_refused_by_the_presigned_url(feeds):
    document = feeds.create_feed_document("application/json; charset=UTF-8")
    with pytest.raises(Forbidden, match="SignatureDoesNotMatch|403"):
        feeds.upload(document, b"{}", "text/tab-separated-values; charset=UTF-8")


def test_the_sixth_listings_feed_in_five_minutes_raises_quota_exceeded(make_client, connection):
    feeds = FeedsApi(make_client(connection, max_attempts=1))
    for n in range(5):
        document = feeds.create_feed_document()
        feeds.upload(document, b'{"header": {"sellerId": "A2DEMOSELLERNA1", "version": "2.0"}, "messages": []}')
        feeds.create_feed("JSON_LISTINGS_FEED", [US], document.feed_document_id)
    with pytest.raises(QuotaExceeded):
        document = feeds.create_feed_document()
        feeds.upload(document, b"{}")
        feeds.create_feed("JSON_LISTINGS_FEED", [US], document.feed_document_id)


def test_waiting_for_a_feed_gives_up_with_its_id_after_the_timeout(start_sandbox, settings, make_client):
    from .conftest import connection_to

    slow = start_sandbox(report_delay_seconds=60)
    feeds = FeedsApi(make_client(connection_to(slow, settings)))
    with pytest.raises(FeedTimeout) as raised:
        feeds.submit_json_listings_feed(_feed(_message(1, MFN[0], 1)), [US], poll_seconds=0.05, timeout=0.3)
    assert raised.value.last_status in ("IN_QUEUE", "IN_PROGRESS") and raised.value.feed_id.isdigit()


def test_too_many_messages_are_refused_before_anything_is_sent(feeds):
    with pytest.raises(ValueError, match="25000"):
        feeds.submit_json_listings_feed(_feed(*(_message(n, MFN[0], 1) for n in range(1, 25_002))), [US])


def test_get_listings_item_is_none_for_an_unknown_sku_and_shows_fba_without_a_merchant_quantity(listings):
    assert listings.get_listings_item(SELLER, "NOT-A-SKU", US) is None
    fba = listings.get_listings_item(SELLER, FBA_SKUS[0], US)
    assert fba["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "AMAZON_NA"}]
    assert merchant_quantity(fba) is None and merchant_quantity(None) is None


def test_patch_listings_item_accepts_previews_and_refuses(listings):
    preview = listings.patch_listings_item(SELLER, MFN[0], US, [quantity_patch(9)], validation_preview=True)
    assert preview["status"] == "VALID"
    assert merchant_quantity(listings.get_listings_item(SELLER, MFN[0], US)) == starting_stock(MFN[0], "WH-na")
    assert listings.patch_listings_item(SELLER, MFN[0], US, [quantity_patch(9)])["status"] == "ACCEPTED"
    assert merchant_quantity(listings.get_listings_item(SELLER, MFN[0], US)) == 9
    negative = {**quantity_patch(0), "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -1}]}
    refused = listings.patch_listings_item(SELLER, MFN[0], US, [negative])
    assert refused["status"] == "INVALID" and refused["issues"][0]["code"] == "INVALID_ATTRIBUTE_VALUE"
    with pytest.raises(ValueError):
        quantity_patch(2.5)
    with pytest.raises(ValueError):
        quantity_patch(-1)


def test_a_listing_of_another_seller_is_forbidden(listings):
    with pytest.raises(Forbidden):
        listings.get_listings_item("A2DEMOSELLEREU1", MFN[0], US)


def test_download_result_gunzips_the_processing_report(feeds):
    outcome = feeds.submit_json_listings_feed(_feed(_message(1, MFN[0], 1)), [US], poll_seconds=0.05, timeout=15)
    feed = feeds.get_feed(outcome.feed_id)
    raw = feeds.download_result(feed.result_feed_document_id)
    assert raw.startswith(b"{") and b'"messagesAccepted": 1' in raw
    assert feeds.get_feed_document(feed.result_feed_document_id).compression_algorithm == "GZIP"
    assert httpx.get(feeds.get_feed_document(feed.result_feed_document_id).url).content[:2] == b"\x1f\x8b"
