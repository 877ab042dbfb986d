"""What every benchmark shares: the one JSON line it ends with, and honest timing and memory figures.

Measured work runs in a child process (`run_measured`) so its peak RSS is its own: the parent's generator, imports
and earlier runs do not count, and a benchmark comparing two ways of doing a job gives each a clean process.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "bench" / "out"
GIB = 1024**3


def emit(
    benchmark: str,
    figure: float,
    unit: str,
    baseline: float | None,
    ratio: float | None,
    target: str,
    passed: bool,
    **extras: Any,
) -> dict[str, Any]:
    """Print the benchmark's result as ONE JSON line (the last line of its output) and return it."""
    line = {
        "benchmark": benchmark,
        "figure": figure,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "pass": passed,
        **extras,
    }
    print(json.dumps(line, default=str), flush=True)
    return line


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_measured(module: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run `python -m module args...` from the repo root; its last stdout line is its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"{module} {' '.join(args)} printed nothing")
    return json.loads(lines[-1])


def machine() -> dict[str, Any]:
    """Enough about the machine to compare figures later."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    except (ValueError, OSError):
        memory = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1) if memory else None,
        "python": platform.python_version(),
    }


# --- the sandbox in a process of its own, and the project pointed at it ---------------------------------------

DEMO_SETTINGS = REPO_ROOT / "data" / "accounts.yaml"
# One line of uvicorn's access log: `127.0.0.1:5432 - "PUT /services/rest/record/v1/... HTTP/1.1" 204 No Content`.
_ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def project_env(data_dir: Path, sandbox_url: str, warehouse: Path | None = None) -> dict[str, str]:
    """Environment variables that point the project at a sandbox and keep its files under `data_dir`."""
    env = {
        "AMAZON_NETSUITE_DATA_DIR": str(data_dir),
        "AMAZON_NETSUITE_ACCOUNTS": str(DEMO_SETTINGS),
        "AMAZON_NETSUITE_SANDBOX_URL": sandbox_url,
        "AMAZON_NETSUITE_SANDBOX_DIR": str(data_dir / "sandbox"),
    }
    if warehouse is not None:
        env["AMAZON_NETSUITE_WAREHOUSE"] = str(warehouse)
    return env


@dataclass(frozen=True)
class AccessLogEntry:
    method: str
    path: str
    status: int


class SandboxProcess:
    """`amazon-netsuite sandbox serve` in its own process (its own GIL), its access log kept in a file.

    The access log is the sandbox's own account of every request it answered: benchmarks count calls and 429s
    from it rather than from the client under test. `mark()` / `entries(since=...)` split it between phases.
    """

    def __init__(self, state_dir: Path, *options: str, start_timeout: float = 60.0, wait: bool = True) -> None:
        """Start it; with `wait=False` return at once (do other set-up meanwhile), `with` waits until it answers."""
        self.state_dir = state_dir
        self._start_timeout = start_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = state_dir.with_name(state_dir.name + ".log")
        state_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "amazon_netsuite.cli", "sandbox", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--settings", str(DEMO_SETTINGS), "--state-dir", str(state_dir), *options],
            cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._up = False
        if wait:
            self.wait_until_up()

    def wait_until_up(self) -> None:
        import httpx

        if self._up:
            return
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the sandbox exited with {self._process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/_sandbox/health", timeout=1.0).status_code == 200:
                    self._up = True
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the sandbox did not answer on {self.url} within {self._start_timeout:.0f} s")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def entries(self, since: int = 0) -> list[AccessLogEntry]:
        """Requests the sandbox has logged, from the `since`-th on (health checks left out)."""
        found = []
        for match in _ACCESS_LINE.finditer(self.log_text()):
            path = match["target"].split("?", 1)[0]
            if path != "/_sandbox/health":
                found.append(AccessLogEntry(match["method"], path, int(match["status"])))
        return found[since:]

    def mark(self, settle: float = 0.1) -> int:
        """How many requests are logged so far (the access log trails the response by a moment)."""
        time.sleep(settle)
        return len(self.entries())

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()

    def __enter__(self) -> "SandboxProcess":
        try:
            self.wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# --- a warehouse of postable orders ----------------------------------------------------------------------------

POSTING_DAY = date(2026, 11, 16)  # a fixed day keeps the generated orders the same from run to run
POSTING_STOREFRONT = "demo-US"


def write_postable_orders(
    db_path: Path, n_orders: int, *, storefront: str = POSTING_STOREFRONT, day: date = POSTING_DAY, seed: int = 11
) -> dict[str, Any]:
    """A fresh warehouse holding exactly `n_orders` typed orders of one storefront-day, every one postable.

    The orders come from the sandbox world (at an `orders_per_day` high enough), as the seller account's order
    report over that day; the project's own parser and typing put them in `orders` / `order_lines`. Then only
    orders that `build_order_posting` turns into a record and whose SKUs all exist in the NetSuite sandbox are
    kept, the first `n_orders` of them by order id; the rest of the day is deleted.
    """
    import duckdb

    from amazon_netsuite.lib.orders.posting import OrderPosting, build_order_posting
    from amazon_netsuite.lib.orders.report_file import parse_order_report, route_order_rows
    from amazon_netsuite.lib.orders.typing import store_typed_orders
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.lib.warehouse import fetch_arrow
    from amazon_netsuite.schema import ensure_schema
    from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
    from amazon_netsuite.sandbox.world import World, order_report_rows, order_report_text

    settings = load_settings(DEMO_SETTINGS)
    account = settings.account_of(storefront)
    sales_channel = settings.storefront(storefront).sales_channel
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    end = start + timedelta(days=1) - timedelta(microseconds=1)
    # About 0.7 postable orders per orders_per_day land on a storefront-day (the rest wait, were cancelled, or
    # belong to another day); start a little above that and double until there are enough.
    orders_per_day = max(50, int(n_orders * 1.6))
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    while True:
        world = World(settings, seed=seed, orders_per_day=orders_per_day, first_day=day - timedelta(days=5),
                      today=day + timedelta(days=1))
        rows = [r for r in order_report_rows(world, account.key, start, end, as_of=end)
                if r["sales-channel"] == sales_channel]
        parsed = parse_order_report(order_report_text(rows), report_id=f"BENCH-{storefront}-{day}")
        routed = route_order_rows(parsed, settings)
        with duckdb.connect(str(db_path)) as con:
            ensure_schema(con)
            for table in ("order_report_rows", "orders", "order_lines", "order_report_quarantine"):
                con.execute(f"DELETE FROM {table}")
            con.register("routed_rows", routed.rows)
            con.execute("INSERT INTO order_report_rows BY NAME SELECT * FROM routed_rows")
            con.unregister("routed_rows")
            store_typed_orders(con, "order_report_rows", [settings.storefront(storefront)])
            where = [storefront, day]
            orders = fetch_arrow(con, "SELECT * FROM orders WHERE storefront = ? AND day = ? ORDER BY amazon_order_id",
                                 where).to_pylist()
            lines: dict[str, list[dict]] = {}
            day_lines = fetch_arrow(con, "SELECT * FROM order_lines WHERE storefront = ? AND day = ?", where)
            for line in day_lines.to_pylist():
                lines.setdefault(line["amazon_order_id"], []).append(line)
            keep = [
                o["amazon_order_id"] for o in orders
                if isinstance(build_order_posting(o, lines.get(o["amazon_order_id"], []), settings), OrderPosting)
                and not any(line["sku"] in MISSING_SKUS for line in lines.get(o["amazon_order_id"], []))
            ][:n_orders]
            if len(keep) == n_orders:
                for table in ("orders", "order_lines"):
                    con.execute(f"DELETE FROM {table} WHERE NOT list_contains(?, amazon_order_id)", [keep])
                con.execute("DELETE FROM order_report_rows")  # the text rows are not what this measures
                con.execute("CHECKPOINT")
                counted = con.execute(
                    "SELECT count(*), sum(line_count), string_agg(DISTINCT currency, ',') FROM orders").fetchone()
                by_type = dict(con.execute(
                    "SELECT CASE WHEN channel = 'FBA' THEN 'cashSale' ELSE 'salesOrder' END, count(*) "
                    "FROM orders GROUP BY 1").fetchall())
                total = con.execute("SELECT sum(order_total) FROM orders").fetchone()[0]
                return {"orders": counted[0], "lines": int(counted[1]), "currency": counted[2],
                        "by_record_type": by_type, "order_total": str(total), "orders_per_day": orders_per_day,
                        "storefront": storefront, "day": day.isoformat()}
        orders_per_day *= 2


def posting_totals(db_path: Path) -> dict[str, Decimal]:
    """External id → order total of every order in the warehouse: what NetSuite must hold, to the cent."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("SELECT storefront, amazon_order_id, order_total FROM orders").fetchall()
    return {f"AMZ-{storefront}-{order_id}": total for storefront, order_id, total in rows}


def netsuite_transactions(client, storefront: str = POSTING_STOREFRONT) -> list[dict[str, Any]]:
    """Every transaction the NetSuite account holds for the storefront, read back by SuiteQL (paged by id)."""
    return list(client.suiteql_by_key(
        "SELECT id, type, externalid, otherrefnum, foreigntotal FROM transaction "
        f"WHERE externalid LIKE 'AMZ-{storefront}-%'"))


def compare_with_netsuite(expected: dict[str, Decimal], transactions: list[dict[str, Any]]) -> dict[str, Any]:
    """Duplicates, lost and mis-totalled orders between the warehouse and what NetSuite holds."""
    from collections import Counter

    by_external_id = Counter(t["externalid"] for t in transactions)
    by_order_id = Counter(t.get("otherrefnum") for t in transactions)
    # The same external id twice, or one Amazon order under two external ids: either is an order posted twice.
    duplicates = sum(n - 1 for n in (*by_external_id.values(), *by_order_id.values()) if n > 1)
    posted = {t["externalid"]: Decimal(t["foreigntotal"]) for t in transactions}
    lost = sorted(set(expected) - set(posted))
    unexpected = sorted(set(posted) - set(expected))
    wrong_total = sorted(k for k in set(expected) & set(posted) if posted[k] != expected[k])
    return {
        "netsuite_records": len(transactions),
        "duplicates": duplicates,
        "lost": len(lost),
        "unexpected": len(unexpected),
        "totals_off": len(wrong_total),
        "warehouse_total": str(sum(expected.values(), Decimal(0))),
        "netsuite_total": str(sum(posted.values(), Decimal(0))),
        "examples": (lost + unexpected + wrong_total)[:3],
    }
