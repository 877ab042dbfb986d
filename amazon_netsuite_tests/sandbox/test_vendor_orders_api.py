"""Vendor Central over HTTP: purchase orders in pages and 7-day windows, acknowledgements judged through the
transaction status (Processing, then Success or Failure with Amazon's reason), state filters, orders Amazon changes
after acknowledgement, and Direct Fulfillment's fill-or-kill acknowledgements."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.vendor import UNKNOWN_ITEM, UNKNOWN_ITEM_DAY

from .conftest import NOW
from .helpers import seller_client

VENDOR = "demo-vendor"
POS = "/vendor/orders/v1/purchaseOrders"
ACKS = "/vendor/orders/v1/acknowledgements"
STATUS = "/vendor/orders/v1/purchaseOrdersStatus"
TRANSACTIONS = "/vendor/transactions/v1/transactions"
DF = "/vendor/directFulfillment/orders/2021-12-28"
DF_TRANSACTIONS = "/vendor/directFulfillment/transactions/2021-12-28/transactions"
PROCESSING_SECONDS = 60  # the sandbox's default vendor_transaction_seconds


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sandbox(sandbox_config):
    """The frozen-clock sandbox with usage plans refilling 100× faster (10 rps would throttle the paging tests)."""
    with start_in_thread(sandbox_config.model_copy(update={"rate_scale": 100.0})) as running:
        yield running


@pytest.fixture
def vendor(sandbox) -> httpx.Client:
    return seller_client(sandbox.url, VENDOR)


def advance(sandbox, seconds: float) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": seconds}).raise_for_status()


def world_orders(sandbox, start: datetime, end: datetime):
    return sandbox.state.vendor_worlds[VENDOR].purchase_orders_placed(start, end)


def ack_body(order: dict, *lines_by_item, at: datetime = NOW) -> dict:
    """An acknowledgement of `order` (getPurchaseOrder JSON); each item's itemAcknowledgements from the matching
    function of `lines_by_item`, or all Accepted."""
    items = []
    for n, item in enumerate(order["orderDetails"]["items"]):
        make = lines_by_item[n] if n < len(lines_by_item) else None
        lines = make(item["orderedQuantity"]) if make else [
            {"acknowledgementCode": "Accepted", "acknowledgedQuantity": item["orderedQuantity"]}]
        items.append({"itemSequenceNumber": item["itemSequenceNumber"], "orderedQuantity": item["orderedQuantity"],
                      "netCost": item["netCost"], "itemAcknowledgements": lines})
    return {"acknowledgements": [{"purchaseOrderNumber": order["purchaseOrderNumber"],
                                  "sellingParty": {"partyId": "DEMOV"}, "acknowledgementDate": _iso(at),
                                  "items": items}]}


def submit(vendor: httpx.Client, body: dict) -> str:
    response = vendor.post(ACKS, json=body)
    assert response.status_code == 202, response.text
    return response.json()["payload"]["transactionId"]


def transaction(vendor: httpx.Client, transaction_id: str) -> dict:
    response = vendor.get(f"{TRANSACTIONS}/{transaction_id}")
    assert response.status_code == 200, response.text
    return response.json()["payload"]["transactionStatus"]


def get_order(vendor: httpx.Client, number: str) -> dict:
    response = vendor.get(f"{POS}/{number}")
    assert response.status_code == 200, response.text
    return response.json()["payload"]


def test_given_a_week_of_orders_when_paged_by_two_then_every_order_comes_once(sandbox, vendor):
    """nextToken pages cover the window's orders exactly; a token with other parameters is refused."""
    start, end = NOW - timedelta(days=7), NOW
    params = {"createdAfter": _iso(start), "createdBefore": _iso(end), "limit": 2}
    numbers, token, pages = [], None, 0
    while True:
        body = vendor.get(POS, params={**params, **({"nextToken": token} if token else {})}).json()["payload"]
        numbers += [o["purchaseOrderNumber"] for o in body["orders"]]
        pages += 1
        token = (body.get("pagination") or {}).get("nextToken")
        if not token:
            break
    expected = [po.number for po in world_orders(sandbox, start, end)]
    assert numbers == expected and len(expected) > 10 and pages == -(-len(expected) // 2)
    wrong = vendor.get(POS, params={**params, "limit": 3, "nextToken": token or "x"})
    assert wrong.status_code == 400


@pytest.mark.parametrize(("params", "ok"), [
    ({"createdAfter": "2026-11-13T12:00:00Z", "createdBefore": "2026-11-20T12:00:00Z"}, True),
    ({"createdAfter": "2026-11-13T11:59:59Z", "createdBefore": "2026-11-20T12:00:00Z"}, False),
    ({"createdAfter": "2026-11-10T00:00:00Z"}, False),  # createdBefore defaults to now: 10.5 days
    ({"changedAfter": "2026-11-12T00:00:00Z", "changedBefore": "2026-11-19T12:00:00Z"}, False),
    ({}, False),
    ({"createdAfter": "2026-11-19T00:00:00Z", "limit": 101}, False),
])
def test_getpurchaseorders_windows_may_not_exceed_seven_days(vendor, params, ok):
    response = vendor.get(POS, params=params)
    assert response.status_code == (200 if ok else 400), response.text
    if not ok:
        assert response.json()["errors"][0]["code"] == "InvalidInput"
        assert response.json()["errors"][0]["message"] == "Invalid Input"


def test_an_acknowledgement_is_processing_then_success_and_the_order_is_acknowledged(sandbox, vendor):
    order = vendor.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).json()["payload"]["orders"][0]
    assert order["purchaseOrderState"] == "New"
    transaction_id = submit(vendor, ack_body(order))
    assert transaction(vendor, transaction_id) == {"transactionId": transaction_id, "status": "Processing"}
    assert get_order(vendor, order["purchaseOrderNumber"])["purchaseOrderState"] == "New"
    advance(sandbox, PROCESSING_SECONDS)
    assert transaction(vendor, transaction_id)["status"] == "Success"
    acknowledged = get_order(vendor, order["purchaseOrderNumber"])
    assert acknowledged["purchaseOrderState"] == "Acknowledged"
    assert acknowledged["orderDetails"]["purchaseOrderStateChangedDate"] == _iso(NOW + timedelta(seconds=60))
    status = vendor.get(STATUS, params={"purchaseOrderNumber": order["purchaseOrderNumber"]}).json()["payload"]
    first = status["ordersStatus"][0]["itemStatus"][0]
    ordered = order["orderDetails"]["items"][0]["orderedQuantity"]
    eaches = ordered["amount"] * (ordered["unitSize"] if ordered["unitOfMeasure"] == "Cases" else 1)
    assert first["acknowledgementStatus"]["confirmationStatus"] == "ACCEPTED"
    assert first["acknowledgementStatus"]["acceptedQuantity"]["amount"] == eaches


def test_acknowledging_more_than_ordered_fails_with_the_reason_and_changes_nothing(sandbox, vendor):
    order = vendor.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).json()["payload"]["orders"][0]
    item = order["orderDetails"]["items"][0]
    too_many = {**item["orderedQuantity"], "amount": item["orderedQuantity"]["amount"] + 1}
    transaction_id = submit(vendor, ack_body(order, lambda q: [
        {"acknowledgementCode": "Accepted", "acknowledgedQuantity": too_many}]))
    advance(sandbox, PROCESSING_SECONDS)
    result = transaction(vendor, transaction_id)
    assert result["status"] == "Failure"
    assert [e["code"] for e in result["errors"]] == ["INVALID_QUANTITY"]
    assert item["vendorProductIdentifier"] in result["errors"][0]["details"]
    assert get_order(vendor, order["purchaseOrderNumber"])["purchaseOrderState"] == "New"


def test_a_backorder_without_its_scheduled_date_fails_and_with_it_succeeds(sandbox, vendor):
    order = vendor.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).json()["payload"]["orders"][0]
    undated = submit(vendor, ack_body(order, lambda q: [{"acknowledgementCode": "Backordered", "acknowledgedQuantity": q}]))
    dated = submit(vendor, ack_body(order, lambda q: [{"acknowledgementCode": "Backordered", "acknowledgedQuantity": q,
                                                        "scheduledShipDate": _iso(NOW + timedelta(days=7))}]))
    advance(sandbox, PROCESSING_SECONDS)
    failed = transaction(vendor, undated)
    assert failed["status"] == "Failure" and failed["errors"][0]["code"] == "INVALID_ACKNOWLEDGEMENT"
    assert "scheduledShipDate or scheduledDeliveryDate" in failed["errors"][0]["details"]
    assert transaction(vendor, dated)["status"] == "Success"


def test_a_rejected_line_cannot_be_accepted_later(sandbox, vendor):
    order = vendor.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).json()["payload"]["orders"][0]
    rejected = submit(vendor, ack_body(order, lambda q: [
        {"acknowledgementCode": "Rejected", "acknowledgedQuantity": q, "rejectionReason": "TemporarilyUnavailable"}]))
    advance(sandbox, PROCESSING_SECONDS)
    assert transaction(vendor, rejected)["status"] == "Success"
    accepted_again = submit(vendor, ack_body(order))
    advance(sandbox, PROCESSING_SECONDS)
    result = transaction(vendor, accepted_again)
    assert result["status"] == "Failure"
    assert result["errors"][0]["code"] == "INVALID_ACKNOWLEDGEMENT_CODE"
    assert result["errors"][0]["message"] == "A rejected item cannot be changed to Accepted or Backordered."
    status = vendor.get(STATUS, params={"purchaseOrderNumber": order["purchaseOrderNumber"]}).json()["payload"]
    assert status["ordersStatus"][0]["itemStatus"][0]["acknowledgementStatus"]["confirmationStatus"] == "REJECTED"


def test_an_unknown_purchase_order_fails_its_transaction(sandbox, vendor):
    order = vendor.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).json()["payload"]["orders"][0]
    body = ack_body(order)
    body["acknowledgements"][0]["purchaseOrderNumber"] = "ZZZZ0000"
    transaction_id = submit(vendor, body)
    advance(sandbox, PROCESSING_SECONDS)
    result = transaction(vendor, transaction_id)
    assert result["status"] == "Failure" and result["errors"][0]["code"] == "INVALID_ORDER_ID"


def test_the_stuck_fault_leaves_a_transaction_processing_forever(sandbox, vendor):
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"vendor_transactions_stuck_next": 1}).raise_for_status()
    order = vendor.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).json()["payload"]["orders"][0]
    stuck, normal = submit(vendor, ack_body(order)), submit(vendor, ack_body(order))
    advance(sandbox, 86400)
    assert transaction(vendor, stuck)["status"] == "Processing"
    assert transaction(vendor, normal)["status"] == "Success"


def test_the_state_filter_tells_new_acknowledged_and_closed_orders_apart(sandbox, vendor):
    """An order acknowledged after its delivery window ended closes at once; a fresh one is Acknowledged."""
    week = {"createdAfter": _iso(NOW - timedelta(days=14)), "createdBefore": _iso(NOW - timedelta(days=7))}
    orders = vendor.get(POS, params=week).json()["payload"]["orders"]
    old = next(o for o in orders if o["orderDetails"]["deliveryWindow"].split("--")[1] < _iso(NOW))
    fresh = next(o for o in orders if o["orderDetails"]["deliveryWindow"].split("--")[1] > _iso(NOW))
    submit(vendor, ack_body(old))
    submit(vendor, ack_body(fresh))
    advance(sandbox, PROCESSING_SECONDS)
    by_state = {state: {o["purchaseOrderNumber"] for o in vendor.get(
        POS, params={**week, "purchaseOrderState": state}).json()["payload"]["orders"]}
        for state in ("New", "Acknowledged", "Closed")}
    assert by_state["Closed"] == {old["purchaseOrderNumber"]}
    assert by_state["Acknowledged"] == {fresh["purchaseOrderNumber"]}
    assert by_state["New"] == {o["purchaseOrderNumber"] for o in orders} - by_state["Closed"] - by_state["Acknowledged"]
    assert vendor.get(POS, params={**week, "purchaseOrderState": "Open"}).status_code == 400
    closed = vendor.get(STATUS, params={"purchaseOrderNumber": old["purchaseOrderNumber"]}).json()["payload"]
    assert closed["ordersStatus"][0]["purchaseOrderStatus"] == "CLOSED"
    assert closed["ordersStatus"][0]["itemStatus"][0]["receivingStatus"]["receiveStatus"] == "RECEIVED"


def test_an_order_amazon_changes_after_acknowledgement_is_found_by_changedafter(sandbox, vendor):
    changed = next(po for po in world_orders(sandbox, NOW - timedelta(days=2), NOW)
                   if po.change is not None and po.change.at > NOW + timedelta(minutes=5))
    submit(vendor, ack_body(get_order(vendor, changed.number)))
    advance(sandbox, (changed.change.at - NOW).total_seconds() + 1)
    window = {"changedAfter": _iso(changed.change.at - timedelta(hours=6)),
              "changedBefore": _iso(changed.change.at + timedelta(seconds=1))}
    found = vendor.get(POS, params=window).json()["payload"]["orders"]
    assert changed.number in [o["purchaseOrderNumber"] for o in found]
    order = next(o for o in found if o["purchaseOrderNumber"] == changed.number)
    assert order["purchaseOrderState"] == "Acknowledged"
    assert order["orderDetails"]["purchaseOrderChangedDate"] == _iso(changed.change.at)
    amounts = {int(i["itemSequenceNumber"]): i["orderedQuantity"]["amount"] for i in order["orderDetails"]["items"]}
    assert all(amounts[sequence] == amount for sequence, amount in changed.change.amounts)
    status = vendor.get(STATUS, params={"purchaseOrderNumber": changed.number}).json()["payload"]["ordersStatus"][0]
    sequence, amount = changed.change.amounts[0]
    item = next(i for i in status["itemStatus"] if i["itemSequenceNumber"] == str(sequence))
    original = next(i for i in changed.items if i.sequence == sequence)
    assert item["orderedQuantity"]["orderedQuantityDetails"][-1]["cancelledQuantity"]["amount"] == \
        original.amount - amount
    assert item["acknowledgementStatus"]["confirmationStatus"] == "ACCEPTED"


def test_one_purchase_order_names_an_item_the_catalog_does_not_have(sandbox):
    world = sandbox.state.vendor_worlds[VENDOR]
    unknown = [(po.number, i.vendor_product_identifier)
               for day in range(14) for po in world.purchase_orders_for_day(world.first_day + timedelta(days=day))
               for i in po.items if i.vendor_product_identifier not in PRODUCTS_BY_SKU]
    day = world.first_day + timedelta(days=UNKNOWN_ITEM_DAY)
    assert unknown == [(world.purchase_orders_for_day(day)[0].number, UNKNOWN_ITEM[0])]


def test_vendor_and_seller_tokens_open_only_their_own_apis(sandbox, vendor):
    seller = seller_client(sandbox.url, "demo-na")
    assert seller.get(POS, params={"createdAfter": _iso(NOW - timedelta(days=1))}).status_code == 403
    assert vendor.get("/orders/v0/orders/111-0000000-0000000/orderItems").status_code == 403


def test_direct_fulfillment_getorders_needs_both_dates(vendor):
    response = vendor.get(f"{DF}/purchaseOrders", params={"createdAfter": _iso(NOW - timedelta(days=1))})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "InvalidInput"
    both = vendor.get(f"{DF}/purchaseOrders", params={"createdAfter": _iso(NOW - timedelta(days=1)),
                                                      "createdBefore": _iso(NOW)})
    assert both.status_code == 200 and "payload" not in both.json() and both.json()["orders"]


def _df_ack(order: dict, code: str, amount_of=lambda item: item["orderedQuantity"]["amount"]) -> dict:
    details = order["orderDetails"]
    return {"orderAcknowledgements": [{
        "purchaseOrderNumber": order["purchaseOrderNumber"], "vendorOrderNumber": "SO-1",
        "acknowledgementDate": _iso(NOW), "acknowledgementStatus": {"code": code},
        "sellingParty": details["sellingParty"], "shipFromParty": details["shipFromParty"],
        "itemAcknowledgements": [{"itemSequenceNumber": i["itemSequenceNumber"],
                                  "acknowledgedQuantity": {"amount": amount_of(i), "unitOfMeasure": "Each"}}
                                 for i in details["items"]]}]}


def test_direct_fulfillment_acknowledgements_are_fill_or_kill(sandbox, vendor):
    window = {"createdAfter": _iso(NOW - timedelta(days=2)), "createdBefore": _iso(NOW)}
    orders = vendor.get(f"{DF}/purchaseOrders", params=window).json()["orders"]
    shipped, cancelled, partial = orders[0], orders[1], orders[2]
    ids = []
    for body in (_df_ack(shipped, "00"), _df_ack(cancelled, "03"), _df_ack(partial, "00", lambda i: 0)):
        response = vendor.post(f"{DF}/acknowledgements", json=body)
        assert response.status_code == 202, response.text
        ids.append(response.json()["transactionId"])
    advance(sandbox, PROCESSING_SECONDS)
    results = [vendor.get(f"{DF_TRANSACTIONS}/{i}").json()["transactionStatus"] for i in ids]
    assert [r["status"] for r in results] == ["Success", "Success", "Failure"]
    assert results[2]["errors"]["errors"][0]["code"] == "PARTIAL_SHIPMENT"
    states = {o["purchaseOrderNumber"]: o["orderDetails"]["orderStatus"]
              for o in vendor.get(f"{DF}/purchaseOrders", params=window).json()["orders"]}
    assert states[shipped["purchaseOrderNumber"]] == "ACCEPTED"
    assert states[cancelled["purchaseOrderNumber"]] == "CANCELLED"
    assert states[partial["purchaseOrderNumber"]] == "NEW"
    accepted = vendor.get(f"{DF}/purchaseOrders", params={**window, "status": "ACCEPTED"}).json()["orders"]
    assert [o["purchaseOrderNumber"] for o in accepted] == [shipped["purchaseOrderNumber"]]
