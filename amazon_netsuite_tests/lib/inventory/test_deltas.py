"""Deltas only: what differs from what Amazon last accepted, as JSON_LISTINGS_FEED documents Amazon's schema takes."""

import json
from datetime import datetime

import jsonschema
import pyarrow as pa
import pytest

from amazon_netsuite.lib.inventory.available import compute_available_to_sell
from amazon_netsuite.lib.inventory.deltas import changed_quantities, feed_documents
from amazon_netsuite_tests.conftest import SPAPI_MODELS
from amazon_netsuite_tests.lib.inventory.conftest import DAY, listed, settings_with, stock

FEED_SCHEMA = json.loads((SPAPI_MODELS / "listings-feed-schema-v2.json").read_text())


def test_only_skus_whose_quantity_differs_from_what_amazon_accepted_are_sent(con):
    stock(con, "SAME", 5)
    stock(con, "MORE", 8)
    stock(con, "GONE", 0)
    stock(con, "NEW", 2)
    stock(con, "HELD", -1)
    stock(con, "HELD-NEW", -1)
    for sku, quantity in (("SAME", 5), ("MORE", 6), ("GONE", 4), ("HELD", 3), ("NOT-IN-NETSUITE", 9)):
        listed(con, sku, quantity)
    listed(con, "MORE", 1, storefront="demo-CA")  # another storefront's register is not this one's
    compute_available_to_sell(con, settings_with(), "demo-US", DAY, datetime(2026, 11, 16, 9))
    changes = changed_quantities(con, "demo-US", DAY)
    assert changes.column_names == ["sku", "quantity", "previous_quantity"]
    assert changes.to_pylist() == [
        {"sku": "GONE", "quantity": 0, "previous_quantity": 4},
        {"sku": "MORE", "quantity": 8, "previous_quantity": 6},
        {"sku": "NEW", "quantity": 2, "previous_quantity": None},
    ]


def test_a_feed_document_merges_the_default_channel_quantity_and_is_valid_for_amazons_schema():
    changes = pa.table({"sku": ["MORE", "NEW"], "quantity": pa.array([8, 0], pa.int32()),
                        "previous_quantity": pa.array([6, None], pa.int32())})
    (document,) = feed_documents("A2DEMOSELLERNA1", changes)
    jsonschema.Draft7Validator(FEED_SCHEMA).validate(document)
    assert document == {
        "header": {"sellerId": "A2DEMOSELLERNA1", "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {"messageId": 1, "sku": "MORE", "operationType": "PATCH", "productType": "PRODUCT",
             "patches": [{"op": "merge", "path": "/attributes/fulfillment_availability",
                          "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 8}]}]},
            {"messageId": 2, "sku": "NEW", "operationType": "PATCH", "productType": "PRODUCT",
             "patches": [{"op": "merge", "path": "/attributes/fulfillment_availability",
                          "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]},
        ],
    }


def test_lead_time_is_sent_only_when_configured():
    (document,) = feed_documents("S", [{"sku": "A", "quantity": 3}], lead_time_days=2, product_type="LUGGAGE")
    jsonschema.Draft7Validator(FEED_SCHEMA).validate(document)
    (message,) = document["messages"]
    assert message["productType"] == "LUGGAGE"
    assert message["patches"][0]["value"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 3, "lead_time_to_ship_max_days": 2}]


def test_25001_changes_make_two_documents_each_numbered_from_one():
    changes = [{"sku": f"SKU-{n:05d}", "quantity": n % 7} for n in range(25_001)]
    first, second = feed_documents("S", changes)
    assert [len(first["messages"]), len(second["messages"])] == [25_000, 1]
    assert [m["messageId"] for m in first["messages"]] == list(range(1, 25_001))
    assert second["messages"][0]["messageId"] == 1 and second["messages"][0]["sku"] == "SKU-25000"
    assert second["messages"][0]["patches"][0]["value"][0]["quantity"] == 25_000 % 7
    # The largest document is the largest Amazon takes (validating all 25,000 messages would take seconds).
    assert FEED_SCHEMA["properties"]["messages"]["maxItems"] == len(first["messages"])
    jsonschema.Draft7Validator(FEED_SCHEMA).validate({**first, "messages": first["messages"][:3]})


def test_smaller_documents_when_asked_and_none_when_nothing_changed():
    changes = [{"sku": f"S{n}", "quantity": 1} for n in range(5)]
    assert [len(d["messages"]) for d in feed_documents("S", changes, max_messages=2)] == [2, 2, 1]
    assert feed_documents("S", []) == []
    with pytest.raises(ValueError, match="max_messages"):
        feed_documents("S", changes, max_messages=25_001)


@pytest.mark.parametrize("quantity", [-1, 1.5, None, True])
def test_a_quantity_amazon_would_not_take_is_refused(quantity):
    with pytest.raises(ValueError, match="whole units"):
        feed_documents("S", [{"sku": "A", "quantity": quantity}])
