"""What the inventory flow reads: NetSuite's stock, Amazon's FBA stock and FBA ledger, and what each MFN SKU may
show on Amazon (`available_to_sell`), gated by a blocking check against zeroing listings by accident.

Partitions are storefront × the UTC day of the run. A snapshot is NetSuite (or Amazon) as of the run, so only
today's partition can be taken; a later run the same day replaces it, and past days keep what they were told, so an
analyst can ask what Amazon was told on the 3rd, and why.
"""

from datetime import datetime, timedelta, timezone

import dagster as dg
import pyarrow as pa

from amazon_netsuite.defs import helpers
from amazon_netsuite.defs.helpers import REPORT_ID_TAG, Flow, counted_markdown, listed_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib.inventory.available import compute_available_to_sell
from amazon_netsuite.lib.inventory.fba_snapshot import fba_snapshot_table
from amazon_netsuite.lib.inventory.gate import settings_gate
from amazon_netsuite.lib.inventory.push_run import resolve_retired_errors
from amazon_netsuite.lib.postings import QueuedError, queue_errors, utc_now
from amazon_netsuite.lib.settings import load_settings
from amazon_netsuite.lib.warehouse import replace_partition, transaction
from amazon_netsuite.lib.warehouse.writes import replace_partition_rows

FLOW = "inventory"
GATE_CHECK = "push_is_safe"
GATES = {GATE_CHECK: "Refuses a push whose source snapshot is empty or stale, or that would drop more than "
                     "inventory.max_zeroed_share of the SKUs Amazon shows in stock to zero at once; names the SKUs. "
                     "Tag a run `inventory/override_gate: true` to push anyway, once."}
OVERRIDE_TAG = "inventory/override_gate"


def stock_error_key(sku: str) -> str:
    return f"stock:{sku}"


def today_only(context: dg.AssetExecutionContext):
    return helpers.today_only(context, "a snapshot", "taken")


def definitions(flow: Flow) -> dg.Definitions:
    spec = flow.asset_spec

    @flow.partitioned_tables(
        spec("netsuite_inventory_snapshot",
             "NetSuite's stock per item × location for the storefront's locations and its FBA location, as of the "
             "run: on hand, available, committed, on order, in transit (SuiteQL inventoryitemlocations).",
             kinds=("netsuite", "duckdb")),
        spec("netsuite_kit_members", "The members of every kit item and their quantities, as of the run."),
    )
    def netsuite_inventory_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
        """Read NetSuite's stock for the storefront's locations (and its FBA location)."""
        from amazon_netsuite.lib.inventory.netsuite_stock import read_kit_members, read_stock

        storefront, day = today_only(context)
        settings = load_settings()
        locations = settings.storefront_stock(storefront).locations
        fba_location = settings.storefront_posting(storefront).fba_location
        taken_at = utc_now()
        with netsuite.client() as client:
            stock = read_stock(client, list(dict.fromkeys([*locations, fba_location])), fba_locations=[fba_location])
            kits = read_kit_members(client)
        with warehouse.connection() as con:
            con.register("stock", stock)
            con.register("kits", kits)
            with transaction(con):
                written = replace_partition_rows(
                    con, "netsuite_inventory_snapshot", storefront, str(day),
                    "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, ?::TIMESTAMP AS taken_at, * FROM stock",
                    params=[storefront, day, taken_at])
                members = replace_partition_rows(
                    con, "netsuite_kit_members", storefront, str(day),
                    "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, * FROM kits", params=[storefront, day])
            con.unregister("stock")
            con.unregister("kits")
        yield dg.MaterializeResult(asset_key="netsuite_inventory_snapshot", metadata={
            "dagster/row_count": written, "locations": ", ".join(locations), "fba_location": fba_location,
            "taken_at": taken_at.isoformat()})
        yield dg.MaterializeResult(asset_key="netsuite_kit_members", metadata={"dagster/row_count": members})

    @flow.partitioned_asset(
        name="fba_inventory_snapshot", kinds={"amazon", "duckdb"},
        description="Amazon's FBA stock per SKU as of the run (getInventorySummaries with details): fulfillable, "
                    "inbound, reserved, unfulfillable, researching. A region's pool shows in each of its "
                    "marketplaces, so it is never summed across storefronts.")
    def fba_inventory_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.fba_inventory import FbaInventoryApi

        storefront, day = today_only(context)
        settings = load_settings()
        account = settings.account_of(storefront)
        taken_at = utc_now()
        with seller_central.client(account.key) as client:
            summaries = list(FbaInventoryApi(client).summaries(settings.storefront(storefront).marketplace_id,
                                                               details=True))
        table = fba_snapshot_table(summaries, storefront, day, taken_at)
        with warehouse.connection() as con:
            con.register("fba", table)
            written = replace_partition(con, "fba_inventory_snapshot", storefront, str(day), "SELECT * FROM fba")
            con.unregister("fba")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": written,
            "fulfillable_units": int(sum(table.column("fulfillable").to_pylist())) if written else 0})

    @flow.partitioned_tables(
        spec("available_to_sell",
             "What each merchant-fulfilled SKU may show on Amazon: on hand − committed over the storefront's "
             "locations (its share of split ones), less safety stock, floored at 0; kits by their scarcest member. "
             "FBA SKUs never appear (Amazon owns that stock). A SKU held back says why.",
             deps=["netsuite_inventory_snapshot", "netsuite_kit_members", "fba_inventory_snapshot"]),
        check_specs=flow.blocking_checks("available_to_sell", GATES),
    )
    def available_to_sell(context: dg.AssetExecutionContext, warehouse: Warehouse):
        """Compute the storefront-day's quantities; SKUs held back go to `integration_errors`; the gate decides
        whether they may be pushed."""
        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        now = utc_now()
        override = context.run.tags.get(OVERRIDE_TAG, "").lower() == "true"
        with warehouse.connection() as con:
            written = compute_available_to_sell(con, settings, storefront, day, now)
            rows = con.execute(
                "SELECT sku, quantity, held_back_reason FROM available_to_sell WHERE storefront = ? AND day = ?",
                [storefront, day]).fetchall()
            held = [(sku, reason) for sku, _, reason in rows if reason]
            queue_errors(con, FLOW, storefront,
                         [QueuedError(stock_error_key(sku), "mapping" if "member" in reason else "validation",
                                      f"SKU {sku} (storefront {storefront}) is not pushed: {reason}. Amazon keeps "
                                      "its last quantity until NetSuite's stock is fixed.", {"sku": sku})
                          for sku, reason in held], now,
                         settled=[stock_error_key(sku) for sku, _, reason in rows if not reason])
            resolve_retired_errors(con, storefront, day, stock_error_key(""), now)
            gate = settings_gate(con, settings, storefront, day, now)
        yield dg.MaterializeResult(asset_key="available_to_sell", metadata={
            "dagster/row_count": written,
            "pushable": sum(1 for _, q, _ in rows if q is not None),
            "units": sum(q for _, q, _ in rows if q is not None),
            "held_back": counted_markdown(sorted(((r, 1) for _, r in held)), empty="nothing held back")})
        yield dg.AssetCheckResult(
            check_name=GATE_CHECK, asset_key="available_to_sell", passed=gate.passed or override,
            metadata={"reasons": listed_markdown(gate.reasons, empty="safe to push"),
                      "skus": listed_markdown(gate.skus[:50]), "overridden": override and not gate.passed})

    @flow.partitioned_asset(
        name="fba_inventory_ledger", kinds={"amazon", "duckdb"},
        description="Amazon's FBA movements of the storefront-day (GET_LEDGER_DETAIL_VIEW_DATA): receipts, "
                    "shipments, customer returns, removals, damaged, lost and found, each marked whether it adjusts "
                    "NetSuite's FBA location and, when not, why (a Cash Sale moves it; not sellable stock).")
    def fba_inventory_ledger(context: dg.AssetExecutionContext, warehouse: Warehouse,
                             seller_central: SellerCentral) -> dg.MaterializeResult:
        """Read the day's rows of the account's ledger report: the one the run names (`amazon/report_id`), else a
        landed one covering the day, else one requested for the day."""
        from amazon_netsuite.lib.amazon.reports import ReportsApi
        from amazon_netsuite.lib.inventory.ledger import classify_ledger_rows
        from amazon_netsuite.lib.inventory.ledger_reports import (
            LedgerUnavailable,
            ledger_report_for,
            load_ledger_report,
            storefront_day_rows,
        )
        from amazon_netsuite.lib.inventory.opening import opening_of

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        account = settings.account_of(storefront)
        with warehouse.connection() as con:
            report = ledger_report_for(con, account.key, day, context.run.tags.get(REPORT_ID_TAG))
        if report is None:
            start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
            end = min(start + timedelta(days=1), datetime.now(timezone.utc) - timedelta(minutes=2))
            with seller_central.client(account.key) as client:
                try:
                    report = load_ledger_report(ReportsApi(client), warehouse.connection, account.key,
                                                account.marketplace_ids, start, end)
                except LedgerUnavailable as exc:
                    raise dg.Failure(str(exc)) from exc
        rows = storefront_day_rows(report, settings.storefront(storefront).marketplace_id, day)
        with warehouse.connection() as con:
            opened_at, pending_keys = opening_of(con, settings.storefront_posting(storefront).fba_location)
        table = classify_ledger_rows(rows, orders_posted=settings.orders_posted(storefront), opened_at=opened_at,
                                     pending_keys=pending_keys, returns_received=settings.flows.returns)
        with warehouse.connection() as con:
            con.register("ledger", table)
            written = replace_partition(con, "fba_inventory_ledger", storefront, str(day),
                                        "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, ?::VARCHAR AS report_id, "
                                        "* FROM ledger", params=[storefront, day, report.report_id])
            con.unregister("ledger")
            reasons = con.execute(
                "SELECT coalesce(not_adjusted_reason, 'adjusts NetSuite'), count(*) FROM fba_inventory_ledger "
                "WHERE storefront = ? AND day = ? GROUP BY 1 ORDER BY 2 DESC", [storefront, day]).fetchall()
        return dg.MaterializeResult(metadata={"dagster/row_count": written, "report_id": report.report_id,
                                              "rows": counted_markdown(reasons, empty="no movements")})

    differences = spec(
        "fba_stock_differences",
        "A view: every SKU Amazon holds at FBA whose NetSuite FBA quantity differs from Amazon's fulfillable + "
        "reserved units (NetSuite still holds what Amazon reserved for orders it has not shipped), from each "
        "storefront's newest snapshots, with the difference and the reason. Empty when the books match.",
        deps=["netsuite_inventory_snapshot", "fba_inventory_snapshot", "fba_inventory_adjustments_posted"])
    return dg.Definitions(assets=[netsuite_inventory_snapshot, fba_inventory_snapshot, available_to_sell,
                                  fba_inventory_ledger, differences])
