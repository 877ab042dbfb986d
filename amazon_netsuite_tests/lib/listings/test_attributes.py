"""A NetSuite product as a listing's attributes, shaped by its product type's schema (the sandbox serves Amazon-style
schemas; `sandbox/seller_central/product_types.py`)."""

import pytest
from jsonschema import Draft201909Validator

from amazon_netsuite.lib.listings.attributes import (
    UnlistableProduct,
    content_hash,
    listing_attributes,
    themes_of,
    variation_theme,
)
from amazon_netsuite.sandbox.seller_central.product_types import schema

US = "ATVPDKIKX0DER"
BASE = {"title": "Piqué Polo", "brand": "Northwind", "description": "A polo.", "bullet_points": ["Cotton", "Soft"],
        "images": ["https://img.example/polo.jpg", "https://img.example/polo-2.jpg"], "product_type": "SHIRT",
        "identifier_type": None, "identifier": None, "matrix_type": None, "parent_sku": None,
        "variation_axes": [], "variation_attributes": []}


def product(**fields) -> dict:
    return {**BASE, **fields}


@pytest.mark.parametrize("axes, themes, expected", [
    (["color", "size"], ["SIZE/COLOR", "COLOR", "SIZE"], "SIZE/COLOR"),  # the order of the parts does not matter
    (["size"], ["SIZE/COLOR", "COLOR", "SIZE"], "SIZE"),
    (["color", "size"], ["COLOR"], None),  # a mug takes COLOR only
    (["capacity", "color"], ["SIZE/COLOR", "COLOR", "SIZE"], None),
])
def test_the_variation_theme_is_the_one_whose_parts_are_exactly_the_familys_axes(axes, themes, expected):
    assert variation_theme(axes, themes) == expected


def test_a_stand_alone_product_is_valid_for_its_type_with_text_in_the_marketplaces_language():
    shirt = schema("SHIRT")
    attributes = listing_attributes(product(identifier_type="upc", identifier="036000291452"), shirt,
                                    marketplace_id=US, language_tag="en_US")
    assert Draft201909Validator(shirt).is_valid(attributes)
    assert attributes["item_name"] == [{"value": "Piqué Polo", "language_tag": "en_US", "marketplace_id": US}]
    assert attributes["externally_assigned_product_identifier"] == [
        {"type": "upc", "value": "036000291452", "marketplace_id": US}]
    assert attributes["main_product_image_locator"] == [{"media_location": "https://img.example/polo.jpg",
                                                         "marketplace_id": US}]  # the main image only
    assert attributes["condition_type"] == [{"value": "new_new", "marketplace_id": US}]
    assert "parentage_level" not in attributes and "variation_theme" not in attributes


def test_a_parent_names_its_theme_and_sells_nothing_and_a_child_carries_its_parent_and_options():
    shirt = schema("SHIRT")
    parent = listing_attributes(product(matrix_type="PARENT", variation_axes=["color", "size"]), shirt,
                                marketplace_id=US, language_tag="en_US")
    child = listing_attributes(product(matrix_type="CHILD", parent_sku="POLO", variation_axes=["color", "size"],
                                       variation_attributes=[("color", "Red"), ("size", "M")],
                                       identifier_type="upc", identifier="036000291452"), shirt,
                               marketplace_id=US, language_tag="en_US")
    validator = Draft201909Validator(shirt)
    assert validator.is_valid(parent) and validator.is_valid(child)
    assert parent["variation_theme"] == [{"name": "SIZE/COLOR", "marketplace_id": US}]
    assert parent["parentage_level"] == [{"value": "parent", "marketplace_id": US}] and "condition_type" not in parent
    assert child["child_parent_sku_relationship"] == [
        {"child_relationship_type": "variation", "parent_sku": "POLO", "marketplace_id": US}]
    assert (child["color"][0]["value"], child["size"][0]["value"]) == ("Red", "M")
    assert content_hash("SHIRT", child) != content_hash("SWEATSHIRT", child)


def test_axes_no_theme_covers_name_the_axes_and_the_themes():
    with pytest.raises(UnlistableProduct, match="capacity, color fit no variation theme of product type PRODUCT"):
        listing_attributes(product(matrix_type="PARENT", product_type="PRODUCT", variation_axes=["capacity", "color"]),
                           schema("PRODUCT"), marketplace_id=US, language_tag="en_US")
    assert themes_of(schema("DRINKING_CUP")) == ["COLOR"]


def test_an_attribute_the_product_type_does_not_declare_is_not_sent():
    attributes = listing_attributes(product(matrix_type="CHILD", parent_sku="MUG", variation_axes=["color"],
                                            variation_attributes=[("color", "Red"), ("scent", "Cedar")],
                                            product_type="DRINKING_CUP"), schema("DRINKING_CUP"),
                                    marketplace_id=US, language_tag="en_US")
    assert "scent" not in attributes and attributes["color"][0]["value"] == "Red"
