"""The fulfillment reader through HTTP against the sandbox: the warehouse's shipments with their packages, tracking
numbers (none for an untracked service), ship methods and carriers; a partial shipment as two fulfillments whose
lines add up to the order; a fulfillment created by REST read back; `modified_after` and the change mark."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.shipments.netsuite_fulfillments import (
    FULFILLMENT_LINES_SCHEMA,
    FULFILLMENTS_SCHEMA,
    carrier_of,
    last_fulfillment_change,
    package_contents,
    read_fulfillment_lines,
    read_fulfillments,
)
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.netsuite.shipping import packages, rest_ships_at, ship_method
from amazon_netsuite.sandbox.world.orders import MFN
from amazon_netsuite_tests.conftest import start_sandbox
from amazon_netsuite_tests.lib.netsuite.conftest import connect
from amazon_netsuite_tests.sandbox.netsuite.conftest import netsuite_client
from amazon_netsuite_tests.sandbox.netsuite.test_warehouse import STOREFRONT, post_sales_order


def _clock(sandbox, now: datetime) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": now.isoformat()}).raise_for_status()


def _ship(sandbox) -> dict:
    response = httpx.post(f"{sandbox.url}/_sandbox/netsuite/warehouse/ship")
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def world_shipped(tmp_path_factory):
    """The MFN orders of two days posted as Sales Orders; the sandbox's clock just before the first ships."""
    with start_sandbox(tmp_path_factory.mktemp("sandbox"), orders_per_day=40, history_days=4) as sandbox, \
            netsuite_client(sandbox.url) as http, NetSuiteClient(connect(sandbox), timeout=10) as client:
        world = sandbox.state.world
        placed = world.orders_placed(STOREFRONT, world.first_day, world.first_day + timedelta(days=1))
        orders = sorted((o for o in placed
                         if o.fulfillment_channel == MFN and o.shipped_at
                         and not {line.product.sku for line in o.lines} & MISSING_SKUS), key=lambda o: o.shipped_at)
        for order in orders:
            post_sales_order(http, order)
        yield sandbox, client, orders


def test_the_reader_returns_each_shipment_per_package_with_its_lines(world_shipped):
    sandbox, client, orders = world_shipped
    _clock(sandbox, orders[0].shipped_at - timedelta(seconds=1))
    assert last_fulfillment_change(client) is None
    assert read_fulfillments(client).num_rows == 0
    _clock(sandbox, orders[-1].shipped_at + timedelta(hours=4))
    _ship(sandbox)
    table = read_fulfillments(client, page_size=5)  # small pages: paging by fulfillment id is exercised
    assert table.schema == FULFILLMENTS_SCHEMA
    rows = table.to_pylist()
    by_order: dict[str, list[dict]] = {}
    for row in rows:
        by_order.setdefault(row["amazon_order_id"], []).append(row)
    assert set(by_order) == {o.amazon_order_id for o in orders}
    country = sandbox.state.world.markets[STOREFRONT].country
    for order in orders:
        method, mine = ship_method(order, country), by_order[order.amazon_order_id]
        assert {(r["storefront"], r["sales_order_external_id"], r["ship_method"], r["ship_date"]) for r in mine} == {
            (STOREFRONT, f"AMZ-{STOREFRONT}-{order.amazon_order_id}", method.name, order.shipped_at.date())}
        assert {r["carrier"] for r in mine} == {carrier_of(method.name)}
        if not rest_ships_at(order):
            units = sum(line.quantity for line in order.lines)
            expected = packages(order, "whole", units, method)
            assert [(r["package_index"], r["package_count"], r["tracking_number"], r["package_weight"])
                    for r in mine] == [(n, len(expected), p.tracking_number, p.weight)
                                       for n, p in enumerate(expected, start=1)]
    assert any(r["tracking_number"] is None for r in rows) and any(r["package_count"] > 1 for r in rows)
    assert {r["carrier"] for r in rows} >= {"UPS", "Metro Courier"}  # a local courier is its own carrier

    lines = read_fulfillment_lines(client, sorted({r["fulfillment_id"] for r in rows}))
    assert lines.schema == FULFILLMENT_LINES_SCHEMA
    shipped: dict[tuple[str, str], Decimal] = {}
    order_of = {r["fulfillment_id"]: r["amazon_order_id"] for r in rows}
    for line in lines.to_pylist():
        key = (order_of[line["fulfillment_id"]], line["sku"])
        shipped[key] = shipped.get(key, Decimal(0)) + line["quantity"]
    expected_units: dict[tuple[str, str], Decimal] = {}
    for order in orders:
        for line in order.lines:
            key = (order.amazon_order_id, line.product.sku)
            expected_units[key] = expected_units.get(key, Decimal(0)) + line.quantity
    assert shipped == expected_units  # every unit once, partial shipments' two parts together
    partial = next(o for o in orders if rest_ships_at(o))
    assert len({r["fulfillment_id"] for r in by_order[partial.amazon_order_id]}) == 2


def test_modified_after_keeps_later_changes_and_the_mark_moves_with_a_rest_fulfillment(world_shipped):
    sandbox, client, orders = world_shipped
    mark = last_fulfillment_change(client)
    assert mark is not None
    later = orders[-1].shipped_at + timedelta(days=1)
    _clock(sandbox, later)
    assert read_fulfillments(client, modified_after=later - timedelta(seconds=1)).num_rows == 0
    fresh = client.create("salesOrder", {
        "externalId": f"AMZ-{STOREFRONT}-REST-1", "otherRefNum": "REST-1", "tranDate": later.date().isoformat(),
        "entity": {"externalId": f"AMZ-CUSTOMER-{STOREFRONT}"}, "location": {"externalId": "WH-na"},
        "item": {"items": [{"item": {"externalId": orders[0].lines[0].product.sku}, "quantity": 2, "rate": 10}]}})
    client.transform("salesOrder", fresh, "itemFulfillment", {
        "shipMethod": {"externalId": "SHIP-ROYAL-MAIL-48"}, "item": {"items": [{"orderLine": 1, "quantity": 1}]},
        "package": {"items": [{"packageWeight": Decimal("1.25"), "packageDescr": "Jiffy bag"}]}})
    # The other unit is picked, not shipped yet: not read.
    client.transform("salesOrder", fresh, "itemFulfillment", {"shipStatus": {"id": "A"}})
    assert last_fulfillment_change(client) != mark
    (row,) = read_fulfillments(client, modified_after=later - timedelta(seconds=1)).to_pylist()
    assert (row["sales_order_id"], row["storefront"], row["amazon_order_id"]) == (fresh, STOREFRONT, "REST-1")
    assert (row["ship_method"], row["carrier"], row["tracking_number"], row["package_weight"],
            row["package_description"], row["package_count"]) == (
        "Royal Mail 48", "Royal Mail", None, Decimal("1.25"), "Jiffy bag", 1)
    (line,) = read_fulfillment_lines(client, [row["fulfillment_id"]]).to_pylist()
    assert (line["sku"], line["quantity"], line["sales_order_id"], line["order_line"]) == (
        orders[0].lines[0].product.sku, Decimal(1), fresh, "1")
    assert read_fulfillments(client, modified_after=later).num_rows == 0  # to the second, strictly after


def test_carriers_come_from_the_ship_method_name():
    assert [carrier_of(n) for n in ("UPS Ground", "USPS Priority Mail", "FedEx Home Delivery", "DHL Paket",
                                    "Royal Mail 48", "Metro Courier", None)] == [
        "UPS", "USPS", "FedEx", "DHL", "Royal Mail", "Metro Courier", None]


def test_units_are_packed_in_line_order_as_evenly_as_whole_units_allow():
    a, b = {"sku": "A", "quantity": Decimal(3)}, {"sku": "B", "quantity": Decimal(2)}
    assert package_contents([a, b], 2) == [[(a, Decimal(3))], [(b, Decimal(2))]]
    assert package_contents([a, b], 3) == [[(a, Decimal(2))], [(a, Decimal(1)), (b, Decimal(1))], [(b, Decimal(1))]]
    assert package_contents([a], 0) == [[(a, Decimal(3))]]
    half = {"sku": "C", "quantity": Decimal("2.5")}
    assert package_contents([half], 2) == [[(half, Decimal(1))], [(half, Decimal("1.5"))]]
