"""The NetSuite product master reader through HTTP against the sandbox: every catalog SKU with its content, matrix
parents with their children and options, bad input passed through as it is, a matrix item created by REST read
back, a child without a usable parent flagged in `problem`, and a retired item."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from amazon_netsuite.lib.listings.netsuite_products import MATRIX_OPTION_FIELDS, PRODUCTS_SCHEMA, read_products
from amazon_netsuite.sandbox.netsuite.product_master import (
    BRAND,
    NO_BRAND_SKU,
    OPTION_FIELDS,
    UNKNOWN_PRODUCT_TYPE,
    UNKNOWN_PRODUCT_TYPE_SKU,
)
from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite.sandbox.world.catalog import FAMILY_AXES
from amazon_netsuite_tests.lib.netsuite.conftest import frozen_client

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
SEEDED = [p for p in CATALOG if p.sku not in MISSING_SKUS]
FAMILIES = sorted({p.parent_sku for p in SEEDED if p.parent_sku})
EXPECTED_TYPES = {"TSHIRT": "SHIRT", "HOODIE": "SWEATSHIRT", "MUG-CAFE": "DRINKING_CUP", "SOCKS": "SOCKS"}


@pytest.fixture
def client(tmp_path):
    with frozen_client(tmp_path / "sandbox", NOW) as client:
        yield client


def _by_sku(table) -> dict[str, dict]:
    return {row["sku"]: row for row in table.to_pylist()}


def _gs1_valid(code: str) -> bool:
    digits = [int(d) for d in reversed(code)]  # from the check digit: weights 1, 3, 1, 3, ...
    return sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def test_every_catalog_sku_is_read_with_its_content_and_identifier(client):
    products = read_products(client, page_size=11)  # small pages: paging by internal id is exercised
    assert products.schema == PRODUCTS_SCHEMA
    rows = _by_sku(products)
    assert set(rows) == {p.sku for p in SEEDED} | set(FAMILIES)
    for product in SEEDED:
        row = rows[product.sku]
        assert (row["title"], row["matrix_type"], row["parent_sku"]) == (
            product.name, "CHILD" if product.parent_sku else None, product.parent_sku)
        assert row["item_type"] == ("Kit" if product.is_kit else "InvtPart")
        assert row["identifier_type"] == "upc" and len(row["identifier"]) == 12 and _gs1_valid(row["identifier"])
        assert len(row["bullet_points"]) == 3 and row["bullet_points"][0] == product.name
        assert row["images"] == [f"https://images.demo-seller.example/{product.sku}/main.jpg"]
        assert row["is_retired"] is False and row["problem"] is None
        if product.sku not in (NO_BRAND_SKU, UNKNOWN_PRODUCT_TYPE_SKU):
            assert row["brand"] == BRAND
            assert row["product_type"] == EXPECTED_TYPES.get(product.parent_sku or "", "PRODUCT")
    assert len({rows[p.sku]["identifier"] for p in SEEDED}) == len(SEEDED)  # every UPC is its own


def test_matrix_parents_come_with_their_children_and_options(client):
    rows = _by_sku(read_products(client))
    for family in FAMILIES:
        parent = rows[family]
        assert (parent["matrix_type"], parent["parent_sku"], parent["identifier"]) == ("PARENT", None, None)
        assert parent["brand"] == BRAND and parent["product_type"] == EXPECTED_TYPES.get(family, "PRODUCT")
        children = {sku for sku, row in rows.items() if row["parent_sku"] == family}
        assert children == {p.sku for p in SEEDED if p.parent_sku == family}
        assert parent["variation_axes"] == [a for a in MATRIX_OPTION_FIELDS if a in FAMILY_AXES[family]]
    tshirt = dict(rows["TSHIRT-RED-S"]["variation_attributes"])
    assert tshirt == {"color": "Red", "size": "S"}
    assert dict(rows["SOCKS-GREY-LXL"]["variation_attributes"]) == {"color": "Grey", "size": "L/XL"}
    assert dict(rows["CASE-IP15-CLEAR"]["variation_attributes"]) == {"device_model": "iPhone 15", "color": "Clear"}
    for product in SEEDED:
        if product.parent_sku:
            assert dict(rows[product.sku]["variation_attributes"]) == dict(
                zip(FAMILY_AXES[product.parent_sku], product.options))
    assert rows["KIT-TSHIRT-MUG"]["variation_attributes"] == [] and rows["KIT-TSHIRT-MUG"]["variation_axes"] == []
    assert MATRIX_OPTION_FIELDS == OPTION_FIELDS  # the reader's defaults are the sandbox account's fields


def test_the_bad_input_seeds_come_back_as_they_are(client):
    rows = _by_sku(read_products(client))
    assert rows[NO_BRAND_SKU]["brand"] is None and rows[NO_BRAND_SKU]["problem"] is None
    assert rows[UNKNOWN_PRODUCT_TYPE_SKU]["product_type"] == UNKNOWN_PRODUCT_TYPE
    assert rows[UNKNOWN_PRODUCT_TYPE_SKU]["problem"] is None


def test_a_matrix_parent_and_two_children_created_by_rest_appear_on_the_next_read(client):
    common = {"subsidiary": {"items": [{"externalId": "SUB-na"}]}, "custitem_amz_brand": BRAND,
              "custitem_amz_product_type": "HOME", "custitem_amz_bullet_1": "Recycled glass"}
    parent_id = client.create("inventoryItem", {**common, "itemId": "VASE", "displayName": "Glass Vase",
                                                "matrixType": {"id": "PARENT"}})
    for color, upc in (("Amber", "012345678905"), ("Teal", "4006381333931")):
        client.create("inventoryItem", {
            **common, "itemId": f"VASE-{color.upper()}", "displayName": f"Glass Vase – {color}",
            "storeDisplayName": f"Recycled Glass Vase – {color}", "upcCode": upc, "parent": {"id": parent_id},
            "matrixType": {"id": "CHILD"}, "custitem_color": color,
            "custitem_amz_image_main": f"https://images.demo-seller.example/VASE-{color.upper()}/main.jpg"})
    rows = _by_sku(read_products(client))
    assert rows["VASE"]["matrix_type"] == "PARENT" and rows["VASE"]["netsuite_id"] == parent_id
    amber, teal = rows["VASE-AMBER"], rows["VASE-TEAL"]
    assert (amber["parent_sku"], amber["matrix_type"], amber["title"]) == ("VASE", "CHILD",
                                                                           "Recycled Glass Vase – Amber")
    assert (amber["identifier_type"], amber["identifier"]) == ("upc", "012345678905")
    assert (teal["identifier_type"], teal["identifier"]) == ("ean", "4006381333931")
    assert dict(teal["variation_attributes"]) == {"color": "Teal"} and teal["bullet_points"] == ["Recycled glass"]
    assert amber["last_modified"] == NOW and amber["problem"] is None


def test_a_matrix_child_without_a_usable_parent_is_returned_with_its_problem(client):
    client.create("inventoryItem", {"itemId": "ORPHAN-RED", "displayName": "Orphan", "matrixType": {"id": "CHILD"},
                                    "custitem_color": "Red"})
    tshirt_id = next(row["id"] for row in client.suiteql("SELECT id FROM item WHERE itemid = 'TSHIRT'"))
    client.patch("inventoryItem", tshirt_id, {"isInactive": True})
    rows = _by_sku(read_products(client))
    assert (rows["ORPHAN-RED"]["parent_sku"], rows["ORPHAN-RED"]["problem"]) == (
        None, "matrix child without a parent")
    assert rows["TSHIRT-RED-S"]["problem"] == "matrix child whose parent TSHIRT is inactive"
    assert rows["TSHIRT-RED-S"]["parent_sku"] == "TSHIRT" and rows["HOODIE-GREY-M"]["problem"] is None
    assert rows["TSHIRT"]["is_retired"] is True  # an inactive item is retired too


def test_a_retired_item_comes_back_retired(client):
    mug_id = next(row["id"] for row in client.suiteql("SELECT id FROM item WHERE itemid = 'MUG-CAFE-WHITE'"))
    client.patch("inventoryItem", mug_id, {"custitem_amz_retired": True})
    rows = _by_sku(read_products(client))
    assert rows["MUG-CAFE-WHITE"]["is_retired"] is True and rows["MUG-CAFE-BLACK"]["is_retired"] is False
