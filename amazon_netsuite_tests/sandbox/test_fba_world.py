"""The FBA pool of the generated world: ledger events explain every unit, and stock never goes below zero."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest

from amazon_netsuite.sandbox.world import World, demo_settings
from amazon_netsuite.sandbox.world.fba import (
    ADJUSTMENTS,
    CUSTOMER_RETURNS,
    RECEIPTS,
    SELLABLE,
    SHIPMENTS,
    VENDOR_RETURNS,
    fba_stock,
    ledger_events,
)
from amazon_netsuite.sandbox.world.listings import FBA_SKUS, MFN_SKUS, fba_units, starting_stock
from amazon_netsuite.sandbox.world.orders import FBA

FIRST_DAY = date(2026, 8, 1)
START = datetime(2026, 8, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def world() -> World:
    """Ninety days at 100 orders per storefront-day."""
    return World(demo_settings(), seed=7, orders_per_day=100, first_day=FIRST_DAY, today=FIRST_DAY + timedelta(90))


@pytest.mark.parametrize("account", ["demo-na", "demo-eu"])
def test_the_pool_is_its_starting_stock_plus_its_ledger_events_at_any_instant(world, account):
    region = world.settings.account(account).region
    for as_of in (START + timedelta(days=3, hours=5), START + timedelta(days=41, seconds=7),
                  START + timedelta(days=89)):
        moved: Counter = Counter()
        for event in ledger_events(world, account, START, as_of):
            moved[event.sku] += event.quantity
        stock = fba_stock(world, account, as_of)
        assert set(stock) == set(FBA_SKUS) and not set(stock) & set(MFN_SKUS)
        for sku, quantities in stock.items():
            on_hand = quantities.sellable + quantities.unfulfillable
            assert on_hand == starting_stock(sku, f"FBA-{region}") + moved[sku], (sku, as_of)


def test_no_sku_goes_below_zero_over_ninety_days(world):
    for account in ("demo-na", "demo-eu"):
        region = world.settings.account(account).region
        balance = {sku: starting_stock(sku, f"FBA-{region}") for sku in FBA_SKUS}
        by_disposition: Counter = Counter()
        for event in ledger_events(world, account, START, START + timedelta(days=90)):
            if event.disposition == SELLABLE:
                balance[event.sku] += event.quantity
                assert balance[event.sku] >= 0, event
            else:
                by_disposition[event.sku, event.disposition] += event.quantity
                assert by_disposition[event.sku, event.disposition] >= 0, event
        for day in range(0, 90, 3):
            stock = fba_stock(world, account, START + timedelta(days=day, hours=13))
            assert all(q.fulfillable >= 0 and q.reserved >= 0 for q in stock.values()), day


def test_each_shipped_fba_order_line_leaves_the_pool_at_its_shipment(world):
    day = FIRST_DAY + timedelta(days=30)
    expected: Counter = Counter()
    for key in ("demo-US", "demo-CA"):
        for order in world.orders_for_day(key, day):
            if order.fulfillment_channel == FBA and order.shipped_at is not None:
                for i, line in enumerate(order.lines):
                    if i != order.cancelled_line:
                        for sku, units in fba_units(line.product, line.quantity):
                            expected[order.amazon_order_id, sku] -= units
    shipped: Counter = Counter()
    for event in ledger_events(world, "demo-na", START, START + timedelta(days=35)):
        if event.event_type == SHIPMENTS and (event.reference_id, event.sku) in expected:
            shipped[event.reference_id, event.sku] += event.quantity
    assert shipped == expected and expected


def test_the_ledger_has_every_kind_of_movement_with_its_country(world):
    events = ledger_events(world, "demo-eu", START, START + timedelta(days=60))
    kinds = Counter((e.event_type, e.disposition, e.reason) for e in events)
    assert {RECEIPTS, SHIPMENTS, CUSTOMER_RETURNS, ADJUSTMENTS, VENDOR_RETURNS} == {k[0] for k in kinds}
    assert kinds[ADJUSTMENTS, SELLABLE, "E"] == kinds[ADJUSTMENTS, "WAREHOUSE_DAMAGED", "E"] > 0
    assert kinds[ADJUSTMENTS, SELLABLE, "M"] > 0 and kinds[ADJUSTMENTS, SELLABLE, "F"] > 0
    assert kinds[CUSTOMER_RETURNS, "CUSTOMER_DAMAGED", ""] > 0
    assert {e.country for e in events if e.event_type == SHIPMENTS} == {"DE", "FR"}
    assert all(e.reference_id.startswith("FBA15") for e in events if e.event_type == RECEIPTS)


def test_units_ordered_and_not_yet_shipped_are_reserved(world):
    as_of = START + timedelta(days=20, hours=15)
    reserved: dict[str, int] = defaultdict(int)
    for key in ("demo-US", "demo-CA"):
        for order in world.orders_placed(key, as_of.date() - timedelta(days=2), as_of.date()):
            released = order.shipped_at or order.cancelled_at
            if order.fulfillment_channel == FBA and order.purchase_date <= as_of < released:
                for i, line in enumerate(order.lines):
                    if i != order.cancelled_line:
                        for sku, units in fba_units(line.product, line.quantity):
                            reserved[sku] += units
    stock = fba_stock(world, "demo-na", as_of)
    assert {sku: q.reserved for sku, q in stock.items() if q.reserved} == dict(reserved) and reserved
    assert all(q.fulfillable == q.sellable - q.reserved for q in stock.values())


def test_a_shipment_due_in_the_next_days_shows_as_inbound(world):
    as_of = START + timedelta(days=50)
    stock = fba_stock(world, "demo-na", as_of)
    due = [e for e in ledger_events(world, "demo-na", as_of + timedelta(seconds=1), as_of + timedelta(days=3))
           if e.event_type == RECEIPTS]
    assert due
    for receipt in due:
        assert stock[receipt.sku].inbound_shipped + stock[receipt.sku].inbound_receiving >= receipt.quantity
