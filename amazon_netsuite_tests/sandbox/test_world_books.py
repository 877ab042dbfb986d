"""The world's own books (the truth the trial-balance tests hold NetSuite against) split every settlement line into
exactly one kind, and the kinds add up to the settlement's total to the cent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.sandbox.world import World
from amazon_netsuite.sandbox.world.books import order_books, world_books

from .conftest import NOW

D = Decimal


@pytest.fixture(scope="module")
def books(settings) -> dict:
    world = World(settings, seed=7, orders_per_day=40, history_days=35, today=NOW.date())
    return world_books(world, [s.key for s in settings.storefronts], NOW)


def test_each_settlement_is_its_orders_paid_plus_unknown_sales_less_refunds_fees_plus_reimbursements_and_reserve(
        books):
    paid = {o["order_id"]: D(o["net"]) + D(o["tax"]) for o in books["orders"]}
    assert len(books["settlements"]) >= 4
    for s in books["settlements"]:
        refunds = sum((D(r["net"]) + D(r["tax"]) for r in s["refunds"]), D(0))
        expected = (sum((paid[o] for o in s["sold"]), D(0)) + D(s["unknown_sale_net"]) + D(s["unknown_sale_tax"])
                    - refunds - D(s["fees"]) + D(s["reimbursements"]) + D(s["reserve"]))
        assert expected == D(s["total"]), s["settlement_id"]
        # Amazon withholds exactly the facilitator tax buyers paid, and nothing where the seller collects tax.
        assert D(s["tax_collected"]) == -D(s["tax_withheld"]) if s["currency"] == "USD" else D(s["tax_withheld"]) == 0


def test_vat_is_inside_the_german_price_and_canadian_tax_is_the_sellers_and_us_tax_amazons(books):
    by_storefront = {}
    for o in books["orders"]:
        by_storefront.setdefault(o["storefront"], []).append(o)
    us, ca, de = (by_storefront[k] for k in ("demo-US", "demo-CA", "demo-DE"))
    assert all(D(o["tax"]) == 0 and D(o["facilitator_tax"]) >= 0 for o in us)
    assert sum(D(o["facilitator_tax"]) for o in us) > 0
    assert all(D(o["facilitator_tax"]) == 0 for o in ca + de) and sum(D(o["tax"]) for o in ca) > 0
    # Revenue is net: a German order's VAT is 19/119 of what the buyer paid, line by line (so within a cent a line).
    for o in de:
        gross = D(o["net"]) + D(o["tax"])
        assert abs(D(o["tax"]) - gross * 19 / 119) < D("0.05"), o


def test_an_order_line_cancelled_before_shipment_is_not_in_its_books(settings):
    world = World(settings, seed=7, orders_per_day=40, history_days=14, today=NOW.date())
    orders = [o for o in world.orders_placed("demo-US", world.first_day, NOW.date())
              if o.cancelled_line is not None and o.shipped_at is not None]
    assert orders
    order = orders[0]
    kept = [line for i, line in enumerate(order.lines) if i != order.cancelled_line]
    expected = sum((line.item_price + (line.item_promotion_discount or 0) + line.shipping_price
                    + (line.ship_promotion_discount or 0) + (line.gift_wrap_price or 0) for line in kept), D(0))
    assert order_books(world.markets["demo-US"], order).net == expected


def test_the_sandbox_serves_the_books_of_the_storefronts_asked_for(sandbox_config):
    from amazon_netsuite.sandbox.server import start_in_thread

    # A small world: the books of five weeks of every storefront are computed on each call.
    with start_in_thread(sandbox_config.model_copy(update={"history_days": 35, "orders_per_day": 10})) as sandbox:
        response = httpx.get(f"{sandbox.url}/_sandbox/books", params={"storefront": "demo-CA"}, timeout=120)
        bad = httpx.get(f"{sandbox.url}/_sandbox/books", params={"storefront": "nowhere"}, timeout=120)
    response.raise_for_status()
    body = response.json()
    assert datetime.fromisoformat(body["as_of"]) == NOW
    assert {o["storefront"] for o in body["orders"]} == {"demo-CA"} and len(body["orders"]) > 50
    assert {s["currency"] for s in body["settlements"]} == {"CAD"} and len(body["settlements"]) == 2
    assert bad.status_code == 400 and "demo-CA" in bad.text
