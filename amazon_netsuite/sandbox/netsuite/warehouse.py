"""The seller's warehouse, as far as NetSuite sees it: `POST /_sandbox/netsuite/warehouse/ship` fulfils every Sales
Order posted for an MFN order that the world says has shipped, with an item fulfillment (Shipped) dated on the ship
day, as the seller's warehouse staff or its WMS would in NetSuite. Nothing else fulfils MFN Sales Orders in the
sandbox; the fulfillment's GL impact posts COGS in the month the order shipped, and billing for a settlement dates
the invoice on it. Idempotent: a Sales Order with a fulfillment already is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_api import save_record
from amazon_netsuite.sandbox.netsuite.records import validate
from amazon_netsuite.sandbox.netsuite.store import RecordStore
from amazon_netsuite.sandbox.netsuite.transactions import transform
from amazon_netsuite.sandbox.world import World
from amazon_netsuite.sandbox.world.orders import MFN, Order

WAREHOUSE_SHIP_PATH = "/_sandbox/netsuite/warehouse/ship"
_UNFULFILLABLE = {"A": "Pending Approval", "C": "Cancelled", "H": "Closed"}


def _world_order(world: World, sales_order: dict) -> Order | None:
    """The world's order a Sales Order was posted for: external id AMZ-{storefront}-{order id}, otherRefNum the
    order id, tranDate its purchase day (a day either side, for the time zone)."""
    order_id, external_id = sales_order.get("otherRefNum"), sales_order.get("externalId") or ""
    storefront = external_id.removeprefix("AMZ-").removesuffix(f"-{order_id}")
    if not order_id or storefront not in world.markets or external_id != f"AMZ-{storefront}-{order_id}":
        return None
    day = date.fromisoformat(sales_order["tranDate"][:10])
    for candidate in (day, day - timedelta(days=1), day + timedelta(days=1)):
        for order in world.orders_for_day(storefront, candidate):
            if order.amazon_order_id == order_id:
                return order
    return None


def ship_shipped_orders(store: RecordStore, world: World, now) -> dict:
    """Fulfil the Sales Orders of MFN orders shipped by `now`; what was done, and why the rest was not."""
    fulfilled, already, not_shipped, refused = [], 0, 0, []
    for sales_order in sorted(store.all("salesOrder"), key=lambda r: int(r["id"])):
        order = _world_order(world, sales_order)
        if order is None or order.fulfillment_channel != MFN:
            continue
        if any(t == "itemFulfillment" for t, _ in store.referrers(int(sales_order["id"]))):
            already += 1
            continue
        if order.shipped_at is None or order.shipped_at > now:
            not_shipped += 1
            continue
        status = sales_order["status"]["id"]
        if status in _UNFULFILLABLE:
            refused.append({"salesOrder": sales_order["externalId"],
                            "reason": f"the Sales Order is {_UNFULFILLABLE[status]}"})
            continue
        # NetSuite dates a transaction in the account's time zone; the sandbox takes the UTC day of the shipment.
        body = {"tranDate": order.shipped_at.date().isoformat(), "shipStatus": {"id": "C"},
                "memo": f"Shipped by the seller's warehouse (Amazon order {order.amazon_order_id})"}
        try:
            validate(store, "itemFulfillment", body)
            record = transform(store, "salesOrder", sales_order, "itemFulfillment", body, set())
            internal_id = save_record(store, "itemFulfillment", None, record, set(), now)
        except RecordError as error:
            refused.append({"salesOrder": sales_order["externalId"], "reason": error.detail})
            continue
        fulfilled.append({"salesOrder": sales_order["externalId"], "itemFulfillment": str(internal_id),
                          "tranDate": body["tranDate"]})
    return {"fulfilled": fulfilled, "already_fulfilled": already, "not_shipped_yet": not_shipped,
            "refused": refused}


async def ship(request: Request) -> JSONResponse:
    """Fulfil every Sales Order of a shipped MFN order (POST, no body)."""
    netsuite, sandbox = request.app.state.netsuite, request.app.state.sandbox
    async with netsuite.write_lock:
        done = ship_shipped_orders(netsuite.store, sandbox.world, sandbox.clock.now())
    return JSONResponse(done)
