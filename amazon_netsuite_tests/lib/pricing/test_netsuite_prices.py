"""The NetSuite price reader through HTTP against the sandbox: one price level and currency with the Base Price as
fallback, exact decimals (JPY whole yen), a price written by REST read back, unknown levels refused, and the
scheduled price changes with their dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest

from amazon_netsuite.lib.pricing.netsuite_prices import (
    PRICE_CHANGES_SCHEMA,
    PRICES_SCHEMA,
    UnknownPriceReference,
    read_price_changes,
    read_prices,
)
from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS, seeded_price
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.lib.netsuite.conftest import frozen_client

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
CENT = Decimal("0.01")
PRICED = [p for p in CATALOG if p.sku not in MISSING_SKUS]
ITEM = next(p for p in PRICED if not p.is_kit)
KIT = next(p for p in PRICED if p.is_kit)


@pytest.fixture
def client(tmp_path):
    with frozen_client(tmp_path / "sandbox", NOW) as client:
        yield client


def _by_sku(table) -> dict[str, dict]:
    return {row["sku"]: row for row in table.to_pylist()}


@pytest.mark.parametrize("level, currency", [("Amazon US", "USD"), ("Amazon EU", "EUR")])
def test_the_seeded_matrix_is_read_for_one_level_and_currency_exactly(client, level, currency):
    prices = read_prices(client, level, currency, page_size=7)  # small pages: paging by item id is exercised
    assert prices.schema == PRICES_SCHEMA
    rows = _by_sku(prices)
    assert set(rows) == {p.sku for p in PRICED}  # every sellable item and kit, no matrix parent
    for product in PRICED:
        assert rows[product.sku]["price"] == seeded_price(product, level, currency)
        assert (rows[product.sku]["price_level"], rows[product.sku]["currency"]) == (level, currency)


def test_jpy_prices_are_whole_yen(client):
    rows = _by_sku(read_prices(client, "Amazon US", "JPY"))
    assert rows[KIT.sku]["price"] == seeded_price(KIT, "Amazon US", "JPY")
    assert all(row["price"] == row["price"].to_integral_value() for row in rows.values())


def test_an_item_without_a_price_at_the_level_falls_back_to_the_base_price(client):
    level_id = client.create("priceLevel", {"name": "Amazon JP", "discountPct": 5})
    kit_id = next(row["id"] for row in client.suiteql("SELECT id FROM item WHERE itemid = ?", [KIT.sku]))
    jpy = next(row["id"] for row in client.suiteql("SELECT id FROM currency WHERE symbol = 'JPY'"))
    client.patch("kitItem", kit_id, {"price": {"items": [
        {"currencyPage": {"id": jpy}, "priceLevel": {"id": level_id}, "quantity": {"value": 0}, "price": 1234}]}})
    rows = _by_sku(read_prices(client, "Amazon JP", "JPY"))
    assert (rows[KIT.sku]["price"], rows[KIT.sku]["price_level"]) == (Decimal(1234), "Amazon JP")
    assert (rows[ITEM.sku]["price"], rows[ITEM.sku]["price_level"]) == (seeded_price(ITEM, "Base Price", "JPY"),
                                                                        "Base Price")


def test_a_price_written_by_rest_is_read_back_exactly(client):
    item_id = next(row["id"] for row in client.suiteql("SELECT id FROM item WHERE itemid = ?", [ITEM.sku]))
    level = next(row["id"] for row in client.suiteql("SELECT id FROM pricelevel WHERE name = 'Amazon EU'"))
    gbp = next(row["id"] for row in client.suiteql("SELECT id FROM currency WHERE symbol = 'GBP'"))
    client.patch("inventoryItem", item_id, {"price": {"items": [
        {"currencyPage": {"id": gbp}, "priceLevel": {"id": level}, "quantity": {"value": 0},
         "price": Decimal("17.45")}]}})
    assert _by_sku(read_prices(client, "Amazon EU", "GBP"))[ITEM.sku]["price"] == Decimal("17.45")


@pytest.mark.parametrize("level, currency", [("Amazon Mars", "USD"), ("Amazon US", "XYZ")])
def test_an_unknown_price_level_or_currency_is_refused(client, level, currency):
    with pytest.raises(UnknownPriceReference, match="Amazon Mars" if currency == "USD" else "XYZ"):
        read_prices(client, level, currency)


def test_the_scheduled_price_changes_are_read_with_their_dates(client):
    changes = read_price_changes(client)
    assert changes.schema == PRICE_CHANGES_SCHEMA
    rows = [{k: row[k] for k in ("sku", "price_level", "currency", "price", "start_date", "end_date")}
            for row in changes.to_pylist()]
    tomorrow = TODAY + timedelta(days=1)
    assert rows == [
        {"sku": ITEM.sku, "price_level": "Amazon US", "currency": "USD",
         "price": (seeded_price(ITEM, "Amazon US", "USD") * Decimal("0.9")).quantize(CENT, ROUND_HALF_UP),
         "start_date": TODAY - timedelta(days=30), "end_date": None},
        {"sku": ITEM.sku, "price_level": "Amazon US", "currency": "USD",
         "price": (seeded_price(ITEM, "Amazon US", "USD") * Decimal("1.05")).quantize(CENT, ROUND_HALF_UP),
         "start_date": tomorrow, "end_date": date(2026, 11, 28)},
        {"sku": KIT.sku, "price_level": "Base Price", "currency": "JPY",
         "price": (seeded_price(KIT, "Base Price", "JPY") * Decimal("0.8")).quantize(Decimal(1), ROUND_HALF_UP),
         "start_date": tomorrow, "end_date": None},
    ]


def test_the_price_list_of_tomorrow_carries_the_change_scheduled_for_tomorrow_and_todays_does_not(client):
    from amazon_netsuite.lib.pricing.price_list import price_list

    prices, changes = read_prices(client, "Amazon US", "USD"), read_price_changes(client)
    rise = next(c for c in changes.to_pylist() if c["price_level"] == "Amazon US" and c["start_date"] > TODAY)

    def price_on(day):
        rows = price_list(prices, changes, price_level="Amazon US", currency="USD", day=day).to_pylist()
        return next((r["price"], r["source"]) for r in rows if r["sku"] == rise["sku"])

    # Today the item is at its autumn price (a change 30 days old); the rise starts on its day, not before.
    past = next(c for c in changes.to_pylist() if c["sku"] == rise["sku"] and c["start_date"] < TODAY)
    assert price_on(TODAY) == (past["price"], f"scheduled change {past['change_id']} from "
                                              f"{past['start_date']:%Y-%m-%d}")
    assert price_on(rise["start_date"]) == (rise["price"], f"scheduled change {rise['change_id']} from "
                                                           f"{rise['start_date']:%Y-%m-%d}")
    assert rise["price"] != past["price"]
