"""Vendor Orders API v1 (Retail Procurement): getPurchaseOrders, getPurchaseOrder, submitAcknowledgement and
getPurchaseOrdersStatus over the vendor's world (world/vendor.py).

https://developer-docs.amazon.com/sp-api/docs/vendor-orders-api-v1-reference. Query windows may not exceed 7 days
and reach back 6 months; an acknowledgement is answered 202 with a transactionId at once and judged by the business
rules (procurement.py) through the Vendor Transaction Status API (transactions.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.client import iso_utc
from amazon_netsuite.sandbox.seller_central.errors import not_found
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.vendor_central import procurement
from amazon_netsuite.sandbox.vendor_central.procurement import ACK_CODES, CLOSED, PurchaseOrderView
from amazon_netsuite.sandbox.vendor_central.store import RETAIL
from amazon_netsuite.sandbox.vendor_central.wire import (
    MAX_LOOKBACK,
    bad,
    checked_number,
    choice,
    find_by_number,
    flag,
    json_body,
    money,
    new_transaction,
    page,
    party,
    time_param,
    window,
)
from amazon_netsuite.sandbox.world.vendor import PurchaseOrder, PurchaseOrderItem, VendorWorld

BASE = "/vendor/orders/v1"
STATES = (procurement.NEW, procurement.ACKNOWLEDGED, CLOSED)
CONFIRMATIONS = ("ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED", "UNCONFIRMED")
RECEIVE_STATUSES = ("NOT_RECEIVED", "PARTIALLY_RECEIVED", "RECEIVED")
# Amazon changes an order at most this long after placing it (world/vendor.py), so a changed-window search looks
# back this far for the orders it may hold.
CHANGE_LOOKBACK = timedelta(days=2)
_AMAZON = ("Amazon.com Services LLC", "Seattle", "WA", "98109")


def _interval(window: tuple[datetime, datetime]) -> str:
    return f"{iso_utc(window[0])}--{iso_utc(window[1])}"


def _quantity(amount: int, unit: str, size: int) -> dict:
    return {"amount": amount, "unitOfMeasure": unit, "unitSize": size}


def _eaches(amount: int) -> dict:
    return {"amount": amount, "unitOfMeasure": "Eaches", "unitSize": 1}


def _item_json(item: PurchaseOrderItem, currency: str) -> dict:
    return {"itemSequenceNumber": str(item.sequence), "amazonProductIdentifier": item.amazon_product_identifier,
            "vendorProductIdentifier": item.vendor_product_identifier,
            "orderedQuantity": _quantity(item.amount, item.unit, item.unit_size),
            "isBackOrderAllowed": item.back_order_allowed, "netCost": money(item.net_cost, currency),
            "listPrice": money(item.list_price, currency)}


def order_json(v: PurchaseOrderView, details: bool = True) -> dict:
    po = v.order
    found: dict = {"purchaseOrderNumber": po.number, "purchaseOrderState": v.state}
    if not details:
        return found
    fc, city, state, postal = po.ship_to
    order_details = {
        "purchaseOrderDate": iso_utc(po.placed_at),
        "purchaseOrderStateChangedDate": iso_utc(v.state_changed_at),
        "purchaseOrderType": po.order_type,
        "paymentMethod": "Invoice",
        "buyingParty": party("AMZN", *_AMAZON),
        "sellingParty": party(po.vendor_code),
        "shipToParty": party(fc, f"Amazon.com Services LLC {fc}", city, state, postal),
        "billToParty": party("AMZN_US", *_AMAZON),
        "shipWindow": _interval(po.ship_window),
        "deliveryWindow": _interval(po.delivery_window),
        "items": [_item_json(i, po.currency) for i in v.items],
    }
    changed = po.changed_at(v.as_of)
    if changed is not None:
        order_details["purchaseOrderChangedDate"] = iso_utc(changed)
    found["orderDetails"] = order_details
    return found


def _world(state, account: str) -> VendorWorld:
    return state.vendor_worlds[account]


def find_purchase_order(world: VendorWorld, number: str, now: datetime) -> PurchaseOrder | None:
    return find_by_number(world.first_day, world.purchase_orders_for_day, number, now)


def views(state, account: str, orders: list[PurchaseOrder], now: datetime) -> list[PurchaseOrderView]:
    acks = state.vendor.acknowledgements(account, RETAIL, now, [po.number for po in orders])
    return [procurement.view(po, acks.get(po.number, []), now) for po in orders]


def _placed(world: VendorWorld, start: datetime, end: datetime, now: datetime) -> list[PurchaseOrder]:
    return world.purchase_orders_placed(start, min(end, now + timedelta(microseconds=1)))


@sp_api_operation("getPurchaseOrders", vendor=True)
async def get_purchase_orders(request: Request, state, account: str) -> Response:
    world, now = _world(state, account), state.clock.now()
    created = window(request, "createdAfter", "createdBefore", now)
    changed = window(request, "changedAfter", "changedBefore", now)
    if created is None and changed is None:
        raise bad("createdAfter or changedAfter is required")
    wanted_state = choice(request, "purchaseOrderState", STATES)
    cancelled_items = choice(request, "poItemState", ("Cancelled",)) is not None
    changed_only = flag(request, "isPOChanged", False)
    details = flag(request, "includeDetails", True)
    vendor_code = request.query_params.get("orderingVendorCode")
    if created is not None:
        orders = _placed(world, *created, now)
    else:
        orders = _placed(world, changed[0] - CHANGE_LOOKBACK, changed[1], now)
    if changed is not None:
        orders = [po for po in orders if (at := po.changed_at(now)) is not None and changed[0] <= at < changed[1]]
    if changed_only:
        orders = [po for po in orders if po.changed_at(now) is not None]
    if cancelled_items:
        orders = [po for po in orders if any(i.amount == 0 for i in po.items_as_of(now))]
    if vendor_code is not None:
        orders = [po for po in orders if po.vendor_code == vendor_code]
    found = [v for v in views(state, account, orders, now) if wanted_state in (None, v.state)]
    rows, next_token = page(request, found, lambda v: (v.order.placed_at, v.order.number))
    payload: dict = {"orders": [order_json(v, details) for v in rows]}
    if next_token:
        payload["pagination"] = {"nextToken": next_token}
    return JSONResponse({"payload": payload})


def _one(state, account: str, number: str, now: datetime) -> PurchaseOrderView:
    po = find_purchase_order(_world(state, account), checked_number(number), now)
    if po is None:
        raise not_found(f"Purchase order {number} was not found")
    return views(state, account, [po], now)[0]


@sp_api_operation("getPurchaseOrder", vendor=True)
async def get_purchase_order(request: Request, state, account: str) -> Response:
    now = state.clock.now()
    return JSONResponse({"payload": order_json(_one(state, account, request.path_params["number"], now))})


def _shape(acknowledgements) -> None:
    """The request's shape (the model's required fields): a 400 at once, as Amazon validates the body."""
    if not isinstance(acknowledgements, list) or not acknowledgements:
        raise bad("acknowledgements must be a non-empty list")
    for ack in acknowledgements:
        if not isinstance(ack, dict) or not isinstance(ack.get("purchaseOrderNumber"), str):
            raise bad("Every acknowledgement needs a purchaseOrderNumber")
        number = ack["purchaseOrderNumber"]
        if not isinstance(ack.get("sellingParty"), dict) or not ack["sellingParty"].get("partyId"):
            raise bad(f"{number}: The content of element 'sellingParty' is not complete; partyId is expected")
        if not isinstance(ack.get("acknowledgementDate"), str):
            raise bad(f"{number}: acknowledgementDate is required")
        items = ack.get("items")
        if not isinstance(items, list) or not items:
            raise bad(f"{number}: items must be a non-empty list")
        for item in items:
            lines = item.get("itemAcknowledgements") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not isinstance(item.get("orderedQuantity"), dict) or not lines:
                raise bad(f"{number}: every item needs orderedQuantity and itemAcknowledgements")
            for line in lines:
                quantity = line.get("acknowledgedQuantity") if isinstance(line, dict) else None
                if not isinstance(line, dict) or line.get("acknowledgementCode") not in ACK_CODES:
                    raise bad(f"{number}: acknowledgementCode must be one of {', '.join(ACK_CODES)}")
                amount = quantity.get("amount") if isinstance(quantity, dict) else None
                if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                    raise bad(f"{number}: acknowledgedQuantity.amount must be a whole number, 0 or more")


@sp_api_operation("submitAcknowledgement", vendor=True)
async def submit_acknowledgement(request: Request, state, account: str) -> Response:
    acknowledgements = (await json_body(request)).get("acknowledgements")
    _shape(acknowledgements)
    world, now = _world(state, account), state.clock.now()
    numbers = [a["purchaseOrderNumber"] for a in acknowledgements]
    prior = state.vendor.acknowledgements(account, RETAIL, None, numbers)
    errors: list[dict] = []
    for ack in acknowledgements:
        number = ack["purchaseOrderNumber"]
        po = find_purchase_order(world, number, now)
        if po is None:
            errors.append({"code": "INVALID_ORDER_ID", "message": "Invalid order ID.",
                           "details": f"Purchase order {number} is not an order of this vendor"})
            continue
        errors += procurement.acknowledgement_problems(po, now, prior.get(number, []), ack)
    transaction = new_transaction(account, RETAIL, now, errors, state)
    state.vendor.add(transaction, [(a["purchaseOrderNumber"], a) for a in acknowledgements])
    return JSONResponse({"payload": {"transactionId": transaction.transaction_id}}, status_code=202)


def _item_status(v: PurchaseOrderView, item: PurchaseOrderItem, currency: str) -> dict:
    po = v.order
    original = next(i for i in po.items if i.sequence == item.sequence)
    ordered_details = [{"updatedDate": iso_utc(po.placed_at),
                        "orderedQuantity": _quantity(original.amount, original.unit, original.unit_size)}]
    changed = po.changed_at(v.as_of)
    if changed is not None and item.amount != original.amount:
        ordered_details.append({"updatedDate": iso_utc(changed),
                                "orderedQuantity": _quantity(item.amount, item.unit, item.unit_size),
                                "cancelledQuantity": _quantity(original.amount - item.amount, item.unit,
                                                               item.unit_size)})
    confirmation, accepted, rejected = v.confirmation(item)
    acknowledged: dict = {"confirmationStatus": confirmation}
    if v.acknowledged is not None:
        line = v.acknowledged.get(item.sequence)
        acknowledged.update({
            "acceptedQuantity": _eaches(accepted), "rejectedQuantity": _eaches(rejected),
            "acknowledgementStatusDetails": [
                {"acknowledgementDate": iso_utc(at), "acceptedQuantity": _eaches(a), "rejectedQuantity": _eaches(r)}
                for at, a, r in (line.history if line else [])]})
    received = v.state == CLOSED and accepted > 0
    receiving: dict = {"receiveStatus": "RECEIVED" if received else "NOT_RECEIVED"}
    if received:
        receiving.update({"receivedQuantity": _eaches(accepted), "lastReceiveDate": iso_utc(v.state_changed_at)})
    return {"itemSequenceNumber": str(item.sequence), "buyerProductIdentifier": item.amazon_product_identifier,
            "vendorProductIdentifier": item.vendor_product_identifier,
            "netCost": money(item.net_cost, currency), "listPrice": money(item.list_price, currency),
            "orderedQuantity": {"orderedQuantity": _quantity(item.amount, item.unit, item.unit_size),
                                "orderedQuantityDetails": ordered_details},
            "acknowledgementStatus": acknowledged, "receivingStatus": receiving}


def status_json(v: PurchaseOrderView) -> dict:
    po = v.order
    return {"purchaseOrderNumber": po.number, "purchaseOrderStatus": "CLOSED" if v.state == CLOSED else "OPEN",
            "purchaseOrderDate": iso_utc(po.placed_at), "lastUpdatedDate": iso_utc(v.last_updated),
            "sellingParty": party(po.vendor_code), "shipToParty": party(po.ship_to[0]),
            "itemStatus": [_item_status(v, i, po.currency) for i in v.items]}


@sp_api_operation("getPurchaseOrdersStatus", vendor=True)
async def get_purchase_orders_status(request: Request, state, account: str) -> Response:
    world, now = _world(state, account), state.clock.now()
    params = request.query_params
    created = window(request, "createdAfter", "createdBefore", now)
    updated = window(request, "updatedAfter", "updatedBefore", now)
    number = params.get("purchaseOrderNumber")
    if created is None and updated is None and number is None:
        raise bad("createdAfter, updatedAfter or purchaseOrderNumber is required")
    status = choice(request, "purchaseOrderStatus", ("OPEN", "CLOSED"))
    confirmation = choice(request, "itemConfirmationStatus", CONFIRMATIONS)
    receive = choice(request, "itemReceiveStatus", RECEIVE_STATUSES)
    if number is not None:
        po = find_purchase_order(world, number, now)
        orders = [po] if po is not None else []
    else:
        # An update (acknowledgement, receipt) may come weeks after the order: look at every order of 6 months.
        orders = _placed(world, *(created or (now - MAX_LOOKBACK, now)), now)
    found = views(state, account, orders, now)
    if updated is not None:
        found = [v for v in found if updated[0] <= v.last_updated < updated[1]]
    if params.get("orderingVendorCode") is not None:
        found = [v for v in found if v.order.vendor_code == params["orderingVendorCode"]]
    if params.get("shipToPartyId") is not None:
        found = [v for v in found if v.order.ship_to[0] == params["shipToPartyId"]]
    rows = [status_json(v) for v in found]
    if status is not None:
        rows = [r for r in rows if r["purchaseOrderStatus"] == status]
    if confirmation is not None:
        rows = [r for r in rows if any(i["acknowledgementStatus"]["confirmationStatus"] == confirmation
                                       for i in r["itemStatus"])]
    if receive is not None:
        rows = [r for r in rows if any(i["receivingStatus"]["receiveStatus"] == receive for i in r["itemStatus"])]
    shown, next_token = page(request, rows, lambda r: (r["purchaseOrderDate"], r["purchaseOrderNumber"]))
    payload: dict = {"ordersStatus": shown}
    if next_token:
        payload["pagination"] = {"nextToken": next_token}
    return JSONResponse({"payload": payload})


routes = [
    Route(f"{BASE}/purchaseOrders", get_purchase_orders, methods=["GET"]),
    Route(f"{BASE}/purchaseOrders/{{number}}", get_purchase_order, methods=["GET"]),
    Route(f"{BASE}/acknowledgements", submit_acknowledgement, methods=["POST"]),
    Route(f"{BASE}/purchaseOrdersStatus", get_purchase_orders_status, methods=["GET"]),
]
