"""The pieces of a shipment confirmation that need no sandbox: the package reference id, the ship date sent, and
how a carton's units find Amazon's order items."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from amazon_netsuite.lib.shipments.run import allocate, package_reference_id, ship_moment

ITEMS = [{"order_item_id": "11111111111111", "sku": "MUG", "quantity_ordered": 2},
         {"order_item_id": "22222222222222", "sku": "TEE", "quantity_ordered": 1},
         {"order_item_id": "33333333333333", "sku": "TEE", "quantity_ordered": 2}]


def test_the_package_reference_id_is_a_positive_number_from_the_fulfillment_and_the_carton_and_never_changes():
    assert package_reference_id("4711", 1) == "4711001"
    assert package_reference_id("4711", 12) == package_reference_id("4711", 12) == "4711012"
    assert package_reference_id("4712", 1) != package_reference_id("4711", 1)
    with pytest.raises(ValueError):
        package_reference_id("4711", 1000)


def test_the_ship_date_is_the_start_of_the_ship_day_but_never_before_the_purchase():
    day = date(2026, 11, 30)
    assert ship_moment(day, datetime(2026, 11, 28, 9, 0)) == datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert ship_moment(day, datetime(2026, 11, 30, 9, 15)) == datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)


def test_a_cartons_units_fill_the_skus_order_items_in_turn_and_later_cartons_take_what_is_left():
    used = Counter()
    first = allocate([({"sku": "TEE"}, Decimal(2)), ({"sku": "MUG"}, Decimal(1))], ITEMS, used)
    assert first == [{"orderItemId": "22222222222222", "sku": "TEE", "quantity": 1},
                     {"orderItemId": "33333333333333", "sku": "TEE", "quantity": 1},
                     {"orderItemId": "11111111111111", "sku": "MUG", "quantity": 1}]
    second = allocate([({"sku": "TEE"}, Decimal(1))], ITEMS, used)
    assert second == [{"orderItemId": "33333333333333", "sku": "TEE", "quantity": 1}]
    # Beyond what was ordered: sent on the SKU's last item, for Amazon to refuse.
    assert allocate([({"sku": "TEE"}, Decimal(1))], ITEMS, used)[0]["quantity"] == 1


def test_a_sku_not_on_the_amazon_order_or_a_fractional_quantity_is_not_sent():
    with pytest.raises(LookupError, match="SKU CAP is not an item"):
        allocate([({"sku": "CAP"}, Decimal(1))], ITEMS, Counter())
    with pytest.raises(ValueError, match="not a whole number"):
        allocate([({"sku": "MUG"}, Decimal("1.5"))], ITEMS, Counter())
