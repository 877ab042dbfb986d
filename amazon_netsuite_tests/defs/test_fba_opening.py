"""FBA as a NetSuite location, end to end: at go-live one opening per SKU ties NetSuite's FBA location to Amazon's FBA
stock, never twice; afterwards every difference is explained by a NetSuite record still to post, and once the
seller fixes what blocked it and the retries run, NetSuite's FBA location equals Amazon's for every SKU."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world.catalog import CATALOG
from amazon_netsuite.sandbox.world.listings import is_fba_listed
from amazon_netsuite_tests.defs.test_inventory_flow import (
    ACCOUNT,
    STOREFRONT,
    _inventory_sandbox,
    _open_errors,
    _rows,
    _run,
    _today,
)


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
        window_start = datetime.combine(window[0], datetime.min.time(), tzinfo=timezone.utc)
        before = {}
        for event in ledger_events(world, ACCOUNT, start, window_start - timedelta(microseconds=1)):
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
        for day in window:  # the ledger days again, from the landed report
            assert _run("fba_ledger_job", STOREFRONT, day, instance).success
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
        # An opening retries with the storefront's newest ledger day (today, unless the day is minutes old and
        # Amazon has moved nothing yet).
        (newest,), = _rows("SELECT max(day) FROM fba_inventory_ledger WHERE storefront = ?", [STOREFRONT])
        assert {r.partition_key for r in requests} >= {partition_key(STOREFRONT, newest)}
        for request in requests:
            assert defs().resolve_job_def("fba_adjustments_job").execute_in_process(
                partition_key=request.partition_key, instance=instance, tags=request.tags).success
        for storefront in ("demo-US", "demo-CA"):
            assert _run("inventory_job", storefront, today, instance).success
        assert differences() == []
        assert not [k for k in _open_errors() if not k.startswith(("stock:", "listing:"))]
        assert isinstance(retry(dg.build_schedule_context(instance=instance)), dg.SkipReason)


def test_with_orders_posted_every_fba_difference_is_a_cash_sale_that_cannot_post_yet(monkeypatch, tmp_path):
    """The demo's configuration in small (one storefront): orders posted (Cash Sales move shipped units), three SKUs
    without a NetSuite item, the world starting before the loaded window. Every SKU where NetSuite's FBA location
    differs from Amazon is explained to the unit by the Cash Sales still to post, and those are exactly the shipped
    orders waiting in integration_errors."""
    from amazon_netsuite.sync import sync_inventory, sync_orders

    with _inventory_sandbox(monkeypatch, tmp_path, history_days=4, only_north_america=True, post_orders=True,
                            storefronts={STOREFRONT}), \
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
        for storefront in (STOREFRONT,):
            assert _run("inventory_job", storefront, today, instance).success
        assert _rows("SELECT storefront, sku, difference, waiting_for FROM fba_stock_differences") == []
