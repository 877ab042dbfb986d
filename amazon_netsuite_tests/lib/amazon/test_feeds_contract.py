"""The feeds and listings clients read Amazon's own sandbox examples (the `x-amzn-api-sandbox` static responses of
the official models) and write requests that the models' schemas accept."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from openapi_schema_validator import OAS30Validator

from amazon_netsuite.lib.amazon.feeds import Feed, FeedDocument, create_feed_specification
from amazon_netsuite.lib.amazon.listings import merchant_quantity, patch_request, quantity_patch
from amazon_netsuite.lib.amazon.reports import ProcessingStatus
from amazon_netsuite_tests.conftest import FEEDS_MODEL, LISTINGS_MODEL


def _model(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _examples(path, operation_id: str, status: str) -> list[dict]:
    for operations in _model(path)["paths"].values():
        for op in operations.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op["responses"][status].get("x-amzn-api-sandbox", {}).get("static", [])
    raise KeyError(operation_id)


def _validator(path, name: str) -> OAS30Validator:
    definitions = _model(path)["definitions"]
    return OAS30Validator({**definitions[name], "definitions": definitions})


def test_amazons_get_feed_examples_parse_into_our_feed():
    examples = _examples(FEEDS_MODEL, "getFeed", "200")
    assert examples
    for example in examples:
        wire = example["response"]
        feed = Feed.model_validate(wire)
        assert (feed.feed_id, feed.feed_type) == (wire["feedId"], wire["feedType"])
        assert feed.processing_status is ProcessingStatus(wire["processingStatus"])
        assert feed.created_time == datetime.fromisoformat(wire["createdTime"].replace("Z", "+00:00"))
        assert feed.result_feed_document_id == wire.get("resultFeedDocumentId")


@pytest.mark.parametrize(("operation", "status"), [("createFeedDocument", "201"), ("getFeedDocument", "200")])
def test_amazons_feed_document_examples_parse_into_our_feed_document(operation, status):
    examples = _examples(FEEDS_MODEL, operation, status)
    assert examples
    for example in examples:
        wire = example["response"]
        document = FeedDocument.model_validate(wire)
        assert (document.feed_document_id, document.url) == (wire["feedDocumentId"], wire["url"])
        assert document.compression_algorithm == wire.get("compressionAlgorithm")


def test_our_create_feed_body_matches_the_schema_and_amazons_example():
    (example, *_) = _examples(FEEDS_MODEL, "createFeed", "202")
    wire = example["request"]["parameters"]["body"]["value"]
    ours = create_feed_specification(wire["feedType"], wire["marketplaceIds"], wire["inputFeedDocumentId"])
    _validator(FEEDS_MODEL, "CreateFeedSpecification").validate(ours)
    assert {k: ours[k] for k in ("feedType", "marketplaceIds", "inputFeedDocumentId")} == {
        k: wire[k] for k in ("feedType", "marketplaceIds", "inputFeedDocumentId")}
    with pytest.raises(ValueError):
        create_feed_specification("JSON_LISTINGS_FEED", [], "doc")


def test_our_patch_request_matches_the_listings_schema():
    body = patch_request("PRODUCT", [quantity_patch(20)])
    _validator(LISTINGS_MODEL, "ListingsItemPatchRequest").validate(body)
    assert body["patches"] == [{"op": "merge", "path": "/attributes/fulfillment_availability",
                                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 20}]}]
    with pytest.raises(ValueError):
        patch_request("PRODUCT", [])


def test_merchant_quantity_reads_amazons_get_listings_item_example():
    examples = _examples(LISTINGS_MODEL, "getListingsItem", "200")
    # Amazon's example lists [{"fulfillmentChannelCode": "DEFAULT", "quantity": 100}].
    assert [merchant_quantity(e["response"]) for e in examples] == [100]
