"""The vendor flow end to end, through real Dagster runs against the sandbox (clock frozen): a day's Vendor Central
purchase orders become NetSuite Sales Orders (Retail Procurement Pending Approval, Direct Fulfillment Pending
Fulfillment and acknowledged at once); a person approves some in full, reduces or rejects others; each is
acknowledged from its Sales Order as approved and followed to Amazon's answer; the integration status shows in
NetSuite and the warehouse; a purchase order for an item NetSuite lacks, an over-approved line and an acknowledgement
Amazon refuses each wait with a clear error while the rest proceed, and go through once corrected; re-running
duplicates nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import httpx
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.vendor.acknowledgements import AWAITING_AMAZON, AWAITING_APPROVAL, CONFIRMED
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world.vendor import UNKNOWN_ITEM, UNKNOWN_ITEM_DAY
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox

VENDOR = "demo-vendor"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
HISTORY_DAYS = 10
DAY = NOW.date() - timedelta(days=HISTORY_DAYS) + timedelta(days=UNKNOWN_ITEM_DAY)  # has the unknown item's PO


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("vendor")
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(demo_settings_for(lambda key: key == "demo-US"), sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch, \
            start_sandbox(tmp_path / "sandbox", history_days=HISTORY_DAYS, orders_per_day=5, clock=NOW) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        yield sandbox, dg.DagsterInstance.ephemeral()


def _run(job: str, instance, day: date = DAY) -> dg.ExecuteInProcessResult:
    from amazon_netsuite.definitions import defs

    result = defs().resolve_job_def(job).execute_in_process(partition_key=partition_key(VENDOR, day),
                                                             instance=instance, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _netsuite():
    from amazon_netsuite.defs.resources import NetSuite

    return NetSuite().client()


def _sales_order(client, number: str) -> dict:
    return client.get("salesOrder", f"eid:AMZV-{VENDOR}-{number}", expand_sub_resources=True)


def _statuses() -> dict[str, str]:
    return dict(_rows("SELECT purchase_order_number, status FROM vendor_order_status WHERE storefront = ?", [VENDOR]))


def _amazon_confirmation(sandbox, number: str) -> dict[str, tuple[str, int]]:
    """Item sequence → (confirmation status, accepted eaches) as Amazon's getPurchaseOrdersStatus shows them."""
    from amazon_netsuite.defs.resources import SellerCentral
    from amazon_netsuite.lib.amazon.vendor_orders import VendorOrdersApi

    with SellerCentral().client(VENDOR) as client:
        (status,) = VendorOrdersApi(client).statuses(purchase_order_number=number)
    return {i.item_sequence_number: (i.acknowledgement_status.confirmation_status,
                                     i.acknowledgement_status.accepted_quantity.amount
                                     if i.acknowledgement_status.accepted_quantity else 0) for i in status.item_status}


def _advance(sandbox, seconds: float) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": seconds}).raise_for_status()


def test_purchase_orders_move_through_approval_acknowledgement_and_confirmation_or_rejection_and_repost(flow):
    sandbox, instance = flow
    world = sandbox.state.vendor_worlds[VENDOR]
    as_of = NOW
    days = [DAY, DAY + timedelta(days=1)]
    retail = [po for day in days for po in world.purchase_orders_for_day(day)]
    direct = [o for day in days for o in world.direct_fulfillment_orders_for_day(day)]
    unknown = next(po for po in retail if any(i.vendor_product_identifier == UNKNOWN_ITEM[0] for i in po.items))
    # Purchase orders naming a SKU the NetSuite sandbox deliberately lacks wait as the unknown item's does.
    unmapped = [po for po in retail if po is not unknown
                and {i.vendor_product_identifier for i in po.items} & MISSING_SKUS]
    postable = [po for po in retail if po is not unknown and po not in unmapped]
    assert len(postable) >= 5 and direct, "the days need five postable purchase orders and a DF order"

    for day in days:
        _run("vendor_job", instance, day)

    with _netsuite() as client:
        # Every postable purchase order is one Sales Order to Amazon's customer, in eaches at net cost, Amazon's
        # later changes applied; Retail Procurement waits for approval, Direct Fulfillment does not.
        for po in postable:
            so = _sales_order(client, po.number)
            assert so["orderStatus"]["id"] == "A" and so["otherRefNum"] == po.number
            assert so["custbody_amz_vendor_status"] == AWAITING_APPROVAL
            lines = so["item"]["items"]
            assert [(Decimal(str(line["quantity"])), Decimal(str(line["rate"]))) for line in lines] == [
                (Decimal(i.eaches), i.net_cost) for i in po.items_as_of(as_of)]
        for order in direct:
            assert _sales_order(client, order.number)["orderStatus"]["id"] == "B"
    errors = _rows("SELECT key, error_class, message FROM integration_errors WHERE flow = 'vendor' AND "
                   "resolved IS NULL")
    assert sorted((k, c) for k, c, _ in errors) == sorted(
        (f"po:{po.number}", "mapping") for po in [unknown, *unmapped])
    assert any(UNKNOWN_ITEM[0] in message for *_, message in errors)
    statuses = _statuses()
    assert statuses[unknown.number].startswith("not posted:")
    assert {statuses[po.number] for po in postable} == {AWAITING_APPROVAL}
    assert {statuses[o.number] for o in direct} == {AWAITING_AMAZON}

    # A person decides: A in full, B reduced (its first line by one case or unit, its last closed), C rejected
    # whole, D over-approved (held), E at a zero price (Amazon refuses it).
    a, b, c, d, e = postable[:5]
    with _netsuite() as client:
        def approve(po, lines=()):
            client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{po.number}",
                         {"orderStatus": {"id": "B"}, **({"item": {"items": list(lines)}} if lines else {})})

        approve(a)
        b_items = b.items_as_of(as_of)
        first = b_items[0]
        approve(b, [{"line": 1, "quantity": first.eaches - first.unit_size}] +
                ([{"line": len(b_items), "isClosed": True}] if len(b_items) > 1 else []))
        approve(c, [{"line": n, "isClosed": True} for n in range(1, len(c.items) + 1)])
        approve(d, [{"line": 1, "quantity": d.items_as_of(as_of)[0].eaches + 1}])
        approve(e, [{"line": 1, "rate": 0}])

    _run("vendor_acknowledgement_job", instance)
    statuses = _statuses()
    sent = [a, b, c, e]
    assert {statuses[po.number] for po in sent} == {AWAITING_AMAZON}
    assert statuses[d.number].startswith("held:") and "at most" in statuses[d.number]
    held = _rows("SELECT message FROM integration_errors WHERE flow = 'vendor' AND key = ? AND resolved IS NULL",
                 [f"ack:{d.number}"])
    assert held and "Nothing was sent to Amazon" in held[0][0]

    _advance(sandbox, 120)  # Amazon answers each transaction after a minute of its clock
    as_of = NOW + timedelta(seconds=120)
    _run("vendor_acknowledgement_job", instance)
    statuses = _statuses()
    assert statuses[a.number] == CONFIRMED
    assert statuses[b.number].startswith(f"{CONFIRMED} (")
    assert statuses[c.number].startswith("rejected: every line rejected")
    assert {statuses[o.number] for o in direct} == {CONFIRMED}
    # Amazon's own view agrees with the Sales Orders as approved.
    # (Amazon counts a Backordered quantity as accepted: it still expects it.)
    assert _amazon_confirmation(sandbox, a.number) == {str(i.sequence): ("ACCEPTED", i.eaches)
                                                       for i in a.items_as_of(as_of)}
    b_confirmed = _amazon_confirmation(sandbox, b.number)
    assert b_confirmed[str(first.sequence)] == (("ACCEPTED", first.eaches) if first.back_order_allowed
                                                else ("PARTIALLY_ACCEPTED", first.eaches - first.unit_size))
    if len(b_items) > 1:
        assert b_confirmed[str(b_items[-1].sequence)] == ("REJECTED", 0)
    assert {s for s, _ in _amazon_confirmation(sandbox, c.number).values()} == {"REJECTED"}
    with _netsuite() as client:
        assert _sales_order(client, a.number)["custbody_amz_vendor_status"] == CONFIRMED
    assert statuses[e.number].startswith("rejected:") and "INVALID_NET_COST" in statuses[e.number]
    refused = _rows("SELECT error_class, message FROM integration_errors WHERE flow = 'vendor' AND key = ? "
                    "AND resolved IS NULL", [f"ack:{e.number}"])
    assert refused and refused[0][0] == "validation" and "Correct its Sales Order" in refused[0][1]

    # Corrections: D to the ordered quantity, E's price back. Both are acknowledged again, and confirmed.
    with _netsuite() as client:
        client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{d.number}",
                     {"item": {"items": [{"line": 1, "quantity": d.items_as_of(as_of)[0].eaches}]}})
        client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{e.number}",
                     {"item": {"items": [{"line": 1, "rate": str(e.items[0].net_cost)}]}})
    _run("vendor_acknowledgement_job", instance)
    _advance(sandbox, 120)
    _run("vendor_acknowledgement_job", instance)
    statuses = _statuses()
    assert statuses[d.number] == CONFIRMED
    assert statuses[e.number] == CONFIRMED
    open_errors = _rows("SELECT key FROM integration_errors WHERE flow = 'vendor' AND resolved IS NULL")
    assert sorted(open_errors) == sorted((f"po:{po.number}",) for po in [unknown, *unmapped])

    # Re-running everything makes no second Sales Order and sends nothing again.
    acks = _rows("SELECT count(*) FROM vendor_acknowledgements")[0][0]
    for day in days:
        _run("vendor_job", instance, day)
    with _netsuite() as client:
        count = list(client.suiteql("SELECT COUNT(*) AS n FROM transaction WHERE externalid LIKE ?",
                                    [f"AMZV-{VENDOR}-%"]))[0]["n"]
    placed = {po.number for po in postable} | {o.number for o in direct
                                                 if not {i.vendor_product_identifier for i in o.items} & MISSING_SKUS}
    assert int(count) == len(placed)
    assert _rows("SELECT count(*) FROM vendor_acknowledgements")[0][0] == acks

    # The seller creates the missing item: the retry posts the purchase order.
    with _netsuite() as client:
        client.upsert("inventoryItem", UNKNOWN_ITEM[0], {"itemId": UNKNOWN_ITEM[0], "displayName": "Retired lamp"})
    _run("vendor_posting_job", instance, DAY)
    assert _statuses()[unknown.number] == AWAITING_APPROVAL
    assert sorted(_rows("SELECT key FROM integration_errors WHERE flow = 'vendor' AND resolved IS NULL")) == sorted(
        (f"po:{po.number}",) for po in unmapped)


def test_the_schedules_and_the_acknowledgement_sensor_start_the_right_runs_and_stop_with_the_switch(flow):
    """After the test above: the quarter-hourly schedule runs today, the nightly one yesterday, the retry one the days
    whose purchase orders still wait for an item; the sensor starts the acknowledgement run when a vendor Sales Order
    changes in NetSuite, and skips when nothing moved."""
    from amazon_netsuite.definitions import defs
    from amazon_netsuite.defs.resources import NetSuite
    from amazon_netsuite.lib.postings import utc_now
    from amazon_netsuite_tests.conftest import definitions_with_flows

    sandbox, instance = flow
    code = defs()
    at = datetime(2026, 11, 20, 10, 15, tzinfo=timezone.utc)
    for name, day in (("vendor_purchase_orders_every_15_minutes", at.date()),
                      ("vendor_purchase_orders_nightly", at.date() - timedelta(days=1))):
        schedule = code.resolve_schedule_def(name)
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
        (request,) = schedule(dg.build_schedule_context(scheduled_execution_time=at))
        assert request.partition_key == partition_key(VENDOR, day)
    waiting = {day for (day,) in _rows(
        "SELECT DISTINCT p.day FROM vendor_purchase_orders p JOIN integration_errors e ON e.flow = 'vendor' "
        "AND e.key = 'po:' || p.purchase_order_number AND e.resolved IS NULL")}
    assert waiting  # the purchase order naming a SKU the NetSuite sandbox lacks
    retry = code.resolve_schedule_def("retry_failed_vendor_orders_every_30_minutes")
    with dg.instance_for_test() as on_disk:  # the tick asks the instance (by its ref) which runs are queued
        requests = retry(dg.build_schedule_context(instance=on_disk, scheduled_execution_time=at))
    assert {r.partition_key for r in requests} == {str(partition_key(VENDOR, day)) for day in waiting}

    sensor = code.resolve_sensor_def("vendor_acknowledgements_due")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    context = dg.build_sensor_context(instance=instance, resources={"netsuite": NetSuite()})
    first = sensor(context)
    assert [r.partition_key for r in first.run_requests] == [partition_key(VENDOR, utc_now().date())]
    again = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor, resources={"netsuite": NetSuite()}))
    assert again.run_requests == [] and "no vendor Sales Order changed" in again.skip_reason.skip_message
    _advance(sandbox, 60)  # NetSuite's clock (the sandbox's, frozen here) moves on before the person's edit
    with _netsuite() as client:  # a person touches a vendor Sales Order
        (number,) = _rows("SELECT purchase_order_number FROM vendor_order_status WHERE status = ? LIMIT 1",
                          [AWAITING_APPROVAL])[0]
        client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{number}", {"memo": "checked by the buyer"})
    moved = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor, resources={"netsuite": NetSuite()}))
    assert [r.partition_key for r in moved.run_requests] == [partition_key(VENDOR, utc_now().date())]

    off = definitions_with_flows({"vendor": False})
    for name in ("vendor_purchase_orders_every_15_minutes", "vendor_purchase_orders_nightly",
                 "retry_failed_vendor_orders_every_30_minutes"):
        assert off.resolve_schedule_def(name).default_status == dg.DefaultScheduleStatus.STOPPED
    for name in ("vendor_catch_up", "vendor_acknowledgements_due", "vendor_automation"):
        assert off.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.STOPPED
