"""Orders v0 confirmShipment over HTTP: the client confirms packages, the sandbox refuses what Amazon refuses, and
the next order report shows the order Shipped or PartiallyShipped."""

from __future__ import annotations

import csv
import gzip
import io
import time
from datetime import datetime, timedelta

import httpx
import pytest

from amazon_netsuite.lib.amazon import RetryPolicy, SpApiClient
from amazon_netsuite.lib.amazon.shipments import OrdersApi, Package, ShipmentRefused, carrier_code
from amazon_netsuite.lib.settings import amazon_connection
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world.orders import Order, order_item_id, order_state

from .conftest import NOW
from .helpers import DOCUMENTS, REPORTS, US, assert_conforms, order_report_request, seller_client, wait_for_report
from amazon_netsuite_tests.conftest import SPAPI_MODELS

ORDERS_MODEL = SPAPI_MODELS / "ordersV0.json"


@pytest.fixture
def sandbox(sandbox_config):
    with start_in_thread(sandbox_config.model_copy(update={"rate_scale": 1000.0})) as running:
        yield running


def _api(sandbox, settings) -> OrdersApi:
    connection = amazon_connection(settings, "demo-na", environ={"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    policy = RetryPolicy(max_attempts=3, max_total_seconds=30.0, sleep=lambda s: time.sleep(min(s, 0.05)))
    return OrdersApi(SpApiClient(connection, timeout=10, rate_scale=1000.0, retry_policy=policy))


def _orders(world, *, channel: str = "MFN", status: str = "Unshipped", min_units: int = 1) -> list[Order]:
    found = []
    for order in world.orders_placed("demo-US", NOW.date() - timedelta(days=2), NOW.date()):
        state = order_state(order, NOW)
        if (state is not None and state.status == status and order.channel == channel
                and order.cancelled_line is None and sum(line.quantity for line in order.lines) >= min_units):
            found.append(order)
    assert found, f"the world has no {channel} order {status} at NOW"
    return found


def _package(order: Order, ref: str = "1", items: dict[str, int] | None = None, **extra) -> Package:
    items = items if items is not None else {order_item_id(order, i): l.quantity for i, l in enumerate(order.lines)}
    fields = {"carrier_code": "UPS", "tracking_number": f"1Z999AA1{ref}0000000{ref}",
              "ship_date": NOW - timedelta(hours=1), "shipping_method": "UPS Ground", **extra}
    return Package(ref, items=items, **fields)


def _report_rows(sandbox, order_id: str) -> list[dict]:
    http = seller_client(sandbox.url)
    created = http.post(REPORTS, json=order_report_request("2026-11-20T00:00:00+00:00", "2026-11-20T12:00:00+00:00"))
    report = wait_for_report(http, created.json()["reportId"])
    assert report["processingStatus"] == "DONE"
    document = httpx.get(http.get(f"{DOCUMENTS}/{report['reportDocumentId']}").json()["url"])
    text = gzip.decompress(document.content).decode("cp1252")
    return [r for r in csv.DictReader(io.StringIO(text), delimiter="\t") if r["amazon-order-id"] == order_id]


def _refusal(api: OrdersApi, order: Order, package: Package, marketplace: str = US) -> ShipmentRefused:
    with pytest.raises(ShipmentRefused) as refused:
        api.confirm_shipment(order.amazon_order_id, marketplace, package)
    return refused.value


def test_a_confirmed_order_is_shipped_in_the_next_order_report_with_last_updated_moved(sandbox, settings, world):
    order = _orders(world)[0]
    api = _api(sandbox, settings)
    api.confirm_shipment(order.amazon_order_id, US, _package(order))
    rows = _report_rows(sandbox, order.amazon_order_id)
    assert {r["order-status"] for r in rows} == {"Shipped"}
    assert {r["item-status"] for r in rows} == {"Shipped"}
    assert {r["last-updated-date"] for r in rows} == {"2026-11-20T12:00:00+00:00"}
    listed = httpx.get(f"{sandbox.url}/_sandbox/shipments", params={"seller_account": "demo-na"}).json()["shipments"]
    assert [(s["order_id"], s["package_reference_id"], s["carrier_code"], s["tracking_number"]) for s in listed] == [
        (order.amazon_order_id, "1", "UPS", "1Z999AA1100000001")]
    assert listed[0]["items"] == [{"order_item_id": order_item_id(order, i), "quantity": line.quantity}
                                  for i, line in enumerate(order.lines)]


def test_a_partial_confirmation_shows_partially_shipped_and_the_rest_makes_it_shipped(sandbox, settings, world):
    order = _orders(world, min_units=2)[0]
    api = _api(sandbox, settings)
    first = order_item_id(order, 0)
    rest = {order_item_id(order, i): line.quantity for i, line in enumerate(order.lines)}
    rest[first] -= 1
    api.confirm_shipment(order.amazon_order_id, US, _package(order, "1", {first: 1}))
    assert {r["order-status"] for r in _report_rows(sandbox, order.amazon_order_id)} == {"PartiallyShipped"}
    api.confirm_shipment(order.amazon_order_id, US, _package(order, "2", {k: v for k, v in rest.items() if v}))
    assert {r["order-status"] for r in _report_rows(sandbox, order.amazon_order_id)} == {"Shipped"}
    items = {i["OrderItemId"]: i["QuantityShipped"] for i in api.order_items(order.amazon_order_id)}
    assert items == {order_item_id(order, i): line.quantity for i, line in enumerate(order.lines)}


def test_two_packages_of_one_order_are_both_kept_with_their_tracking(sandbox, settings, world):
    order = next(o for o in _orders(world) if len(o.lines) >= 2)
    api = _api(sandbox, settings)
    for i, line in enumerate(order.lines):
        api.confirm_shipment(order.amazon_order_id, US,
                             _package(order, str(i + 1), {order_item_id(order, i): line.quantity}))
    listed = httpx.get(f"{sandbox.url}/_sandbox/shipments",
                       params={"seller_account": "demo-na", "marketplace_id": US}).json()["shipments"]
    assert [(s["package_reference_id"], s["tracking_number"]) for s in listed] == [
        (str(i + 1), f"1Z999AA1{i + 1}0000000{i + 1}") for i in range(len(order.lines))]
    assert {r["order-status"] for r in _report_rows(sandbox, order.amazon_order_id)} == {"Shipped"}


def test_the_same_package_sent_twice_is_accepted_and_kept_once(sandbox, settings, world):
    order = _orders(world)[0]
    api = _api(sandbox, settings)
    api.confirm_shipment(order.amazon_order_id, US, _package(order))
    api.confirm_shipment(order.amazon_order_id, US, _package(order))
    listed = httpx.get(f"{sandbox.url}/_sandbox/shipments", params={"seller_account": "demo-na"}).json()["shipments"]
    assert len(listed) == 1


def test_a_package_reference_reused_with_other_content_is_refused(sandbox, settings, world):
    order = _orders(world)[0]
    api = _api(sandbox, settings)
    api.confirm_shipment(order.amazon_order_id, US, _package(order))
    refused = _refusal(api, order, _package(order, tracking_number="OTHER123"))
    assert refused.status == 400 and "different content" in refused.errors[0].details


def test_an_unknown_carrier_goes_out_as_other_with_its_name_and_is_accepted(sandbox, settings, world):
    order = _orders(world)[0]
    code, name = carrier_code("Speedy Regional Couriers", US)
    assert (code, name) == ("Other", "Speedy Regional Couriers")
    _api(sandbox, settings).confirm_shipment(order.amazon_order_id, US,
                                            _package(order, carrier_code=code, carrier_name=name))
    listed = httpx.get(f"{sandbox.url}/_sandbox/shipments", params={"seller_account": "demo-na"}).json()["shipments"]
    assert (listed[0]["carrier_code"], listed[0]["carrier_name"]) == ("Other", "Speedy Regional Couriers")


@pytest.mark.parametrize("case, change, details", [
    ("carrier not listed", {"carrier_code": "Speedy"}, "not a valid carrier code"),
    ("Other without a name", {"carrier_code": "Other"}, "carrierName is required"),
    ("no tracking", {"tracking_number": ""}, "trackingNumber is required"),
    ("ship date in the future", {"ship_date": NOW + timedelta(hours=2)}, "in the future"),
    ("ship date before purchase", {"ship_date": datetime(2026, 11, 1, tzinfo=NOW.tzinfo)}, "before the order"),
])
def test_a_package_amazon_would_refuse_is_refused_with_its_error(sandbox, settings, world, case, change, details):
    order = _orders(world)[0]
    refused = _refusal(_api(sandbox, settings), order, _package(order, **change))
    assert refused.status == 400 and refused.errors[0].code == "InvalidInput"
    assert details in refused.errors[0].details, case
    assert httpx.get(f"{sandbox.url}/_sandbox/shipments", params={"seller_account": "demo-na"}).json()[
        "shipments"] == []


def test_an_unknown_order_is_not_found(sandbox, settings, world):
    order = _orders(world)[0]
    fake = Order(**{**order.__dict__, "amazon_order_id": "111-0000000-0000000"})
    refused = _refusal(_api(sandbox, settings), fake, _package(order))
    assert refused.status == 404 and refused.errors[0].code == "NotFound"


def test_an_fba_order_is_refused(sandbox, settings, world):
    order = _orders(world, channel="FBA", status="Shipped")[0]
    refused = _refusal(_api(sandbox, settings), order, _package(order))
    assert "fulfilled by Amazon" in refused.errors[0].details


def test_a_cancelled_order_is_refused(sandbox, settings, world):
    order = _orders(world, status="Cancelled")[0]
    refused = _refusal(_api(sandbox, settings), order, _package(order))
    assert "is cancelled" in refused.errors[0].details


def test_an_order_item_not_on_the_order_is_refused(sandbox, settings, world):
    order = _orders(world)[0]
    refused = _refusal(_api(sandbox, settings), order, _package(order, items={"12345678901234": 1}))
    assert "is not an item of order" in refused.errors[0].details


def test_more_units_than_are_left_unshipped_are_refused(sandbox, settings, world):
    order = _orders(world)[0]
    api = _api(sandbox, settings)
    api.confirm_shipment(order.amazon_order_id, US, _package(order, "1"))
    refused = _refusal(api, order, _package(order, "2", {order_item_id(order, 0): 1}))
    assert "more than the 0 unit(s) left" in refused.errors[0].details


def test_a_marketplace_not_of_this_seller_is_refused(sandbox, settings, world):
    order = _orders(world)[0]
    refused = _refusal(_api(sandbox, settings), order, _package(order), marketplace="A1PA6795UKMFR9")
    assert "not this seller's" in refused.errors[0].details


def _raw_confirm(http: httpx.Client, order_id: str, body: dict) -> httpx.Response:
    response = http.post(f"/orders/v0/orders/{order_id}/shipmentConfirmation", json=body)
    if response.status_code != 429:
        assert_conforms(response, "confirmShipment", ORDERS_MODEL)
    return response


def test_confirm_shipment_answers_as_amazons_model_declares_and_the_usage_plan_is_2_per_second_burst_10(
        sandbox_config, world):
    order = _orders(world)[0]
    body = {"marketplaceId": US, "packageDetail": _package(order).to_api()}
    with start_in_thread(sandbox_config) as running:  # Amazon's own rates
        http = seller_client(running.url)
        answers = [_raw_confirm(http, order.amazon_order_id, body) for _ in range(11)]
        assert [a.status_code for a in answers] == [204] * 10 + [429]
        assert answers[0].headers["x-amzn-RateLimit-Limit"] == "2"
        time.sleep(0.6)
        bad = _raw_confirm(http, order.amazon_order_id, {"marketplaceId": US, "packageDetail": {}})
        assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "InvalidInput"
        time.sleep(0.6)
        missing = _raw_confirm(http, "111-0000000-0000000", body)
        assert missing.status_code == 404
        items = http.get(f"/orders/v0/orders/{order.amazon_order_id}/orderItems")
        assert_conforms(items, "getOrderItems", ORDERS_MODEL)
        assert [i["SellerSKU"] for i in items.json()["payload"]["OrderItems"]] == [
            line.product.sku for line in order.lines]


def test_an_order_the_world_shipped_days_ago_shows_again_in_todays_report_once_confirmed(sandbox, settings, world):
    old = [o for o in world.orders_placed("demo-US", NOW.date() - timedelta(days=9), NOW.date() - timedelta(days=9))
           if o.channel == "MFN" and order_state(o, NOW).status == "Shipped" and o.cancelled_line is None]
    order = old[0]
    assert _report_rows(sandbox, order.amazon_order_id) == []
    summary = f"{sandbox.url}/_sandbox/orders/summary"
    today = {"storefront": "demo-US", "from": "2026-11-20", "to": "2026-11-20"}
    before = httpx.get(summary, params=today).json()["orders"]
    _api(sandbox, settings).confirm_shipment(order.amazon_order_id, US, _package(order))
    rows = _report_rows(sandbox, order.amazon_order_id)
    assert {(r["order-status"], r["last-updated-date"]) for r in rows} == {("Shipped", "2026-11-20T12:00:00+00:00")}
    assert httpx.get(summary, params=today).json()["orders"] == before + 1  # the sandbox's truth moves with it


def test_a_pending_order_is_refused(sandbox, settings, world):
    order = _orders(world, channel="SFP", status="Pending")[0]
    refused = _refusal(_api(sandbox, settings), order, _package(order, ship_date=NOW))
    assert "pending" in refused.errors[0].details


def test_cash_on_delivery_collection_is_refused_outside_japan(sandbox, settings, world):
    order = _orders(world)[0]
    with pytest.raises(ShipmentRefused) as refused:
        _api(sandbox, settings).confirm_shipment(order.amazon_order_id, US, _package(order),
                                                 cod_collection_method="DirectPayment")
    assert "JP marketplace only" in refused.value.errors[0].details
