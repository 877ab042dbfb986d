"""The product master client over HTTP against the Seller Central sandbox: product type definitions with their schema,
putListingsItem with and without VALIDATION_PREVIEW, typed listing reads, variations and retiring a SKU."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jsonschema import Draft201909Validator

from amazon_netsuite.lib.amazon import ListingsApi, NotFound, ProductTypesApi, retire_patches

from .conftest import NOW, US

SELLER = "A2DEMOSELLERNA1"


@pytest.fixture
def listings(client) -> ListingsApi:
    return ListingsApi(client)


@pytest.fixture
def product_types(client) -> ProductTypesApi:
    return ProductTypesApi(client)


def _text(value) -> list[dict]:
    return [{"value": value, "marketplace_id": US}]


def mug(**extra) -> dict:
    attributes = {
        "item_name": _text("Stoneware Mug"), "brand": _text("Demo Brand"), "bullet_point": _text("Dishwasher safe"),
        "product_description": _text("A stoneware mug."),
        "externally_assigned_product_identifier": [{"type": "upc", "value": "036000291452", "marketplace_id": US}],
        "main_product_image_locator": [{"media_location": "https://example.com/mug.jpg", "marketplace_id": US}],
        "condition_type": _text("new_new"),
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
        "purchasable_offer": [{"marketplace_id": US, "currency": "USD", "audience": "ALL",
                               "our_price": [{"schedule": [{"value_with_tax": 12.5}]}]}],
    } | extra
    return {name: value for name, value in attributes.items() if value is not None}


def test_a_definition_comes_with_its_schema_fetched_once_per_checksum(product_types):
    first = product_types.get_definition("DRINKING_CUP", US, SELLER)
    again = product_types.get_definition("DRINKING_CUP", US, SELLER)
    assert (first.product_type, first.requirements, first.requirements_enforced) == (
        "DRINKING_CUP", "LISTING", "ENFORCED")
    assert again.schema is first.schema and again.checksum == first.checksum
    validator = Draft201909Validator(first.schema)
    assert validator.is_valid(mug())
    assert {e.message for e in validator.iter_errors(mug(brand=None))} == {"'brand' is a required property"}


def test_an_unknown_product_type_raises_not_found(product_types):
    with pytest.raises(NotFound):
        product_types.get_definition("TIME_MACHINE", US, SELLER)


def test_a_preview_is_valid_and_keeps_nothing_then_the_put_creates_a_buyable_listing(listings):
    preview = listings.put_item(SELLER, "NEW-MUG-STONE", US, "DRINKING_CUP", mug(), preview=True)
    assert (preview.status, preview.issues) == ("VALID", ())
    assert listings.get_item(SELLER, "NEW-MUG-STONE", US) is None
    accepted = listings.put_item(SELLER, "NEW-MUG-STONE", US, "DRINKING_CUP", mug())
    assert (accepted.status, accepted.errors) == ("ACCEPTED", ())
    item = listings.get_item(SELLER, "NEW-MUG-STONE", US)
    assert (item.product_type, item.buyable, item.item_name, item.issues) == (
        "DRINKING_CUP", True, "Stoneware Mug", ())
    assert item.attributes["brand"] == _text("Demo Brand")


def test_a_missing_brand_is_an_error_naming_it(listings):
    result = listings.put_item(SELLER, "NEW-MUG-NOBRAND", US, "DRINKING_CUP", mug(brand=None))
    assert result.status == "INVALID"
    assert [(i.attribute_names, i.categories) for i in result.errors] == [(("brand",), ("MISSING_ATTRIBUTE",))]


def test_a_parent_lists_the_children_put_after_it(listings):
    parent = mug(externally_assigned_product_identifier=None, condition_type=None, fulfillment_availability=None,
                 purchasable_offer=None, parentage_level=_text("parent"), variation_theme=[{"name": "COLOR"}])
    assert listings.put_item(SELLER, "STONE", US, "DRINKING_CUP", parent).status == "ACCEPTED"
    for color in ("Ash", "Moss"):
        child = mug(parentage_level=_text("child"), variation_theme=[{"name": "COLOR"}], color=_text(color),
                    child_parent_sku_relationship=[{"child_relationship_type": "variation", "parent_sku": "STONE"}])
        assert listings.put_item(SELLER, f"STONE-{color.upper()}", US, "DRINKING_CUP", child).status == "ACCEPTED"
    family = listings.get_item(SELLER, "STONE", US, included=("summaries", "relationships"))
    assert (family.child_skus, family.buyable) == (("STONE-ASH", "STONE-MOSS"), False)
    assert listings.get_item(SELLER, "STONE-ASH", US, included=("relationships",)).parent_skus == ("STONE",)


def test_retiring_keeps_the_listing_and_stops_selling_it(listings):
    assert listings.put_item(SELLER, "NEW-MUG-OLD", US, "DRINKING_CUP", mug()).status == "ACCEPTED"
    offers = listings.get_item(SELLER, "NEW-MUG-OLD", US).attributes["purchasable_offer"]
    result = listings.patch_item(SELLER, "NEW-MUG-OLD", US, "DRINKING_CUP",
                                 retire_patches(offers, NOW - timedelta(minutes=1)))
    assert (result.status, result.issues) == ("ACCEPTED", ())
    item = listings.get_item(SELLER, "NEW-MUG-OLD", US)
    assert item is not None and not item.buyable
    assert item.attributes["purchasable_offer"][0]["our_price"] == offers[0]["our_price"]  # the price is kept
    assert item.attributes["fulfillment_availability"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]


def test_retire_patches_refuse_a_naive_end():
    with pytest.raises(ValueError):
        retire_patches([], NOW.replace(tzinfo=None))
