"""The seller's shipment confirmations over the world's own timeline (world/orders.py confirmed_state)."""

from __future__ import annotations

from datetime import timedelta

from amazon_netsuite.sandbox.world.orders import ConfirmedPackage, confirmed_state, order_item_id, order_state

from .conftest import NOW


def _mfn(world, predicate):
    for order in world.orders_placed("demo-US", NOW.date() - timedelta(days=3), NOW.date()):
        if order.channel != "FBA" and predicate(order):
            return order
    raise AssertionError("no such order in the world")


def test_confirmations_make_an_unshipped_order_partially_shipped_then_shipped(world):
    order = _mfn(world, lambda o: len(o.lines) >= 2 and o.cancelled_at is None and o.cancelled_line is None
                 and o.unshipped_at < NOW - timedelta(hours=1) < o.shipped_at - timedelta(hours=2))
    at = order.unshipped_at + timedelta(minutes=5)
    first = ConfirmedPackage(at, ((0, order.lines[0].quantity),))
    partial = confirmed_state(order, at, (first,))
    assert partial.status == "PartiallyShipped" and partial.last_updated == at
    assert partial.item_statuses == ("Shipped",) + ("Unshipped",) * (len(order.lines) - 1)
    rest = ConfirmedPackage(at + timedelta(minutes=1), tuple((i, l.quantity) for i, l in enumerate(order.lines)
                                                              if i > 0))
    assert confirmed_state(order, at + timedelta(minutes=1), (first, rest)).status == "Shipped"
    # Before the confirmation the order reads as the world has it; nothing confirmed, nothing changes.
    assert confirmed_state(order, at - timedelta(seconds=1), (first,)) == order_state(order, at - timedelta(seconds=1))
    assert confirmed_state(order, at) == order_state(order, at)


def test_an_order_the_world_ships_stays_shipped_and_a_later_cancellation_never_undoes_a_confirmation(world):
    shipped = _mfn(world, lambda o: o.shipped_at is not None and o.shipped_at < NOW)
    late = ConfirmedPackage(NOW, ((0, 1),))
    state = confirmed_state(shipped, NOW, (late,))
    assert state.status == "Shipped" and state.last_updated == NOW
    cancelled = _mfn(world, lambda o: o.cancelled_at is not None and o.unshipped_at is not None
                     and o.unshipped_at < o.cancelled_at - timedelta(seconds=2))
    before = ConfirmedPackage(cancelled.cancelled_at - timedelta(seconds=1),
                              tuple((i, l.quantity) for i, l in enumerate(cancelled.lines)))
    assert confirmed_state(cancelled, cancelled.cancelled_at + timedelta(hours=1), (before,)).status == "Shipped"


def test_order_item_ids_are_fourteen_digits_stable_and_distinct_per_line(world):
    order = _mfn(world, lambda o: len(o.lines) >= 2)
    ids = [order_item_id(order, i) for i in range(len(order.lines))]
    assert all(len(i) == 14 and i.isdigit() for i in ids) and len(set(ids)) == len(ids)
    assert ids == [order_item_id(order, i) for i in range(len(order.lines))]
