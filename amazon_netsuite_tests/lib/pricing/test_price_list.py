"""The price list of a storefront-day: scheduled changes on their day and not before, the storefront's price level
before the Base Price, one rounding to the currency, and a clear reason when a SKU has no price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from amazon_netsuite.lib.pricing.netsuite_prices import PRICE_CHANGES_SCHEMA, PRICES_SCHEMA
from amazon_netsuite.lib.pricing.price_list import price_list

D = Decimal
PRICES = pa.Table.from_pylist([
    {"sku": "MUG", "price_level": "Base Price", "currency": "USD", "price": D("12.5000")},
    {"sku": "MUG", "price_level": "Amazon US", "currency": "USD", "price": D("11.9900")},
    {"sku": "CAP", "price_level": "Base Price", "currency": "USD", "price": D("19.9950")},
    {"sku": "CAP", "price_level": "Base Price", "currency": "JPY", "price": D("2980.5000")},
    {"sku": "TOTE", "price_level": "Base Price", "currency": "EUR", "price": D("9.9900")},
], schema=PRICES_SCHEMA)
CHANGES = pa.Table.from_pylist([
    {"change_id": "7", "sku": "MUG", "price_level": "Amazon US", "currency": "USD", "price": D("9.9900"),
     "start_date": date(2026, 12, 4), "end_date": None},
    {"change_id": "8", "sku": "MUG", "price_level": "Amazon US", "currency": "USD", "price": D("8.4900"),
     "start_date": date(2026, 12, 10), "end_date": date(2026, 12, 12)},
    {"change_id": "9", "sku": "CAP", "price_level": "Amazon EU", "currency": "USD", "price": D("1.0000"),
     "start_date": date(2026, 12, 1), "end_date": None},  # another level: not this storefront's
], schema=PRICE_CHANGES_SCHEMA)


def _list(day: date, currency: str = "USD", level: str = "Amazon US") -> dict[str, tuple]:
    table = price_list(PRICES, CHANGES, price_level=level, currency=currency, day=day)
    return {r["sku"]: (r["price"], r["source"], r["held_back_reason"]) for r in table.to_pylist()}


def test_a_change_scheduled_for_tomorrow_is_the_price_from_tomorrow_and_not_before():
    assert _list(date(2026, 12, 3))["MUG"][:2] == (D("11.99"), "price level Amazon US")
    assert _list(date(2026, 12, 4))["MUG"][:2] == (D("9.99"), "scheduled change 7 from 2026-12-04")


def test_a_change_with_an_end_date_holds_until_then_and_the_earlier_change_comes_back():
    assert [_list(date(2026, 12, d))["MUG"][0] for d in (9, 10, 11, 12)] == [D("9.99"), D("8.49"), D("8.49"),
                                                                           D("9.99")]


def test_a_sku_without_a_price_at_the_level_takes_its_base_price_rounded_once_to_the_currency():
    assert _list(date(2026, 12, 3))["CAP"] == (D("20.00"), "price level Base Price", None)  # 19.995 → 20.00
    assert _list(date(2026, 12, 3), currency="JPY")["CAP"][0] == D("2981")  # whole yen


@pytest.mark.parametrize("currency", ["USD", "GBP"])
def test_a_sku_without_any_price_in_the_currency_is_held_back_with_the_reason(currency):
    price, source, reason = _list(date(2026, 12, 3), currency=currency)["TOTE"]
    assert (price, source) == (None, None)
    assert reason == f"no price in {currency} at Amazon US or Base Price"


def test_pricing_settings_default_to_the_base_price_and_refuse_an_unknown_storefront_or_crossed_bounds(tmp_path):
    import yaml

    from amazon_netsuite.lib.settings import SettingsError, load_settings
    from amazon_netsuite_tests.conftest import DEMO_SETTINGS

    settings = load_settings(DEMO_SETTINGS)  # demo-CA is not named under pricing: every default
    assert (settings.storefront_prices("demo-CA").price_level, settings.storefront_prices("demo-CA").push) == (
        "Base Price", True)
    assert settings.storefront_prices("demo-US").price_level == "Amazon US"
    raw = yaml.safe_load(DEMO_SETTINGS.read_text(encoding="utf-8"))
    for pricing, said in (({"storefronts": {"demo-XX": {}}}, "pricing.storefronts: demo-XX"),
                          ({"storefronts": {"demo-US": {"minimum_allowed_share": "0.9", "maximum_allowed_share": "1",
                                                        "price_level": "Amazon US"}},
                            "max_change_share": "0"}, "max_change_share")):
        path = tmp_path / "accounts.yaml"
        path.write_text(yaml.safe_dump({**raw, "pricing": pricing}), encoding="utf-8")
        with pytest.raises(SettingsError, match=said):
            load_settings(path)


def _prices(**by_sku) -> pa.Table:
    return pa.Table.from_pylist([{"sku": k, "price": None if v is None else D(v)} for k, v in by_sku.items()],
                                schema=pa.schema([("sku", pa.string()), ("price", pa.decimal128(18, 4))]))


def test_the_gate_refuses_a_price_that_moved_by_more_than_the_share_or_fell_under_cost_naming_the_skus():
    from amazon_netsuite.lib.pricing.gate import price_gate

    accepted = _prices(MUG="10.00", CAP="20.00", TOTE="5.00")
    costs = pa.Table.from_pylist([{"sku": "MUG", "cost": D("4.00")}, {"sku": "NEW", "cost": D("8.00")}],
                                 schema=pa.schema([("sku", pa.string()), ("cost", pa.decimal128(18, 4))]))
    fine = price_gate(_prices(MUG="12.50", CAP="15.00", TOTE=None, NEW="9.00"), accepted, costs,
                      max_change_share=D("0.25"), allow_below_cost=False)
    assert fine.passed and fine.reasons == []  # +25 % and −25 % are within the share; a held-back SKU is not judged
    refused = price_gate(_prices(MUG="1.00", CAP="14.99", NEW="7.99"), accepted, costs,
                         max_change_share=D("0.25"), allow_below_cost=False)
    assert not refused.passed and refused.skus == ["CAP", "MUG", "NEW"]
    assert "MUG 10.0000 → 1.0000" in refused.reasons[0] and "CAP 20.0000 → 14.9900" in refused.reasons[0]
    assert refused.reasons[1].startswith("2 price(s) are under the item's cost: MUG 1.0000 < cost 4.0000, NEW")
    assert price_gate(_prices(NEW="7.99"), accepted, costs, max_change_share=D("0.25"), allow_below_cost=True).passed
