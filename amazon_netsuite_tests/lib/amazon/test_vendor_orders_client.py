"""The Vendor Central client against the sandbox over HTTP: long windows asked in 7-day slices and followed through
their pages, typed orders with Decimal money, acknowledgements followed to Success or Failure, a transaction that
never turns given up on with a clear error, Amazon's changes found by changedAfter, Direct Fulfillment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from amazon_netsuite.lib.amazon import TransactionTimeout
from amazon_netsuite.lib.amazon.vendor_orders import (
    DirectFulfillmentOrdersApi,
    TransactionStatus,
    VendorOrdersApi,
    acknowledgement,
    direct_fulfillment_acknowledgement,
    slices,
    window_bounds,
)
from amazon_netsuite.lib.settings import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    AmazonConnection,
    sandbox_refresh_token,
)

from .conftest import NOW, advance_world_clock, set_faults

VENDOR = "demo-vendor"


def vendor_connection(sandbox) -> AmazonConnection:
    """The sandbox's vendor account (the project's vendor settings come with the vendor flow)."""
    return AmazonConnection(seller_account=VENDOR, endpoint=sandbox.url, lwa_token_url=f"{sandbox.url}/auth/o2/token",
                            client_id=SANDBOX_LWA_CLIENT_ID, client_secret=SANDBOX_LWA_CLIENT_SECRET,
                            refresh_token=sandbox_refresh_token(VENDOR), sandbox=True)


class WorldTime:
    """Polling's clock and sleep: a sleep moves the sandbox's world clock, so transactions turn without waiting."""

    def __init__(self, sandbox) -> None:
        self.sandbox, self.now, self.sleeps = sandbox, 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        advance_world_clock(self.sandbox, seconds)


@pytest.fixture
def world_time(sandbox) -> WorldTime:
    return WorldTime(sandbox)


@pytest.fixture
def vendor_client(sandbox, make_client):
    return make_client(vendor_connection(sandbox))


@pytest.fixture
def orders(vendor_client, world_time) -> VendorOrdersApi:
    return VendorOrdersApi(vendor_client, clock=world_time.clock, sleep=world_time.sleep)


def test_a_window_longer_than_seven_days_is_asked_in_slices_and_pages(sandbox, orders):
    """Amazon refuses windows over 7 days; twenty days come back whole, in order, through pages of three."""
    start, end = NOW - timedelta(days=20), NOW
    assert [(b - a).days for a, b in slices(start, end)] == [7, 7, 6]
    found = list(orders.purchase_orders(created_after=start, created_before=end, page_size=3))
    expected = sandbox.state.vendor_worlds[VENDOR].purchase_orders_placed(start, end)
    assert [o.purchase_order_number for o in found] == [po.number for po in expected] and len(found) > 30
    first, world_first = found[0], expected[0]
    cost = first.items[0].net_cost.amount
    assert isinstance(cost, Decimal) and cost == world_first.items[0].net_cost
    assert first.items[0].ordered_quantity.eaches == world_first.items[0].eaches
    assert window_bounds(first.order_details.ship_window) == world_first.ship_window
    with pytest.raises(ValueError, match="one window"):
        next(orders.purchase_orders(created_after=start, created_before=end, changed_after=start, changed_before=end))


def test_an_acknowledgement_is_followed_to_success(orders, world_time):
    order = next(orders.purchase_orders(created_after=NOW - timedelta(days=1), created_before=NOW))
    transaction_id = orders.submit_acknowledgements([acknowledgement(order, NOW)])
    done = orders.wait_for_transaction(transaction_id, poll_seconds=30, timeout=600)
    assert done.status is TransactionStatus.SUCCESS and done.errors == []
    assert world_time.sleeps == [30, 45]  # Processing for the sandbox's 60 s, then Success
    assert orders.purchase_order(order.purchase_order_number).purchase_order_state == "Acknowledged"
    status = next(orders.statuses(purchase_order_number=order.purchase_order_number))
    assert {i.acknowledgement_status.confirmation_status for i in status.item_status} == {"ACCEPTED"}


def test_a_reduced_quantity_is_accepted_in_part_and_rejected_for_the_rest(orders):
    order = next(orders.purchase_orders(created_after=NOW - timedelta(days=1), created_before=NOW))
    line = order.items[0]
    ack = acknowledgement(order, NOW, {line.item_sequence_number: line.ordered_quantity.amount - 1})
    assert orders.wait_for_transaction(orders.submit_acknowledgements([ack])).status is TransactionStatus.SUCCESS
    item = next(orders.statuses(purchase_order_number=order.purchase_order_number)).item_status[0]
    unit = line.ordered_quantity.eaches // line.ordered_quantity.amount
    assert item.acknowledgement_status.confirmation_status == "PARTIALLY_ACCEPTED"
    assert item.acknowledgement_status.rejected_quantity.amount == unit


def test_an_over_acknowledgement_fails_with_amazons_reason(orders):
    order = next(orders.purchase_orders(created_after=NOW - timedelta(days=1), created_before=NOW))
    line = order.items[0]
    ack = acknowledgement(order, NOW, {line.item_sequence_number: line.ordered_quantity.amount + 5})
    failed = orders.wait_for_transaction(orders.submit_acknowledgements([ack]))
    assert failed.status is TransactionStatus.FAILURE
    assert failed.reason.startswith("INVALID_QUANTITY: Cannot acknowledge more than the ordered quantity.")
    assert line.vendor_product_identifier in failed.reason
    assert orders.purchase_order(order.purchase_order_number).purchase_order_state == "New"


def test_a_transaction_that_never_turns_is_given_up_with_a_clear_error(sandbox, orders, world_time):
    set_faults(sandbox, vendor_transactions_stuck_next=1)
    order = next(orders.purchase_orders(created_after=NOW - timedelta(days=1), created_before=NOW))
    transaction_id = orders.submit_acknowledgements([acknowledgement(order, NOW)])
    with pytest.raises(TransactionTimeout) as raised:
        orders.wait_for_transaction(transaction_id, poll_seconds=60, timeout=1800, max_poll_seconds=300)
    assert raised.value.transaction_id == transaction_id and raised.value.last_status == "Processing"
    assert f"transaction {transaction_id} is still Processing after" in str(raised.value)
    assert "rather than sending the acknowledgement again" in str(raised.value)
    assert sum(world_time.sleeps) <= 1800


def test_an_order_amazon_changed_after_acknowledgement_is_found_by_changed_after(sandbox, orders):
    world = sandbox.state.vendor_worlds[VENDOR]
    changed = next(po for po in world.purchase_orders_placed(NOW - timedelta(days=2), NOW)
                   if po.change is not None and po.change.at > NOW + timedelta(minutes=5))
    order = orders.purchase_order(changed.number)
    assert orders.wait_for_transaction(orders.submit_acknowledgements([acknowledgement(order, NOW)])).status \
        is TransactionStatus.SUCCESS
    advance_world_clock(sandbox, (changed.change.at - NOW).total_seconds() + 1)
    found = {o.purchase_order_number: o for o in orders.purchase_orders(
        changed_after=changed.change.at - timedelta(days=9), changed_before=changed.change.at + timedelta(seconds=1))}
    assert changed.number in found
    again = found[changed.number]
    assert again.purchase_order_state == "Acknowledged"
    assert again.order_details.purchase_order_changed_date == changed.change.at
    sequence, amount = changed.change.amounts[0]
    assert next(i for i in again.items if i.item_sequence_number == str(sequence)).ordered_quantity.amount == amount


def test_direct_fulfillment_orders_are_accepted_whole_or_cancelled(sandbox, vendor_client, world_time):
    df = DirectFulfillmentOrdersApi(vendor_client, clock=world_time.clock, sleep=world_time.sleep)
    found = list(df.orders(NOW - timedelta(days=2), NOW, page_size=4))
    assert len(found) == len(sandbox.state.vendor_worlds[VENDOR].direct_fulfillment_orders_placed(
        NOW - timedelta(days=2), NOW)) > 4
    shipped, cancelled = found[0], found[1]
    assert shipped.order_details.items[0].net_price.amount > Decimal(0)
    done = df.wait_for_transaction(df.submit_acknowledgements([
        direct_fulfillment_acknowledgement(shipped, NOW, "SO-100"),
        direct_fulfillment_acknowledgement(cancelled, NOW, "SO-101", code="03", description="Canceled out of stock"),
    ]))
    assert done.status is TransactionStatus.SUCCESS
    assert df.order(shipped.purchase_order_number).order_details.order_status == "ACCEPTED"
    assert df.order(cancelled.purchase_order_number).order_details.order_status == "CANCELLED"
    partial = direct_fulfillment_acknowledgement(found[2], NOW, "SO-102")
    partial["itemAcknowledgements"][0]["acknowledgedQuantity"]["amount"] = 0
    failed = df.wait_for_transaction(df.submit_acknowledgements([partial]))
    assert failed.status is TransactionStatus.FAILURE and failed.reason.startswith("PARTIAL_SHIPMENT")
