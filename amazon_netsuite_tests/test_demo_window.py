"""`make demo` end to end: `sync` loads and posts a week of four storefronts, and both sides agree by SuiteQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

import dagster as dg

from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import _project_env, start_sandbox

PAID = ("Unshipped", "PartiallyShipped", "Shipped")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def test_the_demo_window_posts_one_record_per_postable_order_and_queues_the_rest(monkeypatch, tmp_path):
    from amazon_netsuite.sync import summary_rows, sync_orders

    with start_sandbox(tmp_path / "sandbox") as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        outcome = sync_orders(7, instance=dg.DagsterInstance.ephemeral(), say=lambda _: None, poll_seconds=0.1)
        assert outcome.failed == []
        assert outcome.succeeded == 2 * 4 * 7  # a loading run and a posting run per storefront-day

        with connect(read_only=True) as con:
            # The newest state of each order of the window, as the warehouse holds it.
            orders = con.execute(
                "SELECT storefront, amazon_order_id, channel, order_status, order_total FROM orders_latest "
                "WHERE day BETWEEN ? AND ?", [outcome.days[0], outcome.days[-1]]).fetchall()
            errors = con.execute(
                "SELECT storefront, key, error_class, message FROM integration_errors "
                "WHERE flow = 'orders' AND resolved IS NULL").fetchall()
        with NetSuiteClient(netsuite_connection(load_settings())) as client:
            rows = list(client.suiteql(
                "SELECT type, externalid, otherrefnum, foreigntotal FROM transaction "
                "WHERE externalid LIKE 'AMZ-demo-%'"))

    expected = {}  # external id → (record type, total)
    for storefront, order_id, channel, status, total in orders:
        if channel in ("MFN", "SFP") and status in PAID:
            expected[f"AMZ-{storefront}-{order_id}"] = ("SalesOrd", total)
        elif channel == "FBA" and status == "Shipped":
            expected[f"AMZ-{storefront}-{order_id}"] = ("CashSale", total)
    assert min(Counter(t for t, _ in expected.values()).values()) > 50  # both kinds, in numbers

    external_ids = [row["externalid"] for row in rows]
    assert len(external_ids) == len(set(external_ids)), "a NetSuite record was posted twice"
    posted = {row["externalid"]: (row["type"], Decimal(row["foreigntotal"])) for row in rows}
    queued = {f"AMZ-{storefront}-{key}": (error_class, message) for storefront, key, error_class, message in errors}

    # Every postable order is either in NetSuite, as the right record with the right total, or queued with a reason.
    assert set(posted) | set(queued) == set(expected)
    assert not set(posted) & set(queued)
    assert {eid: posted[eid] for eid in posted} == {eid: expected[eid] for eid in posted}  # to the cent
    for eid, (error_class, message) in queued.items():
        assert error_class == "mapping" and eid.split("-", 3)[3] in message and "create" in message.lower()
    assert len(posted) > 5 * len(queued)  # the deliberately unmapped SKUs are a minority

    # The summary `sync` prints counts the same records.
    summary = {row["storefront"]: row for row in summary_rows(["demo-US", "demo-CA", "demo-DE", "demo-FR"],
                                                              outcome.days[0], outcome.days[-1])}
    for storefront, row in summary.items():
        assert row["sales_orders"] == sum(1 for eid, (t, _) in posted.items()
                                          if t == "SalesOrd" and eid.startswith(f"AMZ-{storefront}-"))
        assert row["cash_sales"] == sum(1 for eid, (t, _) in posted.items()
                                        if t == "CashSale" and eid.startswith(f"AMZ-{storefront}-"))
        assert row["errors"] == sum(1 for eid in queued if eid.startswith(f"AMZ-{storefront}-"))


def test_sync_runs_the_demos_vendor_account_beside_the_seller_accounts(monkeypatch, tmp_path):
    """`sync`'s vendor phase: each day's purchase orders of demo-vendor landed and posted, Direct Fulfillment ones
    acknowledged at once, Retail Procurement ones left to approve, and the summary's counts say so."""
    from datetime import timedelta

    from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
    from amazon_netsuite.sync import SyncOutcome, sync_vendor, vendor_rows

    with start_sandbox(tmp_path / "sandbox", clock=NOW) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        days = [NOW.date() - timedelta(days=2), NOW.date() - timedelta(days=1)]
        outcome = SyncOutcome()
        sync_vendor(instance=dg.DagsterInstance.ephemeral(), say=lambda _: None, days=days, outcome=outcome)
        assert outcome.failed == [] and outcome.succeeded == len(days)
        world = sandbox.state.vendor_worlds["demo-vendor"]
        # Placed in the days, or placed before and changed by Amazon in them (read by changedAfter).
        retail = [po for day in [days[0] - timedelta(days=2), days[0] - timedelta(days=1), *days]
                  for po in world.purchase_orders_for_day(day)
                  if day in days or (po.change is not None and po.change.at.date() in days)]
        direct = [o for day in days for o in world.direct_fulfillment_orders_for_day(day)]
        posted_retail = [po for po in retail if not {i.vendor_product_identifier for i in po.items} & MISSING_SKUS]
        posted_direct = [o for o in direct if not {i.vendor_product_identifier for i in o.items} & MISSING_SKUS]
        (row,) = vendor_rows(["demo-vendor"])
        assert row["purchase_orders"] == len(retail) + len(direct) > 0
        assert row["posted"] == len(posted_retail) + len(posted_direct)
        assert row["awaiting_approval"] == len(posted_retail)
        assert row["awaiting_amazon"] == len(posted_direct)  # sent; Amazon answers after a minute of its clock
        assert row["errors"] == row["purchase_orders"] - row["posted"]

