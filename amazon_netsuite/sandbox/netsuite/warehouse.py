"""The seller's warehouse, as far as NetSuite sees it: `POST /_sandbox/netsuite/warehouse/ship` fulfils every Sales
Order posted for an MFN order that the world says has shipped, with item fulfillments (Shipped) dated on the ship
day, as the seller's warehouse staff or its WMS would in NetSuite: a ship method, cartons with weights and tracking
numbers (none for an untracked service), and for some orders a first part and the rest later the same day
(`shipping.py`). Nothing else fulfils MFN Sales Orders in the sandbox; the fulfillment's GL impact posts COGS in the
month the order shipped, and billing for a settlement dates the invoice on it. Idempotent: a Sales Order with
nothing left to ship is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.fulfillment import fulfill_order
from amazon_netsuite.sandbox.netsuite.record_api import save_record
from amazon_netsuite.sandbox.netsuite.records import validate
from amazon_netsuite.sandbox.netsuite.shipping import first_part, packages, rest_ships_at, ship_method
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


def _fulfillment_body(store: RecordStore, sales_order: dict, order: Order, part: str, at,
                      lines: list[dict] | None, country: str) -> dict:
    """The fulfillment a warehouse enters: Shipped on the ship day, its ship method, its cartons and tracking."""
    method = ship_method(order, country)
    lines = lines if lines is not None else fulfill_order(store, sales_order)["item"]["items"]
    units = int(sum(line["quantity"] for line in lines))
    cartons = [{"packageDescr": p.description, "packageWeight": p.weight,
                **({"packageTrackingNumber": p.tracking_number} if p.tracking_number else {})}
               for p in packages(order, part, units, method)]
    # NetSuite dates a transaction in the account's time zone; the sandbox takes the UTC day of the shipment.
    return {"tranDate": at.date().isoformat(), "shipStatus": {"id": "C"},
            "shipMethod": {"externalId": "SHIP-" + method.name.upper().replace(" ", "-")},
            "memo": f"Shipped by the seller's warehouse (Amazon order {order.amazon_order_id})",
            "item": {"items": [{"orderLine": line["orderLine"], "quantity": line["quantity"]} for line in lines]},
            "package": {"items": cartons}}


def ship_shipped_orders(store: RecordStore, world: World, now) -> dict:
    """Fulfil the Sales Orders of MFN orders shipped by `now`, a partial shipment's rest once it left too; what was
    done, and why the rest was not."""
    fulfilled, already, not_shipped, refused = [], 0, 0, []
    for sales_order in sorted(store.all("salesOrder"), key=lambda r: int(r["id"])):
        order = _world_order(world, sales_order)
        if order is None or order.fulfillment_channel != MFN:
            continue
        previous = sum(1 for t, _ in store.referrers(int(sales_order["id"])) if t == "itemFulfillment")
        if previous and not fulfill_order(store, sales_order)["item"]["items"]:
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
        rest_at = rest_ships_at(order)
        parts = [("whole", order.shipped_at, None)]
        if rest_at is not None:
            first = first_part(fulfill_order(store, sales_order)["item"]["items"])
            parts = [("first", order.shipped_at, first), ("rest", rest_at, None)][min(previous, 1):]
        elif previous:  # fulfilled elsewhere (by REST) in part: the warehouse ships what is left
            parts = [("rest", order.shipped_at, None)]
        country = world.markets[order.storefront_key].country
        for part, at, lines in parts:
            if at > now:
                not_shipped += 1
                break
            try:
                sales_order = store.get("salesOrder", int(sales_order["id"]))  # as the last part left it
                body = _fulfillment_body(store, sales_order, order, part, at, lines, country)
                validate(store, "itemFulfillment", body)
                record = transform(store, "salesOrder", sales_order, "itemFulfillment", body, {"item"})
                internal_id = save_record(store, "itemFulfillment", None, record, set(), now)
            except RecordError as error:
                refused.append({"salesOrder": sales_order["externalId"], "reason": error.detail})
                break
            fulfilled.append({"salesOrder": sales_order["externalId"], "itemFulfillment": str(internal_id),
                              "tranDate": body["tranDate"], "part": part})
    return {"fulfilled": fulfilled, "already_fulfilled": already, "not_shipped_yet": not_shipped,
            "refused": refused}


async def ship(request: Request) -> JSONResponse:
    """Fulfil every Sales Order of a shipped MFN order (POST, no body)."""
    netsuite, sandbox = request.app.state.netsuite, request.app.state.sandbox
    async with netsuite.write_lock:
        done = ship_shipped_orders(netsuite.store, sandbox.world, sandbox.clock.now())
    return JSONResponse(done)
