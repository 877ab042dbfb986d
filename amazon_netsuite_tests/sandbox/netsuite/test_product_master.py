"""The sandbox's product master through HTTP: the seeded item fields on the REST record and as SuiteQL `item`
columns, the custom fields known to strict property validation, and matrix items created by REST (a child under a
non-parent refused, a child without a parent accepted)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from amazon_netsuite.sandbox.netsuite.product_master import (
    BAD_PRODUCT_SEEDS,
    BRAND,
    NO_BRAND_SKU,
    UNKNOWN_PRODUCT_TYPE,
    UNKNOWN_PRODUCT_TYPE_SKU,
    upc,
)
from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, frozen_netsuite, internal_id, suiteql_rows

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
STRICT = {"X-NetSuite-PropertyNameValidation": "Error"}


@pytest.fixture
def netsuite(tmp_path):
    with frozen_netsuite(tmp_path / "sandbox", NOW) as http:
        yield http


def _rows(http, q: str, *params) -> list[dict]:
    return suiteql_rows(http, q, list(params))


def _item_id(netsuite, sku: str) -> str:
    (row,) = _rows(netsuite, "SELECT id FROM item WHERE itemid = ?", sku)
    return row["id"]


def test_a_seeded_child_carries_its_product_master_on_the_rest_record(netsuite):
    record = netsuite.get(f"{RECORDS}/inventoryItem/{_item_id(netsuite, 'TSHIRT-BLUE-M')}").json()
    assert (record["upcCode"], record["custitem_amz_brand"], record["custitem_amz_product_type"]) == (
        upc("TSHIRT-BLUE-M"), BRAND, "SHIRT")
    assert (record["custitem_color"], record["custitem_size"], record["matrixType"]["id"]) == ("Blue", "M", "CHILD")
    assert record["custitem_amz_image_main"] == "https://images.demo-seller.example/TSHIRT-BLUE-M/main.jpg"
    parent = netsuite.get(f"{RECORDS}/inventoryItem/{record['parent']['id']}").json()
    assert (parent["itemId"], parent["matrixType"]["id"], "upcCode" in parent) == ("TSHIRT", "PARENT", False)


def test_suiteql_item_has_the_product_master_columns_in_lower_case(netsuite):
    (row,) = _rows(netsuite, "SELECT upccode, mpn, manufacturer, custitem_amz_product_type, custitem_amz_bullet_4, "
                             "custitem_scent, matrixtype FROM item WHERE itemid = 'CANDLE-CITRUS'")
    assert row["upccode"] == upc("CANDLE-CITRUS") and row["mpn"] == "CANDLE-CITRUS"
    assert (row["custitem_amz_product_type"], row["custitem_scent"], row["matrixtype"]) == (
        "PRODUCT", "Citrus Brûlée", "CHILD")
    assert row.get("custitem_amz_bullet_4") is None  # defined, unset
    seeded = [p.sku for p in CATALOG if p.sku not in MISSING_SKUS]
    upcs = _rows(netsuite, "SELECT itemid, upccode FROM item WHERE upccode IS NOT NULL")
    assert {r["itemid"] for r in upcs} == set(seeded)  # sellable items have a UPC, matrix parents none


def test_the_bad_input_seeds_are_named_and_seeded_as_named(netsuite):
    assert set(BAD_PRODUCT_SEEDS) == {NO_BRAND_SKU, UNKNOWN_PRODUCT_TYPE_SKU}
    rows = {r["itemid"]: r for r in _rows(netsuite, "SELECT itemid, custitem_amz_brand, custitem_amz_product_type "
                                                    "FROM item WHERE itemid IN (?, ?)",
                                          NO_BRAND_SKU, UNKNOWN_PRODUCT_TYPE_SKU)}
    assert rows[NO_BRAND_SKU].get("custitem_amz_brand") is None
    assert rows[UNKNOWN_PRODUCT_TYPE_SKU]["custitem_amz_product_type"] == UNKNOWN_PRODUCT_TYPE


def test_strict_validation_knows_the_product_master_fields_and_refuses_others(netsuite):
    body = {"itemId": "LAMP", "custitem_amz_bullet_5": "Warm light", "custitem_amz_image_5": "https://x.example/5.jpg",
            "storeDisplayName": "Desk Lamp", "mpn": "L-1", "manufacturer": "Lamps Ltd"}
    item_id = internal_id(netsuite.post(f"{RECORDS}/inventoryItem", json=body, headers=STRICT))
    assert netsuite.get(f"{RECORDS}/inventoryItem/{item_id}").json()["custitem_amz_bullet_5"] == "Warm light"
    refused = netsuite.post(f"{RECORDS}/inventoryItem", json={"itemId": "LAMP-2", "custitem_amz_bullet_6": "x"},
                            headers=STRICT)
    assert refused.status_code == 400 and "custitem_amz_bullet_6" in refused.text


def test_a_child_under_an_item_that_is_not_a_matrix_parent_is_refused(netsuite):
    not_a_parent = _item_id(netsuite, "TSHIRT-RED-S")
    response = netsuite.post(f"{RECORDS}/inventoryItem", json={
        "itemId": "TSHIRT-RED-S-X", "matrixType": {"id": "CHILD"}, "parent": {"id": not_a_parent}})
    assert response.status_code == 400
    error = response.json()["o:errorDetails"][0]
    assert (error["o:errorCode"], error["o:errorPath"]) == ("INVALID_MATRIX_PARENT", "parent")
    assert "TSHIRT-RED-S is not a parent matrix item" in error["detail"]


def test_a_child_without_a_parent_is_accepted_as_netsuite_documents_no_refusal(netsuite):
    item_id = internal_id(netsuite.post(f"{RECORDS}/inventoryItem", json={"itemId": "LONE", "matrixType": "child"}))
    (row,) = _rows(netsuite, "SELECT matrixtype, parent FROM item WHERE id = ?", item_id)
    assert (row["matrixtype"], row.get("parent")) == ("CHILD", None)
    bad = netsuite.post(f"{RECORDS}/inventoryItem", json={"itemId": "ODD", "matrixType": {"id": "GRANDCHILD"}})
    assert bad.status_code == 400 and bad.json()["o:errorDetails"][0]["o:errorPath"] == "matrixType"
