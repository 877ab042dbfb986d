"""The vendor flow when things move after posting: Amazon cuts a purchase order it was already acknowledged for (the
Sales Order follows), a Direct Fulfillment order a person cannot fill whole is cancelled (fill or kill), and an
acknowledgement whose transaction never turns becomes an error after the account's timeout while the others are
confirmed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import dagster as dg
import httpx
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.postings import utc_now
from amazon_netsuite.lib.vendor.acknowledgements import CONFIRMED
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox

VENDOR = "demo-vendor"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def vendor_project(tmp_path, monkeypatch):
    """A sandbox of this test (clock frozen at NOW), the demo's vendor account with both programs waiting for a
    person's approval, and the project pointed at them."""
    settings = demo_settings_for(lambda key: key == "demo-US")
    settings["vendor_accounts"][0].update(retail_procurement={"auto_acknowledge": False},
                                          direct_fulfillment={"auto_acknowledge": False})
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with start_sandbox(tmp_path / "sandbox", history_days=6, orders_per_day=5, clock=NOW) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        yield sandbox, dg.DagsterInstance.ephemeral()


def _run(job: str, instance, day) -> None:
    from amazon_netsuite.definitions import defs

    result = defs().resolve_job_def(job).execute_in_process(partition_key=partition_key(VENDOR, day),
                                                             instance=instance, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _status(number: str) -> str:
    return _rows("SELECT status FROM vendor_order_status WHERE purchase_order_number = ?", [number])[0][0]


def _netsuite():
    from amazon_netsuite.defs.resources import NetSuite

    return NetSuite().client()


def _postable(items) -> bool:
    return not {i.vendor_product_identifier for i in items} & MISSING_SKUS


def test_amazon_cutting_an_acknowledged_purchase_order_lowers_its_sales_order(vendor_project):
    sandbox, instance = vendor_project
    world = sandbox.state.vendor_worlds[VENDOR]
    # A purchase order placed before the clock and changed by Amazon after it, cutting a line that stays above 0.
    po = next(
        po for day in (NOW.date() - timedelta(days=1), NOW.date()) for po in world.purchase_orders_for_day(day)
        if po.change is not None and po.placed_at < NOW < po.change.at and _postable(po.items))
    day = po.placed_at.date()
    _run("vendor_job", instance, day)
    with _netsuite() as client:
        client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{po.number}", {"orderStatus": {"id": "B"}})
    _run("vendor_acknowledgement_job", instance, day)
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 120}).raise_for_status()
    _run("vendor_acknowledgement_job", instance, day)
    assert _status(po.number) == CONFIRMED

    # Amazon changes it; the run of the day of the change reads it (changedAfter) and lowers the Sales Order.
    later = po.change.at + timedelta(hours=1)
    httpx.post(f"{sandbox.url}/_sandbox/clock",
               json={"advance_seconds": (later - NOW).total_seconds() - 120}).raise_for_status()
    _run("vendor_job", instance, po.change.at.date())
    with _netsuite() as client:
        lines = client.get("salesOrder", f"eid:AMZV-{VENDOR}-{po.number}", expand_sub_resources=True)["item"]["items"]
    cut = dict(po.change.amounts)
    for item, line in zip(po.items, lines):
        if item.sequence not in cut:
            assert float(line["quantity"]) == item.eaches and not line.get("isClosed")
        elif cut[item.sequence] == 0:
            assert line.get("isClosed") is True
        else:
            assert float(line["quantity"]) == cut[item.sequence] * item.unit_size
    assert _rows("SELECT count(*) FROM vendor_acknowledgements WHERE purchase_order_number = ?", [po.number]) == [(1,)]
    # Running the change's day again changes nothing more.
    before = _rows("SELECT attempts FROM netsuite_postings WHERE key = ?", [f"po:{po.number}"])
    _run("vendor_job", instance, po.change.at.date())
    assert _rows("SELECT attempts FROM netsuite_postings WHERE key = ?", [f"po:{po.number}"]) == before


def test_a_direct_fulfillment_order_not_approved_whole_is_cancelled_and_a_stuck_transaction_is_an_error(
        vendor_project):
    from amazon_netsuite.defs.resources import NetSuite, SellerCentral
    from amazon_netsuite.lib.amazon.vendor_orders import DirectFulfillmentOrdersApi, VendorOrdersApi
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.lib.vendor.purchase_orders import DIRECT, RETAIL
    from amazon_netsuite.lib.vendor.run import acknowledge_vendor_orders

    sandbox, instance = vendor_project
    world = sandbox.state.vendor_worlds[VENDOR]
    day = NOW.date() - timedelta(days=2)
    orders = [o for o in world.direct_fulfillment_orders_for_day(day) if _postable(o.items)]
    assert len(orders) >= 3
    _run("vendor_job", instance, day)
    stuck, short, *rest = orders  # acknowledged oldest first: `stuck` makes the first transaction
    with _netsuite() as client:
        for order in orders:
            change = {"orderStatus": {"id": "B"}}
            if order is short:  # one unit fewer than ordered on its first line, or the line closed
                first = order.items[0]
                change["item"] = {"items": [{"line": 1, **({"quantity": first.quantity - 1} if first.quantity > 1
                                                           else {"isClosed": True})}]}
            client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{order.number}", change)
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"vendor_transactions_stuck_next": 1}).raise_for_status()
    _run("vendor_acknowledgement_job", instance, day)
    sent = dict(_rows("SELECT purchase_order_number, transaction_id FROM vendor_acknowledgements"))
    assert set(sent) == {o.number for o in orders}
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 120}).raise_for_status()

    # The next look, 31 minutes after sending (the account's timeout is 30): the others are answered.
    settings = load_settings()
    with SellerCentral().client(VENDOR) as amazon, NetSuite().client() as client, connect() as con:
        apis = {RETAIL: VendorOrdersApi(amazon), DIRECT: DirectFulfillmentOrdersApi(amazon)}
        result = acknowledge_vendor_orders(con, client, apis, settings, VENDOR, account=NetSuite().ledger_account(),
                                           now=utc_now() + timedelta(minutes=31))
    assert (result.stuck, result.confirmed) == (1, len(orders) - 1)
    assert _status(stuck.number) == f"acknowledged, no answer from Amazon after 31 minutes (transaction " \
                                    f"{sent[stuck.number]})"
    (error,) = _rows("SELECT key, error_class, message FROM integration_errors WHERE flow = 'vendor' AND "
                     "key LIKE 'ack:%' AND resolved IS NULL")
    assert error[:2] == (f"ack:{stuck.number}", "transient") and sent[stuck.number] in error[2]
    assert _status(short.number) == "rejected: cancelled (Canceled out of stock)"
    assert {_status(o.number) for o in rest} == {CONFIRMED}
    with _netsuite() as client:
        assert client.get("salesOrder", f"eid:AMZV-{VENDOR}-{short.number}")["custbody_amz_vendor_status"] == \
            "rejected: cancelled (Canceled out of stock)"
