"""The seller's warehouse in the sandbox: `POST /_sandbox/netsuite/warehouse/ship` fulfils the Sales Orders of MFN
orders the world says have shipped, dated on the ship day, and only once."""

from __future__ import annotations

from datetime import timedelta

import httpx

from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.netsuite.shipping import rest_ships_at
from amazon_netsuite.sandbox.world.orders import FBA, MFN
from amazon_netsuite_tests.conftest import start_sandbox
from amazon_netsuite_tests.sandbox.netsuite.conftest import create, netsuite_client, suiteql_rows

STOREFRONT = "demo-US"


def post_sales_order(netsuite, order, warehouse: str = "WH-na") -> str:
    """The Sales Order the orders flow posts for a world order (external id, otherRefNum, purchase day)."""
    storefront = order.storefront_key
    return create(netsuite, "salesOrder", {
        "externalId": f"AMZ-{storefront}-{order.amazon_order_id}", "otherRefNum": order.amazon_order_id,
        "tranDate": order.purchase_date.date().isoformat(), "entity": {"externalId": f"AMZ-CUSTOMER-{storefront}"},
        "location": {"externalId": warehouse}, "orderStatus": {"id": "B"},
        "item": {"items": [{"item": {"externalId": line.product.sku}, "quantity": line.quantity,
                            "rate": str(line.item_price / line.quantity)} for line in order.lines]}})


def _fulfillments(netsuite) -> dict[str, str]:
    """Sales Order external id → the trandate of its shipped item fulfillment, by SuiteQL."""
    rows = suiteql_rows(netsuite, """
        SELECT so.externalid, f.trandate FROM transaction f
        JOIN previoustransactionlinelink l ON l.nextdoc = f.id JOIN transaction so ON so.id = l.previousdoc
        WHERE f.type = 'ItemShip' AND f.status = 'C'""")
    return {r["externalid"]: r["trandate"] for r in rows}


def test_the_warehouse_fulfils_only_shipped_mfn_orders_on_their_ship_day_and_only_once(tmp_path):
    with start_sandbox(tmp_path / "sandbox", orders_per_day=40, history_days=4) as sandbox, \
            netsuite_client(sandbox.url) as netsuite:
        world = sandbox.state.world
        orders = [o for o in world.orders_placed(STOREFRONT, world.first_day, world.first_day + timedelta(days=2))
                  if not {line.product.sku for line in o.lines} & MISSING_SKUS]
        mfn = sorted((o for o in orders if o.fulfillment_channel == MFN and o.shipped_at), key=lambda o: o.shipped_at)
        first, later = mfn[0], next(o for o in mfn if o.shipped_at.date() > mfn[0].shipped_at.date())
        fba = next(o for o in orders if o.fulfillment_channel == FBA and o.shipped_at)
        for order in (first, later, fba):
            post_sales_order(netsuite, order)
        ship = f"{sandbox.url}/_sandbox/netsuite/warehouse/ship"
        eid = {o: f"AMZ-{STOREFRONT}-{o.amazon_order_id}" for o in (first, later, fba)}

        # The world's clock between the two shipments: only the first has left the warehouse.
        httpx.post(f"{sandbox.url}/_sandbox/clock",
                   json={"now": (later.shipped_at - timedelta(seconds=1)).isoformat()}).raise_for_status()
        done = httpx.post(ship).json()
        # (a partial shipment's two parts both left by then: one Sales Order, two fulfillments)
        assert {f["salesOrder"] for f in done["fulfilled"]} == {eid[first]}
        assert (done["already_fulfilled"], done["not_shipped_yet"], done["refused"]) == (0, 1, [])
        assert _fulfillments(netsuite) == {eid[first]: first.shipped_at.strftime("%-m/%-d/%Y")}

        # Once every part of the later order left (it may ship in two parts the same day, as the world decides).
        left = rest_ships_at(later) or later.shipped_at
        httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": left.isoformat()}).raise_for_status()
        assert {f["salesOrder"] for f in httpx.post(ship).json()["fulfilled"]} == {eid[later]}
        again = httpx.post(ship).json()
        assert (again["fulfilled"], again["already_fulfilled"], again["not_shipped_yet"]) == ([], 2, 0)
        # The FBA order is Amazon's to ship: its Sales Order stays unfulfilled.
        assert _fulfillments(netsuite) == {eid[first]: first.shipped_at.strftime("%-m/%-d/%Y"),
                                           eid[later]: later.shipped_at.strftime("%-m/%-d/%Y")}
