"""SP-API calls per 1000 orders: what the report path (`amazon-netsuite sync`: one order report per seller account
for the window, then `orders_job` per storefront-day) sends to Seller Central to bring the orders into the
warehouse, beside what the Orders API path would need for the same orders.

    .venv/bin/python -m bench.sp_api_calls_per_1000_orders [--orders N] [--days D] [--storefront KEY]

The report path is counted on the wire: the Seller Central sandbox runs in its own process and its access log
lists every request it answered (createReport, getReport polls, getReportDocument, the document download, and the
LWA token exchanges, which are listed apart). The Orders API side is computed from the orders and lines that
landed: per seller account, getOrders pages of 100 plus one getOrderItems per order (the page size of order items
is not documented; no order here has more than 3 lines, so one call each), at the usage plans in
`lib/amazon/ratelimit.py`, with the least wall time those plans allow. Target: ≤ 5 report-path calls per 1000
orders (LWA included).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import DEMO_SETTINGS, OUT_DIR, REPO_ROOT, SandboxProcess, emit, machine, project_env

BENCHMARK = "sp_api_calls_per_1000_orders"
TARGET_PER_1000 = 5.0
ORDERS_PAGE = 100  # getOrders MaxResultsPerPage, at most 100

# Report-path requests by what they are (method, path pattern).
_OPERATIONS = (
    ("POST", re.compile(r"^/auth/o2/token$"), "lwa_token"),
    ("POST", re.compile(r"^/reports/2021-06-30/reports$"), "createReport"),
    ("GET", re.compile(r"^/reports/2021-06-30/reports$"), "getReports"),
    ("GET", re.compile(r"^/reports/2021-06-30/reports/[^/]+$"), "getReport"),
    ("DELETE", re.compile(r"^/reports/2021-06-30/reports/[^/]+$"), "cancelReport"),
    ("GET", re.compile(r"^/reports/2021-06-30/documents/[^/]+$"), "getReportDocument"),
    ("GET", re.compile(r"^/_documents/[^/]+$"), "document_download"),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def operation(method: str, path: str) -> str:
    for op_method, pattern, name in _OPERATIONS:
        if method == op_method and pattern.match(path):
            return name
    return f"other {method} {path}"


def sync_worker(days: int, storefront: str | None) -> dict:
    """In a fresh process pointed at the sandbox: the sync's loading half, then what landed, per storefront."""
    import dagster as dg

    from amazon_netsuite.lib.settings import sandbox_url
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.sync import sandbox_listening, sync_orders

    deadline = time.monotonic() + 60  # this process starts while the sandbox is still starting
    while not sandbox_listening(sandbox_url()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no sandbox answers at {sandbox_url()}")
        time.sleep(0.05)
    start = time.perf_counter()
    outcome = sync_orders(days, storefront, instance=dg.DagsterInstance.ephemeral(), say=log, post=False)
    seconds = time.perf_counter() - start
    with connect(read_only=True) as con:
        rows = con.execute(
            "SELECT storefront, count(DISTINCT amazon_order_id), count(*), max(line_count), "
            "  (SELECT count(*) FROM order_lines l WHERE l.storefront = o.storefront) "
            "FROM orders o GROUP BY storefront ORDER BY storefront").fetchall()
    return {
        "seconds": seconds,
        "failed": outcome.failed,
        "partition_runs": outcome.succeeded,
        "days": [d.isoformat() for d in outcome.days],
        "storefronts": {r[0]: {"orders": r[1], "order_days": r[2], "max_lines": r[3], "lines": r[4]} for r in rows},
    }


def orders_api_path(orders_by_account: dict[str, int]) -> dict:
    """Calls and least wall time the Orders API v0 would need for the same orders, at the published usage plans.

    Per seller account one getOrders query covers all its marketplaces; getOrderItems follows each page, so the
    two buckets drain in parallel and the slower one sets the pace. Accounts have buckets of their own."""
    from amazon_netsuite.lib.amazon.ratelimit import USAGE_PLANS

    get_orders, get_items = USAGE_PLANS["getOrders"], USAGE_PLANS["getOrderItems"]

    def least_seconds(calls: int, plan) -> float:
        return max(0, calls - plan.burst) / plan.rate

    pages = {a: math.ceil(n / ORDERS_PAGE) for a, n in orders_by_account.items()}
    seconds = max((max(least_seconds(pages[a], get_orders), least_seconds(n, get_items))
                   for a, n in orders_by_account.items()), default=0.0)
    return {
        "getOrders": sum(pages.values()),
        "getOrderItems": sum(orders_by_account.values()),
        "lwa_token": len(orders_by_account),
        "least_seconds": round(seconds),
        "usage_plans": {"getOrders": {"rate": get_orders.rate, "burst": get_orders.burst},
                        "getOrderItems": {"rate": get_items.rate, "burst": get_items.burst}},
    }


def start_child(env: dict[str, str], days: int, storefront: str | None) -> subprocess.Popen:
    args = [sys.executable, "-m", "bench.sp_api_calls_per_1000_orders", "--worker", "--days", str(days)]
    if storefront:
        args += ["--storefront", storefront]
    return subprocess.Popen(args, cwd=REPO_ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_child(child: subprocess.Popen) -> dict:
    out, err = child.communicate(timeout=1800)
    lines = [line for line in out.splitlines() if line.strip()]
    if child.returncode != 0 or not lines:
        raise RuntimeError(f"the sync failed (exit {child.returncode}):\n{err[-4000:]}")
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000,
                        help="orders the sandbox places over the window (what lands depends on the hour)")
    parser.add_argument("--days", type=int, default=7, help="the sync window, as `amazon-netsuite sync --days`")
    parser.add_argument("--storefront", help="one storefront (default: all)")
    parser.add_argument("--report-delay", type=float, default=2.0, help="seconds the sandbox takes over a report")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(sync_worker(args.days, args.storefront)), flush=True)
        return 0

    from amazon_netsuite.lib.settings import load_settings

    settings = load_settings(DEMO_SETTINGS)
    storefronts = [settings.storefront(args.storefront)] if args.storefront else settings.storefronts
    # Orders are placed evenly over the days, and each storefront of the world gets orders_per_day of its own.
    orders_per_day = max(1, math.ceil(args.orders / (args.days * len(storefronts))))

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sp_api_calls_", dir=OUT_DIR) as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        data_dir.mkdir()
        options = ["--orders-per-day", str(orders_per_day), "--history-days", str(args.days + 3),
                   "--report-delay", str(args.report_delay)]
        starting = SandboxProcess(work / "sandbox", *options, wait=False)
        log(f"sync --days {args.days} ({orders_per_day:,} orders a day per storefront) against {starting.url} ...")
        # The sync process starts (imports, loads the definitions) while the sandbox does; it waits for it.
        child = start_child(project_env(data_dir, starting.url), args.days, args.storefront)
        try:
            with starting as sandbox:
                sync = finish_child(child)
                sandbox.mark()  # lets the last access-log line land
                entries = sandbox.entries()  # the whole log: the sync is all that talked to this sandbox
        finally:
            if child.poll() is None:
                child.kill()
        if not entries:
            raise RuntimeError("the sandbox logged no request (is its access log off?):\n"
                               + starting.log_text()[-2000:])
        calls = Counter(operation(e.method, e.path) for e in entries)
        throttled = sum(1 for e in entries if e.status == 429)

    landed = sync["storefronts"]
    orders = sum(s["orders"] for s in landed.values())
    lines = sum(s["lines"] for s in landed.values())
    by_account = Counter()
    for key, s in landed.items():
        by_account[settings.account_of(key).key] += s["orders"]
    report_calls = {name: calls.get(name, 0) for _, _, name in _OPERATIONS}
    other = {k: v for k, v in calls.items() if k not in report_calls}
    sp_api = sum(v for k, v in report_calls.items() if k != "lwa_token")
    total = sp_api + report_calls["lwa_token"] + sum(other.values())
    orders_api = orders_api_path(dict(by_account))
    orders_api_total = orders_api["getOrders"] + orders_api["getOrderItems"] + orders_api["lwa_token"]
    per_1000 = round(total * 1000 / orders, 2) if orders else None
    orders_api_per_1000 = round(orders_api_total * 1000 / orders, 1) if orders else None
    emit(
        BENCHMARK,
        per_1000,
        "SP-API calls per 1000 orders (report path, LWA included)",
        orders_api_per_1000,
        round(per_1000 / orders_api_per_1000, 5) if orders else None,
        f"<= {TARGET_PER_1000:g} calls per 1000 orders",
        bool(orders) and per_1000 <= TARGET_PER_1000 and not sync["failed"],
        orders=orders,
        lines=lines,
        max_lines_per_order=max((s["max_lines"] for s in landed.values()), default=0),
        storefronts={k: s["orders"] for k, s in landed.items()},
        days=len(sync["days"]),
        partition_runs=sync["partition_runs"],
        failed_runs=sync["failed"],
        report_path_calls=report_calls,
        report_path_total=total,
        sp_api_calls_without_lwa=sp_api,
        other_calls=other,
        throttled=throttled,
        sync_seconds=round(sync["seconds"], 1),  # the report, then every orders_job run (typing included)
        orders_api_calls=orders_api,
        orders_api_total=orders_api_total,
        orders_api_least_hours=round(orders_api["least_seconds"] / 3600, 2),
        orders_per_day_per_storefront=orders_per_day,
        machine=machine(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
