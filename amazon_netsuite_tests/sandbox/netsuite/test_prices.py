"""The sandbox's pricing matrix, price levels and price-change custom record through HTTP: the item `price`
sublist read and written by REST, invalid references refused, JPY in whole yen, SuiteQL's `pricing`, `pricelevel`
and `customrecord_amz_price_change` tables."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
import simplejson

from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS, seeded_price
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, frozen_netsuite, internal_id, suiteql_rows

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
ITEM = next(p for p in CATALOG if p.sku not in MISSING_SKUS and not p.is_kit and p.parent_sku)
KIT = next(p for p in CATALOG if p.sku not in MISSING_SKUS and p.is_kit)
STRICT = {"X-NetSuite-PropertyNameValidation": "Error"}


@pytest.fixture
def netsuite(tmp_path):
    with frozen_netsuite(tmp_path / "sandbox", NOW) as http:
        yield http


def _rows(http, q: str, *params) -> list[dict]:
    return suiteql_rows(http, q, list(params))


def _one(netsuite, q: str, *params: object) -> str:
    (row,) = _rows(netsuite, q, *params)
    (value,) = row.values()
    return value


def _ids(netsuite, sku: str) -> tuple[str, str, str]:
    """(item id, Amazon US level id, JPY currency id)."""
    return (_one(netsuite, "SELECT id FROM item WHERE itemid = ?", sku),
            _one(netsuite, "SELECT id FROM pricelevel WHERE name = 'Amazon US'"),
            _one(netsuite, "SELECT id FROM currency WHERE symbol = 'JPY'"))


def _price_lines(netsuite, record_type: str, item_id: str) -> list[dict]:
    response = netsuite.get(f"{RECORDS}/{record_type.lower()}/{item_id}/price", params={"expandSubResources": "true"})
    assert response.status_code == 200, response.text
    return simplejson.loads(response.text, use_decimal=True)["items"]


def _price(lines: list[dict], level: str, currency_id: str) -> Decimal:
    (line,) = [x for x in lines if x["priceLevelName"] == level and x["currencyPage"]["id"] == currency_id]
    return line["price"]


def test_the_seeded_price_sublist_is_the_matrix_of_every_level_and_currency_at_quantity_zero(netsuite):
    item_id, _, jpy = _ids(netsuite, ITEM.sku)
    usd = _one(netsuite, "SELECT id FROM currency WHERE symbol = 'USD'")
    lines = _price_lines(netsuite, "inventoryItem", item_id)
    assert len(lines) == 3 * 5  # Base Price, Amazon US, Amazon EU × USD, CAD, EUR, GBP, JPY
    assert {line["quantity"]["value"] for line in lines} == {0}
    assert _price(lines, "Base Price", usd) == Decimal(ITEM.price_usd)
    assert _price(lines, "Amazon US", jpy) == seeded_price(ITEM, "Amazon US", "JPY")
    assert str(_price(lines, "Amazon US", jpy)).isdigit()  # whole yen on the wire: no fraction


def test_a_price_patched_by_rest_changes_that_line_only_and_is_read_back_by_suiteql(netsuite):
    item_id, level, jpy = _ids(netsuite, KIT.sku)
    before = len(_price_lines(netsuite, "kitItem", item_id))
    response = netsuite.patch(f"{RECORDS}/kitItem/{item_id}", headers=STRICT, json={"price": {"items": [
        {"currencyPage": {"id": jpy}, "priceLevel": {"id": level}, "quantity": {"value": 0}, "price": 4321.6}]}})
    assert response.status_code == 204, response.text
    assert len(_price_lines(netsuite, "kitItem", item_id)) == before
    assert _one(netsuite, "SELECT unitprice FROM pricing WHERE item = ? AND pricelevel = ? AND currency = ? "
                          "AND quantity = 0", item_id, level, jpy) == "4322"  # whole yen


@pytest.mark.parametrize("field, ref", [("priceLevel", {"id": "999999"}), ("currencyPage", {"externalId": "XXX"})])
def test_a_price_with_an_unknown_price_level_or_currency_is_refused_as_an_invalid_reference(netsuite, field, ref):
    item_id, level, jpy = _ids(netsuite, ITEM.sku)
    line = {"currencyPage": {"id": jpy}, "priceLevel": {"id": level}, "quantity": {"value": 0}, "price": 10,
            field: ref}
    response = netsuite.patch(f"{RECORDS}/inventoryItem/{item_id}", json={"price": {"items": [line]}})
    assert response.status_code == 400
    error = response.json()["o:errorDetails"][0]
    assert (error["o:errorCode"], error["o:errorPath"]) == ("INVALID_KEY_OR_REF", f"price.items[0].{field}")


def test_price_levels_are_listed_by_suiteql_with_netsuites_columns(netsuite):
    rows = _rows(netsuite, "SELECT name, discountpct, isinactive, isonline FROM pricelevel ORDER BY id")
    assert rows == [{"name": "Base Price", "discountpct": "0", "isinactive": "F", "isonline": "T"},
                    {"name": "Amazon US", "discountpct": "10", "isinactive": "F", "isonline": "F"},
                    {"name": "Amazon EU", "discountpct": "15", "isinactive": "F", "isonline": "F"}]


def test_a_price_change_record_is_created_updated_and_queried_with_its_dates_and_whole_yen(netsuite):
    item_id, level, jpy = _ids(netsuite, ITEM.sku)
    change_id = internal_id(netsuite.post(f"{RECORDS}/customrecord_amz_price_change", headers=STRICT, json={
        "name": "Winter", "custrecord_apc_item": {"id": item_id}, "custrecord_apc_price_level": {"id": level},
        "custrecord_apc_currency": {"id": jpy}, "custrecord_apc_price": 2500,
        "custrecord_apc_start_date": "2026-12-01"}))
    change = {"custrecord_apc_end_date": "2026-12-31", "custrecord_apc_price": 2999.5}  # no currency: the record's
    assert netsuite.patch(f"{RECORDS}/customrecord_amz_price_change/{change_id}", json=change).status_code == 204
    record = netsuite.get(f"{RECORDS}/customrecord_amz_price_change/{change_id}").json()
    assert record["custrecord_apc_end_date"] == "2026-12-31"
    assert _rows(netsuite, "SELECT custrecord_apc_price, custrecord_apc_start_date, custrecord_apc_end_date "
                           "FROM customrecord_amz_price_change WHERE id = ?", change_id) == [
        {"custrecord_apc_price": "3000", "custrecord_apc_start_date": "12/1/2026",
         "custrecord_apc_end_date": "12/31/2026"}]


def test_a_price_change_without_a_start_date_is_refused(netsuite):
    item_id, level, jpy = _ids(netsuite, ITEM.sku)
    response = netsuite.post(f"{RECORDS}/customrecord_amz_price_change", json={
        "custrecord_apc_item": {"id": item_id}, "custrecord_apc_price_level": {"id": level},
        "custrecord_apc_currency": {"id": jpy}, "custrecord_apc_price": 10})
    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorPath"] == "custrecord_apc_start_date"


def test_a_quantity_break_is_its_own_line_and_quantity_zero_written_as_0_0_updates_the_list_price(netsuite):
    item_id, level, jpy = _ids(netsuite, ITEM.sku)
    lines = [{"currencyPage": {"id": jpy}, "priceLevel": {"id": level}, "quantity": {"value": 10}, "price": 1000},
             {"currencyPage": {"id": jpy}, "priceLevel": {"id": level}, "quantity": {"value": 0.0}, "price": 1100}]
    assert netsuite.patch(f"{RECORDS}/inventoryItem/{item_id}", json={"price": {"items": lines}}).status_code == 204
    assert _rows(netsuite, "SELECT quantity, unitprice FROM pricing WHERE item = ? AND pricelevel = ? "
                           "AND currency = ? ORDER BY quantity", item_id, level, jpy) == [
        {"quantity": "0", "unitprice": "1100"}, {"quantity": "10", "unitprice": "1000"}]
