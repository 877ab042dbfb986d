"""The shipments flow end to end, through real Dagster runs against the sandbox: the demo's orders post, the
sandbox's warehouse fulfils the MFN and SFP ones (ship methods, cartons, partial shipments, some without tracking),
and every package reaches Amazon's confirmShipment once, with NetSuite's tracking number, Amazon's carrier code (Other
+ name for a courier Amazon does not list) and the units of its carton; a refusal ends in `integration_errors` while
the rest proceeds, a package without tracking is held until the setting allows it, and a re-run sends nothing. Each
Sales Order fully shipped is billed once, dated its last ship day."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import httpx
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox

STOREFRONTS = ("demo-US", "demo-DE")
# Three days of two storefronts posted and shipped: with the world tests (`make test-world`), not in `make test`.
pytestmark = pytest.mark.world
BOGUS_ITEM = "99999999999999"


@dataclass
class Project:
    url: str
    settings: dict
    path: Path
    instance: dg.DagsterInstance
    partitions: list[str]
    packages: list[dict]  # NetSuite's shipped packages of the posted MFN/SFP orders
    refused_order: str


def _write_settings(project_path: Path, settings: dict) -> None:
    project_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")


def _netsuite_packages() -> list[dict]:
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import load_settings, netsuite_connection
    from amazon_netsuite.lib.shipments.netsuite_fulfillments import read_fulfillments

    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        return [r for r in read_fulfillments(client).to_pylist() if r["storefront"] in STOREFRONTS]


def _run_all(project: Project) -> None:
    from amazon_netsuite.definitions import defs

    job = defs().resolve_job_def("shipments_job")
    for key in project.partitions:
        assert job.execute_in_process(partition_key=key, instance=project.instance).success, key


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _amazon_shipments(url: str) -> list[dict]:
    listed = []
    for account in ("demo-na", "demo-eu"):
        listed += httpx.get(f"{url}/_sandbox/shipments", params={"seller_account": account},
                            timeout=30).json()["shipments"]
    return listed


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Three days of the demo's US and German orders posted and shipped by the sandbox's warehouse; one order's
    cached order items point at an item Amazon does not know (as a stale cache would), then every shipped day runs
    once with the default settings."""
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.sync import sandbox_warehouse_ships, sync_orders

    tmp = tmp_path_factory.mktemp("shipments_flow")
    settings = demo_settings_for(lambda key: key in STOREFRONTS)
    path = tmp / "accounts.yaml"
    _write_settings(path, settings)
    with pytest.MonkeyPatch.context() as patch, start_sandbox(tmp / "sandbox", history_days=4,
                                                              orders_per_day=30) as sandbox:
        _project_env(patch, tmp, sandbox.url)
        patch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        instance = dg.DagsterInstance.ephemeral()
        assert sync_orders(3, instance=instance, say=lambda _: None, poll_seconds=0.1).failed == []
        sandbox_warehouse_ships(load_settings(), say=lambda _: None)
        packages = _netsuite_packages()
        partitions = sorted({str(partition_key(p["storefront"], p["ship_date"])) for p in packages})
        # A tracked, single-fulfillment order for the refusal.
        tracked = Counter(p["amazon_order_id"] for p in packages if p["tracking_number"])
        fulfillments = Counter(p["amazon_order_id"] for p in packages if p["package_index"] in (None, 1))
        refused = next(o for o in sorted(tracked) if fulfillments[o] == 1 and tracked[o] == 1)
        store = next(p["storefront"] for p in packages if p["amazon_order_id"] == refused)
        skus = {sku for (sku,) in _rows("SELECT DISTINCT sku FROM order_lines WHERE amazon_order_id = ?", [refused])}
        with connect() as con:
            con.executemany("INSERT INTO amazon_order_items VALUES (?, ?, ?, ?, 99, now())",
                            [[store, refused, f"{BOGUS_ITEM[:-1]}{n}", sku] for n, sku in enumerate(sorted(skus))])
        project = Project(sandbox.url, settings, path, instance, partitions, packages, refused)
        _run_all(project)
        yield project


def test_every_tracked_package_is_confirmed_once_with_its_tracking_number_carrier_and_units(project):
    shipments = _amazon_shipments(project.url)
    sent = {(s["order_id"], s["package_reference_id"]): s for s in shipments}
    assert len(sent) == len(shipments)  # one confirmation per package
    tracked = [p for p in project.packages if p["tracking_number"] and p["amazon_order_id"] != project.refused_order]
    assert tracked
    for package in tracked:
        reference = str(int(package["fulfillment_id"]) * 1000 + package["package_index"])
        confirmed = sent[(package["amazon_order_id"], reference)]
        assert confirmed["tracking_number"] == package["tracking_number"]
        assert confirmed["shipping_method"] == package["ship_method"]
        assert confirmed["ship_date"][:10] == package["ship_date"].isoformat()
    channels = dict(_rows("SELECT amazon_order_id, channel FROM orders_latest"))
    assert {channels[s["order_id"]] for s in shipments} == {"MFN", "SFP"}  # Seller-Fulfilled Prime confirmed too
    codes = {(s["shipping_method"], s["carrier_code"], s["carrier_name"]) for s in shipments}
    assert ("UPS Ground", "UPS", None) in codes and ("DHL Paket", "DHL", None) in codes
    # Several cartons: a fulfillment's packages are confirmed separately, and their units add up to its lines.
    ledger = _rows("SELECT fulfillment_id, package_reference_id, units FROM shipment_confirmations "
                   "WHERE status = 'confirmed'")
    per_fulfillment = Counter(f for f, _, _ in ledger)
    assert max(per_fulfillment.values()) > 1
    shipped_units = dict(_rows("SELECT fulfillment_id, sum(json_extract(contents, '$[*].quantity')::DOUBLE[]"
                               ".list_sum())::INTEGER FROM shipped_packages GROUP BY ALL"))
    confirmed_units = Counter()
    for fulfillment, _, units in ledger:
        confirmed_units[fulfillment] += units
    assert all(confirmed_units[f] == shipped_units[f] for f in per_fulfillment)


def _invoices() -> dict[str, list[tuple[str, str]]]:
    """NetSuite's invoices billed from the Sales Orders of the shipped orders: order id → [(external id, day)]."""
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import load_settings, netsuite_connection

    found: dict[str, list[tuple[str, str]]] = {}
    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        for row in client.suiteql(
                "SELECT so.otherrefnum AS order_id, inv.externalid, TO_CHAR(inv.trandate, 'YYYY-MM-DD') AS day "
                "FROM transaction inv JOIN transactionline ml ON ml.transaction = inv.id AND ml.mainline = 'T' "
                "JOIN transaction so ON so.id = ml.createdfrom WHERE inv.type = 'CustInvc' ORDER BY inv.id"):
            found.setdefault(row["order_id"], []).append((row["externalid"], row["day"]))
    return found


def _sales_order_statuses(orders: list[str]) -> dict[str, str]:
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import load_settings, netsuite_connection

    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        return {r["otherrefnum"]: r["status"] for r in client.suiteql(
            "SELECT otherrefnum, status FROM transaction WHERE type = 'SalesOrd' ORDER BY id")
            if r["otherrefnum"] in orders}


def test_every_fully_shipped_sales_order_is_billed_once_dated_its_last_ship_day_and_a_partial_one_waits(project):
    last_ship = {}
    for p in project.packages:
        last_ship[p["amazon_order_id"]] = max(last_ship.get(p["amazon_order_id"], p["ship_date"]), p["ship_date"])
    statuses = _sales_order_statuses(list(last_ship))
    invoices = _invoices()
    billed = [o for o, status in statuses.items() if status == "G"]
    assert billed and "F" not in statuses.values()  # nothing fully shipped is left unbilled
    storefront = {p["amazon_order_id"]: p["storefront"] for p in project.packages}
    for order in billed:
        assert invoices[order] == [(f"AMZ-{storefront[order]}-{order}-INV", last_ship[order].isoformat())]
    for order in (o for o, status in statuses.items() if status != "G"):  # the rest of a partial shipment not out
        assert statuses[order] == "E" and order not in invoices
    assert {(o, e, str(d)) for o, e, d in _rows("SELECT amazon_order_id, invoice_external_id, tran_date FROM "
                                              "sales_orders_billed")} == {(o, *invoices[o][0]) for o in billed}


def test_a_partial_shipment_confirms_each_part_with_its_own_package_reference(project):
    parts: dict[str, set[str]] = {}
    for p in project.packages:
        parts.setdefault(p["amazon_order_id"], set()).add(p["fulfillment_id"])
    partial = [o for o, fulfillments in parts.items() if len(fulfillments) == 2]
    assert partial
    confirmed = Counter(o for o, _ in _rows("SELECT DISTINCT amazon_order_id, fulfillment_id FROM "
                                           "shipment_confirmations WHERE status IN ('confirmed', 'held_no_tracking')"))
    assert all(confirmed[o] == 2 for o in partial if o != project.refused_order)


def test_a_package_without_tracking_is_held_and_listed_in_integration_errors(project):
    untracked = {(p["amazon_order_id"], str(int(p["fulfillment_id"]) * 1000 + (p["package_index"] or 1)))
                 for p in project.packages if not p["tracking_number"]}
    assert untracked and {p["ship_method"] for p in project.packages if not p["tracking_number"]} == {"Metro Courier"}
    held = set(_rows("SELECT amazon_order_id, package_reference_id FROM shipment_confirmations "
                     "WHERE status = 'held_no_tracking'"))
    assert held == untracked
    errors = {k for (k,) in _rows("SELECT key FROM integration_errors WHERE flow = 'shipments' AND resolved IS NULL "
                                  "AND message LIKE '%no tracking number%'")}
    assert errors == {f"shipment:{o}:{r}" for o, r in untracked}
    sent = {(s["order_id"], s["package_reference_id"]) for s in _amazon_shipments(project.url)}
    assert not untracked & sent


def test_a_refused_confirmation_goes_to_integration_errors_with_amazons_message_and_the_rest_proceeds(project):
    refused = _rows("SELECT status, reason FROM shipment_confirmations WHERE amazon_order_id = ?",
                    [project.refused_order])
    assert [s for s, _ in refused] == ["refused"]
    assert f"is not an item of order {project.refused_order}" in refused[0][1]
    (message,) = _rows("SELECT message FROM integration_errors WHERE flow = 'shipments' AND resolved IS NULL "
                       "AND key LIKE ?", [f"shipment:{project.refused_order}:%"])
    assert "Amazon refused" in message[0]
    assert _rows("SELECT count(*) FROM shipment_confirmations WHERE status = 'confirmed'")[0][0] > 10


def test_fixed_and_allowed_untracked_the_rerun_confirms_the_rest_and_every_shipped_order_leaves_the_view(project):
    with connect() as con:
        con.execute("DELETE FROM amazon_order_items WHERE amazon_order_id = ?", [project.refused_order])
    settings = {**project.settings, "shipments": {"confirm_without_tracking": True}}
    _write_settings(project.path, settings)  # read when the next run starts
    _run_all(project)

    shipments = _amazon_shipments(project.url)
    sent = {(s["order_id"], s["package_reference_id"]): s for s in shipments}
    for package in project.packages:  # the done-when check: NetSuite's every package is on Amazon
        reference = str(int(package["fulfillment_id"]) * 1000 + (package["package_index"] or 1))
        confirmed = sent[(package["amazon_order_id"], reference)]
        assert confirmed["tracking_number"] == (package["tracking_number"] or package["tran_id"])
        if package["ship_method"] == "Metro Courier":
            assert (confirmed["carrier_code"], confirmed["carrier_name"]) == ("Other", "Metro Courier")
    assert _rows("SELECT count(*) FROM integration_errors WHERE flow = 'shipments' AND resolved IS NULL") == [(0,)]
    shipped_whole = {o for o, in _rows("SELECT amazon_order_id FROM shipment_confirmations GROUP BY ALL HAVING "
                                       "sum(units) = (SELECT max(quantity) FROM orders_latest l WHERE "
                                       "l.amazon_order_id = shipment_confirmations.amazon_order_id)")}
    assert shipped_whole
    waiting = {o for o, in _rows("SELECT amazon_order_id FROM sales_orders_to_confirm_shipment")}
    assert not shipped_whole & waiting

    # Run again: nothing is sent, nothing changes, nothing is billed again.
    before = _rows("SELECT * FROM shipment_confirmations ORDER BY ALL")
    billed, invoices = _rows("SELECT * FROM sales_orders_billed ORDER BY ALL"), _invoices()
    _run_all(project)
    assert len(_amazon_shipments(project.url)) == len(shipments)
    assert _rows("SELECT * FROM shipment_confirmations ORDER BY ALL") == before
    assert _rows("SELECT * FROM sales_orders_billed ORDER BY ALL") == billed and _invoices() == invoices


def _confirm_a_package_netsuite_does_not_hold(channel: str, ship_method: str, **shipments):
    """Confirm, as the run does, one carton of a `channel` order the tests put in `shipped_packages` themselves (as
    if NetSuite held such a fulfillment); returns the order and the run's result."""
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse
    from amazon_netsuite.lib import postings
    from amazon_netsuite.lib.amazon.shipments import OrdersApi
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.lib.settings.shipments import ShipmentSettings
    from amazon_netsuite.lib.shipments.run import confirm_shipments

    store, day, order = _rows("SELECT storefront, day, amazon_order_id FROM orders_latest WHERE channel = ? "
                              "AND order_status = 'Shipped' AND amazon_order_id NOT IN (SELECT amazon_order_id "
                              "FROM shipped_packages) ORDER BY ALL LIMIT 1", [channel])[0]
    sku = _rows("SELECT sku FROM order_lines WHERE amazon_order_id = ? LIMIT 1", [order])[0][0]
    contents = json.dumps([{"sku": sku, "quantity": "1", "order_line": "1"}])
    with connect() as con:
        con.execute("INSERT INTO shipped_packages VALUES (?, ?, now(), '999999', 'IF999999', ?, ?, 'UPS', 1, 1, "
                    "'1Z999AA10123456784', 1, ?)", [store, day, order, ship_method, contents])
    settings = load_settings()
    settings = settings.model_copy(update={"shipments": ShipmentSettings(**shipments)})
    with SellerCentral().client(settings.account_of(store).key) as client:
        result = confirm_shipments(Warehouse().connection, OrdersApi(client), settings, store, day,
                                   postings.utc_now())
    return order, result


def test_an_fba_order_is_never_confirmed(project):
    order, result = _confirm_a_package_netsuite_does_not_hold("FBA", "UPS Ground")
    assert result.fba_skipped == 1
    assert order not in {s["order_id"] for s in _amazon_shipments(project.url)}
    assert _rows("SELECT count(*) FROM shipment_confirmations WHERE amazon_order_id = ?", [order]) == [(0,)]


def test_a_ship_method_whose_labels_amazon_sold_is_recorded_as_done_and_never_sent(project):
    order, result = _confirm_a_package_netsuite_does_not_hold(
        "MFN", "UPS Ground via Buy Shipping", amazon_label_ship_methods=["UPS Ground via Buy Shipping"])
    assert result.statuses == {"amazon_label": 1}
    assert order not in {s["order_id"] for s in _amazon_shipments(project.url)}
    assert _rows("SELECT status, units FROM shipment_confirmations WHERE amazon_order_id = ?",
                 [order]) == [("amazon_label", 1)]


def test_the_sensor_starts_the_run_of_each_storefront_day_whose_fulfillments_changed(project):
    from amazon_netsuite.definitions import defs
    from amazon_netsuite.defs.resources import NetSuite

    sensor = defs().resolve_sensor_def("netsuite_fulfillment_changes")
    first = sensor(dg.build_sensor_context(instance=project.instance, cursor=None, resources={"netsuite": NetSuite()}))
    # The warehouse entered the fixture's fulfillments minutes ago, for the days the orders shipped on: each of those
    # storefront-days runs, not just today's.
    shipped = {str(partition_key(p["storefront"], p["ship_date"])) for p in project.packages}
    assert {r.partition_key for r in first.run_requests} == shipped
    assert len(shipped) > len(STOREFRONTS)  # several days
    again = sensor(dg.build_sensor_context(instance=project.instance, cursor=first.cursor,
                                           resources={"netsuite": NetSuite()}))
    assert again.run_requests == []
