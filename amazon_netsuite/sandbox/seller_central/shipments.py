"""Orders API v0: confirmShipment (with Amazon's validation) and getOrderItems, plus `/_sandbox/shipments`, the
confirmations as the sandbox holds them.

A confirmation is kept per order and package; the next order reports show the order PartiallyShipped or Shipped
(world/orders.py `confirmed_state`). Error texts are the sandbox's own: Amazon documents only the 400 body shape.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.shipments import CARRIER_CODES, JP_MARKETPLACE, OTHER
from amazon_netsuite.sandbox.seller_central.errors import ApiError, invalid_input
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.seller_central.shipment_store import Shipment, canonical
from amazon_netsuite.sandbox.world.orders import FBA, Order, World, confirmed_state, order_item_id

_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")


@lru_cache(maxsize=4096)
def _day_index(world: World, storefront: str, day) -> dict[str, Order]:
    return {o.amazon_order_id: o for o in world.orders_for_day(storefront, day)}


def find_order(world: World, storefronts: list[str], order_id: str, as_of: datetime) -> Order | None:
    """The order with that id placed in one of the storefronts up to `as_of`, else None."""
    if not _ORDER_ID.match(order_id):
        return None
    day = as_of.date()
    while day >= world.first_day:
        for storefront in storefronts:
            order = _day_index(world, storefront, day).get(order_id)
            if order is not None and order.purchase_date <= as_of:
                return order
        day = day.fromordinal(day.toordinal() - 1)
    return None


def _not_found(order_id: str) -> ApiError:
    return ApiError(404, "NotFound", f"Order {order_id} was not found")


def _parse_ship_date(value) -> datetime:
    if not isinstance(value, str):
        raise invalid_input("Invalid Input", "packageDetail.shipDate is required (ISO 8601 date-time)")
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input("Invalid Input", f"shipDate {value!r} is not an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise invalid_input("Invalid Input", f"shipDate {value!r} has no time zone offset")
    return at


def _package(body) -> tuple[str, dict, list[tuple[str, int]]]:
    """Shape checks of the request (ordersV0.json ConfirmShipmentRequest): marketplace, package, its items."""
    if not isinstance(body, dict):
        raise invalid_input("Invalid Input", "The request body must be a ConfirmShipmentRequest object")
    marketplace_id = body.get("marketplaceId")
    package = body.get("packageDetail")
    if not isinstance(marketplace_id, str) or not marketplace_id:
        raise invalid_input("Invalid Input", "marketplaceId is required")
    if not isinstance(package, dict):
        raise invalid_input("Invalid Input", "packageDetail is required")
    reference = package.get("packageReferenceId")
    if not isinstance(reference, str) or not reference.isdigit() or int(reference) <= 0:
        raise invalid_input("Invalid Input", "packageReferenceId is required and must be a positive number")
    for name in ("carrierCode", "trackingNumber"):
        if not isinstance(package.get(name), str) or not package[name].strip():
            raise invalid_input("Invalid Input", f"packageDetail.{name} is required")
    items = package.get("orderItems")
    if not isinstance(items, list) or not items:
        raise invalid_input("Invalid Input", "packageDetail.orderItems is required and must not be empty")
    parsed = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("orderItemId"), str):
            raise invalid_input("Invalid Input", "Every order item needs an orderItemId")
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise invalid_input("Invalid Input", f"Order item {item['orderItemId']}: quantity must be a positive "
                                "integer")
        parsed.append((item["orderItemId"], quantity))
    method = body.get("codCollectionMethod")
    if method is not None and (method != "DirectPayment" or marketplace_id != JP_MARKETPLACE):
        raise invalid_input("Invalid Input", "codCollectionMethod is DirectPayment, in the JP marketplace only")
    return marketplace_id, package, parsed


@sp_api_operation("confirmShipment")
async def confirm_shipment(request: Request, state, account: str) -> Response:
    order_id = request.path_params["order_id"]
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise invalid_input("Invalid Input", "The request body is not valid JSON") from None
    marketplace_id, package, items = _package(body)
    storefronts = [s.key for s in state.settings.account(account).storefronts if s.marketplace_id == marketplace_id]
    if not storefronts:
        raise invalid_input("Invalid Input", f"Marketplace id {marketplace_id} is not this seller's")
    now = state.clock.now()
    order = find_order(state.world, storefronts, order_id, now)
    if order is None:
        raise _not_found(order_id)
    reference = package["packageReferenceId"]
    stored = state.shipments.for_order(account, order_id)
    same = next((s for s in stored if s.package_reference_id == reference), None)
    if same is not None:
        if canonical(same.body) == canonical(body):
            return Response(status_code=204)  # the same package again: nothing changes
        raise invalid_input("Invalid Input", f"packageReferenceId {reference} was already confirmed for order "
                            f"{order_id} with different content")
    if order.fulfillment_channel == FBA:
        raise invalid_input("Invalid Input", f"Order {order_id} is fulfilled by Amazon; it cannot be confirmed")
    status = confirmed_state(order, now, tuple(s.package() for s in stored))
    if status.status == "Cancelled":
        raise invalid_input("Invalid Input", f"Order {order_id} is cancelled")
    if status.status == "Pending":
        raise invalid_input("Invalid Input", f"Order {order_id} is pending: payment is not authorised yet")
    code = package["carrierCode"]
    if code not in CARRIER_CODES:
        raise invalid_input("Invalid Input", f"carrierCode {code!r} is not a valid carrier code; use Other with "
                            "a carrierName for an unlisted carrier")
    if code == OTHER and not str(package.get("carrierName") or "").strip():
        raise invalid_input("Invalid Input", "carrierName is required when carrierCode is Other")
    ship_date = _parse_ship_date(package.get("shipDate"))
    if ship_date > now:
        raise invalid_input("Invalid Input", f"shipDate {package['shipDate']} is in the future")
    if ship_date < order.purchase_date:
        raise invalid_input("Invalid Input", f"shipDate {package['shipDate']} is before the order's purchase date")
    lines = {order_item_id(order, i): i for i in range(len(order.lines))}
    confirmed = [0] * len(order.lines)
    for shipment in stored:
        for line, quantity in shipment.units:
            confirmed[line] += quantity
    units: dict[int, int] = {}
    for item_id, quantity in items:
        line = lines.get(item_id)
        if line is None or status.item_statuses[line] == "Cancelled":
            raise invalid_input("Invalid Input", f"Order item {item_id} is not an item of order {order_id}")
        units[line] = units.get(line, 0) + quantity
    for line, quantity in units.items():
        left = order.lines[line].quantity - confirmed[line]
        if quantity > left:
            raise invalid_input("Invalid Input", f"Order item {order_item_id(order, line)}: quantity {quantity} is "
                                f"more than the {left} unit(s) left to ship")
    state.shipments.add(Shipment(account, order_id, reference, marketplace_id, order.storefront_key,
                                 order.purchase_date.date(), body, tuple(sorted(units.items())), now))
    return Response(status_code=204)


@sp_api_operation("getOrderItems")
async def get_order_items(request: Request, state, account: str) -> Response:
    order_id = request.path_params["order_id"]
    now = state.clock.now()
    storefronts = [s.key for s in state.settings.account(account).storefronts]
    order = find_order(state.world, storefronts, order_id, now)
    if order is None:
        raise _not_found(order_id)
    shipped = [0] * len(order.lines)
    for shipment in state.shipments.for_order(account, order_id):
        for line, quantity in shipment.units:
            shipped[line] += quantity
    world_state = confirmed_state(order, now)
    items = []
    for i, line in enumerate(order.lines):
        if world_state.status == "Shipped" and world_state.item_statuses[i] == "Shipped":
            shipped[i] = line.quantity
        items.append({"ASIN": line.product.asin, "SellerSKU": line.product.sku, "OrderItemId": order_item_id(order, i),
                      "Title": line.product.name, "QuantityOrdered": line.quantity, "QuantityShipped": shipped[i]})
    return JSONResponse({"payload": {"AmazonOrderId": order_id, "OrderItems": items}})


async def list_shipments(request: Request) -> JSONResponse:
    """`/_sandbox/shipments?seller_account=demo-na&marketplace_id=...`: every confirmation the sandbox holds."""
    state = request.app.state.sandbox
    account = request.query_params.get("seller_account")
    accounts = [a.key for a in state.settings.seller_accounts]
    if account not in accounts:
        return JSONResponse({"error": f"seller_account must be one of {', '.join(accounts)}"}, status_code=400)
    found = state.shipments.for_account(account, request.query_params.get("marketplace_id"))
    return JSONResponse({"seller_account": account, "shipments": [
        {"order_id": s.order_id, "package_reference_id": s.package_reference_id, "marketplace_id": s.marketplace_id,
         "storefront": s.storefront, "carrier_code": s.body["packageDetail"]["carrierCode"],
         "carrier_name": s.body["packageDetail"].get("carrierName"),
         "shipping_method": s.body["packageDetail"].get("shippingMethod"),
         "tracking_number": s.body["packageDetail"]["trackingNumber"],
         "ship_date": s.body["packageDetail"]["shipDate"], "confirmed_at": s.confirmed_at.isoformat(),
         "items": [{"order_item_id": i["orderItemId"], "quantity": i["quantity"]}
                   for i in s.body["packageDetail"]["orderItems"]]}
        for s in found]})


routes = [
    Route("/orders/v0/orders/{order_id}/shipmentConfirmation", confirm_shipment, methods=["POST"]),
    Route("/orders/v0/orders/{order_id}/orderItems", get_order_items, methods=["GET"]),
    Route("/_sandbox/shipments", list_shipments, methods=["GET"]),
]
