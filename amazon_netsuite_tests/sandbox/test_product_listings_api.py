"""Product types and the product master in the sandbox, over HTTP: getDefinitionsProductType, putListingsItem with
VALIDATION_PREVIEW, variations, listing issues and retiring a SKU without deleting it."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
from jsonschema import Draft201909Validator

from .conftest import NOW
from .helpers import SELLER_NA, US, create_feed, feed_report, listings, listings_feed, seller_client, wait_for_feed

ITEMS = f"/listings/2021-08-01/items/{SELLER_NA}"
DEFINITIONS = "/definitions/2020-09-01/productTypes"
EVERYTHING = "summaries,attributes,issues,relationships,offers"


@pytest.fixture
def http(unthrottled_sandbox) -> httpx.Client:
    return seller_client(unthrottled_sandbox.url)


def _text(value) -> list[dict]:
    return [{"value": value, "marketplace_id": US}]


def shirt(*, price: str | None = "21.50", quantity: int = 7, **extra) -> dict:
    """The attributes of a stand-alone SHIRT that passes validation; `extra` replaces or (None) removes some."""
    attributes = {
        "item_name": [{"value": "Linen Shirt", "language_tag": "en_US", "marketplace_id": US}],
        "brand": _text("Demo Brand"),
        "bullet_point": _text("Washed linen"),
        "product_description": _text("A linen shirt."),
        "externally_assigned_product_identifier": [{"type": "ean", "value": "4006381333931", "marketplace_id": US}],
        "main_product_image_locator": [{"media_location": "https://example.com/shirt.jpg", "marketplace_id": US}],
        "condition_type": _text("new_new"),
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }
    if price is not None:
        attributes["purchasable_offer"] = [{"marketplace_id": US, "currency": "USD", "audience": "ALL",
                                            "our_price": [{"schedule": [{"value_with_tax": float(price)}]}]}]
    attributes |= extra
    return {name: value for name, value in attributes.items() if value is not None}


def parent(theme: str = "SIZE/COLOR") -> dict:
    return shirt(price=None, externally_assigned_product_identifier=None, condition_type=None,
                 fulfillment_availability=None, parentage_level=_text("parent"),
                 variation_theme=[{"name": theme}])


def child(parent_sku: str, color: str | None = "Sand", size: str | None = "M", **extra) -> dict:
    return shirt(parentage_level=_text("child"), variation_theme=[{"name": "SIZE/COLOR"}],
                 child_parent_sku_relationship=[{"child_relationship_type": "variation", "parent_sku": parent_sku}],
                 color=_text(color) if color else None, size=_text(size) if size else None, **extra)


def put(http, sku, attributes, product_type="SHIRT", **params) -> httpx.Response:
    return http.put(f"{ITEMS}/{sku}", params={"marketplaceIds": US, **params},
                    json={"productType": product_type, "requirements": "LISTING", "attributes": attributes})


def get(http, sku, included=EVERYTHING) -> httpx.Response:
    return http.get(f"{ITEMS}/{sku}", params={"marketplaceIds": US, "includedData": included})


def _issues(response: httpx.Response) -> list[tuple]:
    return [(i["severity"], tuple(i.get("attributeNames", [])), tuple(i["categories"]))
            for i in response.json()["issues"]]


def test_a_definition_links_a_schema_that_validates_listings_and_its_checksum_is_the_documents(http):
    response = http.get(f"{DEFINITIONS}/SHIRT", params={"marketplaceIds": US, "requirements": "LISTING",
                                                         "sellerId": SELLER_NA})
    assert response.status_code == 200
    definition = response.json()
    assert (definition["productType"], definition["requirements"], definition["requirementsEnforced"],
            definition["marketplaceIds"], definition["productTypeVersion"]["latest"]) == (
        "SHIRT", "LISTING", "ENFORCED", [US], True)
    link = definition["schema"]["link"]
    assert link["verb"] == "GET"
    document = httpx.get(link["resource"])  # a presigned link on Amazon: no token
    assert document.status_code == 200
    assert base64.b64encode(hashlib.md5(document.content).digest()).decode() == definition["schema"]["checksum"]
    schema = document.json()
    Draft201909Validator.check_schema(schema)
    validator = Draft201909Validator(schema)
    assert validator.is_valid(shirt())
    assert not validator.is_valid(shirt(brand=None))
    assert {"SIZE/COLOR", "COLOR", "SIZE"} == set(
        schema["properties"]["variation_theme"]["items"]["properties"]["name"]["enum"])


def test_an_unknown_product_type_is_refused_by_definitions_and_by_put(http):
    response = http.get(f"{DEFINITIONS}/FLUX_CAPACITOR", params={"marketplaceIds": US})
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "NotFound"
    assert http.get(f"{DEFINITIONS}/SHIRT", params={"marketplaceIds": f"{US},A2EUQ1WTGCTBG2"}).status_code == 400
    refused = put(http, "NEW-FLUX", shirt(), product_type="FLUX_CAPACITOR")
    assert refused.json()["status"] == "INVALID"
    assert [i["code"] for i in refused.json()["issues"]] == ["INVALID_PRODUCT_TYPE"]
    assert get(http, "NEW-FLUX").status_code == 404


def test_a_valid_product_is_created_and_reads_back_buyable_with_its_attributes(http):
    response = put(http, "NEW-LINEN-M", shirt())
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["issues"]) == ("ACCEPTED", [])
    item = get(http, "NEW-LINEN-M")
    assert item.status_code == 200
    (summary,) = item.json()["summaries"]
    assert (summary["productType"], summary["status"], summary["itemName"], summary["conditionType"]) == (
        "SHIRT", ["BUYABLE", "DISCOVERABLE"], "Linen Shirt", "new_new")
    assert summary["createdDate"] == summary["lastUpdatedDate"] == NOW.isoformat()
    attributes = item.json()["attributes"]
    assert attributes["brand"] == _text("Demo Brand")
    assert attributes["purchasable_offer"][0]["our_price"] == [{"schedule": [{"value_with_tax": 21.5}]}]
    assert item.json()["offers"][0]["price"] == {"currencyCode": "USD", "amount": "21.50"}


def test_a_preview_says_valid_and_keeps_nothing(http):
    response = put(http, "NEW-LINEN-S", shirt(), mode="VALIDATION_PREVIEW")
    assert (response.json()["status"], response.json()["issues"]) == ("VALID", [])
    assert get(http, "NEW-LINEN-S").status_code == 404
    invalid = put(http, "NEW-LINEN-S", shirt(brand=None), mode="VALIDATION_PREVIEW")
    assert invalid.json()["status"] == "INVALID"


def test_a_missing_brand_is_invalid_with_an_error_naming_it_and_nothing_is_stored(http):
    response = put(http, "NEW-NOBRAND", shirt(brand=None))
    assert response.json()["status"] == "INVALID"
    assert _issues(response) == [("ERROR", ("brand",), ("MISSING_ATTRIBUTE",))]
    assert get(http, "NEW-NOBRAND").status_code == 404


def test_a_parent_and_two_children_are_a_variation_family(http, unthrottled_sandbox):
    assert put(http, "LINEN", parent()).json()["status"] == "ACCEPTED"
    for sku, size in (("LINEN-SAND-M", "M"), ("LINEN-SAND-L", "L")):
        response = put(http, sku, child("LINEN", size=size))
        assert (response.json()["status"], response.json()["issues"]) == ("ACCEPTED", [])
    family = get(http, "LINEN").json()
    assert family["relationships"] == [{"marketplaceId": US, "relationships": [{
        "childSkus": ["LINEN-SAND-L", "LINEN-SAND-M"], "type": "VARIATION",
        "variationTheme": {"attributes": ["size", "color"], "theme": "SIZE/COLOR"}}]}]
    assert family["summaries"][0]["status"] == ["DISCOVERABLE"]  # a parent sells nothing itself
    assert get(http, "LINEN-SAND-M").json()["relationships"][0]["relationships"][0]["parentSkus"] == ["LINEN"]
    shown = listings(unthrottled_sandbox.url)
    assert (shown["LINEN"]["parentage"], shown["LINEN-SAND-M"]["parentage"], shown["LINEN-SAND-M"]["parent_sku"],
            shown["LINEN-SAND-M"]["product_type"], shown["LINEN-SAND-M"]["status"]) == (
        "parent", "child", "LINEN", "SHIRT", "BUYABLE")


def test_a_parent_with_an_offer_is_invalid(http):
    response = put(http, "LINEN-OFFER", {**parent(), **{k: v for k, v in shirt().items() if k == "purchasable_offer"}})
    assert response.json()["status"] == "INVALID"
    assert _issues(response) == [("ERROR", ("purchasable_offer",), ("INVALID_ATTRIBUTE",))]


def test_a_child_of_a_parent_that_does_not_exist_is_invalid_naming_the_relationship(http):
    response = put(http, "ORPHAN-SAND-M", child("NO-SUCH-PARENT"))
    assert response.json()["status"] == "INVALID"
    assert _issues(response) == [("ERROR", ("child_parent_sku_relationship",), ("INVALID_ATTRIBUTE",))]
    assert put(http, "STANDALONE", shirt()).json()["status"] == "ACCEPTED"
    not_a_parent = put(http, "ORPHAN-SAND-M", child("STANDALONE"))
    assert _issues(not_a_parent) == [("ERROR", ("child_parent_sku_relationship",), ("INVALID_ATTRIBUTE",))]


def test_a_child_whose_theme_names_color_needs_a_color(http):
    assert put(http, "LINEN", parent()).json()["status"] == "ACCEPTED"
    response = put(http, "LINEN-NOCOLOR-M", child("LINEN", color=None))
    assert response.json()["status"] == "INVALID"
    assert _issues(response) == [("ERROR", ("color",), ("MISSING_ATTRIBUTE",))]


def test_a_child_needs_a_product_identifier_unless_exempt_and_a_parent_needs_none(http):
    assert put(http, "LINEN", parent()).json()["status"] == "ACCEPTED"  # parent() carries no identifier
    missing = put(http, "LINEN-SAND-S", child("LINEN", size="S", externally_assigned_product_identifier=None))
    assert _issues(missing) == [("ERROR", ("externally_assigned_product_identifier",), ("MISSING_ATTRIBUTE",))]
    exempt = put(http, "LINEN-SAND-S", child("LINEN", size="S", externally_assigned_product_identifier=None,
                                            supplier_declared_has_product_identifier_exemption=_text(True)))
    assert (exempt.json()["status"], exempt.json()["issues"]) == ("ACCEPTED", [])


def test_a_patch_preview_checks_the_schema_and_keeps_nothing(http):
    assert put(http, "NEW-LINEN-L", shirt()).json()["status"] == "ACCEPTED"
    bad = {"productType": "SHIRT", "patches": [{"op": "replace", "path": "/attributes/condition_type",
                                                "value": _text("brand_new")}]}
    response = http.patch(f"{ITEMS}/NEW-LINEN-L", params={"marketplaceIds": US, "mode": "VALIDATION_PREVIEW"},
                          json=bad)
    assert _issues(response) == [("ERROR", ("condition_type",), ("INVALID_ATTRIBUTE",))]
    good = {"productType": "SHIRT", "patches": [{"op": "replace", "path": "/attributes/brand",
                                                 "value": _text("Other Brand")}]}
    preview = http.patch(f"{ITEMS}/NEW-LINEN-L", params={"marketplaceIds": US, "mode": "VALIDATION_PREVIEW"},
                         json=good)
    assert preview.json()["status"] == "VALID"
    assert get(http, "NEW-LINEN-L").json()["attributes"]["brand"] == _text("Demo Brand")
    assert http.patch(f"{ITEMS}/NEW-LINEN-L", params={"marketplaceIds": US}, json=good).json()["status"] == "ACCEPTED"
    assert get(http, "NEW-LINEN-L").json()["attributes"]["brand"] == _text("Other Brand")


def test_retiring_ends_the_offer_and_keeps_the_listing_no_longer_buyable(http, unthrottled_sandbox):
    assert put(http, "NEW-LINEN-XL", shirt()).json()["status"] == "ACCEPTED"
    offer = get(http, "NEW-LINEN-XL").json()["attributes"]["purchasable_offer"][0]
    retire = {"productType": "SHIRT", "patches": [
        {"op": "replace", "path": "/attributes/purchasable_offer",
         "value": [{**offer, "end_at": [{"value": NOW.isoformat()}]}]},
        {"op": "merge", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]}
    response = http.patch(f"{ITEMS}/NEW-LINEN-XL", params={"marketplaceIds": US}, json=retire)
    assert (response.json()["status"], response.json()["issues"]) == ("ACCEPTED", [])
    item = get(http, "NEW-LINEN-XL")
    assert item.status_code == 200
    assert item.json()["summaries"][0]["status"] == ["DISCOVERABLE"]
    assert item.json()["attributes"]["brand"] == _text("Demo Brand")
    shown = listings(unthrottled_sandbox.url)["NEW-LINEN-XL"]
    assert (shown["status"], shown["quantity"]) == ("DISCOVERABLE", 0)


def test_an_offer_ended_alone_is_enough_to_stop_selling(http):
    assert put(http, "NEW-LINEN-XS", shirt(quantity=5)).json()["status"] == "ACCEPTED"
    offer = get(http, "NEW-LINEN-XS").json()["attributes"]["purchasable_offer"][0]
    ended = {"productType": "SHIRT", "patches": [{"op": "replace", "path": "/attributes/purchasable_offer",
                                                  "value": [{**offer, "end_at": [{"value": "2026-11-19"}]}]}]}
    assert http.patch(f"{ITEMS}/NEW-LINEN-XS", params={"marketplaceIds": US}, json=ended).json()["status"] == (
        "ACCEPTED")
    assert get(http, "NEW-LINEN-XS").json()["summaries"][0]["status"] == ["DISCOVERABLE"]


def test_catalog_skus_carry_a_product_type_from_the_mapping(http):
    assert get(http, "TSHIRT-RED-M", "summaries").json()["summaries"][0]["productType"] == "SHIRT"
    assert get(http, "MUG-CAFE-WHITE", "summaries").json()["summaries"][0]["productType"] == "DRINKING_CUP"
    assert get(http, "KIT-SOCKS-3PK", "summaries").json()["summaries"][0]["productType"] == "PRODUCT"


def test_a_feed_update_creates_a_valid_sku_and_refuses_one_missing_its_brand(http):
    good = {"messageId": 1, "sku": "FEED-LINEN", "operationType": "UPDATE", "productType": "SHIRT",
            "requirements": "LISTING", "attributes": shirt()}
    bad = {**good, "messageId": 2, "sku": "FEED-NOBRAND", "attributes": shirt(brand=None)}
    created = create_feed(http, listings_feed(good, bad))
    assert created.status_code == 202, created.text
    report = feed_report(http, wait_for_feed(http, created.json()["feedId"]))
    # The feed processing report names one attribute per issue and has no categories (the feed report schema).
    assert [(i["messageId"], i["severity"], i.get("attributeName")) for i in report["issues"]] == [
        (2, "ERROR", "brand")]
    assert get(http, "FEED-LINEN").json()["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert get(http, "FEED-NOBRAND").status_code == 404
