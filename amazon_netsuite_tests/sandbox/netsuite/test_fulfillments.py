"""Item fulfillments as a warehouse enters them: the sandbox's warehouse ships MFN orders with a ship method, cartons
and tracking numbers as the world says (sandbox/netsuite/shipping.py), some in two parts, some without tracking;
REST creates and changes the same fields under strict property validation; SuiteQL shows them under NetSuite's
table names."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.netsuite.shipping import packages, rest_ships_at, ship_method
from amazon_netsuite.sandbox.world.orders import MFN
from amazon_netsuite_tests.conftest import start_sandbox
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, netsuite_client, suiteql_rows
from amazon_netsuite_tests.sandbox.netsuite.test_warehouse import STOREFRONT, post_sales_order

STRICT = {"X-NetSuite-PropertyNameValidation": "Error"}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """A sandbox whose MFN orders of three days are posted as Sales Orders; the world's clock at the end."""
    with start_sandbox(tmp_path_factory.mktemp("sandbox"), orders_per_day=40, history_days=4) as sandbox, \
            netsuite_client(sandbox.url) as netsuite:
        world = sandbox.state.world
        orders = [o for o in world.orders_placed(STOREFRONT, world.first_day, world.first_day + timedelta(days=2))
                  if o.fulfillment_channel == MFN and o.shipped_at
                  and not {line.product.sku for line in o.lines} & MISSING_SKUS]
        for order in orders:
            post_sales_order(netsuite, order)
        yield sandbox, netsuite, orders


def _ship(sandbox, now=None) -> dict:
    if now is not None:
        httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": now.isoformat()}).raise_for_status()
    response = httpx.post(f"{sandbox.url}/_sandbox/netsuite/warehouse/ship")
    response.raise_for_status()
    return response.json()


def _shipments(netsuite) -> dict[str, list[dict]]:
    """Sales Order external id → its fulfillments with ship method and packages, by SuiteQL."""
    rows = suiteql_rows(netsuite, """
        SELECT so.externalid, f.id, f.trandate, sm.itemid AS method, p.id AS pkg, p.packagetrackingnumber AS tracking,
               p.packageweight AS weight, p.packagedescr AS descr
        FROM transaction f JOIN transactionline ml ON ml.transaction = f.id AND ml.mainline = 'T'
        JOIN transaction so ON so.id = ml.createdfrom JOIN item sm ON sm.id = f.shipmethod
        LEFT JOIN itemfulfillmentpackage p ON p.itemfulfillment = f.id
        WHERE f.type = 'ItemShip' AND f.status = 'C' ORDER BY f.id, p.id""")
    result: dict[str, dict[str, dict]] = {}
    for row in rows:
        shipment = result.setdefault(row["externalid"], {}).setdefault(
            row["id"], {"trandate": row["trandate"], "method": row["method"], "packages": []})
        # SuiteQL leaves out null columns
        shipment["packages"].append((row.get("tracking"), Decimal(row["weight"]), row["descr"]))
    return {eid: list(by_id.values()) for eid, by_id in result.items()}


def test_the_warehouse_ships_every_order_with_the_worlds_method_cartons_and_tracking(shipped):
    sandbox, netsuite, orders = shipped
    done = _ship(sandbox, max(o.shipped_at for o in orders) + timedelta(hours=4))
    assert done["refused"] == []
    shipments = _shipments(netsuite)
    country = sandbox.state.world.markets[STOREFRONT].country
    for order in orders:
        eid, method = f"AMZ-{STOREFRONT}-{order.amazon_order_id}", ship_method(order, country)
        parts = shipments[eid]
        assert len(parts) == (2 if rest_ships_at(order) else 1), eid
        assert {p["method"] for p in parts} == {method.name}
        assert {p["trandate"] for p in parts} == {order.shipped_at.strftime("%-m/%-d/%Y")}
        if len(parts) == 1:
            units = sum(line.quantity for line in order.lines)
            assert parts[0]["packages"] == [(p.tracking_number, p.weight, p.description)
                                             for p in packages(order, "whole", units, method)]
    every = [p for parts in shipments.values() for s in parts for p in s["packages"]]
    # The world has them all: several cartons, cartons without tracking, UPS's 1Z numbers, partial shipments.
    assert any(len(s["packages"]) > 1 for parts in shipments.values() for s in parts)
    assert any(tracking is None for tracking, _, _ in every)
    assert any(tracking and tracking.startswith("1Z") and len(tracking) == 18 for tracking, _, _ in every)
    assert sum(1 for parts in shipments.values() if len(parts) == 2) >= 2
    assert {s["method"] for parts in shipments.values() for s in parts} >= {"UPS Ground", "Metro Courier"}
    # Tracking numbers also under NetSuite's TrackingNumberMap → TrackingNumber.
    mapped = suiteql_rows(netsuite, "SELECT COUNT(*) AS n FROM trackingnumbermap m "
                                    "JOIN trackingnumber t ON t.id = m.trackingnumber")
    assert int(mapped[0]["n"]) == sum(1 for tracking, _, _ in every if tracking)
    assert _ship(sandbox)["fulfilled"] == []  # once
    # Seller-Fulfilled Prime goes tracked, always.
    prime = [o for o in orders if o.is_prime]
    assert prime and all(ship_method(o, country).tracked for o in prime)
    assert all(t for o in prime for s in shipments[f"AMZ-{STOREFRONT}-{o.amazon_order_id}"]
               for t, _, _ in s["packages"])


def test_a_german_order_ships_dhl_paket_with_its_tracking_numbers(tmp_path):
    with start_sandbox(tmp_path / "sandbox", orders_per_day=40, history_days=4) as sandbox, \
            netsuite_client(sandbox.url) as netsuite:
        world = sandbox.state.world
        order = next(o for o in world.orders_placed("demo-DE", world.first_day, world.first_day + timedelta(days=2))
                     if o.fulfillment_channel == MFN and o.shipped_at and ship_method(o, "DE").name == "DHL Paket"
                     and not {line.product.sku for line in o.lines} & MISSING_SKUS)
        post_sales_order(netsuite, order, warehouse="WH-eu")
        assert [f["part"] for f in _ship(sandbox, order.shipped_at + timedelta(hours=4))["fulfilled"]] in (
            ["whole"], ["first", "rest"])
        (parts,) = _shipments(netsuite).values()
        tracking = [t for s in parts for t, _, _ in s["packages"]]
        assert {s["method"] for s in parts} == {"DHL Paket"}
        assert tracking and all(t.startswith("00340434") and len(t) == 20 and t.isdigit() for t in tracking)


def test_a_partial_shipment_ships_its_first_part_then_the_rest_the_same_day(tmp_path):
    with start_sandbox(tmp_path / "sandbox", orders_per_day=40, history_days=4) as sandbox, \
            netsuite_client(sandbox.url) as netsuite:
        world = sandbox.state.world
        order = next(o for o in world.orders_placed(STOREFRONT, world.first_day, world.first_day + timedelta(days=2))
                     if o.fulfillment_channel == MFN and rest_ships_at(o)
                     and not {line.product.sku for line in o.lines} & MISSING_SKUS)
        so_id = post_sales_order(netsuite, order)
        first = _ship(sandbox, order.shipped_at)
        assert [f["part"] for f in first["fulfilled"]] == ["first"]
        status = netsuite.get(f"{RECORDS}/salesOrder/{so_id}").json()["status"]["id"]
        assert status in ("D", "E")  # Partially Fulfilled
        assert _ship(sandbox, rest_ships_at(order) - timedelta(seconds=1))["fulfilled"] == []
        rest = _ship(sandbox, rest_ships_at(order))
        assert [f["part"] for f in rest["fulfilled"]] == ["rest"]
        lines = suiteql_rows(netsuite, """
            SELECT l.previousline AS order_line, SUM(-tl.quantity) AS shipped FROM transactionline tl
            JOIN previoustransactionlinelink l ON l.nextdoc = tl.transaction AND l.nextline = tl.id
            WHERE l.previousdoc = ? AND l.linktype = 'ShipRcpt' AND tl.mainline = 'F' GROUP BY l.previousline
            ORDER BY l.previousline""", [so_id])
        assert [Decimal(r["shipped"]) for r in lines] == [Decimal(line.quantity) for line in order.lines]
        assert _ship(sandbox)["already_fulfilled"] == 1


def test_rest_creates_and_changes_a_fulfillment_with_ship_method_and_packages_strictly(shipped):
    sandbox, netsuite, orders = shipped
    order = orders[0]
    fresh = netsuite.post(f"{RECORDS}/salesOrder", json={
        "externalId": "REST-FULFILMENT", "entity": {"externalId": f"AMZ-CUSTOMER-{STOREFRONT}"},
        "location": {"externalId": "WH-na"}, "tranDate": order.purchase_date.date().isoformat(),
        "item": {"items": [{"item": {"externalId": line.product.sku}, "quantity": line.quantity, "rate": 10}
                           for line in order.lines]}})
    url = f"{RECORDS}/salesOrder/{fresh.headers['Location'].rsplit('/', 1)[-1]}/!transform/itemFulfillment"
    body = {"tranDate": order.shipped_at.date().isoformat(), "shipStatus": {"id": "C"},
            "shipMethod": {"externalId": "SHIP-FEDEX-HOME-DELIVERY"},
            "package": {"items": [{"packageTrackingNumber": "123456789012", "packageWeight": 2.5,
                                   "packageDescr": "Box 1"}, {"packageWeight": 1, "packageDescr": "Box 2"}]}}
    typo = netsuite.post(url, headers=STRICT, json={**body, "package": {"items": [{"packageTrackingNo": "1"}]}})
    assert typo.status_code == 400
    assert typo.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_FIELD"
    assert typo.json()["o:errorDetails"][0]["o:errorPath"] == "package.items[0].packageTrackingNo"
    unknown = netsuite.post(url, headers=STRICT, json={**body, "shipMethod": {"externalId": "SHIP-PIGEON"}})
    assert unknown.status_code == 400 and unknown.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_KEY_OR_REF"
    created = netsuite.post(url, headers=STRICT, json=body)
    assert created.status_code == 204, created.text
    fid = created.headers["Location"].rsplit("/", 1)[-1]
    patched = netsuite.patch(f"{RECORDS}/itemFulfillment/{fid}", headers=STRICT, params={"replace": "package"},
                             json={"package": {"items": [{"packageTrackingNumber": "123456789012",
                                                          "packageWeight": 2.5, "packageDescr": "Box 1"},
                                                         {"packageTrackingNumber": "123456789029",
                                                          "packageWeight": 1, "packageDescr": "Box 2"}]}})
    assert patched.status_code == 204, patched.text
    record = netsuite.get(f"{RECORDS}/itemFulfillment/{fid}").json()
    assert record["shipMethod"]["id"] == str(_ship_item_id(netsuite, "FedEx Home Delivery"))
    assert [p["packageTrackingNumber"] for p in record["package"]["items"]] == ["123456789012", "123456789029"]
    rows = suiteql_rows(netsuite, "SELECT id, packagetrackingnumber, packageweight FROM itemfulfillmentpackage "
                                  "WHERE itemfulfillment = ? ORDER BY id", [fid])
    assert [(r["packagetrackingnumber"], Decimal(r["packageweight"])) for r in rows] == [
        ("123456789012", Decimal("2.5")), ("123456789029", Decimal("1"))]


def _ship_item_id(netsuite, name: str) -> int:
    (row,) = suiteql_rows(netsuite, "SELECT id FROM item WHERE itemtype = 'ShipItem' AND itemid = ?", [name])
    return int(row["id"])
