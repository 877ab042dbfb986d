"""The listings flow end to end, through real Dagster runs against the sandbox: a new matrix family in NetSuite
appears on Amazon as a parent with its children after passing validation; content edited in NetSuite follows,
once; a retired item stops selling and stays listed; bad product master rows are refused with a clear reason in
`integration_errors` while the rest is published."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from amazon_netsuite_tests.defs.test_inventory_flow import MARKETPLACE, STOREFRONT, _inventory_sandbox, _rows, _run
from amazon_netsuite_tests.defs.test_pricing_flow import SELLER_ID, _seller_client, _today

BRAND = "Northwind Basics"


@pytest.fixture
def listings_project(monkeypatch, tmp_path):
    with _inventory_sandbox(monkeypatch, tmp_path, history_days=1, only_north_america=True,
                            storefronts={STOREFRONT}) as sandbox:
        yield sandbox


def _netsuite():
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import load_settings, netsuite_connection

    return NetSuiteClient(netsuite_connection(load_settings()))


def _item(sku: str, title: str, product_type: str = "SHIRT", **fields) -> dict:
    body = {"subsidiary": {"items": [{"externalId": "SUB-na"}]}, "itemId": sku, "displayName": title,
            "storeDisplayName": title, "storeDescription": f"{title}, made to last.",
            "custitem_amz_brand": BRAND, "custitem_amz_product_type": product_type,
            "custitem_amz_bullet_1": "Organic cotton", "custitem_amz_bullet_2": "Machine washable",
            "custitem_amz_image_main": f"https://images.demo-seller.example/{sku}/main.jpg", **fields}
    return {k: v for k, v in body.items() if v is not None}


def _create_family(client) -> list[str]:
    """A polo shirt family: the parent, then a red M and a blue L child (UPCs with valid check digits)."""
    parent = client.create("inventoryItem", _item("POLO", "Piqué Polo Shirt", matrixType={"id": "PARENT"}))
    for sku, color, size, upc in (("POLO-RED-M", "Red", "M", "036000291452"),
                                  ("POLO-BLUE-L", "Blue", "L", "012345678905")):
        client.create("inventoryItem", _item(sku, f"Piqué Polo Shirt – {color}, {size}", parent={"id": parent},
                                             matrixType={"id": "CHILD"}, custitem_color=color, custitem_size=size,
                                             upcCode=upc))
    return ["POLO", "POLO-BLUE-L", "POLO-RED-M"]


def _submissions(sku: str) -> list[tuple]:
    return _rows("SELECT action, mode, status FROM listing_submissions WHERE sku = ? ORDER BY submitted_at, "
                 "mode", [sku])


def _open_errors() -> dict[str, tuple[str, str]]:
    return {key: (cls, message) for key, cls, message in _rows(
        "SELECT key, error_class, message FROM integration_errors WHERE flow = 'listings' AND resolved IS NULL")}


def test_a_new_matrix_family_appears_on_amazon_as_a_parent_with_its_children_after_passing_validation(
        listings_project):
    from amazon_netsuite.lib.amazon.listings import ListingsApi

    instance = dg.DagsterInstance.ephemeral()
    today = _today()
    with _netsuite() as client:
        family = _create_family(client)
    assert _run("listings_job", STOREFRONT, today, instance).success

    for sku in family:  # each previewed, found valid, then created
        assert _submissions(sku) == [("create", "preview", "VALID"), ("create", "submit", "ACCEPTED")]
    with _seller_client() as client:
        api = ListingsApi(client)
        parent = api.get_item(SELLER_ID, "POLO", MARKETPLACE, included=("summaries", "attributes", "relationships"))
        red = api.get_item(SELLER_ID, "POLO-RED-M", MARKETPLACE,
                           included=("summaries", "attributes", "issues", "relationships"))
    assert parent.product_type == "SHIRT" and set(parent.child_skus) == {"POLO-RED-M", "POLO-BLUE-L"}
    assert parent.attributes["variation_theme"][0]["name"] == "SIZE/COLOR"
    assert red.parent_skus == ("POLO",) and red.issues == ()
    assert (red.attributes["color"][0]["value"], red.attributes["size"][0]["value"]) == ("Red", "M")
    assert red.attributes["brand"] == [{"value": BRAND, "language_tag": "en_US", "marketplace_id": MARKETPLACE}]
    assert red.attributes["externally_assigned_product_identifier"][0] == {
        "type": "upc", "value": "036000291452", "marketplace_id": MARKETPLACE}
    # The catalog's SKUs were on Amazon before: found, registered as Amazon's, their content left alone.
    origins = dict(_rows("SELECT origin, count(*) FROM amazon_listing_content WHERE storefront = ? GROUP BY 1",
                         [STOREFRONT]))
    assert origins["ours"] == 3 and origins["amazon"] > 50
    assert _rows("SELECT count(*) FROM listing_submissions WHERE sku NOT LIKE 'POLO%'") == [(0,)]

    # An edit in NetSuite reaches Amazon once: the next run updates the child, the one after sends nothing.
    with _netsuite() as client:
        client.patch("inventoryItem", _item_id(client, "POLO-RED-M"),
                     {"storeDisplayName": "Piqué Polo Shirt – Cherry Red, M"})
    assert _run("listings_job", STOREFRONT, today, instance).success
    assert _submissions("POLO-RED-M")[-2:] == [("update", "preview", "VALID"), ("update", "submit", "ACCEPTED")]
    with _seller_client() as client:
        assert ListingsApi(client).get_item(SELLER_ID, "POLO-RED-M", MARKETPLACE).item_name == (
            "Piqué Polo Shirt – Cherry Red, M")
    sent = _rows("SELECT count(*) FROM listing_submissions")
    assert _run("listings_job", STOREFRONT, today, instance).success
    assert _rows("SELECT count(*) FROM listing_submissions") == sent
    assert _open_errors() == {}


def _item_id(client, sku: str) -> str:
    return next(str(r["id"]) for r in client.suiteql("SELECT id FROM item WHERE itemid = ?", [sku]))


def test_bad_product_master_rows_are_refused_with_the_reason_and_a_retired_item_stops_selling_but_stays_listed(
        listings_project):
    from amazon_netsuite.lib.amazon.listings import ListingsApi
    from amazon_netsuite.sandbox.netsuite.product_master import UNKNOWN_PRODUCT_TYPE

    instance = dg.DagsterInstance.ephemeral()
    today = _today()
    with _netsuite() as client:
        client.create("inventoryItem", _item("TEE-NOBRAND", "Plain Tee", custitem_amz_brand=None,
                                             upcCode="036000291452", custitem_color="Red", custitem_size="M"))
        client.create("inventoryItem", _item("GNOME-1", "Garden Gnome", product_type=UNKNOWN_PRODUCT_TYPE,
                                             upcCode="012345678905"))
        client.create("inventoryItem", _item("ORPHAN-RED", "Orphan Tee", matrixType={"id": "CHILD"},
                                             custitem_color="Red"))
        client.create("inventoryItem", _item("TEE-GOOD", "Good Tee", upcCode="4006381333931"))
        client.patch("inventoryItem", _item_id(client, "MUG-CAFE-WHITE"), {"custitem_amz_retired": True})
    assert _run("listings_job", STOREFRONT, today, instance).success

    errors = _open_errors()
    assert set(errors) == {"listing_content:TEE-NOBRAND", "listing_content:GNOME-1", "listing_content:ORPHAN-RED"}
    cls, message = errors["listing_content:TEE-NOBRAND"]
    assert cls == "validation" and "brand:" in message and "MISSING_ATTRIBUTE" in message
    assert errors["listing_content:GNOME-1"][0] == "mapping"
    assert f"no product type {UNKNOWN_PRODUCT_TYPE}" in errors["listing_content:GNOME-1"][1]
    assert errors["listing_content:ORPHAN-RED"] == (
        "mapping", f"SKU ORPHAN-RED (storefront {STOREFRONT}) cannot be listed: matrix child without a parent")
    # The refused row was previewed only; the unlistable ones never reached Amazon; the good one was created.
    assert _submissions("TEE-NOBRAND") == [("create", "preview", "INVALID")]
    assert _submissions("GNOME-1") == _submissions("ORPHAN-RED") == []
    assert _submissions("TEE-GOOD") == [("create", "preview", "VALID"), ("create", "submit", "ACCEPTED")]
    issues = _rows("SELECT severity, code, attribute_names FROM listing_issues WHERE sku = 'TEE-NOBRAND'")
    assert [(s, json.loads(a)) for s, _, a in issues] == [("ERROR", ["brand"])]

    # Retired: the offer ended and the quantity 0, the listing still there.
    assert _submissions("MUG-CAFE-WHITE") == [("retire", "preview", "VALID"), ("retire", "submit", "ACCEPTED")]
    with _seller_client() as client:
        api = ListingsApi(client)
        mug = api.get_item(SELLER_ID, "MUG-CAFE-WHITE", MARKETPLACE)
        assert mug is not None and not mug.buyable
        assert api.get_item(SELLER_ID, "MUG-CAFE-BLACK", MARKETPLACE).buyable
        assert api.get_item(SELLER_ID, "TEE-NOBRAND", MARKETPLACE) is None  # nothing half-created

    # The seller fixes the brand: the next run creates the SKU and resolves its error.
    with _netsuite() as client:
        client.patch("inventoryItem", _item_id(client, "TEE-NOBRAND"), {"custitem_amz_brand": BRAND})
    assert _run("listings_job", STOREFRONT, today, instance).success
    assert _submissions("TEE-NOBRAND")[-1] == ("create", "submit", "ACCEPTED")
    assert set(_open_errors()) == {"listing_content:GNOME-1", "listing_content:ORPHAN-RED"}
    assert _submissions("MUG-CAFE-WHITE")[-1] == ("retire", "submit", "ACCEPTED")  # retired once, not again
    assert len(_submissions("MUG-CAFE-WHITE")) == 2
