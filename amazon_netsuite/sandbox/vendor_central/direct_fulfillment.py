"""Vendor Direct Fulfillment Orders API 2021-12-28: getOrders, getOrder and submitAcknowledgement.

https://developer-docs.amazon.com/sp-api/docs/vendor-direct-fulfillment-orders-api-2021-12-28-reference. Answers
are not wrapped in `payload`; getOrders needs both createdAfter and createdBefore. Direct Fulfillment is fill or
kill (https://developer-docs.amazon.com/sp-api/docs/submit-an-acknowledgement): an acknowledgement names every line,
code "00" ships every unit ordered, and any other code cancels the whole order. The order is ACCEPTED or CANCELLED
once its transaction succeeds; SHIPPED (the DF Shipping API) is not modelled.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.client import iso_utc
from amazon_netsuite.sandbox.seller_central.errors import not_found
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.vendor_central.store import DIRECT, Acknowledgement
from amazon_netsuite.sandbox.vendor_central.wire import (
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
    window,
)
from amazon_netsuite.sandbox.world.vendor import DirectFulfillmentOrder, VendorWorld

BASE = "/vendor/directFulfillment/orders/2021-12-28"
SHIP_ALL = "00"
# Acknowledgement codes of the Direct Fulfillment use case guide: 00 ships everything, every other code cancels.
CANCEL_CODES = {"02": "Canceled due to missing/invalid SKU", "03": "Canceled out of stock",
                **{code: "Canceled" for code in (*(f"{n:02d}" for n in range(4, 14)), "20", "21", "22", "50", "51",
                                                 "53", "54", "55", "56", "71")}}
STATUSES = ("NEW", "SHIPPED", "ACCEPTED", "CANCELLED")


def order_status(acks: list[Acknowledgement]) -> str:
    if not acks:
        return "NEW"
    return "ACCEPTED" if acks[-1].body["acknowledgementStatus"]["code"] == SHIP_ALL else "CANCELLED"


def order_json(order: DirectFulfillmentOrder, status: str, details: bool = True) -> dict:
    found: dict = {"purchaseOrderNumber": order.number}
    if not details:
        return found
    city, state, postal = order.ship_to
    found["orderDetails"] = {
        "customerOrderNumber": order.customer_order_number,
        "orderDate": iso_utc(order.placed_at),
        "orderStatus": status,
        "shipmentDetails": {
            "isPriorityShipment": order.is_priority, "isScheduledDeliveryShipment": False, "isPslipRequired": False,
            "isGift": order.is_gift, "shipMethod": order.ship_method, "messageToCustomer": "Thank you for your order.",
            "shipmentDates": {"requiredShipDate": iso_utc(order.required_ship_date),
                              "promisedDeliveryDate": iso_utc(order.promised_delivery_date)}},
        "sellingParty": party(order.vendor_code),
        "shipFromParty": party(order.warehouse_id),
        "shipToParty": {"name": order.buyer_name, "addressLine1": f"{postal} Elm Street", "city": city,
                        "stateOrRegion": state, "postalCode": postal, "countryCode": "US"},
        "billToParty": party("AMZN_US"),
        "hasCustomizableItems": False,
        "items": [{"itemSequenceNumber": str(i.sequence), "buyerProductIdentifier": i.buyer_product_identifier,
                   "vendorProductIdentifier": i.vendor_product_identifier, "title": i.title,
                   "orderedQuantity": {"amount": i.quantity, "unitOfMeasure": "Each"},
                   "netPrice": money(i.net_price, order.currency),
                   "totalPrice": money(i.net_price * i.quantity, order.currency)} for i in order.items],
    }
    return found


def _world(state, account: str) -> VendorWorld:
    return state.vendor_worlds[account]


def find_order(world: VendorWorld, number: str, now: datetime) -> DirectFulfillmentOrder | None:
    return find_by_number(world.first_day, world.direct_fulfillment_orders_for_day, number, now)


@sp_api_operation("getDirectFulfillmentOrders", vendor=True)
async def get_orders(request: Request, state, account: str) -> Response:
    if "createdAfter" not in request.query_params or "createdBefore" not in request.query_params:
        raise bad("createdAfter and createdBefore are both required")
    now = state.clock.now()
    created = window(request, "createdAfter", "createdBefore", now, limit=None)
    status = choice(request, "status", STATUSES)
    details = flag(request, "includeDetails", True)
    warehouse = request.query_params.get("shipFromPartyId")
    orders = _world(state, account).direct_fulfillment_orders_placed(created[0], min(created[1], now))
    orders = [o for o in orders if warehouse in (None, o.warehouse_id)]
    acks = state.vendor.acknowledgements(account, DIRECT, now, [o.number for o in orders])
    found = [(o, order_status(acks.get(o.number, []))) for o in orders]
    found = [(o, s) for o, s in found if status in (None, s)]
    rows, next_token = page(request, found, lambda row: (row[0].placed_at, row[0].number))
    body: dict = {"orders": [order_json(o, s, details) for o, s in rows]}
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    return JSONResponse(body)


@sp_api_operation("getDirectFulfillmentOrder", vendor=True)
async def get_order(request: Request, state, account: str) -> Response:
    number, now = request.path_params["number"], state.clock.now()
    order = find_order(_world(state, account), checked_number(number), now)
    if order is None:
        raise not_found(f"Order {number} was not found")
    acks = state.vendor.acknowledgements(account, DIRECT, now, [number])
    return JSONResponse(order_json(order, order_status(acks.get(number, []))))


def _shape(acknowledgements) -> None:
    if not isinstance(acknowledgements, list) or not acknowledgements:
        raise bad("orderAcknowledgements must be a non-empty list")
    for ack in acknowledgements:
        if not isinstance(ack, dict) or not isinstance(ack.get("purchaseOrderNumber"), str):
            raise bad("Every order acknowledgement needs a purchaseOrderNumber")
        number = ack["purchaseOrderNumber"]
        for name in ("vendorOrderNumber", "acknowledgementDate"):
            if not isinstance(ack.get(name), str):
                raise bad(f"{number}: {name} is required")
        for name in ("sellingParty", "shipFromParty"):
            if not isinstance(ack.get(name), dict) or not ack[name].get("partyId"):
                raise bad(f"{number}: {name}.partyId is required")
        if not isinstance(ack.get("acknowledgementStatus"), dict) or not ack["acknowledgementStatus"].get("code"):
            raise bad(f"{number}: acknowledgementStatus.code is required")
        items = ack.get("itemAcknowledgements")
        if not isinstance(items, list) or not items:
            raise bad(f"{number}: itemAcknowledgements must be a non-empty list")
        for item in items:
            item = item if isinstance(item, dict) else {}
            quantity = item.get("acknowledgedQuantity")
            amount = quantity.get("amount") if isinstance(quantity, dict) else None
            if not isinstance(item.get("itemSequenceNumber"), str) or not isinstance(amount, int) or amount < 0:
                raise bad(f"{number}: every item acknowledgement needs itemSequenceNumber and acknowledgedQuantity")


def acknowledgement_problems(order: DirectFulfillmentOrder, ack: dict) -> list[dict]:
    """Why Amazon would fail this order's acknowledgement, or []: fill or kill, every line, nothing above ordered."""
    number, problems = order.number, []

    def problem(code: str, message: str, details: str) -> None:
        problems.append({"code": code, "message": message, "details": f"Order {number}: {details}"})

    if ack["sellingParty"]["partyId"] != order.vendor_code:
        problem("INVALID_SELLING_PARTY", "Invalid selling party.", f"sellingParty is not {order.vendor_code}")
    if ack["shipFromParty"]["partyId"] != order.warehouse_id:
        problem("INVALID_SHIP_FROM_PARTY", "Invalid ship from party.", f"shipFromParty is not {order.warehouse_id}")
    code = ack["acknowledgementStatus"]["code"]
    if code != SHIP_ALL and code not in CANCEL_CODES:
        problem("INVALID_ACKNOWLEDGEMENT_CODE", "Invalid acknowledgement code.", f"{code!r} is not a known code")
    acked = {str(i["itemSequenceNumber"]).lstrip("0"): i["acknowledgedQuantity"]["amount"]
             for i in ack["itemAcknowledgements"]}
    lines = {str(i.sequence): i for i in order.items}
    for sequence in sorted(set(acked) - set(lines)):
        problem("INVALID_ITEM", "Invalid item.", f"item {sequence} is not on the order")
    missing = sorted(set(lines) - set(acked))
    if missing:
        problem("PARTIAL_ACKNOWLEDGEMENT", "Amazon does not accept a partial acknowledgement.",
                f"item(s) {', '.join(missing)} not acknowledged; every line must be")
    for sequence, item in lines.items():
        amount = acked.get(sequence)
        if amount is not None and amount > item.quantity:
            problem("INVALID_QUANTITY", "Cannot acknowledge more than the ordered quantity.",
                    f"item {sequence} ({item.vendor_product_identifier}): {amount} acknowledged, "
                    f"{item.quantity} ordered")
        elif amount is not None and code == SHIP_ALL and amount != item.quantity:
            problem("PARTIAL_SHIPMENT", "Partial shipments are not allowed.",
                    f"item {sequence} ({item.vendor_product_identifier}): {amount} of {item.quantity} with code 00; "
                    "ship every unit or cancel the order with a cancellation code")
    return problems


@sp_api_operation("submitDirectFulfillmentAcknowledgement", vendor=True)
async def submit_acknowledgement(request: Request, state, account: str) -> Response:
    acknowledgements = (await json_body(request)).get("orderAcknowledgements")
    _shape(acknowledgements)
    world, now = _world(state, account), state.clock.now()
    errors: list[dict] = []
    for ack in acknowledgements:
        order = find_order(world, ack["purchaseOrderNumber"], now)
        if order is None:
            errors.append({"code": "INVALID_ORDER_ID", "message": "Invalid order ID.",
                           "details": f"Order {ack['purchaseOrderNumber']} is not an order of this vendor"})
        else:
            errors += acknowledgement_problems(order, ack)
    transaction = new_transaction(account, DIRECT, now, errors, state)
    state.vendor.add(transaction, [(a["purchaseOrderNumber"], a) for a in acknowledgements])
    return JSONResponse({"transactionId": transaction.transaction_id}, status_code=202)


routes = [
    Route(f"{BASE}/purchaseOrders", get_orders, methods=["GET"]),
    Route(f"{BASE}/purchaseOrders/{{number}}", get_order, methods=["GET"]),
    Route(f"{BASE}/acknowledgements", submit_acknowledgement, methods=["POST"]),
]
