"""Listings Items API 2021-08-01 in the sandbox, over HTTP: reading a listing, patching it, previewing a patch."""

from __future__ import annotations

import httpx
import pytest

from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.listings import FBA_SKUS, MFN_SKUS, starting_stock

from .helpers import CA, SELLER_NA, US, listings, seller_client

ITEMS = f"/listings/2021-08-01/items/{SELLER_NA}"
MFN = next(s for s in MFN_SKUS if not s.startswith("KIT-") and starting_stock(s, "WH-na") > 0)
KIT = next(s for s in MFN_SKUS if s.startswith("KIT-"))
FBA = FBA_SKUS[0]
ALL_DATA = "summaries,fulfillmentAvailability,issues,attributes"


@pytest.fixture
def http(sandbox) -> httpx.Client:
    return seller_client(sandbox.url)


def _patch(http, sku, value, op="merge", **params) -> httpx.Response:
    body = {"productType": "PRODUCT",
            "patches": [{"op": op, "path": "/attributes/fulfillment_availability", "value": value}]}
    return http.patch(f"{ITEMS}/{sku}", params={"marketplaceIds": US, **params}, json=body)


def test_a_merchant_listing_shows_its_quantity_lead_time_and_summary(http):
    response = http.get(f"{ITEMS}/{MFN}", params={"marketplaceIds": US, "includedData": ALL_DATA})
    assert response.status_code == 200
    item = response.json()
    quantity = starting_stock(MFN, "WH-na")
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": quantity}]
    assert item["attributes"]["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": quantity, "lead_time_to_ship_max_days": 2}]
    (summary,) = item["summaries"]
    assert (summary["marketplaceId"], summary["asin"], summary["itemName"]) == (
        US, PRODUCTS_BY_SKU[MFN].asin, PRODUCTS_BY_SKU[MFN].name)
    assert summary["status"] == ["BUYABLE", "DISCOVERABLE"] and item["issues"] == []


def test_an_fba_listing_and_a_kit_show_their_channels(http):
    fba = http.get(f"{ITEMS}/{FBA}", params={"marketplaceIds": US, "includedData": "fulfillmentAvailability"})
    assert fba.json() == {"sku": FBA, "fulfillmentAvailability": [{"fulfillmentChannelCode": "AMAZON_NA"}]}
    kit = http.get(f"{ITEMS}/{KIT}", params={"marketplaceIds": US, "includedData": "fulfillmentAvailability"})
    assert kit.json()["fulfillmentAvailability"][0]["fulfillmentChannelCode"] == "DEFAULT"


def test_the_default_included_data_is_summaries_only(http):
    assert set(http.get(f"{ITEMS}/{MFN}", params={"marketplaceIds": US}).json()) == {"sku", "summaries"}


def test_an_unknown_sku_is_404_another_sellers_id_403_and_bad_parameters_400(http, sandbox):
    unknown = http.get(f"{ITEMS}/NOT-A-SKU", params={"marketplaceIds": US})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "NotFound"
    assert http.get(f"/listings/2021-08-01/items/A2DEMOSELLEREU1/{MFN}",
                    params={"marketplaceIds": US}).status_code == 403
    assert http.get(f"{ITEMS}/{MFN}", params={"marketplaceIds": "A1PA6795UKMFR9"}).status_code == 400
    assert http.get(f"{ITEMS}/{MFN}").status_code == 400
    assert http.get(f"{ITEMS}/{MFN}", params={"marketplaceIds": US, "includedData": "everything"}).status_code == 400
    assert httpx.get(f"{sandbox.url}{ITEMS}/{MFN}", params={"marketplaceIds": US}).status_code == 403


def test_an_accepted_patch_changes_the_listing_and_keeps_the_lead_time(http, sandbox):
    response = _patch(http, MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": 11}])
    assert response.status_code == 200
    body = response.json()
    assert (body["sku"], body["status"], body["issues"]) == (MFN, "ACCEPTED", [])
    assert body["submissionId"]
    row = listings(sandbox.url)[MFN]
    assert (row["quantity"], row["lead_time_to_ship_max_days"]) == (11, 2)
    assert listings(sandbox.url, marketplace=CA)[MFN]["quantity"] == starting_stock(MFN, "WH-na")


def test_a_replace_patch_drops_the_lead_time(http, sandbox):
    assert _patch(http, MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}], "replace").json()[
        "status"] == "ACCEPTED"
    row = listings(sandbox.url)[MFN]
    assert (row["quantity"], row["lead_time_to_ship_max_days"]) == (3, None)


@pytest.mark.parametrize(
    ("sku", "value", "code"),
    [
        (MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": -2}], "INVALID_ATTRIBUTE_VALUE"),
        (MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": 1.5}], "INVALID_ATTRIBUTE_VALUE"),
        (FBA, [{"fulfillment_channel_code": "AMAZON_NA", "lead_time_to_ship_max_days": 3}],
         "INVALID_ATTRIBUTE_VALUE"),
        (MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": 1, "is_inventory_available": True}],
         "INVALID_ATTRIBUTE_VALUE"),
        ("NOT-A-SKU", [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}], "SKU_NOT_FOUND"),
    ],
    ids=["negative", "fractional", "lead-time-on-amazon-channel", "quantity-and-available", "unknown-sku"],
)
def test_an_invalid_patch_is_invalid_with_its_issue_and_changes_nothing(http, sandbox, sku, value, code):
    before = listings(sandbox.url)
    body = _patch(http, sku, value).json()
    assert body["status"] == "INVALID"
    assert [(i["code"], i["severity"]) for i in body["issues"]] == [(code, "ERROR")]
    assert listings(sandbox.url) == before


def test_a_validation_preview_says_valid_or_invalid_and_stores_nothing(http, sandbox):
    before = listings(sandbox.url)
    good = _patch(http, MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}], mode="VALIDATION_PREVIEW")
    bad = _patch(http, MFN, [{"fulfillment_channel_code": "DEFAULT", "quantity": -1}], mode="VALIDATION_PREVIEW")
    assert (good.json()["status"], bad.json()["status"]) == ("VALID", "INVALID")
    assert listings(sandbox.url) == before
    assert _patch(http, MFN, [], mode="SOMETHING").status_code == 400


def test_a_body_that_is_not_a_patch_request_is_400(http):
    url = f"{ITEMS}/{MFN}"
    assert http.patch(url, params={"marketplaceIds": US}, json={"patches": []}).status_code == 400
    assert http.patch(url, params={"marketplaceIds": US}, content=b"{").status_code == 400
    bad_op = {"productType": "PRODUCT", "patches": [{"op": "move", "path": "/attributes/fulfillment_availability"}]}
    assert http.patch(url, params={"marketplaceIds": US}, json=bad_op).status_code == 400
