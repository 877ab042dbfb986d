"""The inventory flow end to end, through real Dagster runs against the sandbox: NetSuite stock reaches Amazon as
exactly the changed messages, Amazon then shows `available_to_sell` for every merchant-fulfilled SKU, NetSuite's FBA
location equals Amazon's FBA stock, and bad input ends in `integration_errors` while the rest of the push proceeds."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone

import dagster as dg
import httpx
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.world.catalog import CATALOG
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world.listings import MFN_SKUS, is_fba_listed
from amazon_netsuite_tests.conftest import DEMO_SETTINGS, _project_env, start_sandbox

STOREFRONT, MARKETPLACE, ACCOUNT = "demo-US", "ATVPDKIKX0DER", "demo-na"
KIT_MEMBERS = {sku for p in CATALOG for sku, _ in p.components}
HISTORY_DAYS = 2


@contextmanager
def _inventory_sandbox(monkeypatch, tmp_path, history_days: int, only_north_america: bool = False,
                       post_orders: bool = False):
    """The sandbox with its world clock frozen now, and the demo settings with the North American storefronts'
    orders not posted (unless `post_orders`), so Amazon's FBA shipments adjust NetSuite's FBA location (no Cash Sale
    moves them)."""
    # Frozen a little in the past (but today): a ledger read up to two minutes ago then misses no movement the
    # FBA snapshot already shows.
    real = datetime.now(timezone.utc).replace(microsecond=0)
    now = max(real - timedelta(minutes=10), real.replace(hour=0, minute=0, second=1))
    settings = yaml.safe_load(DEMO_SETTINGS.read_text(encoding="utf-8"))
    if only_north_america:
        settings["seller_accounts"] = [a for a in settings["seller_accounts"] if a["key"] == ACCOUNT]
    for account in settings["seller_accounts"]:
        for storefront in account["storefronts"]:
            if account["key"] == ACCOUNT:
                storefront["post_orders"] = post_orders
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with start_sandbox(tmp_path / "sandbox", history_days=history_days, orders_per_day=20, clock=now) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        yield sandbox


@pytest.fixture
def inventory_project(monkeypatch, tmp_path):
    with _inventory_sandbox(monkeypatch, tmp_path, HISTORY_DAYS) as sandbox:
        yield sandbox


def _run(job: str, storefront: str, day, instance, tags: dict | None = None) -> dg.ExecuteInProcessResult:
    from amazon_netsuite.definitions import defs

    return defs().resolve_job_def(job).execute_in_process(
        partition_key=partition_key(storefront, day), instance=instance, tags=tags or {}, raise_on_error=False)


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _amazon_quantities(sandbox) -> dict[str, int | None]:
    listings = httpx.get(f"{sandbox.url}/_sandbox/listings",
                         params={"seller_account": ACCOUNT, "marketplace_id": MARKETPLACE}, timeout=30).json()
    return {l["sku"]: l.get("quantity") for l in listings["listings"] if l["fulfillment_channel_code"] == "DEFAULT"}


def _move(sandbox, sku: str, **change) -> dict:
    response = httpx.post(f"{sandbox.url}/_sandbox/netsuite/inventory/move",
                          json={"sku": sku, "location": "WH-na", **change}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _available() -> dict[str, int | None]:
    return dict(_rows("SELECT sku, quantity FROM available_to_sell WHERE storefront = ? AND day = ?",
                      [STOREFRONT, _today()]))


def _today():
    return datetime.now(timezone.utc).date()


def _last_push() -> dict[str, tuple[int, str]]:
    return {sku: (quantity, outcome) for sku, quantity, outcome in _rows(
        "SELECT sku, quantity, outcome FROM inventory_feed_submissions WHERE storefront = ? AND submitted_at = "
        "(SELECT max(submitted_at) FROM inventory_feed_submissions WHERE storefront = ?)", [STOREFRONT, STOREFRONT])}


def _open_errors() -> dict[str, tuple[str, str]]:
    return {key: (cls, message) for key, cls, message in _rows(
        "SELECT key, error_class, message FROM integration_errors WHERE flow = 'inventory' AND resolved IS NULL")}


def test_a_stock_change_reaches_amazon_as_exactly_the_changed_message_and_fba_stock_ties_out(inventory_project):
    sandbox = inventory_project
    instance = dg.DagsterInstance.ephemeral()
    today = _today()
    for storefront in ("demo-US", "demo-CA"):  # both draw on the one North American FBA pool
        for offset in range(HISTORY_DAYS, -1, -1):
            assert _run("fba_ledger_job", storefront, today - timedelta(days=offset), instance).success
    assert _run("inventory_job", STOREFRONT, today, instance).success

    available = _available()
    pushable = {sku: q for sku, q in available.items() if q is not None}
    assert pushable and set(available) <= set(MFN_SKUS)  # merchant-fulfilled SKUs only, never an FBA one
    shown = _amazon_quantities(sandbox)
    assert {sku: shown.get(sku) for sku in pushable} == pushable
    # NetSuite's FBA location equals Amazon's FBA stock, SKU by SKU, but for the SKUs NetSuite has no item for
    # (the sandbox leaves some out on purpose: the view says so).
    differences = _rows("SELECT sku, reason FROM fba_stock_differences WHERE storefront = ?", [STOREFRONT])
    assert differences == [(sku, "no NetSuite item at the FBA location")
                           for sku in sorted(MISSING_SKUS) if is_fba_listed(sku)]
    assert _rows("SELECT count(*) FROM fba_inventory_snapshot WHERE storefront = ?", [STOREFRONT])[0][0] > 0

    sku = next(s for s, q in sorted(pushable.items()) if q >= 5 and s not in KIT_MEMBERS)
    _move(sandbox, sku, adjust_by=-2)
    assert _run("inventory_job", STOREFRONT, today, instance).success
    assert _last_push() == {sku: (pushable[sku] - 2, "accepted")}
    assert _amazon_quantities(sandbox)[sku] == pushable[sku] - 2 == _available()[sku]

    # Nothing changed: the next run sends nothing.
    sent = _rows("SELECT count(*) FROM inventory_feed_submissions")[0][0]
    assert _run("inventory_job", STOREFRONT, today, instance).success
    assert _rows("SELECT count(*) FROM inventory_feed_submissions")[0][0] == sent


def test_at_go_live_one_opening_per_sku_ties_netsuites_fba_location_to_amazon_and_is_never_posted_twice(
        monkeypatch, tmp_path):
    """The world (and NetSuite's FBA seed) starts four days back, the ledger is loaded for the last two days and
    today: the movements of the first two days reach NetSuite as the FBA location's opening balance, once."""
    from amazon_netsuite.lib.inventory.opening import opening_key
    from amazon_netsuite.sandbox.world.fba import SELLABLE, ledger_events
    from amazon_netsuite.sandbox.world.listings import FBA_SKUS, starting_stock
    from amazon_netsuite.sync import sync_inventory

    with ExitStack() as stack:
        sandbox = stack.enter_context(_inventory_sandbox(monkeypatch, tmp_path, history_days=4,
                                                         only_north_america=True))
        instance = stack.enter_context(dg.instance_for_test())  # the retry schedule reads the runs in flight
        today = _today()
        window = [today - timedelta(days=n) for n in (2, 1, 0)]
        assert sync_inventory(instance=instance, say=lambda _: None, days=window).failed == []

        # What the loaded ledger never saw, from the sandbox's own world: the pool's sellable movements before the
        # window (NetSuite's FBA seed equals the pool at the world's start), for every SKU Amazon holds at FBA.
        world = sandbox.state.world
        start = datetime.combine(world.first_day, datetime.min.time(), tzinfo=timezone.utc)
        before = {}
        for event in ledger_events(world, ACCOUNT, start, datetime.combine(window[0], datetime.min.time(),
                                                                           tzinfo=timezone.utc) - timedelta(microseconds=1)):
            if event.disposition == SELLABLE:
                before[event.sku] = before.get(event.sku, 0) + event.quantity
        opening = dict(_rows("SELECT sku, quantity FROM fba_opening_balances WHERE fba_location = 'FBA-na'"))
        held = {sku for sku, in _rows("SELECT sku FROM fba_inventory_snapshot WHERE storefront = ?", [STOREFRONT])}
        assert held == set(FBA_SKUS)
        # A SKU NetSuite has no item for holds nothing there: its opening is all of Amazon's stock at the start too.
        expected = {sku: before.get(sku, 0) + (starting_stock(sku, "FBA-na") if sku in MISSING_SKUS else 0)
                    for sku in FBA_SKUS}
        assert {sku: int(q) for sku, q in opening.items()} == expected
        assert sum(abs(q) for q in expected.values()) > 0  # not vacuous: movements before the window

        # NetSuite's FBA location now equals Amazon's FBA stock, but for the SKUs NetSuite has no item for (their
        # openings wait in integration_errors as mapping errors).
        def differences():
            return _rows("SELECT storefront, sku, reason FROM fba_stock_differences ORDER BY ALL")
        missing = sorted(sku for sku in MISSING_SKUS if is_fba_listed(sku))
        assert differences() == [(s, sku, "no NetSuite item at the FBA location")
                                 for s in ("demo-CA", "demo-US") for sku in missing]
        errors = _open_errors()
        assert {k for k in errors if k.startswith("opening|")} == {opening_key("FBA-na", sku) for sku in missing
                                                                  if opening.get(sku)}

        # Again, and with a day before the window loaded late: nothing posts twice, nothing moves.
        posted = _rows("SELECT key, attempts, payload_hash FROM netsuite_postings WHERE flow = 'inventory' "
                       "AND status = 'posted' ORDER BY key")
        assert sync_inventory(instance=instance, say=lambda _: None, days=window).failed == []
        late = today - timedelta(days=3)
        assert _run("fba_ledger_job", STOREFRONT, late, instance).success
        reasons = _rows("SELECT DISTINCT not_adjusted_reason FROM fba_inventory_ledger WHERE storefront = ? "
                        "AND day = ? AND disposition = 'SELLABLE' AND quantity <> 0", [STOREFRONT, late])
        assert reasons == [("before the FBA location's opening balance, which includes it",)]
        assert _rows("SELECT key, attempts, payload_hash FROM netsuite_postings WHERE flow = 'inventory' "
                     "AND status = 'posted' ORDER BY key") == posted
        assert dict(_rows("SELECT sku, quantity FROM fba_opening_balances")) == opening

        # The seller creates the missing items: within 30 minutes the retry schedule posts what NetSuite refused (the
        # openings and the ledger rows of those SKUs), and NetSuite's FBA location equals Amazon's for every SKU.
        from amazon_netsuite.definitions import defs
        from amazon_netsuite.lib.netsuite.client import NetSuiteClient
        from amazon_netsuite.lib.settings import load_settings, netsuite_connection

        with NetSuiteClient(netsuite_connection(load_settings())) as client:
            for sku in missing:
                client.upsert("inventoryItem", sku, {"itemId": sku, "displayName": sku})
        retry = defs().resolve_schedule_def("retry_failed_fba_adjustments_every_30_minutes")
        requests = retry(dg.build_schedule_context(instance=instance))
        assert {r.partition_key for r in requests} >= {partition_key(STOREFRONT, today)}
        for request in requests:
            assert defs().resolve_job_def("fba_adjustments_job").execute_in_process(
                partition_key=request.partition_key, instance=instance, tags=request.tags).success
        for storefront in ("demo-US", "demo-CA"):
            assert _run("inventory_job", storefront, today, instance).success
        assert differences() == []
        assert not [k for k in _open_errors() if not k.startswith(("stock:", "listing:"))]
        assert isinstance(retry(dg.build_schedule_context(instance=instance)), dg.SkipReason)


def test_with_orders_posted_every_fba_difference_is_a_cash_sale_that_cannot_post_yet(monkeypatch, tmp_path):
    """The demo's configuration in small: orders posted (Cash Sales move shipped units), three SKUs without a
    NetSuite item, the world starting before the loaded window. Every SKU where NetSuite's FBA location differs from
    Amazon is explained to the unit by the Cash Sales still to post, and those are exactly the shipped orders waiting
    in integration_errors."""
    from amazon_netsuite.sync import sync_inventory, sync_orders

    with _inventory_sandbox(monkeypatch, tmp_path, history_days=4, only_north_america=True, post_orders=True), \
            dg.instance_for_test() as instance:  # the retry schedule reads the runs in flight
        today = _today()
        assert sync_orders(3, instance=instance, say=lambda _: None, poll_seconds=0.1).failed == []
        window = [today - timedelta(days=n) for n in (2, 1, 0)]
        assert sync_inventory(instance=instance, say=lambda _: None, days=window).failed == []

        rows = _rows("SELECT storefront, sku, reason, difference, pending_units, unexplained, waiting_for "
                     "FROM fba_stock_differences ORDER BY ALL")
        missing = {sku for sku in MISSING_SKUS if is_fba_listed(sku)}
        for storefront, sku, reason, difference, pending, unexplained, _ in rows:
            if sku in missing:
                assert reason == "no NetSuite item at the FBA location"
            else:
                assert (reason, unexplained, pending) == ("NetSuite records still to post (waiting_for)", 0,
                                                          -difference), (storefront, sku)
        waiting = {entry.removeprefix("Cash Sale of order ") for *_, entries in rows for entry in entries or ()
                   if entry.startswith("Cash Sale of order ")}
        failed = {key for key, in _rows("SELECT key FROM integration_errors WHERE flow = 'orders' "
                                        "AND resolved IS NULL")}
        shipped = {ref for ref, in _rows("SELECT DISTINCT reference_id FROM fba_inventory_ledger "
                                         "WHERE event_type = 'Shipments' AND disposition = 'SELLABLE'")}
        opened_at = _rows("SELECT max(amazon_taken_at) FROM fba_opening_balances")[0][0]
        assert opened_at is not None
        loaded = {oid for oid, in _rows("SELECT DISTINCT amazon_order_id FROM orders")}
        assert waiting == failed & shipped & loaded

        # The seller creates the three items (the kit with its members); the retries post the Cash Sales and the
        # refused FBA adjustments: NetSuite's FBA location then equals Amazon's for every SKU.
        from amazon_netsuite.definitions import defs
        from amazon_netsuite.lib.netsuite.client import NetSuiteClient
        from amazon_netsuite.lib.settings import load_settings, netsuite_connection

        with NetSuiteClient(netsuite_connection(load_settings())) as client:
            for product in CATALOG:
                if product.sku in MISSING_SKUS and product.is_kit:
                    members = [{"item": {"externalId": sku}, "quantity": qty} for sku, qty in product.components]
                    client.upsert("kitItem", product.sku, {"itemId": product.sku, "member": {"items": members}})
                elif product.sku in MISSING_SKUS:
                    client.upsert("inventoryItem", product.sku, {"itemId": product.sku})
        assert defs().resolve_job_def("retry_failed_postings").execute_in_process(instance=instance).success
        retry = defs().resolve_schedule_def("retry_failed_fba_adjustments_every_30_minutes")
        for request in retry(dg.build_schedule_context(instance=instance)):
            assert defs().resolve_job_def("fba_adjustments_job").execute_in_process(
                partition_key=request.partition_key, instance=instance, tags=request.tags).success
        for storefront in ("demo-US", "demo-CA"):
            assert _run("inventory_job", storefront, today, instance).success
        assert _rows("SELECT storefront, sku, difference, waiting_for FROM fba_stock_differences") == []
