"""`amazon-netsuite sync`: load the last N days of every storefront through real Dagster runs and post them to
NetSuite, headless.

One order report per seller account covers the whole window (Amazon's createReport allows one a minute after a
burst), then each storefront-day runs `orders_job` with that report named in its tags and, once loaded,
`order_posting_job` (Sales Orders and Cash Sales), oldest day first so that each order's later states follow its
earlier ones. Then the settlements deposited in the last 30 days (`SETTLEMENT_WINDOW_DAYS`, whatever N is:
Amazon settles every 14 days) are found over getReports, and each storefront-day of a deposit runs
`settlements_job` and `settlement_posting_job`. In sandbox mode an embedded sandbox is started when none is
listening, with `SANDBOX_HISTORY_DAYS` of history so that settlements exist, and between the two phases the
sandbox's warehouse ships the MFN orders the world says have shipped (item fulfillments dated on the ship day), as
the seller's warehouse would in NetSuite: settlements then bill those Sales Orders. Never against live NetSuite.

The terminal gets one progress line and a summary; Dagster's run logs (every event, the per-order warnings) go to
a file under `data/logs/` through the instance's `python_logs` handlers, and to the instance's event log (the UI).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import httpx

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.orders.report_requests import ReportSource
from amazon_netsuite.lib.report_registry import day_window
from amazon_netsuite.lib.settings import (
    PROJECT_ROOT,
    Settings,
    data_dir,
    is_sandbox_mode,
    load_settings,
    netsuite_connection,
    sandbox_state_dir,
    sandbox_url,
)

INSTANCE_TEMPLATE = PROJECT_ROOT / "dagster_instance.yaml"
MAX_REPORT_DAYS = 30
# Settlements deposited in this many days (today included) are imported and posted by every sync.
SETTLEMENT_WINDOW_DAYS = 30
# History of an embedded (or `sandbox serve`) sandbox: with 35 days, every seller account × currency has two
# settlements deposited in the window (periods of 14 days; a report appears the day after its period ends).
SANDBOX_HISTORY_DAYS = 35


# The run's own events stay in the Dagster instance (the UI) and the sync's log file (`run_log_settings`); the
# console logger every run has by default would print them on the terminal, so only a CRITICAL event may.
QUIET_RUN = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_log_settings(log_file: Path) -> dict:
    """Instance `python_logs` settings that send every run's log records, DEBUG events included, to `log_file`
    (https://docs.dagster.io/concepts/logging/python-logging)."""
    return {"python_logs": {"dagster_handler_config": {
        "handlers": {"sync_log": {"class": "logging.FileHandler", "filename": str(log_file), "level": "DEBUG",
                                  "formatter": "sync_log", "encoding": "utf-8"}},
        "formatters": {"sync_log": {"format": "%(asctime)s %(levelname)s %(message)s"}},
    }}}


@contextmanager
def library_logs_to(log_file: Path) -> Iterator[None]:
    """Our libraries' own Python logs (SP-API and NetSuite retries, in runs and around them) go to `log_file` too:
    without a handler, Python prints their warnings on stderr, over the progress line."""
    logger = logging.getLogger("amazon_netsuite")
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s - %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # NetSuite's concurrency retries are INFO: routine, but worth a line in the log
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Storefront-days done of total, NetSuite records posted, open integration errors and time left.

    On a terminal the line is rewritten in place; elsewhere (CI, a log file) it is printed as a new line every
    `every_seconds` or each tenth of the way, and once more at the end. The total grows as each phase (orders,
    then settlements) learns its storefront-days; time left is the pace so far times what remains. `counts` gives
    (records posted, open errors); it opens the warehouse, so it is asked at most every `count_every_seconds`,
    and at the end."""

    def __init__(self, stream=None, *, counts: Callable[[], tuple[int, int]] | None = None,
                 tty: bool | None = None, every_seconds: float = 30.0, count_every_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.counts = counts
        self.every_seconds, self.count_every_seconds = every_seconds, count_every_seconds
        self.clock = clock
        self.started = clock()
        self.phase, self.total, self.done, self.posted, self.errors, self.failed_runs = "", 0, 0, 0, 0, 0
        self._counted_at = float("-inf")
        self._printed_at = self.started
        self._printed_tenth = 0
        self._drawn = False

    def add(self, phase: str, storefront_days: int) -> None:
        self.phase = phase
        self.total += storefront_days
        self._printed_tenth = self._tenth()
        self._draw()

    def advance(self, failed_runs: int = 0) -> None:
        """One more storefront-day done; `failed_runs` so far."""
        self.done += 1
        self.failed_runs = failed_runs
        if self.counts and self.clock() - self._counted_at >= self.count_every_seconds:
            self._count()
        if self.tty:
            self._draw()
        elif self.done < self.total and (self._tenth() > self._printed_tenth
                                         or self.clock() - self._printed_at >= self.every_seconds):
            self._print_line()

    def say(self, message: str) -> None:
        """A message above the progress line."""
        if self.tty and self._drawn:
            self.stream.write("\r\x1b[K")
        self.stream.write(message + "\n")
        self.stream.flush()
        self._drawn = False
        self._draw()

    def line(self, final: bool = False) -> str:
        elapsed = self.clock() - self.started
        if final:
            left = f"done in {_duration(elapsed)}"
        elif self.done:
            left = f"about {_duration(elapsed / self.done * (self.total - self.done))} left"
        else:
            left = "time left not known yet"
        failed = f", {self.failed_runs} failed runs" if self.failed_runs else ""
        return (f"{self.phase} {self.done}/{self.total} storefront-days, {self.posted} records posted, "
                f"{self.errors} open errors{failed}, {left}")

    def close(self) -> None:
        """The final line, with fresh counts, kept on screen."""
        if self.counts:
            self._count()
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line(final=True) + "\n")
        else:
            self.stream.write(self.line(final=True) + "\n")
        self.stream.flush()
        self._drawn = False

    def _count(self) -> None:
        self.posted, self.errors = self.counts()
        self._counted_at = self.clock()

    def _tenth(self) -> int:
        return self.done * 10 // self.total if self.total else 0

    def _draw(self) -> None:
        if self.tty and self.total:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
            self._drawn = True

    def _print_line(self) -> None:
        self.stream.write(self.line() + "\n")
        self.stream.flush()
        self._printed_at = self.clock()
        self._printed_tenth = self._tenth()


def sandbox_listening(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sandbox/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def embedded_sandbox(settings: Settings, say: Callable[[str], None]) -> Iterator[str | None]:
    """Start a sandbox in this process when in sandbox mode and none answers at the configured URL."""
    if not is_sandbox_mode(settings):
        yield None
        return
    url = sandbox_url()
    if sandbox_listening(url):
        yield url
        return
    from amazon_netsuite.sandbox.config import SandboxConfig
    from amazon_netsuite.sandbox.server import start_in_thread

    parsed = urlparse(url)
    config = SandboxConfig(settings=settings, state_dir=sandbox_state_dir(), history_days=SANDBOX_HISTORY_DAYS)
    with start_in_thread(config, host=parsed.hostname or "127.0.0.1", port=parsed.port or 0) as running:
        say(f"started an embedded sandbox at {running.url}")
        previous = os.environ.get("AMAZON_NETSUITE_SANDBOX_URL")
        os.environ["AMAZON_NETSUITE_SANDBOX_URL"] = running.url
        try:
            yield running.url
        finally:
            if previous is None:
                os.environ.pop("AMAZON_NETSUITE_SANDBOX_URL", None)
            else:
                os.environ["AMAZON_NETSUITE_SANDBOX_URL"] = previous


def dagster_instance(log_file: Path | None = None) -> dg.DagsterInstance:
    """The persistent instance under DAGSTER_HOME (created with the project's settings), else an ephemeral one;
    with `log_file`, its runs also write their logs there."""
    settings = run_log_settings(log_file) if log_file else None
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral(settings=settings)
    Path(home).mkdir(parents=True, exist_ok=True)
    config = Path(home) / "dagster.yaml"
    if not config.exists() and INSTANCE_TEMPLATE.exists():
        shutil.copyfile(INSTANCE_TEMPLATE, config)
    if settings is None:
        return dg.DagsterInstance.get()
    # `local_temp` over a given directory is the regular persistent instance of that dagster.yaml, here with the
    # sync's log settings on top (the UI's `dg dev` reads the file alone).
    return dg.DagsterInstance.local_temp(tempdir=home, overrides=settings)


@dataclass
class SyncOutcome:
    report_ids: dict[str, str] = field(default_factory=dict)  # seller account → its newest order report id
    failed: list[str] = field(default_factory=list)  # "job partition-key" of every failed run
    succeeded: int = 0  # partition runs (loading and posting each count)
    days: list[date] = field(default_factory=list)
    settlement_partitions: list[str] = field(default_factory=list)  # "storefront day" of each deposit imported
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    run_seconds: dict[str, float] = field(default_factory=dict)  # storefront → seconds its runs took


def sync_orders(
    days: int,
    storefront: str | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    say: Callable[[str], None] = print,
    poll_seconds: float = 1.0,
    post: bool = True,
    progress: Progress | None = None,
    outcome: SyncOutcome | None = None,
    now: datetime | None = None,
) -> SyncOutcome:
    """Request one report per account for the window and run `orders_job` for every storefront-day in it, then
    `order_posting_job` for the days that loaded (unless `post` is False). The window ends at `now` (default: the
    clock's now; a test whose sandbox clock stands in the past passes it)."""
    from amazon_netsuite.defs.helpers import REPORT_ID_TAG
    from amazon_netsuite.definitions import build_definitions

    settings = load_settings()
    if days < 1:
        raise ValueError("--days must be at least 1")
    chosen = [settings.storefront(storefront)] if storefront else settings.active_storefronts
    now = now or datetime.now(timezone.utc)
    first_day = max(now.date() - timedelta(days=days - 1), settings.partitions.start_date)
    outcome = outcome or SyncOutcome()
    outcome.days = [first_day + timedelta(days=i) for i in range((now.date() - first_day).days + 1)]
    definitions = build_definitions(settings)
    jobs = [definitions.resolve_job_def("orders_job")]
    if post:
        jobs.append(definitions.resolve_job_def("order_posting_job"))
    instance = instance or dagster_instance()

    # Amazon keeps order reports for 30 days and tools cap a report's range there: a longer window is loaded as
    # several reports of at most MAX_REPORT_DAYS days each, oldest first.
    chunks = [outcome.days[i:i + MAX_REPORT_DAYS] for i in range(0, len(outcome.days), MAX_REPORT_DAYS)]
    in_accounts = [sf for account in settings.seller_accounts for sf in account.storefronts if sf in chosen]
    if progress:
        progress.add("orders", len(in_accounts) * len(outcome.days))
    for account in settings.seller_accounts:
        account_storefronts = [s for s in account.storefronts if s in chosen]
        if not account_storefronts:
            continue
        for chunk in chunks:
            report_id = _load_order_report(account, chunk, now, poll_seconds, say)
            outcome.report_ids[account.key] = report_id
            for sf in account_storefronts:
                for day in chunk:
                    _run_storefront_day(jobs, sf.key, day, instance, {REPORT_ID_TAG: report_id}, outcome, say)
                    if progress:
                        progress.advance(failed_runs=len(outcome.failed))
    return outcome


def _load_order_report(account, days: list[date], now: datetime, poll_seconds: float,
                       say: Callable[[str], None]) -> str:
    """Request the account's order report over `days` (up to two minutes ago), wait for it and land it."""
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse

    with SellerCentral().reports(account.key) as api:
        start, end = day_window(days[0])[0], min(day_window(days[-1])[1], now - timedelta(minutes=2))
        report_id = api.create_report(ORDER_REPORT_TYPE, account.marketplace_ids, start, end)
        say(f"{account.key}: order report {report_id} requested for {start:%Y-%m-%d} .. {end:%Y-%m-%d %H:%M} UTC")
        source = ReportSource(api, Warehouse().connection, account.key, account.marketplace_ids,
                              poll_seconds=poll_seconds)
        report = source.load(report_id)
        say(f"{account.key}: report {report_id} {report.processing_status}")
    return report_id


def _load_ledger_report(account, days: list[date], say: Callable[[str], None]) -> str:
    """Request the account's FBA ledger over `days` (up to now, so it covers the snapshots just taken), wait for it
    and land it."""
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse
    from amazon_netsuite.lib.amazon.reports import ReportsApi
    from amazon_netsuite.lib.inventory.ledger_reports import load_ledger_report

    start = day_window(days[0])[0]
    end = min(day_window(days[-1])[1], datetime.now(timezone.utc))
    with SellerCentral().client(account.key) as client:
        report = load_ledger_report(ReportsApi(client), Warehouse().connection, account.key,
                                    account.marketplace_ids, start, end, poll_seconds=1.0)
    say(f"{account.key}: FBA ledger report {report.report_id} for {start:%Y-%m-%d} .. {end:%Y-%m-%d %H:%M} UTC")
    return report.report_id


def sandbox_warehouse_ships(settings: Settings, say: Callable[[str], None] = print) -> dict | None:
    """In sandbox mode, the seller's warehouse fulfils the Sales Orders of shipped MFN orders
    (`POST /_sandbox/netsuite/warehouse/ship`); against live NetSuite it does nothing and returns None: there the
    seller's warehouse or WMS fulfils them."""
    connection = netsuite_connection(settings)
    if not connection.sandbox:
        return None
    response = httpx.post(f"{connection.base_url}/_sandbox/netsuite/warehouse/ship", timeout=120)
    response.raise_for_status()
    done = response.json()
    say(f"sandbox warehouse: {len(done['fulfilled'])} MFN Sales Orders fulfilled on their ship day "
        f"({done['already_fulfilled']} already, {done['not_shipped_yet']} not shipped yet"
        + (f", {len(done['refused'])} refused: {done['refused'][0]['reason']}" if done["refused"] else "") + ")")
    return done


def sync_settlements(
    window_days: int = SETTLEMENT_WINDOW_DAYS,
    storefront: str | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    say: Callable[[str], None] = print,
    post: bool = True,
    outcome: SyncOutcome | None = None,
    progress: Progress | None = None,
) -> SyncOutcome:
    """Find the settlement reports of every seller account, land each document once, then run `settlements_job`
    (and `settlement_posting_job` unless `post` is False) for each storefront-day with a deposit in the last
    `window_days` days, files loaded by hand (`amazon-netsuite settlements load`) included."""
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse
    from amazon_netsuite.definitions import build_definitions
    from amazon_netsuite.lib.report_files import ReportFileError
    from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
    from amazon_netsuite.lib.settlements.documents import documents_deposited
    from amazon_netsuite.lib.settlements.landing import land_amazon_report
    from amazon_netsuite.lib.settlements.match import UnknownStorefront

    settings = load_settings()
    outcome = outcome or SyncOutcome()
    chosen = [settings.storefront(storefront)] if storefront else settings.active_storefronts
    today = datetime.now(timezone.utc).date()
    first_day = max(today - timedelta(days=window_days - 1), settings.partitions.start_date)
    # A report appears after its 14-day period ends, up to a few days before its deposit.
    listed_since = datetime.combine(first_day, datetime.min.time(), timezone.utc) - timedelta(days=15)
    for account in settings.seller_accounts:
        if not any(s in chosen for s in account.storefronts):
            continue
        with SellerCentral().reports(account.key) as api:
            reports = list(api.get_reports([REPORT_TYPE], processing_statuses=["DONE"], created_since=listed_since))
            for report in reports:
                try:
                    land_amazon_report(Warehouse().connection, api, account.key, report, settings)
                except (ReportFileError, UnknownStorefront) as exc:
                    say(f"{account.key}: settlement report {report.report_id} not imported: {exc}")
        say(f"{account.key}: {len(reports)} settlement report(s) since {listed_since:%Y-%m-%d}")
    with Warehouse().connection() as con:
        docs = documents_deposited(con, first_day, today, [s.key for s in chosen])
    definitions = build_definitions(settings)
    jobs = [definitions.resolve_job_def("settlements_job")]
    if post:
        jobs.append(definitions.resolve_job_def("settlement_posting_job"))
    instance = instance or dagster_instance()
    storefront_days = list(dict.fromkeys((d.storefront, d.day) for d in docs))
    if progress:
        progress.add("settlements", len(storefront_days))
    for storefront_key, day in storefront_days:
        outcome.settlement_partitions.append(f"{storefront_key} {day}")
        _run_storefront_day(jobs, storefront_key, day, instance, {}, outcome, say)
        if progress:
            progress.advance(failed_runs=len(outcome.failed))
    return outcome


def sync_inventory(
    storefront: str | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    say: Callable[[str], None] = print,
    days: list[date] | None = None,
    outcome: SyncOutcome | None = None,
    progress: Progress | None = None,
) -> SyncOutcome:
    """Take today's snapshots and push each storefront's changed quantities (`inventory_job`), load each day's FBA
    ledger and post its adjustments (and, at go-live, the FBA location's opening balance, which needs a snapshot the
    ledger covers), then take today's snapshots again so `fba_stock_differences` compares NetSuite after them; for
    the storefronts whose inventory flow is on."""
    from amazon_netsuite.defs.helpers import REPORT_ID_TAG
    from amazon_netsuite.definitions import build_definitions
    from amazon_netsuite.lib.inventory.ledger_reports import LedgerUnavailable

    settings = load_settings()
    outcome = outcome or SyncOutcome()
    if not settings.flows.inventory:
        return outcome
    chosen = [storefront] if storefront else [s.key for s in settings.active_storefronts]
    today = datetime.now(timezone.utc).date()
    days = days or [today]
    definitions = build_definitions(settings)
    ledger, inventory = (definitions.resolve_job_def(name) for name in ("fba_ledger_job", "inventory_job"))
    instance = instance or dagster_instance()
    if progress:
        progress.add("inventory", len(chosen) * (len(days) + 2))

    def snapshots() -> None:  # every storefront's: the push inside skips one whose push is off
        for key in chosen:
            _run_storefront_day([inventory], key, today, instance, {}, outcome, say)
            if progress:
                progress.advance(failed_runs=len(outcome.failed))

    snapshots()
    for account in settings.seller_accounts:
        keys = [s.key for s in account.storefronts if s.key in chosen]
        if not keys:
            continue
        # One ledger report per account over the window, read by each storefront-day, as for orders.
        try:
            report_id = _load_ledger_report(account, days, say)
        except LedgerUnavailable as exc:
            say(f"{account.key}: FBA ledger not loaded: {exc}")
            outcome.failed.append(f"fba_ledger_job {account.key}")
            continue
        for key in keys:
            for day in days:
                _run_storefront_day([ledger], key, day, instance, {REPORT_ID_TAG: report_id}, outcome, say)
                if progress:
                    progress.advance(failed_runs=len(outcome.failed))
    snapshots()
    return outcome


def sync_today(
    flow: str,
    storefront: str | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    say: Callable[[str], None] = print,
    outcome: SyncOutcome | None = None,
    progress: Progress | None = None,
    days: list[date] | None = None,
    keys: list[str] | None = None,
) -> SyncOutcome:
    """Run today's partition (or each of `days`) of a flow that reads NetSuite as of now and sends Amazon what
    changed, for each storefront, when the flow is on: `pricing` (price list, changed prices), `listings` (product
    master, listings created, updated, retired) or `shipments` (the days' shipped packages confirmed); or, given
    `keys`, those partitions' (the vendor flow's accounts)."""
    from amazon_netsuite.definitions import build_definitions

    settings = load_settings()
    outcome = outcome or SyncOutcome()
    if not getattr(settings.flows, flow):
        return outcome
    chosen = keys or ([storefront] if storefront else [s.key for s in settings.active_storefronts])
    job = build_definitions(settings).resolve_job_def(f"{flow}_job")
    instance = instance or dagster_instance()
    days = days or [datetime.now(timezone.utc).date()]
    if progress:
        progress.add(flow, len(chosen) * len(days))
    for key in chosen:
        for day in days:
            _run_storefront_day([job], key, day, instance, {}, outcome, say)
            if progress:
                progress.advance(failed_runs=len(outcome.failed))
    return outcome


def sync_vendor(*, instance: dg.DagsterInstance, say: Callable[[str], None], days: list[date],
                outcome: SyncOutcome, progress: Progress | None = None) -> None:
    """Each active vendor account's purchase orders of `days`: landed, posted as Sales Orders and, where approved,
    acknowledged (`vendor_job`), oldest day first."""
    accounts = [v.key for v in load_settings().active_vendor_accounts]
    if accounts:
        sync_today("vendor", instance=instance, say=say, outcome=outcome, progress=progress, days=days, keys=accounts)


def vendor_rows(accounts: list[str]) -> list[dict]:
    """Per vendor account: purchase orders landed, Sales Orders posted, and how many are in each integration status
    (awaiting approval, awaiting Amazon, confirmed, rejected or held), and open errors."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        return [dict(zip(("account", "purchase_orders", "posted", "awaiting_approval", "awaiting_amazon", "confirmed",
                          "rejected", "errors"), row)) for row in con.execute(
            """
            SELECT a.key,
                   (SELECT count(DISTINCT purchase_order_number) FROM vendor_purchase_orders p WHERE p.storefront = a.key),
                   (SELECT count(*) FROM netsuite_postings n WHERE n.flow = 'vendor' AND n.storefront = a.key
                      AND n.status = 'posted'),
                   (SELECT count(*) FROM vendor_order_status s WHERE s.storefront = a.key
                      AND s.status LIKE 'awaiting approval%'),
                   (SELECT count(*) FROM vendor_order_status s WHERE s.storefront = a.key
                      AND s.status LIKE 'acknowledged%'),
                   (SELECT count(*) FROM vendor_order_status s WHERE s.storefront = a.key
                      AND s.status LIKE 'posted, awaiting shipment%'),
                   (SELECT count(*) FROM vendor_order_status s WHERE s.storefront = a.key
                      AND (s.status LIKE 'rejected%' OR s.status LIKE 'held%')),
                   (SELECT count(DISTINCT key) FROM integration_errors e WHERE e.flow = 'vendor'
                      AND e.storefront = a.key AND e.resolved IS NULL)
            FROM (SELECT unnest($accounts) AS key) a ORDER BY a.key
            """, {"accounts": accounts}).fetchall()]


def settlement_rows(first_day: date, last_day: date, storefronts: list[str]) -> list[dict]:
    """Per settlement deposited in the window: totals, tie-out, unmatched lines and NetSuite records posted."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        table = con.sql(
            """
            SELECT storefront, deposit_day, settlement_id, currency, total_amount, line_count, ties_out,
                   unmatched_order_lines, netsuite_records_posted
            FROM settlement_overview WHERE deposit_day BETWEEN ? AND ? AND list_contains(?, storefront)
            ORDER BY deposit_day, storefront
            """,
            params=[first_day, last_day, storefronts],
        ).to_arrow_table()
    return table.to_pylist()


def _run_storefront_day(jobs, storefront: str, day: date, instance, tags: dict, outcome: SyncOutcome,
                        say: Callable[[str], None]) -> None:
    """Run each job for the storefront-day in turn; a later job (posting) runs only if the earlier ones succeeded."""
    started = time.monotonic()
    for job in jobs:
        if not _run_partition(job, partition_key(storefront, day), instance, tags, outcome, say):
            break
    outcome.run_seconds[storefront] = outcome.run_seconds.get(storefront, 0.0) + time.monotonic() - started


def posted_and_open_errors(storefronts: list[str], since: datetime) -> tuple[int, int]:
    """NetSuite records the ledger shows posted since `since`, and open integration errors, of these storefronts."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        return con.execute(
            """
            SELECT (SELECT count(*) FROM netsuite_postings WHERE status = 'posted' AND last_attempt >= $since
                      AND list_contains($storefronts, storefront)),
                   (SELECT count(*) FROM (SELECT DISTINCT flow, storefront, key FROM integration_errors
                      WHERE resolved IS NULL AND list_contains($storefronts, storefront)))
            """,
            {"since": since.astimezone(timezone.utc).replace(tzinfo=None), "storefronts": storefronts},
        ).fetchone()


def _run_partition(job, key, instance, tags: dict, outcome: SyncOutcome, say: Callable[[str], None]) -> bool:
    result = job.execute_in_process(partition_key=key, instance=instance, tags=tags, run_config=QUIET_RUN,
                                    raise_on_error=False)
    if result.success:
        outcome.succeeded += 1
        return True
    _failed(result, f"{job.name} {key}", outcome, say)
    return False


def _failed(result, label: str, outcome: SyncOutcome, say: Callable[[str], None]) -> None:
    outcome.failed.append(label)
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    detail = failure.event_specific_data.error.message.strip() if failure else "run failed"
    say(f"FAILED {label}: {detail}")


def sync_netsuite_metadata(instance: dg.DagsterInstance, say: Callable[[str], None], outcome: SyncOutcome) -> None:
    """Refresh NetSuite's setup records (`netsuite_metadata`) before any flow posts, and say whether a mapping of
    the settings names one that is missing or inactive (the run's check says which)."""
    from amazon_netsuite.definitions import build_definitions
    from amazon_netsuite.lib.netsuite_metadata.records import settings_stale, stored_metadata
    from amazon_netsuite.lib.warehouse import connect

    settings = load_settings()
    job = build_definitions(settings).resolve_job_def("netsuite_metadata_job")
    result = job.execute_in_process(instance=instance, run_config=QUIET_RUN, raise_on_error=False)
    if not result.success:
        _failed(result, job.name, outcome, say)
        return
    with connect() as con:
        records = stored_metadata(con)
    stale = settings_stale(settings, records)
    setup = sum(1 for r in records if r.record_type != "customer")  # the named customers are read beside them
    say(f"NetSuite metadata: {setup} setup records read; "
        + (f"{len(stale)} mapping(s) name a missing or inactive record (`amazon-netsuite netsuite "
           "refresh-metadata` lists them)" if stale else "every mapping names an active record"))


def summary_rows(storefronts: list[str], first_day: date, last_day: date,
                 settled_from: date | None = None) -> list[dict]:
    """Per storefront: orders (distinct ids across the days), lines, quarantined rows, and what of those orders is in
    NetSuite (Sales Orders, Cash Sales; a record whose later update failed is still in NetSuite, so it counts);
    settlements deposited from `settled_from` (default: the settlement window) to `last_day` whose records all
    posted; open `integration_errors` of either flow."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    settled_from = settled_from or last_day - timedelta(days=SETTLEMENT_WINDOW_DAYS - 1)
    columns = ("storefront", "orders", "order_days", "lines", "quarantined", "sales_orders", "cash_sales",
               "settlements", "errors")
    with connect() as con:
        ensure_schema(con)
        rows = con.execute(
            """
            WITH window_orders AS (
              SELECT DISTINCT storefront, amazon_order_id FROM orders WHERE day BETWEEN $first AND $last
            )
            SELECT s.storefront,
                   (SELECT count(*) FROM window_orders w WHERE w.storefront = s.storefront) AS orders,
                   (SELECT count(*) FROM orders o WHERE o.storefront = s.storefront
                     AND o.day BETWEEN $first AND $last) AS order_days,
                   (SELECT count(*) FROM order_lines l WHERE l.storefront = s.storefront
                     AND l.day BETWEEN $first AND $last) AS lines,
                   (SELECT count(*) FROM order_report_quarantine q WHERE q.storefront = s.storefront
                     AND q.day BETWEEN $first AND $last) AS quarantined,
                   (SELECT count(*) FILTER (WHERE p.record_type = 'salesOrder') FROM netsuite_postings p
                     JOIN window_orders w ON w.storefront = p.storefront AND w.amazon_order_id = p.key
                     WHERE p.flow = 'orders' AND p.storefront = s.storefront AND p.posted_body IS NOT NULL) AS sales_orders,
                   (SELECT count(*) FILTER (WHERE p.record_type = 'cashSale') FROM netsuite_postings p
                     JOIN window_orders w ON w.storefront = p.storefront AND w.amazon_order_id = p.key
                     WHERE p.flow = 'orders' AND p.storefront = s.storefront AND p.posted_body IS NOT NULL) AS cash_sales,
                   (SELECT count(*) FROM settlement_overview v WHERE v.storefront = s.storefront
                     AND v.deposit_day BETWEEN $settled_from AND $last AND v.netsuite_records_posted > 0
                     AND NOT EXISTS (SELECT 1 FROM netsuite_postings f WHERE f.flow = 'settlements'
                       AND f.status = 'failed' AND f.external_id LIKE 'AMZ-STL-' || v.settlement_id || '-%')
                   ) AS settlements,
                   (SELECT count(*) FROM (SELECT DISTINCT flow, key FROM integration_errors e
                     WHERE e.storefront = s.storefront AND e.resolved IS NULL)) AS errors
            FROM (SELECT unnest($storefronts::VARCHAR[]) AS storefront) s ORDER BY 1
            """,
            {"first": first_day, "last": last_day, "settled_from": settled_from, "storefronts": storefronts},
        ).fetchall()
    return [dict(zip(columns, r)) for r in rows]


def _money(value) -> str:
    from amazon_netsuite.lib.money import decimal_text

    return decimal_text(value)


SUMMARY_COLUMNS = {  # name → (heading, width); the storefront is left-aligned, figures right-aligned
    "storefront": ("storefront", 12), "orders": ("orders", 8), "lines": ("lines", 8),
    "quarantined": ("quarantined", 13), "sales_orders": ("sales-orders", 14), "cash_sales": ("cash-sales", 12),
    "settlements": ("settlements", 13), "errors": ("errors", 8), "run_time": ("run-time", 10),
}


def _summary_line(values: dict) -> str:
    return "".join(f"{values[name]:<{width}}" if name == "storefront" else f"{values[name]:>{width}}"
                   for name, (_, width) in SUMMARY_COLUMNS.items())


def run_sync(days: int, storefront: str | None = None, post: bool = True) -> int:
    """The CLI entry: sync with a progress line, print a per-storefront summary, exit non-zero if any run failed.

    Dagster's run logs go to `data/logs/sync-<UTC time>.log` (and the instance's event log), not the terminal."""
    settings = load_settings()
    keys = [storefront] if storefront else [s.key for s in settings.active_storefronts]
    outcome = SyncOutcome()
    log_file = data_dir() / "logs" / f"sync-{outcome.started:%Y%m%dT%H%M%SZ}.log"
    progress = Progress(counts=lambda: posted_and_open_errors(keys, outcome.started))
    say = progress.say
    # One instance for every run: a second DagsterInstance over the same fresh DAGSTER_HOME trips over its own
    # schedule-storage migration ("more than one head").
    instance = dagster_instance(log_file)
    with library_logs_to(log_file), embedded_sandbox(settings, say), warnings.catch_warnings():
        # Dagster flags YAML-configured log handlers as beta, once per run; the terminal need not hear it.
        warnings.simplefilter("ignore", dg.BetaWarning)
        sync_netsuite_metadata(instance, say, outcome)
        sync_orders(days, storefront, post=post, instance=instance, say=say, progress=progress, outcome=outcome)
        if post:  # orders posted; the shipped Sales Orders are billed and Amazon hears of the shipments
            sandbox_warehouse_ships(settings, say)
            sync_today("shipments", storefront, instance=instance, say=say, outcome=outcome, progress=progress,
                       days=outcome.days)
        sync_settlements(storefront=storefront, post=post, outcome=outcome, instance=instance, say=say,
                         progress=progress)
        if post:  # the orders posted move NetSuite's stock: push it, and bring FBA's movements in
            sync_inventory(storefront, instance=instance, say=say, days=outcome.days, outcome=outcome,
                           progress=progress)
        if post:  # and Amazon's side: new listings before their prices (a price for an unlisted SKU is refused)
            for flow in ("listings", "pricing"):
                sync_today(flow, storefront, instance=instance, say=say, outcome=outcome, progress=progress)
        if post and storefront is None:  # Vendor Central: the days' purchase orders into NetSuite, acknowledged
            sync_vendor(instance=instance, say=say, days=outcome.days, outcome=outcome, progress=progress)
    progress.close()
    elapsed = datetime.now(timezone.utc) - outcome.started
    today = outcome.days[-1]
    table = summary_rows(keys, outcome.days[0], today)
    print()
    print(_summary_line({name: heading for name, (heading, _) in SUMMARY_COLUMNS.items()}))
    for row in table:
        print(_summary_line({**row, "run_time": _duration(outcome.run_seconds.get(row["storefront"], 0))}))
    settled = settlement_rows(today - timedelta(days=SETTLEMENT_WINDOW_DAYS - 1), today, keys)
    print(f"\nSettlements deposited in the last {SETTLEMENT_WINDOW_DAYS} days:")
    print(f"{'storefront':<12}{'deposit':<12}{'settlement':<13}{'total':>14} {'cur':<5}{'lines':>7}"
          f"{'ties-out':>10}{'unmatched':>11}{'posted':>8}")
    for row in settled:
        print(f"{row['storefront']:<12}{str(row['deposit_day']):<12}{row['settlement_id']:<13}"
              f"{_money(row['total_amount']):>14} {row['currency']:<5}{row['line_count']:>7}"
              f"{'yes' if row['ties_out'] else 'NO':>10}{row['unmatched_order_lines']:>11}"
              f"{row['netsuite_records_posted']:>8}")
    if not settled:
        print("none (a settlement needs 15 days of history: `sandbox serve --history-days 35`)")
    if post and settings.flows.inventory:
        print("\nInventory today (messages sent to Amazon, SKUs held back, FBA SKUs whose NetSuite quantity differs):")
        for row in inventory_rows(keys, today):
            print(f"  {row['storefront']:<12}{row['sent']:>6} sent{row['accepted']:>6} accepted"
                  f"{row['held_back']:>6} held back{row['fba_differences']:>6} FBA differences")
    if post and settings.flows.shipments:
        print("\nShipments confirmed to Amazon (packages shipped in the window, by status):")
        for row in shipment_rows(keys, outcome.days[0], today):
            print(f"  {row['storefront']:<12}{row['confirmed']:>6} confirmed{row['held_no_tracking']:>6} held without "
                  f"tracking{row['refused']:>6} refused{row['failed']:>6} failed")
    if post and settings.flows.pricing:
        print("\nPrices today (SKUs priced, held back, messages sent and accepted, SKUs Amazon shows differently):")
        for row in price_rows(keys, today):
            print(f"  {row['storefront']:<12}{row['priced']:>6} priced{row['held_back']:>6} held back"
                  f"{row['sent']:>6} sent{row['accepted']:>6} accepted{row['differ']:>6} differ")
    if post and settings.flows.listings:
        print("\nListings today (created, updated, retired on Amazon; refused by its validation; cannot be listed):")
        for row in listing_rows(keys, today):
            print(f"  {row['storefront']:<12}{row['created']:>6} created{row['updated']:>6} updated"
                  f"{row['retired']:>6} retired{row['refused']:>6} refused{row['unlistable']:>6} cannot be listed")
    vendors = [v.key for v in settings.active_vendor_accounts]
    if post and storefront is None and settings.flows.vendor and vendors:
        print("\nVendor Central purchase orders (landed, Sales Orders posted; awaiting approval in NetSuite, awaiting "
              "Amazon, confirmed, rejected or held; open errors):")
        for row in vendor_rows(vendors):
            print(f"  {row['account']:<12}{row['purchase_orders']:>6} landed{row['posted']:>6} posted"
                  f"{row['awaiting_approval']:>6} to approve{row['awaiting_amazon']:>6} awaiting Amazon"
                  f"{row['confirmed']:>6} confirmed{row['rejected']:>6} rejected or held{row['errors']:>6} errors")
    print(f"\n{outcome.succeeded} partition runs succeeded, {len(outcome.failed)} failed "
          f"({outcome.days[0]} .. {outcome.days[-1]}) in {_duration(elapsed.total_seconds())}")
    print(f"Run logs: {log_file}")
    if post and any(row["errors"] for row in table):
        print("Records NetSuite could not take wait in integration_errors with their reason: "
              "amazon-netsuite sql \"SELECT flow, storefront, key, error_class, message FROM integration_errors "
              "WHERE resolved IS NULL\"")
    refused = settlement_posting_errors(outcome.settlement_partitions) if post else []
    if refused:
        print("Settlement postings NetSuite did not take (they wait in integration_errors; "
              "retry_failed_settlement_postings_every_30_minutes posts them once the cause is fixed):")
        for error in refused:
            print(f"  {error.storefront} {error.day} settlement {error.settlement_id}: {error}")
    return 1 if outcome.failed or refused else 0


def price_rows(storefronts: list[str], day: date) -> list[dict]:
    """Per storefront: today's priced and held-back SKUs, messages sent and accepted, and priced SKUs whose price
    Amazon last accepted differs from the price list (the gate held them, or Amazon refused them)."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        return con.sql(
            """
            SELECT s.storefront,
                   (SELECT count(*) FROM price_list l WHERE l.storefront = s.storefront AND l.day = $day
                      AND l.price IS NOT NULL) AS priced,
                   (SELECT count(*) FROM price_list l WHERE l.storefront = s.storefront AND l.day = $day
                      AND l.held_back_reason IS NOT NULL) AS held_back,
                   (SELECT count(*) FROM price_feed_submissions f WHERE f.storefront = s.storefront
                      AND f.day = $day) AS sent,
                   (SELECT count(*) FROM price_feed_submissions f WHERE f.storefront = s.storefront
                      AND f.day = $day AND f.outcome IN ('accepted', 'read_back')) AS accepted,
                   (SELECT count(*) FROM price_list l LEFT JOIN amazon_listing_prices a USING (storefront, sku)
                      WHERE l.storefront = s.storefront AND l.day = $day AND l.price IS NOT NULL
                        AND a.price IS DISTINCT FROM l.price) AS differ
            FROM (SELECT unnest($storefronts::VARCHAR[]) AS storefront) s ORDER BY s.storefront
            """, params={"day": day, "storefronts": storefronts}).to_arrow_table().to_pylist()


def shipment_rows(storefronts: list[str], first_day: date, last_day: date) -> list[dict]:
    """Per storefront: the packages shipped in the window by their confirmation status."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    statuses = ("confirmed", "held_no_tracking", "refused", "failed")
    with connect() as con:
        ensure_schema(con)
        rows = con.execute(
            "SELECT s.storefront, " + ", ".join(f"count(c.status) FILTER (WHERE c.status = '{st}')" for st in statuses)
            + """ FROM (SELECT unnest(?::VARCHAR[]) AS storefront) s
                 LEFT JOIN shipment_confirmations c ON c.storefront = s.storefront AND c.day BETWEEN ? AND ?
                 GROUP BY 1 ORDER BY 1""", [storefronts, first_day, last_day]).fetchall()
    return [dict(zip(("storefront", *statuses), r)) for r in rows]


def listing_rows(storefronts: list[str], day: date) -> list[dict]:
    """Per storefront: today's listings created, updated and retired, SKUs whose preview Amazon refused, and open
    errors of SKUs that cannot be listed."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        return con.sql(
            """
            SELECT s.storefront,
                   count(DISTINCT l.sku) FILTER (l.action = 'create' AND l.status = 'ACCEPTED') AS created,
                   count(DISTINCT l.sku) FILTER (l.action = 'update' AND l.status = 'ACCEPTED') AS updated,
                   count(DISTINCT l.sku) FILTER (l.action = 'retire' AND l.status = 'ACCEPTED') AS retired,
                   count(DISTINCT l.sku) FILTER (l.status = 'INVALID') AS refused,
                   (SELECT count(*) FROM integration_errors e WHERE e.flow = 'listings' AND e.storefront = s.storefront
                      AND e.resolved IS NULL AND e.error_class = 'mapping') AS unlistable
            FROM (SELECT unnest($storefronts::VARCHAR[]) AS storefront) s
            LEFT JOIN listing_submissions l ON l.storefront = s.storefront AND l.day = $day
            GROUP BY s.storefront ORDER BY s.storefront
            """, params={"day": day, "storefronts": storefronts}).to_arrow_table().to_pylist()


def inventory_rows(storefronts: list[str], day: date) -> list[dict]:
    """Per storefront: today's messages sent and accepted, SKUs held back, and FBA SKUs that differ."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        return con.sql(
            """
            SELECT s.storefront,
                   (SELECT count(*) FROM inventory_feed_submissions f WHERE f.storefront = s.storefront
                      AND f.day = $day) AS sent,
                   (SELECT count(*) FROM inventory_feed_submissions f WHERE f.storefront = s.storefront
                      AND f.day = $day AND f.outcome IN ('accepted', 'read_back')) AS accepted,
                   (SELECT count(*) FROM available_to_sell a WHERE a.storefront = s.storefront AND a.day = $day
                      AND a.held_back_reason IS NOT NULL) AS held_back,
                   (SELECT count(*) FROM fba_stock_differences d WHERE d.storefront = s.storefront) AS fba_differences
            FROM (SELECT unnest($storefronts::VARCHAR[]) AS storefront) s ORDER BY s.storefront
            """, params={"day": day, "storefronts": storefronts}).to_arrow_table().to_pylist()


def settlement_posting_errors(partitions: list[str]) -> list:
    """The open posting errors of the settlements in these "storefront day" partitions."""
    from amazon_netsuite.lib.settlements.posting_run import open_posting_errors
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect() as con:
        ensure_schema(con)
        return open_posting_errors(con, [tuple(p.split(" ")) for p in partitions])
