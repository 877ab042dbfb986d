"""Order report ingest: a 1,000,000-row GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL file (cp1252, from the
sandbox generator) parsed → routed → typed → validated → stored in a DuckDB file, against a row-by-row
`csv.DictReader` + `Decimal` baseline doing the same parse and typing work (routing, latest state per order, exact
money, order totals) in the same run.

    .venv/bin/python -m bench.order_report_ingest [--rows N] [--repeat R]

Each measured run is its own process, so its peak RSS is honest; the best of R runs of each side is reported.
Targets: ≥ 400k rows/s end to end, ≥ 3× the baseline, peak RSS ≤ 1.5 GiB.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from bench.common import GIB, OUT_DIR, emit, machine, peak_rss_bytes, run_measured

BENCHMARK = "order_report_ingest"
TARGET_ROWS_PER_S = 400_000
TARGET_RATIO = 3.0
TARGET_PEAK_RSS = 1.5 * GIB
REPORT_ID = "BENCH-ORDER-REPORT"
ENCODING = "cp1252"
DUCKDB_MEMORY_LIMIT = "1100MB"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the pipeline under test ----------------------------------------------------------------------------------


def run_pipeline(path: Path, db_path: Path) -> dict:
    """Everything the orders assets do with one report, timed per stage; one DuckDB file, like production."""
    import duckdb
    import pyarrow as pa

    from amazon_netsuite.lib.orders.report_file import parse_order_report, route_order_rows
    from amazon_netsuite.lib.orders.schemas import validate_order_lines_in, validate_orders_in
    from amazon_netsuite.lib.orders.typing import store_typed_orders
    from amazon_netsuite.schema import ensure_schema
    from amazon_netsuite.sandbox.world import demo_settings

    settings = demo_settings()
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    stages: dict[str, float] = defaultdict(float)
    failures: list[str] = []

    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        stages[stage] += now - since
        return now

    # The warehouse exists before any report arrives: creating it is set-up, not ingest.
    con = duckdb.connect(str(db_path))
    ensure_schema(con)
    con.close()

    start = t = time.perf_counter()
    parsed = parse_order_report(path, report_id=REPORT_ID, charset=ENCODING)
    t = lap("parse", t)
    routed = route_order_rows(parsed, settings)
    t = lap("route", t)
    con = duckdb.connect(str(db_path))
    try:
        # Row order in a table means nothing here (row_number is a column); letting DuckDB write in any
        # order saves ~20% of the insert.
        con.execute("SET preserve_insertion_order = false")
        # Without a limit DuckDB keeps up to 80% of RAM as buffer cache. Typing a million rows at once peaks at
        # ~1.05 GB inside DuckDB; below that it spills its temp tables to disk (~0.7 s lost at 800MB), above it
        # the process outgrows the 1.5 GiB budget.
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.register("routed_rows", routed.rows)
        con.execute("INSERT INTO order_report_rows BY NAME SELECT * FROM routed_rows")
        con.unregister("routed_rows")
        data_rows, rejected = parsed.data_rows, parsed.rejected.num_rows
        del parsed, routed  # the report now lives in DuckDB; give the Arrow copy back
        pa.default_memory_pool().release_unused()
        t = lap("store_report_rows", t)
        # Every storefront and day in one set of passes, written straight into orders / order_lines /
        # order_report_quarantine: typing and storing the typed rows are one stage here.
        store_typed_orders(con, "order_report_rows", settings.storefronts)
        t = lap("type_and_store_typed", t)
        for storefront in settings.storefronts:
            failures += validate_orders_in(con, "orders", storefront)
            failures += validate_order_lines_in(con, "order_lines", storefront)
        t = lap("validate", t)
        con.execute("CHECKPOINT")  # what closing the connection would do anyway: the file is complete
        t = lap("checkpoint", t)
        seconds = t - start
        orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        totals = dict(con.execute("SELECT currency, sum(item_price) FROM order_lines GROUP BY currency").fetchall())
        quarantined = con.execute("SELECT count(*) FROM order_report_quarantine").fetchone()[0]
    finally:
        con.close()
    return {
        "rows": data_rows,
        "seconds": seconds,
        "stages": {k: round(v, 3) for k, v in stages.items()},
        "orders": orders,
        "quarantined": quarantined + rejected,
        "item_price_totals": {k: str(v) for k, v in sorted(totals.items())},
        "validation_failures": failures[:5],
        "peak_rss_bytes": peak_rss_bytes(),
    }


# --- the baseline ----------------------------------------------------------------------------------------------

_MONEY = (
    "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount",
)
_TAXES = ("item-tax", "shipping-tax", "gift-wrap-tax")
_CHARGES = ("item-price", "shipping-price", "gift-wrap-price", "item-promotion-discount", "ship-promotion-discount")
_CHANNELS = {"amazon": "FBA", "afn": "FBA", "merchant": "MFN", "mfn": "MFN"}
_TEN_THOUSANDTH = Decimal("0.0001")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None)


def run_baseline(path: Path) -> dict:
    """The obvious Python way: csv.DictReader, Decimal per amount, dicts per order."""
    from amazon_netsuite.sandbox.world import demo_settings

    by_channel = {s.sales_channel.lower(): s for s in demo_settings().storefronts}
    start = time.perf_counter()
    rows = quarantined = 0
    orders: dict[tuple, dict] = {}
    with open(path, encoding=ENCODING, newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows += 1
            try:
                storefront = by_channel[row["sales-channel"].lower()]
                updated = _utc(row["last-updated-date"])
                purchased = _utc(row["purchase-date"])
                quantity = int(row["quantity"])
                money = {c: Decimal(row[c]) if row[c] else None for c in _MONEY}
                channel = _CHANNELS[row["fulfillment-channel"].lower()]
                if channel == "MFN" and row.get("is-prime", "").lower() == "true":
                    channel = "SFP"
                currency = row["currency"] or storefront.currency
                if quantity < 0 or currency != storefront.currency:
                    raise ValueError(row["amazon-order-id"])
            except (KeyError, ValueError, InvalidOperation):
                quarantined += 1
                continue
            price = money["item-price"]
            unit = (price / quantity).quantize(_TEN_THOUSANDTH, ROUND_HALF_EVEN) if price is not None and quantity else None
            taxes = [money[c] for c in _TAXES if money[c] is not None]
            tax = sum(taxes, Decimal(0)) if taxes else None
            facilitated = row.get("tax-collection-model", "").lower() == "marketplacefacilitator"
            line = {"sku": row["sku"], "quantity": quantity, "unit_price": unit, **money,
                    "facilitator_tax": tax if facilitated else None,
                    "seller_tax": None if facilitated else tax,
                    "vat_included": storefront.prices_include_vat}
            key = (storefront.key, updated.date(), row["amazon-order-id"])
            order = orders.get(key)
            if order is None or updated > order["last_updated"]:
                orders[key] = {"last_updated": updated, "purchase_date": purchased, "channel": channel,
                               "currency": currency, "lines": [line]}
            elif updated == order["last_updated"]:
                order["lines"].append(line)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders.values():
        lines = order["lines"]
        order["total"] = sum(
            (v for ln in lines for c in (*_CHARGES, *(() if ln["vat_included"] else ("seller_tax",)))
             if (v := ln[c]) is not None),
            Decimal(0),
        )
        totals[order["currency"]] += sum((ln["item-price"] for ln in lines if ln["item-price"] is not None), Decimal(0))
    seconds = time.perf_counter() - start
    return {
        "rows": rows,
        "seconds": seconds,
        "orders": len(orders),
        "quarantined": quarantined,
        "item_price_totals": {k: f"{v:.4f}" for k, v in sorted(totals.items())},
        "peak_rss_bytes": peak_rss_bytes(),
    }


# --- driver ------------------------------------------------------------------------------------------------------


def report_file(n_rows: int) -> Path:
    """The generated report, reused between runs (generation is not what we measure)."""
    from amazon_netsuite.sandbox.world import write_order_report_file

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"order_report_{n_rows}.tsv"
    if not path.exists():
        log(f"generating {n_rows:,} rows into {path} ...")
        partial = path.with_suffix(".partial")
        write_order_report_file(partial, n_rows, seed=7, encoding=ENCODING)
        partial.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    parser.add_argument("--worker", choices=("pipeline", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "pipeline":
        emit_raw(run_pipeline(args.file, args.db))
        return 0
    if args.worker == "baseline":
        emit_raw(run_baseline(args.file))
        return 0

    path = report_file(args.rows)
    db_path = OUT_DIR / f"order_report_{args.rows}.duckdb"
    module = "bench.order_report_ingest"
    pipeline_runs, baseline_runs = [], []
    for i in range(max(1, args.repeat)):
        log(f"run {i + 1}: pipeline ...")
        pipeline_runs.append(run_measured(module, "--worker", "pipeline", "--file", str(path), "--db", str(db_path)))
        log(f"  {pipeline_runs[-1]['seconds']:.2f} s {pipeline_runs[-1]['stages']}")
        log(f"run {i + 1}: baseline ...")
        baseline_runs.append(run_measured(module, "--worker", "baseline", "--file", str(path)))
        log(f"  {baseline_runs[-1]['seconds']:.2f} s")
    best = min(pipeline_runs, key=lambda r: r["seconds"])
    base = min(baseline_runs, key=lambda r: r["seconds"])

    rows_per_s = round(best["rows"] / best["seconds"])
    baseline_rows_per_s = round(base["rows"] / base["seconds"])
    ratio = round(rows_per_s / baseline_rows_per_s, 2)
    peak_rss = max(r["peak_rss_bytes"] for r in pipeline_runs)
    agree = best["orders"] == base["orders"] and best["item_price_totals"] == base["item_price_totals"]
    passed = (
        rows_per_s >= TARGET_ROWS_PER_S and ratio >= TARGET_RATIO and peak_rss <= TARGET_PEAK_RSS
        and agree and not best["validation_failures"]
    )
    emit(
        BENCHMARK,
        rows_per_s,
        "rows/s",
        baseline_rows_per_s,
        ratio,
        f">= {TARGET_ROWS_PER_S} rows/s, >= {TARGET_RATIO}x baseline, peak RSS <= 1.5 GiB",
        passed,
        rows=best["rows"],
        seconds=round(best["seconds"], 3),
        baseline_seconds=round(base["seconds"], 3),
        stages=best["stages"],
        all_seconds=[round(r["seconds"], 3) for r in pipeline_runs],
        all_baseline_seconds=[round(r["seconds"], 3) for r in baseline_runs],
        peak_rss_mib=round(peak_rss / 2**20),
        baseline_peak_rss_mib=round(max(r["peak_rss_bytes"] for r in baseline_runs) / 2**20),
        orders=best["orders"],
        results_agree=agree,
        validation_failures=best["validation_failures"],
        file_mib=round(path.stat().st_size / 2**20),
        machine=machine(),
    )
    return 0


def emit_raw(result: dict) -> None:
    import json

    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    sys.exit(main())
