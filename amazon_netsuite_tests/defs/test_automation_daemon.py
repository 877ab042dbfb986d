"""Unattended: the real Dagster daemon, a fresh DAGSTER_HOME and the sandbox, with nobody at the keyboard.

The only run launched by hand is the hourly order report request (`request_order_reports_job`, which the
`order_reports_hourly` schedule launches at :07). Everything after it — loading each storefront-day the report
covers, posting its orders, importing the settlement Amazon deposited and posting it, pushing NetSuite's stock to
Amazon and, after a stock change in NetSuite, the changed quantity, today's prices, the cartons the warehouse
ships, confirmed to Amazon, yesterday's returns and refunds, the accrual a posted settlement shrinks, and Vendor
Central purchase orders posted, acknowledged (Direct Fulfillment at once, a Retail Procurement one once a person
approves it in NetSuite) and confirmed by Amazon — is the daemon's doing: sensors and automation conditions that
run by default. The test prints how long an order took from "report DONE" to "record in NetSuite",
and a stock change from NetSuite to Amazon.

The inventory half runs while the order sensor waits for its second tick (two minutes): a stock count made before the
daemon starts is the change its stock sensor's first tick pushes, and the SKU the test then sells in NetSuite is one
no demo-US order of the report names, so no posting the daemon makes meanwhile moves it (settlement postings move no
stock: refunds post on their rule's item, never the SKU's, lib/settlements/posting.py).
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.vendor.acknowledgements import AWAITING_APPROVAL, CONFIRMED
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world.catalog import CATALOG
from amazon_netsuite_tests.conftest import REPO, _project_env, demo_settings_for, start_sandbox

UTC = timezone.utc
STOREFRONT = "demo-US"
VENDOR = "demo-vendor"
ACCOUNT = "demo-na"
MARKETPLACE = "ATVPDKIKX0DER"
KIT_MEMBERS = {sku for p in CATALOG for sku, _ in p.components}
KITS = {p.sku for p in CATALOG if p.components}
# libfaketime (the shifted-date runs of `make test-dates`) breaks gRPC's timers: the daemon then finds its code server
# unresponsive and starts a new one every minute, so nothing ticks. The date logic the daemon runs (the sensors'
# windows, the automation's 31 days) is tested under the shifted clock without the daemon, in
# test_order_posting.py and test_order_reports_sensor.py.
pytestmark = pytest.mark.skipif("FAKETIME" in os.environ, reason="gRPC, which the Dagster daemon needs, does not run "
                                                                 "under libfaketime")

# The order sensor ticks every 2 minutes, and its first tick only sets its watermark: two ticks, the runs and the
# automation's ticks fit well within this on a busy 2-core machine.
DEADLINE_SECONDS = 900


def _one_storefront_settings(path: Path) -> Path:
    """The demo settings cut down to one seller account and one storefront, so the daemon has few runs to make."""
    settings = demo_settings_for(lambda key: key == STOREFRONT)
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def _sensor_cursor(instance: dg.DagsterInstance, name: str) -> str | None:
    for state in instance.all_instigator_state():
        if state.instigator_name == name and state.instigator_data is not None:
            return getattr(state.instigator_data, "cursor", None)
    return None


def _wait(what: str, condition, deadline: float, daemon: subprocess.Popen, log: Path, every: float = 2.0):
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if daemon.poll() is not None:
            pytest.fail(f"the daemon exited ({daemon.returncode}) while waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}; daemon log tail:\n{log.read_text()[-3000:]}")


def _warehouse(sql: str, params: list | None = None) -> list[tuple] | None:
    """Rows from the warehouse, or None while a run holds DuckDB's single-writer lock."""
    try:
        with connect(read_only=True) as con:
            return con.execute(sql, params or []).fetchall()
    except (duckdb.IOException, duckdb.CatalogException):
        return None


def _postable_orders() -> dict[str, str] | None:
    """External id → NetSuite type of every order the runs loaded whose newest state posts (README: "Posting")."""
    rows = _warehouse(
        "SELECT amazon_order_id, channel, order_status FROM orders_latest WHERE storefront = ?", [STOREFRONT])
    if rows is None:
        return None
    postable = {}
    for order_id, channel, status in rows:
        if channel in ("MFN", "SFP") and status in ("Unshipped", "PartiallyShipped", "Shipped"):
            postable[f"AMZ-{STOREFRONT}-{order_id}"] = "SalesOrd"
        elif channel == "FBA" and status == "Shipped":
            postable[f"AMZ-{STOREFRONT}-{order_id}"] = "CashSale"
    return postable


def _netsuite_records(pattern: str) -> dict[str, tuple[str, datetime]]:
    from amazon_netsuite.defs.resources import NetSuite

    with NetSuite().client() as client:
        rows = client.suiteql("SELECT externalid, type, createddate FROM transaction WHERE externalid LIKE ?",
                              [pattern])
        # SuiteQL answers dates as NetSuite writes them: `12/3/2026 06:37:03`, in the account's time zone (UTC here).
        return {r["externalid"]: (r["type"], datetime.strptime(r["createddate"], "%m/%d/%Y %H:%M:%S").replace(tzinfo=UTC))
                for r in rows}


def _tracked_packages() -> set[tuple[str, str]]:
    """(Amazon order id, tracking number) of every tracked carton NetSuite's demo-US fulfillments hold."""
    from amazon_netsuite.defs.resources import NetSuite
    from amazon_netsuite.lib.shipments.netsuite_fulfillments import read_fulfillments

    with NetSuite().client() as client:
        return {(r["amazon_order_id"], r["tracking_number"]) for r in read_fulfillments(client).to_pylist()
                if r["storefront"] == STOREFRONT and r["tracking_number"]}


def _listing_quantities(url: str) -> dict[str, int | None]:
    listings = httpx.get(f"{url}/_sandbox/listings", params={"seller_account": ACCOUNT,
                                                             "marketplace_id": MARKETPLACE}, timeout=30).json()
    return {l["sku"]: l.get("quantity") for l in listings["listings"] if l["fulfillment_channel_code"] == "DEFAULT"}


def _ordered_skus(report_text: str) -> set[str]:
    """The SKUs the order report's Amazon.com rows (demo-US's orders; demo-CA is not in this test's settings) name."""
    return {row["sku"] for row in csv.DictReader(report_text.splitlines(), delimiter="\t")
            if row.get("sales-channel") == "Amazon.com" and row.get("sku")}


def _pushed_quantities() -> dict[str, int] | None:
    """SKU → quantity of today's available_to_sell once Amazon shows all of it (the sensor's run pushed it)."""
    rows = _warehouse("SELECT sku, quantity FROM available_to_sell WHERE storefront = ? AND day = ? AND quantity IS "
                      "NOT NULL", [STOREFRONT, datetime.now(UTC).date()])
    if not rows:
        return None
    from amazon_netsuite.lib.settings import sandbox_url

    shown = _listing_quantities(sandbox_url())
    return dict(rows) if all(shown.get(sku) == q for sku, q in rows) else None


def _prices_live() -> dict[str, Decimal] | None:
    """SKU → price of today's price list once Amazon shows every one of them (the price sensor's run pushed it)."""
    rows = _warehouse("SELECT sku, price FROM price_list WHERE storefront = ? AND day = ? AND price IS NOT NULL",
                      [STOREFRONT, datetime.now(UTC).date()])
    if not rows:
        return None
    from amazon_netsuite.lib.settings import sandbox_url

    listings = httpx.get(f"{sandbox_url()}/_sandbox/listings", params={"seller_account": ACCOUNT,
                                                                       "marketplace_id": MARKETPLACE}, timeout=30)
    shown = {l["sku"]: l.get("price") for l in listings.json()["listings"]}
    return dict(rows) if all(shown.get(sku) is not None and Decimal(str(shown[sku])) == p for sku, p in rows) \
        else None


@pytest.fixture
def unattended(monkeypatch, tmp_path):
    """The sandbox (16 days of history: one settlement per stream deposited yesterday), the project environment,
    and a DAGSTER_HOME of this test alone with the instance settings `make run` uses."""
    # Amazon answers an acknowledgement after 5 s of its clock here (60 s by default), as reports finish fast.
    with start_sandbox(tmp_path / "sandbox", history_days=16, orders_per_day=12,
                       vendor_transaction_seconds=5) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(_one_storefront_settings(tmp_path / "accounts.yaml")))
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "dagster_instance.yaml", home / "dagster.yaml")
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        yield sandbox, home


def test_orders_and_a_deposited_settlement_reach_netsuite_with_only_the_hourly_report_request_launched(
        unattended, tmp_path):
    from amazon_netsuite.defs.resources import NetSuite, SellerCentral
    from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE

    sandbox, home = unattended
    with NetSuite().client() as client:  # the seller's one-time setup: every SKU has its item
        for sku in MISSING_SKUS:
            client.upsert("inventoryItem", sku, {"itemId": sku, "displayName": sku})
    settlements = [s for s in httpx.get(f"{sandbox.url}/_sandbox/settlements").json()["settlements"]
                   if s["storefronts"] == [STOREFRONT]
                   and date.fromisoformat(s["deposit_date"][:10]) >= datetime.now(UTC).date() - timedelta(days=29)]
    assert settlements, "the sandbox deposited no demo-US settlement in the sensor's first look-back"
    # A stock count in NetSuite's warehouse before the daemon starts: the change its stock sensor first sees.
    counted = next(p.sku for p in CATALOG if p.sku not in KITS | KIT_MEMBERS)
    response = httpx.post(f"{sandbox.url}/_sandbox/netsuite/inventory/move",
                          json={"sku": counted, "location": "WH-na", "adjust_by": 5}, timeout=30)
    assert response.status_code == 200, response.text

    log = tmp_path / "daemon.log"
    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    with log.open("w") as out:
        daemon = subprocess.Popen([str(Path(sys.executable).with_name("dagster-daemon")), "run",
                                   "-w", str(REPO / "workspace.yaml")],
                                  cwd=REPO, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT)
    try:
        instance = dg.DagsterInstance.get()
        # The order sensor's first tick only sets its watermark; the report must come after it.
        _wait("the order sensor's first tick", lambda: _sensor_cursor(instance, "new_order_reports"), deadline,
              daemon, log)
        requested_at = datetime.now(UTC)
        # In its own process, as the schedule's run would be: the code location reads the settings when it loads.
        subprocess.run([str(Path(sys.executable).with_name("dagster")), "job", "execute", "-m",
                        "amazon_netsuite.definitions", "-j", "request_order_reports_job"],
                       cwd=REPO, env=os.environ.copy(), check=True, capture_output=True, timeout=180)
        with SellerCentral().reports(ACCOUNT) as api:
            (report,) = [r for r in api.get_reports([ORDER_REPORT_TYPE], created_since=requested_at
                                                     - timedelta(seconds=5))]
            done = api.wait_for_report(report.report_id, poll_seconds=0.2, timeout=60)
        assert done.processing_status == "DONE"
        with SellerCentral().reports(ACCOUNT) as api:
            ordered_skus = _ordered_skus(api.download_report_document(done.report_document_id,
                                                                      report_id=done.report_id).text)
        assert ordered_skus, "the order report names no demo-US SKU"

        # Inventory, unattended too: the stock sensor pushed today's quantities when it first ticked; a sale in
        # another channel (a NetSuite adjustment) then reaches Amazon with nobody launching a run. The SKU sold is
        # one no posting of this test moves (no kit nor kit member, and no demo-US order of the report names it),
        # so the daemon's postings, which run meanwhile, leave its quantity to the sale alone.
        pushed = _wait("today's quantities pushed by the stock sensor's run", _pushed_quantities, deadline, daemon,
                       log)
        # Prices too: the price sensor's first tick ran today's price list, and Amazon shows every price of it.
        priced = _wait("today's prices live on Amazon", _prices_live, deadline, daemon, log)

        # Vendor Central: the catch-up sensor loaded today's and yesterday's purchase orders and posted them; Direct
        # Fulfillment ones were acknowledged at once and confirmed by Amazon; Retail Procurement ones wait for a
        # person. One is approved in NetSuite now; the acknowledgement sensor's run sends it and reads Amazon's
        # Success while the rest of the test goes on (checked at the end).
        def vendor_orders_waiting():
            rows = _warehouse("SELECT program, purchase_order_number, status FROM vendor_order_status")
            if not rows:
                return None
            confirmed = [n for program, n, status in rows if program == "direct_fulfillment" and status == CONFIRMED]
            waiting = sorted(n for program, n, status in rows
                             if program == "retail_procurement" and status == AWAITING_APPROVAL)
            return (confirmed, waiting) if confirmed and waiting else None

        direct_confirmed, to_approve = _wait("Direct Fulfillment orders confirmed and purchase orders to approve",
                                             vendor_orders_waiting, deadline, daemon, log, every=5.0)
        approved = to_approve[0]
        approved_at = time.monotonic()
        with NetSuite().client() as client:
            client.patch("salesOrder", f"eid:AMZV-{VENDOR}-{approved}", {"orderStatus": {"id": "B"}})

        sku = next(s for s, q in sorted(pushed.items())
                   if q >= 3 and s not in KITS | KIT_MEMBERS | ordered_skus)
        moved_at = datetime.now(UTC)
        moved = time.monotonic()
        response = httpx.post(f"{sandbox.url}/_sandbox/netsuite/inventory/move",
                              json={"sku": sku, "location": "WH-na", "adjust_by": -3}, timeout=30)
        assert response.status_code == 200, response.text

        def amazon_shows_the_sale():
            rows = _warehouse("SELECT quantity FROM available_to_sell WHERE storefront = ? AND sku = ? AND "
                              "computed_at > ?", [STOREFRONT, sku, moved_at.replace(tzinfo=None)])
            if not rows:
                return None
            shown = _listing_quantities(sandbox.url).get(sku)
            return (rows[0][0], shown) if shown == rows[0][0] else None

        after_move, shown = _wait(f"the sale of 3 × {sku} on Amazon", amazon_shows_the_sale, deadline, daemon, log)
        stock_latency = time.monotonic() - moved

        def everything_posted():
            postable = _postable_orders()
            if not postable:
                return None
            in_netsuite = _netsuite_records(f"AMZ-{STOREFRONT}-%")
            posted_settlements = _netsuite_records("AMZ-STL-%")
            if not set(postable) <= set(in_netsuite):
                return None
            if not all(any(eid.startswith(f"AMZ-STL-{s['settlement_id']}-") for eid in posted_settlements)
                       for s in settlements):
                return None
            return postable, in_netsuite, posted_settlements

        postable, in_netsuite, posted_settlements = _wait(
            "every postable order and the deposited settlement in NetSuite", everything_posted, deadline, daemon, log,
            every=5.0)

        # Shipments: the warehouse fulfils the shipped MFN orders in NetSuite (as a person or a WMS would); the
        # fulfillment sensor's runs confirm every tracked carton to Amazon with its tracking number.
        shipped = time.monotonic()
        response = httpx.post(f"{sandbox.url}/_sandbox/netsuite/warehouse/ship", timeout=120)
        assert response.status_code == 200, response.text
        assert response.json()["fulfilled"], "the warehouse fulfilled no Sales Order"
        tracked = _tracked_packages()
        assert tracked, "no demo-US fulfillment has a tracked carton"

        def amazon_shows_the_packages():
            shown = {(s["order_id"], s["tracking_number"]) for s in httpx.get(
                f"{sandbox.url}/_sandbox/shipments", params={"seller_account": ACCOUNT}, timeout=30).json()["shipments"]}
            return shown if tracked <= shown else None

        confirmed = _wait("every tracked carton confirmed to Amazon", amazon_shows_the_packages, deadline, daemon, log,
                          every=5.0)
        shipment_latency = time.monotonic() - shipped

        # Yesterday's returns and Finances API transactions: their catch-up sensors loaded them when the daemon
        # started, and the automation posted them (return receipts, early refunds); the settlement that posted
        # above ran the previous month's accrual again.
        yesterday = str(partition_key(STOREFRONT, datetime.now(UTC).date() - timedelta(days=1)))
        month_end = str(partition_key(STOREFRONT, datetime.now(UTC).date().replace(day=1) - timedelta(days=1)))
        expected = {"return_receipts_posted": yesterday, "refunds_posted": yesterday, "month_end_accruals": month_end}

        def posted_by_the_automation():
            missing = {asset: key for asset, key in expected.items()
                       if key not in instance.get_materialized_partitions(dg.AssetKey(asset))}
            return not missing or None

        _wait(f"the automation's postings of {expected}", posted_by_the_automation, deadline, daemon, log, every=5.0)

        # ... and the purchase order approved above has been acknowledged and confirmed, nobody launching a run.
        def approval_confirmed():
            rows = _warehouse("SELECT status FROM vendor_order_status WHERE purchase_order_number = ?", [approved])
            return rows[0][0] if rows and rows[0][0] == CONFIRMED else None

        _wait(f"purchase order {approved} acknowledged and confirmed after its approval", approval_confirmed,
              deadline, daemon, log, every=5.0)
        vendor_latency = time.monotonic() - approved_at
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()

    # Each postable order is in NetSuite once, as its own type; nothing the runs did not load was posted.
    assert {eid: in_netsuite[eid][0] for eid in postable} == postable
    assert set(in_netsuite) == set(postable)
    for s in settlements:
        # The demo posts orders, so its settlements settle them: payments, refunds, the fee journal (one part per
        # month), and the deposit or, when negative, the balance journal; never a summary journal.
        prefix = f"AMZ-STL-{s['settlement_id']}-"
        kinds = {eid[len(prefix):].split("-", 1)[0] for eid in posted_settlements if eid.startswith(prefix)}
        assert "FEES" in kinds and "JE" not in kinds, (s["settlement_id"], kinds)
        assert ("DEBIT" if s["negative"] else "DEP") in kinds, (s["settlement_id"], kinds)
    failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
    assert failed == [], [r.job_name for r in failed]
    launched = {r.job_name for r in instance.get_runs()}
    # by the sensors (the listings run of the item sensor's first tick finds every catalog SKU on Amazon already)
    assert {"orders_job", "settlements_job", "inventory_job", "pricing_job", "listings_job", "shipments_job",
            "returns_job", "finances_job", "accruals_job", "vendor_job", "vendor_acknowledgement_job"} <= launched
    with NetSuite().client() as client:  # what the person approved carries the status in NetSuite too
        in_netsuite_status = client.get("salesOrder", f"eid:AMZV-{VENDOR}-{approved}")["custbody_amz_vendor_status"]
    assert in_netsuite_status == CONFIRMED
    assert confirmed == tracked  # nothing untracked was sent (held by default)
    assert len(priced) > 40
    assert after_move == pushed[sku] - 3 == shown
    assert any(r.tags.get("dagster/automation_condition") or r.tags.get("dagster/sensor_name", "").endswith(
        "_automation") for r in instance.get_runs())  # and the postings by the automation sensors

    report_done = done.processing_end_time or done.created_time
    minutes = [(created - report_done).total_seconds() / 60 for _, created in (in_netsuite[e] for e in postable)]
    print(f"\nunattended: {len(postable)} orders from report DONE to record in NetSuite: median "
          f"{statistics.median(minutes):.1f} min, max {max(minutes):.1f} min; settlement(s) "
          f"{', '.join(s['settlement_id'] for s in settlements)} posted; whole test "
          f"{(time.monotonic() - started) / 60:.1f} min; a NetSuite stock change reached Amazon in "
          f"{stock_latency:.0f} s; {len(tracked)} tracked cartons from the warehouse to Amazon in "
          f"{shipment_latency:.0f} s; {len(direct_confirmed)} Direct Fulfillment orders confirmed by Amazon, and a "
          f"purchase order approved in NetSuite confirmed by Amazon {vendor_latency:.0f} s later")
