"""The finances flow end to end through real Dagster runs against the sandbox: a demo storefront's orders posted,
each day's Finances API transactions loaded and their refunds posted, then the settlements. Every refund,
chargeback and A-to-z claim of the world is in NetSuite once, as the right record (a cash refund of an FBA order's
Cash Sale, a credit memo of an MFN order's invoice), before its settlement and after it: the settlement posts no
second refund record, and a re-run posts nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.lib.warehouse.connection import connect
from amazon_netsuite_tests.conftest import _project_env, demo_settings_for, start_sandbox

STOREFRONT = "demo-US"
DAYS = 16
# A minute of 16 demo days posted, paid and refunded: with the books (`make test-books`), not in `make test`.
pytestmark = pytest.mark.books


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """demo-US alone with its orders posted, the world starting on the first synced day."""
    from amazon_netsuite.sync import sandbox_warehouse_ships, sync_orders

    tmp_path = tmp_path_factory.mktemp("finances")
    settings = demo_settings_for(lambda key: key == STOREFRONT)
    for account in settings["seller_accounts"]:
        for storefront in account["storefronts"]:
            storefront["post_orders"] = True
    today = datetime.now(timezone.utc).date()
    settings["partitions"] = {"start_date": (today - timedelta(days=DAYS + 5)).isoformat()}
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    with (start_sandbox(tmp_path / "sandbox", history_days=DAYS - 1, orders_per_day=15) as sandbox,
          pytest.MonkeyPatch.context() as mp):
        _project_env(mp, tmp_path, sandbox.url)
        mp.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        instance = dg.DagsterInstance.ephemeral()
        assert sync_orders(DAYS, instance=instance, say=lambda _: None, poll_seconds=0.1).failed == []
        sandbox_warehouse_ships(load_settings(), say=lambda _: None)
        # Past days only: today's transactions keep coming while the test runs.
        days = [today - timedelta(days=n) for n in range(DAYS - 1, 0, -1)]
        yield instance, days, mp


def _run_days(instance, days) -> None:
    from amazon_netsuite.definitions import defs

    job = defs().resolve_job_def("finances_job")
    for day in days:
        result = job.execute_in_process(partition_key=partition_key(STOREFRONT, day), instance=instance,
                                        raise_on_error=False)
        assert result.success, day


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _netsuite(sql: str, params: list | None = None) -> list[dict]:
    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        return list(client.suiteql(sql, params or []))


def _refund_records() -> dict[str, tuple[str, Decimal]]:
    """Every refund record in NetSuite of either flow, by external id: (type, total)."""
    return {r["externalid"]: (r["type"], Decimal(str(r["foreigntotal"]))) for r in _netsuite(
        "SELECT externalid, type, foreigntotal FROM transaction WHERE type IN ('CashRfnd', 'CustCred') "
        "ORDER BY externalid")}


def test_every_refund_of_the_world_is_in_netsuite_once_as_its_record_before_and_after_its_settlement(world):
    from amazon_netsuite.sync import sync_settlements

    instance, days, _ = world
    _run_days(instance, days)

    transactions = _rows(
        "SELECT transaction_id, any_value(transaction_type), any_value(order_id), any_value(fulfillment_network), "
        "-sum(amount) FILTER (WHERE split_part(breakdown_path, '/', 1) IN ('ProductCharges', 'ShippingCharges', "
        "'Promotions')) FROM finance_transactions WHERE storefront = ? AND transaction_type IN ('Refund', "
        "'Chargeback', 'GuaranteeClaim') GROUP BY transaction_id", [STOREFRONT])
    assert transactions, "the world refunded nothing in these days"
    # Only demo-US's marketplace, its MFN orders included (the marketplace is not sent, rows are kept by it).
    assert _rows("SELECT DISTINCT marketplace_id FROM finance_transactions") == [("ATVPDKIKX0DER",)]
    assert {n for (n,) in _rows("SELECT DISTINCT fulfillment_network FROM finance_transactions WHERE "
                                "transaction_type = 'Shipment'")} == {"AFN", "MFN"}
    posted = {r[0]: r[1:] for r in _rows(
        "SELECT transaction_id, status, record_type, external_id, refunded, reason FROM refunds_posted "
        "WHERE storefront = ?",
        [STOREFRONT])}
    ours = {key for (key,) in _rows("SELECT key FROM netsuite_postings WHERE flow = 'orders' AND status = 'posted'")}
    records = _refund_records()
    for tid, kind, order_id, network, refunded in transactions:
        status, record_type, external_id, total, reason = posted[tid]
        if order_id not in ours:  # placed before the project's first day: nothing in NetSuite to refund
            assert (status, reason.split(" (")[0]) == ("error", f"order {order_id} is not in NetSuite"), tid
            continue
        assert status == "posted", (tid, kind, order_id, network, reason)
        expected = "cashRefund" if network == "AFN" else "creditMemo"
        assert record_type == expected, (tid, network)
        assert records[external_id] == ({"cashRefund": "CashRfnd", "creditMemo": "CustCred"}[record_type], total)
        assert total >= refunded  # the record gives back the principal, shipping and promotions (and tax it posted)
    assert sum(1 for t in transactions if posted[t[0]][0] == "posted") >= 2, "too few refunds of posted orders"

    before = _refund_records()
    settlements = sync_settlements(DAYS, STOREFRONT, instance=instance, say=lambda _: None)
    assert settlements.failed == [], _rows("SELECT key, message FROM integration_errors WHERE flow = 'settlements'")
    after = _refund_records()
    # The settlements matched the early refunds: no refund record of theirs for an order refunded early.
    early_orders = {order_id for tid, _, order_id, _, _ in transactions if posted[tid][0] == "posted"}
    settled = _rows("SELECT DISTINCT order_id FROM settlement_lines WHERE transaction_type IN ('Refund', "
                    "'Chargeback Refund', 'A-to-z Guarantee Claim') AND list_contains(?, order_id)",
                    [sorted(early_orders)])
    assert settled, "no settlement carried a refund posted early"
    assert [eid for eid in after if eid.startswith("AMZ-STL-") and "-".join(eid.split("-")[-3:]) in early_orders] == []
    assert {k: v for k, v in after.items() if k.startswith("AMZ-RFD-")} == {
        k: v for k, v in before.items() if k.startswith("AMZ-RFD-")}
    mismatches = _rows("SELECT key, message FROM integration_errors WHERE flow = 'settlements' AND "
                       "message LIKE '%already refunded%'")
    assert mismatches == []

    _run_days(instance, days)
    assert _refund_records() == after
