"""The generated world: deterministic, realistic in mix and money, and consistent with its own counts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from amazon_netsuite.sandbox.world import (
    CATALOG,
    ORDER_REPORT_COLUMNS,
    World,
    order_counts,
    order_report_rows,
    order_report_text,
    order_state,
    order_summary,
)

from amazon_netsuite.sandbox.world.markets import SHIP_TO

from .conftest import NOW

CENT = Decimal("0.01")
RATES = {(p.country, p.city): p.tax_rate for places in SHIP_TO.values() for p in places}

HISTORY_START = datetime(2026, 11, 6, tzinfo=timezone.utc)


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def all_orders(world: World, storefront: str):
    return world.orders_placed(storefront, world.first_day, NOW.date())


def test_the_same_seed_gives_the_same_report_rows(settings, world):
    again = World(settings, seed=7, today=NOW.date())
    other = World(settings, seed=8, today=NOW.date())
    rows = order_report_rows(world, "demo-na", HISTORY_START, NOW, NOW)
    assert rows == order_report_rows(again, "demo-na", HISTORY_START, NOW, NOW)
    assert rows != order_report_rows(other, "demo-na", HISTORY_START, NOW, NOW)
    assert len(rows) > 2000


def test_catalog_has_variations_kits_and_non_ascii_names():
    skus = {p.sku for p in CATALOG}
    assert 55 <= len(CATALOG) <= 65 and len(skus) == len(CATALOG)
    assert "TSHIRT-RED-M" in skus
    assert sum(p.is_kit for p in CATALOG) >= 3
    assert all(c in skus for p in CATALOG for c, _ in p.components)
    names = "".join(p.name for p in CATALOG)
    assert all(ch in names for ch in "éü™–")
    assert len({p.asin for p in CATALOG}) == len(CATALOG)


def test_order_ids_are_unique_and_carry_the_marketplace_prefix(world):
    prefixes = {"demo-US": ("111", "112", "113"), "demo-CA": ("702",), "demo-DE": ("302", "028"),
                "demo-FR": ("402", "403", "404", "405", "406", "407", "408")}
    ids = []
    for storefront, allowed in prefixes.items():
        for order in all_orders(world, storefront):
            assert re.fullmatch(r"\d{3}-\d{7}-\d{7}", order.amazon_order_id)
            assert order.amazon_order_id[:3] in allowed
            ids.append(order.amazon_order_id)
    assert len(ids) == len(set(ids))


def test_orders_per_day_vary_around_the_configured_number(world):
    counts = [len(world.orders_for_day("demo-US", world.first_day + timedelta(days=i))) for i in range(14)]
    assert all(80 <= c <= 120 for c in counts)
    assert len(set(counts)) > 3
    assert world.orders_for_day("demo-US", world.first_day - timedelta(days=1)) == ()


def test_fulfillment_mix_is_about_55_percent_fba_and_a_third_of_mfn_is_prime(world):
    orders = [o for s in ("demo-US", "demo-CA", "demo-DE", "demo-FR") for o in all_orders(world, s)]
    channels = Counter(o.channel for o in orders)
    fba = channels["FBA"] / len(orders)
    sfp_of_mfn = channels["SFP"] / (channels["SFP"] + channels["MFN"])
    assert 0.50 <= fba <= 0.60
    assert 0.26 <= sfp_of_mfn <= 0.40
    assert not any(o.is_prime for o in orders if o.channel == "FBA")
    cancelled = sum(o.cancelled_at is not None for o in orders) / len(orders)
    assert 0.025 <= cancelled <= 0.055
    assert any(o.cancelled_line is not None for o in orders), "some multi-line orders are partially cancelled"
    assert any(o.is_business_order for o in orders)
    assert any(line.gift_wrap_price for o in orders for line in o.lines)


def test_an_order_moves_from_pending_to_shipped_as_the_clock_runs(world):
    orders = [o for o in world.orders_for_day("demo-US", date(2026, 11, 10)) if o.cancelled_at is None]
    for order in orders:
        assert order_state(order, order.purchase_date - timedelta(seconds=1)) is None
        placed = order_state(order, order.purchase_date)
        assert placed.status == "Pending" and placed.last_updated == order.purchase_date
        final = order_state(order, order.purchase_date + timedelta(days=3))
        assert final.status == "Shipped"
        assert final.last_updated == max(order.shipped_at, order.line_cancelled_at or order.shipped_at)
        if order.fulfillment_channel == "Merchant":
            assert order.unshipped_at is not None
            assert order_state(order, order.unshipped_at).status == "Unshipped"
            assert not placed.prices_shown, "Amazon hides prices of pending self-fulfilled orders"
        assert timedelta(hours=2) <= order.shipped_at - order.purchase_date <= timedelta(hours=48, seconds=1)


def test_a_later_report_over_the_same_window_shows_orders_further_along(world):
    start, end = day_window(NOW.date())
    noon = order_report_rows(world, "demo-na", start, end, NOW)
    evening = order_report_rows(world, "demo-na", start, end, NOW + timedelta(hours=8))
    noon_status = Counter(r["order-status"] for r in noon)
    evening_status = Counter(r["order-status"] for r in evening)
    assert noon_status["Pending"] > 0 and noon_status["Unshipped"] > 0
    assert evening_status["Shipped"] > noon_status["Shipped"]
    assert max(r["last-updated-date"] for r in noon) <= "2026-11-20T12:00:00+00:00"


def test_counts_per_day_match_the_orders_in_each_days_report(world):
    counts = order_counts(world, "demo-US", date(2026, 11, 12), date(2026, 11, 20), NOW)
    assert list(counts) == [date(2026, 11, 12) + timedelta(days=i) for i in range(9)]
    for day, expected in counts.items():
        start, end = day_window(day)
        rows = order_report_rows(world, "demo-na", start, end, NOW)
        us_orders = {r["amazon-order-id"] for r in rows if r["sales-channel"] == "Amazon.com"}
        assert len(us_orders) == expected
        assert all(r["last-updated-date"].startswith(day.isoformat()) for r in rows)
    summary = order_summary(world, "demo-US", date(2026, 11, 12), date(2026, 11, 20), NOW)
    assert [d["orders"] for d in summary["days"]] == list(counts.values())
    assert summary["currency"] == "USD"


def test_summary_totals_are_the_item_prices_of_the_report_rows(world):
    start, end = day_window(date(2026, 11, 18))
    rows = [r for r in order_report_rows(world, "demo-eu", start, end, NOW)
            if r["item-price"] and r["sales-channel"] == "Amazon.de"]  # the EU account's report also holds Amazon.fr
    summary = order_summary(world, "demo-DE", date(2026, 11, 18), date(2026, 11, 18), NOW)
    assert Decimal(summary["item_price_total"]) == sum(Decimal(r["item-price"]) for r in rows)


def test_a_days_window_ending_at_midnight_or_at_235959_selects_the_same_orders(world):
    start, midnight = day_window(date(2026, 11, 15))
    a = order_report_rows(world, "demo-na", start, midnight, NOW)
    b = order_report_rows(world, "demo-na", start, midnight - timedelta(seconds=1), NOW)
    assert a == b


def test_the_report_holds_every_storefront_of_the_seller_account(world):
    rows = order_report_rows(world, "demo-na", *day_window(date(2026, 11, 16)), NOW)
    assert {r["sales-channel"] for r in rows} == {"Amazon.com", "Amazon.ca"}
    assert {r["currency"] for r in rows} == {"USD", "CAD"}
    assert list(rows[0]) == ORDER_REPORT_COLUMNS and len(ORDER_REPORT_COLUMNS) == 34


def test_german_and_french_vat_is_included_in_prices_and_ties_to_the_cent(world):
    rows = order_report_rows(world, "demo-eu", HISTORY_START, NOW, NOW)
    priced = [r for r in rows if r["item-price"]]
    assert {r["sales-channel"] for r in priced} == {"Amazon.de", "Amazon.fr"}
    for r in priced:
        rate = 19 if r["sales-channel"] == "Amazon.de" else 20
        # The VAT is the part of what the buyer pays, so of the price less its promotion (VAT Directive art. 79(b)).
        gross, vat = Decimal(r["item-price"]) + Decimal(r["item-promotion-discount"] or 0), Decimal(r["item-tax"])
        assert vat == (gross * rate / (100 + rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(r["item-price"]).as_tuple().exponent == -2
        assert r["tax-collection-model"] == "" and r["currency"] == "EUR"
        shipping = Decimal(r["shipping-price"]) + Decimal(r["ship-promotion-discount"] or 0)
        assert Decimal(r["shipping-tax"]) == (shipping * rate / (100 + rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    discounted = [r for r in priced if r["item-promotion-discount"] and Decimal(r["item-promotion-discount"])]
    assert discounted, "some EU lines carry a promotion, so the VAT on the discounted price is really tested"


def test_us_tax_is_marketplace_facilitator_and_canada_is_seller_collected(world):
    rows = order_report_rows(world, "demo-na", HISTORY_START, NOW, NOW)
    us = [r for r in rows if r["sales-channel"] == "Amazon.com"]
    ca = [r for r in rows if r["sales-channel"] == "Amazon.ca"]
    assert {r["tax-collection-model"] for r in us} == {"MarketplaceFacilitator"}
    assert {r["tax-collection-responsible-party"] for r in us} == {"Amazon Services, Inc."}
    assert {r["tax-collection-model"] for r in ca} == {""}
    for r in us + ca:
        if r["item-price"]:
            price, discount = Decimal(r["item-price"]), Decimal(r["item-promotion-discount"] or 0)
            rate = RATES[(r["ship-country"], r["ship-city"])]
            assert discount <= 0
            assert Decimal(r["item-tax"]) == ((price + discount) * rate / 100).quantize(CENT, ROUND_HALF_UP)
            assert (price / int(r["quantity"])).as_tuple().exponent >= -2, "item-price is unit price × quantity"


def test_cancelled_lines_have_no_quantity_and_no_prices(world):
    rows = order_report_rows(world, "demo-na", HISTORY_START, NOW, NOW)
    cancelled = [r for r in rows if r["item-status"] == "Cancelled"]
    assert cancelled
    for r in cancelled:
        assert r["quantity"] == "0" and r["item-price"] == "" and r["shipping-price"] == ""
    partially = {r["amazon-order-id"] for r in cancelled if r["order-status"] != "Cancelled"}
    assert partially, "a partial cancellation leaves the order open with one cancelled line"


def test_business_orders_promotions_and_prime_columns(world):
    rows = order_report_rows(world, "demo-na", HISTORY_START, NOW, NOW)
    business = [r for r in rows if r["is-business-order"] == "true"]
    assert business and {r["price-designation"] for r in business} == {"BusinessPrice"}
    assert any(r["purchase-order-number"].startswith("PO-") for r in business)
    promoted = [r for r in rows if r["item-promotion-discount"]]
    assert promoted and all(Decimal(r["item-promotion-discount"]) < 0 and r["promotion-ids"] for r in promoted)
    assert {r["is-prime"] for r in rows} == {"true", "false"}
    assert not any(r["is-prime"] == "true" for r in rows if r["fulfillment-channel"] == "Amazon")
    pending_mfn = [r for r in rows if r["order-status"] == "Pending" and r["fulfillment-channel"] == "Merchant"]
    assert all(r["item-price"] == "" for r in pending_mfn)


def test_the_report_file_round_trips_through_cp1252(world):
    rows = order_report_rows(world, "demo-eu", HISTORY_START, NOW, NOW)
    text = order_report_text(rows)
    assert text.encode("cp1252").decode("cp1252") == text
    assert any(ch in text for ch in "éü™–")
    lines = text.split("\n")
    assert lines[0].split("\t") == ORDER_REPORT_COLUMNS and lines[-1] == ""
    assert all(len(line.split("\t")) == 34 for line in lines[1:-1])


def test_naive_datetimes_are_taken_as_utc(world):
    naive_start, naive_now = HISTORY_START.replace(tzinfo=None), NOW.replace(tzinfo=None)
    assert order_report_rows(world, "demo-eu", naive_start, naive_now, naive_now) == order_report_rows(
        world, "demo-eu", HISTORY_START, NOW, NOW
    )
    order = world.orders_for_day("demo-DE", date(2026, 11, 19))[0]
    assert order_state(order, naive_now) == order_state(order, NOW)
