"""`amazon-netsuite sync`: load the last N days of every storefront through real Dagster runs and post them to
NetSuite, headless.

One order report per seller account covers the whole window (Amazon's createReport allows one a minute after a
burst), then each storefront-day runs `orders_job` with that report named in its tags and, once loaded,
`order_posting_job` (Sales Orders and Cash Sales), oldest day first so that each order's later states follow its
earlier ones. Then the settlements deposited in the last 30 days (`SETTLEMENT_WINDOW_DAYS`, whatever N is:
Amazon settles every 14 days) are found over getReports, and each storefront-day of a deposit runs
`settlements_job` and `settlement_posting_job`. In sandbox mode an embedded sandbox is started when none is
listening, with `SANDBOX_HISTORY_DAYS` of history so that settlements exist.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import httpx

from amazon_netsuite.lib.partitions import partition_key
from amazon_netsuite.lib.report_registry import ORDER_REPORT_TYPE, ReportSource, day_window
from amazon_netsuite.lib.settings import (
    PROJECT_ROOT,
    Settings,
    is_sandbox_mode,
    load_settings,
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


# The run's own events stay in the Dagster instance (and the UI); the terminal gets warnings and the summary.
QUIET_RUN = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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


def dagster_instance() -> dg.DagsterInstance:
    """The persistent instance under DAGSTER_HOME (created with the project's settings), else an ephemeral one."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    config = Path(home) / "dagster.yaml"
    if not config.exists() and INSTANCE_TEMPLATE.exists():
        shutil.copyfile(INSTANCE_TEMPLATE, config)
    return dg.DagsterInstance.get()


@dataclass
class SyncOutcome:
    report_ids: dict[str, str] = field(default_factory=dict)  # seller account → its newest order report id
    failed: list[str] = field(default_factory=list)  # "job partition-key" of every failed run
    succeeded: int = 0  # partition runs (loading and posting each count)
    days: list[date] = field(default_factory=list)
    settlement_partitions: list[str] = field(default_factory=list)  # "storefront day" of each deposit imported


def sync_orders(
    days: int,
    storefront: str | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    say: Callable[[str], None] = print,
    poll_seconds: float = 1.0,
    post: bool = True,
) -> SyncOutcome:
    """Request one report per account for the window and run `orders_job` for every storefront-day in it, then
    `order_posting_job` for the days that loaded (unless `post` is False)."""
    from amazon_netsuite.defs.orders.assets import REPORT_ID_TAG
    from amazon_netsuite.definitions import defs

    settings = load_settings()
    if days < 1:
        raise ValueError("--days must be at least 1")
    chosen = [settings.storefront(storefront)] if storefront else settings.storefronts
    now = datetime.now(timezone.utc)
    first_day = max(now.date() - timedelta(days=days - 1), settings.partitions.start_date)
    outcome = SyncOutcome(days=[first_day + timedelta(days=i) for i in range((now.date() - first_day).days + 1)])
    definitions = defs()
    jobs = [definitions.resolve_job_def("orders_job")]
    if post:
        jobs.append(definitions.resolve_job_def("order_posting_job"))
    instance = instance or dagster_instance()

    # Amazon keeps order reports for 30 days and tools cap a report's range there: a longer window is loaded as
    # several reports of at most MAX_REPORT_DAYS days each, oldest first.
    chunks = [outcome.days[i:i + MAX_REPORT_DAYS] for i in range(0, len(outcome.days), MAX_REPORT_DAYS)]
    for account in settings.seller_accounts:
        account_storefronts = [s for s in account.storefronts if s in chosen]
        if not account_storefronts:
            continue
        for chunk in chunks:
            report_id = _load_order_report(account, chunk, now, poll_seconds, say)
            outcome.report_ids[account.key] = report_id
            for sf in account_storefronts:
                for day in chunk:
                    key = partition_key(sf.key, day)
                    for job in jobs:  # posting runs only once its day loaded
                        if not _run_partition(job, key, instance, {REPORT_ID_TAG: report_id}, outcome, say):
                            break
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


def sync_settlements(
    window_days: int = SETTLEMENT_WINDOW_DAYS,
    storefront: str | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    say: Callable[[str], None] = print,
    post: bool = True,
    outcome: SyncOutcome | None = None,
) -> SyncOutcome:
    """Find the settlement reports of every seller account, land each document once, then run `settlements_job`
    (and `settlement_posting_job` unless `post` is False) for each storefront-day with a deposit in the last
    `window_days` days, files loaded by hand (`amazon-netsuite settlements load`) included."""
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse
    from amazon_netsuite.definitions import defs
    from amazon_netsuite.lib.report_files import ReportFileError
    from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
    from amazon_netsuite.lib.settlements.load import documents_deposited, land_amazon_report
    from amazon_netsuite.lib.settlements.match import UnknownStorefront

    settings = load_settings()
    outcome = outcome or SyncOutcome()
    chosen = [settings.storefront(storefront)] if storefront else settings.storefronts
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
    definitions = defs()
    jobs = [definitions.resolve_job_def("settlements_job")]
    if post:
        jobs.append(definitions.resolve_job_def("settlement_posting_job"))
    instance = instance or dagster_instance()
    for storefront_key, day in dict.fromkeys((d.storefront, d.day) for d in docs):
        outcome.settlement_partitions.append(f"{storefront_key} {day}")
        for job in jobs:
            if not _run_partition(job, partition_key(storefront_key, day), instance, {}, outcome, say):
                break
    return outcome


def settlement_rows(first_day: date, last_day: date, storefronts: list[str]) -> list[dict]:
    """Per settlement deposited in the window: totals, tie-out, unmatched lines and NetSuite records posted."""
    from amazon_netsuite.lib.warehouse import connect, ensure_schema

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


def _run_partition(job, key, instance, tags: dict, outcome: SyncOutcome, say: Callable[[str], None]) -> bool:
    result = job.execute_in_process(partition_key=key, instance=instance, tags=tags, run_config=QUIET_RUN,
                                    raise_on_error=False)
    if result.success:
        outcome.succeeded += 1
        return True
    outcome.failed.append(f"{job.name} {key}")
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    detail = failure.event_specific_data.error.message.strip() if failure else "run failed"
    say(f"FAILED {job.name} {key}: {detail}")
    return False


def summary_rows(storefronts: list[str], first_day: date, last_day: date) -> list[dict]:
    """Per storefront: orders (distinct ids across the days), lines, quarantined rows, and what of those orders is in
    NetSuite (Sales Orders, Cash Sales; a record whose later update failed is still in NetSuite, so it counts) or waits
    in `integration_errors`."""
    import amazon_netsuite.lib.postings  # noqa: F401  (registers the ledger's DDL)
    from amazon_netsuite.lib.warehouse import connect, ensure_schema

    columns = ("storefront", "orders", "order_days", "lines", "quarantined", "sales_orders", "cash_sales", "errors")
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
                   (SELECT count(DISTINCT e.key) FROM integration_errors e
                     WHERE e.flow = 'orders' AND e.storefront = s.storefront AND e.resolved IS NULL) AS errors
            FROM (SELECT unnest($storefronts::VARCHAR[]) AS storefront) s ORDER BY 1
            """,
            {"first": first_day, "last": last_day, "storefronts": storefronts},
        ).fetchall()
    return [dict(zip(columns, r)) for r in rows]


def _money(value) -> str:
    from amazon_netsuite.lib.report_files import decimal_text

    return decimal_text(value)


def run_sync(days: int, storefront: str | None = None, post: bool = True) -> int:
    """The CLI entry: sync, print a per-storefront summary, exit non-zero if any run failed."""
    settings = load_settings()
    # One instance for every run: a second DagsterInstance over the same fresh DAGSTER_HOME trips over its own
    # schedule-storage migration ("more than one head").
    instance = dagster_instance()
    with embedded_sandbox(settings, print):
        outcome = sync_orders(days, storefront, post=post, instance=instance)
        sync_settlements(storefront=storefront, post=post, outcome=outcome, instance=instance)
    keys = [storefront] if storefront else settings.storefront_keys
    table = summary_rows(keys, outcome.days[0], outcome.days[-1])
    headings = {"storefront": 12, "orders": 8, "order_days": 12, "lines": 8, "quarantined": 13,
                "sales_orders": 14, "cash_sales": 12, "errors": 8}
    print()
    print("".join(f"{name.replace('_', '-'):<{width}}" if name == "storefront" else
                  f"{name.replace('_', '-'):>{width}}" for name, width in headings.items()))
    for row in table:
        print("".join(f"{row[name]:<{width}}" if name == "storefront" else f"{row[name]:>{width}}"
                      for name, width in headings.items()))
    today = outcome.days[-1]
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
    print(f"\n{outcome.succeeded} partition runs succeeded, {len(outcome.failed)} failed "
          f"({outcome.days[0]} .. {outcome.days[-1]})")
    if post and any(row["errors"] for row in table):
        print("Orders NetSuite could not take wait in integration_errors with their reason: "
              "amazon-netsuite sql \"SELECT storefront, key, error_class, message FROM integration_errors "
              "WHERE resolved IS NULL\"")
    refused = settlement_posting_errors(outcome.settlement_partitions) if post else []
    if refused:
        print("Settlement postings NetSuite did not take (they wait in integration_errors; "
              "retry_failed_settlement_postings_every_30_minutes posts them once the cause is fixed):")
        for error in refused:
            print(f"  {error.storefront} {error.day} settlement {error.settlement_id}: {error}")
    return 1 if outcome.failed or refused else 0


def settlement_posting_errors(partitions: list[str]) -> list:
    """The open posting errors of the settlements in these "storefront day" partitions."""
    from amazon_netsuite.lib.settlements.posting_run import open_posting_errors
    from amazon_netsuite.lib.warehouse import connect, ensure_schema

    with connect() as con:
        ensure_schema(con)
        return open_posting_errors(con, [tuple(p.split(" ")) for p in partitions])
