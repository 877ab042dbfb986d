"""`amazon-netsuite`: run the sandbox, sync through Dagster, query the warehouse, inspect report files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amazon_netsuite.lib.settings import Settings


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.settings import load_settings, sandbox_state_dir
    from amazon_netsuite.sandbox.config import SandboxConfig, parse_faults
    from amazon_netsuite.sandbox.server import serve

    config = SandboxConfig(
        settings=load_settings(args.settings),
        state_dir=Path(args.state_dir) if args.state_dir else sandbox_state_dir(),
        seed=args.seed,
        orders_per_day=args.orders_per_day,
        history_days=args.history_days,
        clock=datetime.fromisoformat(args.clock) if args.clock else None,
        report_delay_seconds=args.report_delay,
        rate_scale=args.rate_scale,
        faults=parse_faults(args.faults or ""),
        netsuite_concurrency_limit=args.netsuite_concurrency_limit,
        netsuite_latency_ms=args.netsuite_latency_ms,
    )
    print(f"sandbox: Seller Central on http://{args.host}:{args.port} (state in {config.state_dir})", flush=True)
    serve(config, host=args.host, port=args.port)
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from amazon_netsuite.sync import run_sync

    return run_sync(days=args.days, storefront=args.storefront, post=not args.no_post)


# What `sql` runs: queries. Everything else (COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, CREATE ...) is refused by
# statement type before it runs, and the connection itself cannot touch files but the warehouse, load extensions
# or be reconfigured (https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview).
QUERY_STATEMENTS = ("SELECT", "EXPLAIN")
LOCKED_DOWN = (
    "SET enable_external_access = false",  # no file but the warehouse: COPY TO, EXPORT, ATTACH, read_csv, INSTALL
    "SET autoload_known_extensions = false",
    "SET autoinstall_known_extensions = false",
    "SET lock_configuration = true",  # last: no later SET can undo the above
)


class RefusedStatement(Exception):
    pass


def _read_only_query(con, query: str):
    """The query's Arrow table, once every statement in it proved to be a query."""
    from amazon_netsuite.lib.warehouse import fetch_arrow

    statements = con.extract_statements(query)
    if not statements:
        raise RefusedStatement("no query given")
    for statement in statements:
        kind = statement.type.name
        if kind not in QUERY_STATEMENTS:
            said = statement.query.split(maxsplit=1)[0].upper() if statement.query.strip() else kind
            raise RefusedStatement(f"the warehouse is read-only here: {said if said == kind else f'{said} ({kind})'} "
                                   "statements are refused; SELECT, DESCRIBE, SHOW, SUMMARIZE and EXPLAIN run")
    for statement in LOCKED_DOWN:
        con.execute(statement)
    return fetch_arrow(con, query)


def _cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from amazon_netsuite.lib.warehouse import connect

    try:
        with connect(args.database, read_only=True) as con:
            table = _read_only_query(con, args.query)
    except (duckdb.Error, RefusedStatement, FileNotFoundError) as exc:
        # DuckDB's message, first line: the lines after it point into the query, which the user has in front of them.
        message = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        print(f"error: {message}", file=sys.stderr)
        return 2
    rows = table.to_pylist()
    if args.json:
        print(json.dumps(rows, default=_json_default))
        return 0
    names = table.column_names
    text_rows = [[_json_default(r[n]) if r[n] is not None else "" for n in names] for r in rows]
    widths = [max([len(n), *(len(t[i]) for t in text_rows)]) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    for t in text_rows:
        print("  ".join(v.ljust(w) for v, w in zip(t, widths)))
    print(f"({len(rows)} rows)")
    return 0


# --- reports inspect: which flow reads a report file, told by its header line ----------------------------------
# The flows' modules load lazily, so `--help` and the other commands do not import pyarrow and DuckDB.


@dataclass(frozen=True)
class ReportKind:
    report_type: str
    matches: Callable[[list[str]], bool]
    inspect: Callable[[Path, "Settings | None"], dict[str, Any]]


def _is_order_report(names: list[str]) -> bool:
    return {"amazon-order-id", "last-updated-date", "item-price"} <= set(names)


def _inspect_order_report(path: Path, settings: "Settings | None") -> dict[str, Any]:
    from amazon_netsuite.lib.orders.inspect import inspect_order_report

    return inspect_order_report(path, settings)


def _is_settlement_report(names: list[str]) -> bool:
    return {"settlement-id", "total-amount", "amount-description"} <= set(names)


def _inspect_settlement_report(path: Path, settings: "Settings | None") -> dict[str, Any]:
    from amazon_netsuite.lib.settlements.inspect import inspect_settlement

    return inspect_settlement(path)


def _is_ledger_report(names: list[str]) -> bool:
    return {"fnsku", "msku", "event type", "disposition"} <= set(names)


def _inspect_ledger_report(path: Path, settings: "Settings | None") -> dict[str, Any]:
    from amazon_netsuite.lib.inventory.inspect import inspect_ledger_report

    return inspect_ledger_report(path)


# First match wins.
REPORT_KINDS: list[ReportKind] = [
    ReportKind("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", _is_order_report, _inspect_order_report),
    ReportKind("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", _is_settlement_report, _inspect_settlement_report),
    ReportKind("GET_LEDGER_DETAIL_VIEW_DATA", _is_ledger_report, _inspect_ledger_report),
]


def detect_report_type(path: Path) -> ReportKind:
    from amazon_netsuite.lib.report_files import ReportFileError, header_names

    names = header_names(path)
    for kind in REPORT_KINDS:
        if kind.matches(names):
            return kind
    shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
    known = ", ".join(k.report_type for k in REPORT_KINDS)
    raise ReportFileError(f"{path}: not a report type we know (header starts {shown}); known types: {known}")


def inspect_report(path: str | Path, settings: "Settings | None" = None) -> dict[str, Any]:
    """Summarise a report file as one JSON-ready dict; `settings` routes sales channels to known storefronts."""
    from amazon_netsuite.lib.report_files import ReportFileError

    path = Path(path)
    if not path.is_file():
        raise ReportFileError(f"{path}: no such file")
    return detect_report_type(path).inspect(path, settings)


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, sort_keys=False, ensure_ascii=False)


def _cmd_reports_inspect(args: argparse.Namespace) -> int:
    try:
        summary = inspect_report(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"amazon-netsuite: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary, default=_json_default))
    else:
        for key, value in summary.items():
            print(f"{key}: {json.dumps(value, default=_json_default)}")
    return 0


@contextmanager
def _warehouse_with_schema(database: str | None = None) -> Iterator:
    """The warehouse with every table created: outside Dagster no resource has done it yet."""
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite.schema import ensure_schema

    with connect(database) as con:
        ensure_schema(con)
        yield con


def _cmd_settlements_load(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.money import decimal_text
    from amazon_netsuite.lib.report_files import ReportFileError
    from amazon_netsuite.lib.settings import SettingsError
    from amazon_netsuite.lib.gl_mapping import GlMappingError
    from amazon_netsuite.lib.settlements.landing import SettlementLoadError
    from amazon_netsuite.lib.settlements.match import UnknownStorefront
    from amazon_netsuite.lib.settlements.store import store_settlement_file

    try:
        stored = store_settlement_file(Path(args.file), args.storefront, connect=_warehouse_with_schema)
    except (ReportFileError, UnknownStorefront, SettlementLoadError, GlMappingError, SettingsError) as exc:
        print(f"amazon-netsuite: cannot load {args.file}: {exc}", file=sys.stderr)
        return 2
    doc = stored.document
    print(f"settlement {doc.settlement_id} ({doc.currency}) {'was already stored' if stored.already_stored else 'stored'}"
          f" as report {doc.report_id}: storefront {doc.storefront}, deposit day {doc.day}")
    for old in stored.replaced:
        print(f"  replaces settlement {old.settlement_id} stored from {old.described}, registered "
              f"{old.registered_at:%Y-%m-%d %H:%M} UTC (total-amount {decimal_text(old.total_amount)} "
              f"{old.currency}): it is stored once, from this file")
    print(f"  lines: {stored.line_count} ({stored.quarantined} could not be read), "
          f"{stored.unmatched_order_lines} order line(s) without a NetSuite record")
    print(f"  total-amount {decimal_text(doc.total_amount)}, lines sum {decimal_text(stored.lines_sum)}, "
          f"difference {decimal_text(stored.difference)}: {'ties out' if stored.ties_out else 'does NOT tie out'}")
    print("  rows written: " + ", ".join(f"{table} {n}" for table, n in stored.written.items()))
    if stored.blocking:
        print("  blocked from posting:")
        for reason in stored.blocking:
            print(f"    - {reason}")
    else:
        print(f"  passes every gate; post it with settlement_posting_job for partition {doc.day}|{doc.storefront}")
    return 0


TRIAL_BALANCE_HELP = """\
The GL impact NetSuite holds, read back by SuiteQL (transactionaccountingline, posting lines of the primary book):
debits and credits per account and currency, and whether each currency balances. Exits 1 when one does not.
--period YYYY-MM keeps transactions dated in that month. --storefront KEY keeps the transactions this project posted
for that storefront (the posting ledger netsuite_postings in the warehouse, flows orders and settlements, written to
this NetSuite account) and every transaction made from one of them (createdfrom: invoices billed from its Sales
Orders, their item fulfillments, refunds of its Cash Sales). The sandbox unless NetSuite credentials are set."""


def _cmd_books_trial_balance(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.netsuite import NetSuiteClient, NetSuiteError
    from amazon_netsuite.lib.netsuite.trial_balance import (
        as_json,
        ledger_transactions,
        made_from,
        month_bounds,
        table_text,
        trial_balance,
        unbalanced,
    )
    from amazon_netsuite.lib.settings import SettingsError, load_settings, netsuite_connection
    from amazon_netsuite.lib.warehouse import connect

    try:
        if args.period:
            month_bounds(args.period)
        connection = netsuite_connection(load_settings())
        transactions = None
        if args.storefront:
            with connect(args.database, read_only=True) as con:
                transactions = ledger_transactions(con, args.storefront, connection.ledger_account)
        with NetSuiteClient(connection) as client:
            if transactions is not None:
                transactions = made_from(client, transactions)
            balances = trial_balance(client, period=args.period, transactions=transactions)
    except (ValueError, SettingsError, NetSuiteError, FileNotFoundError) as exc:
        print(f"amazon-netsuite: cannot read the trial balance: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json(balances)))
    else:
        print(table_text(balances))
    off = unbalanced(balances)
    for currency, difference in off.items():
        print(f"amazon-netsuite: {currency} does not balance: debits - credits = {difference}", file=sys.stderr)
    return 1 if off else 0


def _settings_file(args: argparse.Namespace) -> Path:
    from amazon_netsuite.lib.settings import settings_path

    return Path(args.settings) if args.settings else settings_path()


def _cmd_accounts_list(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.accounts.revisit import accounts_lines
    from amazon_netsuite.lib.settings import SettingsError, load_settings

    try:
        settings = load_settings(_settings_file(args))
    except SettingsError as exc:
        print(f"amazon-netsuite: {exc}", file=sys.stderr)
        return 2
    print("\n".join(accounts_lines(settings)))
    return 0


def _print_new_account(verb: str, new, path: Path) -> None:
    from amazon_netsuite.lib.accounts.revisit import revisit_lines, vendor_revisit_lines

    print(f"{verb} {new.kind} account {new.key} in {path}, inactive: its sensors and schedules stay off")
    if new.storefronts:
        print("  storefronts: " + ", ".join(f"{key} (from {source})" for key, source in new.storefronts.items()))
    print("Settings to revisit before switching it on (current values):")
    lines = vendor_revisit_lines if new.kind == "vendor" else revisit_lines
    for line in lines(new.settings, new.key):
        print(f"  {line}")


def _cmd_accounts_add(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.accounts.editing import add_account
    from amazon_netsuite.lib.accounts.settings_file import AccountsError

    path = _settings_file(args)
    try:
        new = add_account(path, args.key, args.seller_id, args.region, args.marketplace or [])
    except (AccountsError, OSError) as exc:
        print(f"amazon-netsuite: cannot add {args.key}: {exc}", file=sys.stderr)
        return 2
    _print_new_account("added", new, path)
    return 0


def _cmd_accounts_clone(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.accounts.editing import clone_account
    from amazon_netsuite.lib.accounts.settings_file import AccountsError

    path = _settings_file(args)
    try:
        new = clone_account(path, args.source, args.new, seller_id=args.seller_id, vendor_code=args.vendor_code)
    except (AccountsError, OSError) as exc:
        print(f"amazon-netsuite: cannot clone {args.source} as {args.new}: {exc}", file=sys.stderr)
        return 2
    _print_new_account(f"cloned {args.source} as", new, path)
    return 0


def _cmd_accounts_check(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.accounts.check import check_account
    from amazon_netsuite.lib.settings import SettingsError, load_settings

    try:
        settings = load_settings(_settings_file(args))
        account = settings.amazon_account(args.key)
    except (SettingsError, KeyError) as exc:
        print(f"amazon-netsuite: {exc}", file=sys.stderr)
        return 2
    problems = check_account(settings, args.key)
    for problem in problems:
        print(problem)
    if not problems:
        checked = "the Vendor Orders API" if account in settings.vendor_accounts else "marketplaces"
        print(f"{args.key}: Amazon credentials, {checked} and every NetSuite record its mappings name are in order")
    return 1 if problems else 0


def _cmd_netsuite_refresh_metadata(args: argparse.Namespace) -> int:
    from amazon_netsuite.lib.netsuite import NetSuiteClient, NetSuiteError
    from amazon_netsuite.lib.netsuite_metadata.records import refresh_metadata
    from amazon_netsuite.lib.postings import utc_now
    from amazon_netsuite.lib.settings import SettingsError, load_settings, netsuite_connection

    try:
        settings = load_settings(_settings_file(args))
        with NetSuiteClient(netsuite_connection(settings)) as client:
            refreshed = refresh_metadata(lambda: _warehouse_with_schema(args.database), client, settings, utc_now())
    except (SettingsError, NetSuiteError) as exc:
        print(f"amazon-netsuite: cannot refresh NetSuite metadata: {exc}", file=sys.stderr)
        return 2
    print("netsuite_metadata: " + ", ".join(f"{n} {t}" for t, n in refreshed.counts.items()))
    for stale in refreshed.stale:
        print(stale.message())
    if not refreshed.stale:
        print("every mapping in the settings names a NetSuite record that exists and is active")
    return 1 if refreshed.stale else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amazon-netsuite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sandbox = commands.add_parser("sandbox", help="the emulated Seller Central").add_subparsers(dest="action", required=True)
    serve = sandbox.add_parser("serve", help="serve the sandbox on loopback until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--orders-per-day", type=int, default=100)
    serve.add_argument("--history-days", type=int, default=35,
                       help="days of generated history (35: two settlements per account and currency)")
    serve.add_argument("--report-delay", type=float, default=2.0, help="seconds a report takes to process")
    serve.add_argument("--rate-scale", type=float, default=1.0, help="multiply Amazon's usage-plan rates")
    serve.add_argument("--clock", help="freeze the world clock at this ISO instant (with offset)")
    serve.add_argument("--faults", help="e.g. throttle_rate=0.1,error_rate=0.05,malformed_rows=0.01")
    serve.add_argument("--netsuite-concurrency-limit", type=int, default=5,
                       help="NetSuite requests in flight before it answers 429 CONCURRENCY_LIMIT_EXCEEDED")
    serve.add_argument("--netsuite-latency-ms", type=int, default=0,
                       help="service time added to every NetSuite record and SuiteQL call")
    serve.add_argument("--settings", help="accounts.yaml (default data/accounts.yaml)")
    serve.add_argument("--state-dir", help="where reports persist (default data/sandbox)")
    serve.set_defaults(func=_cmd_sandbox_serve)

    sync = commands.add_parser("sync", help="load the last N days through Dagster and print a summary")
    sync.add_argument("--days", type=int, default=7)
    sync.add_argument("--storefront", help="one storefront key (default: all)")
    sync.add_argument("--no-post", action="store_true", help="load into the warehouse only; post nothing to NetSuite")
    sync.set_defaults(func=_cmd_sync)

    sql = commands.add_parser("sql", help="run a query on the warehouse (read-only: writes, COPY, EXPORT, ATTACH, "
                                         "INSTALL and LOAD are refused)")
    sql.add_argument("query")
    sql.add_argument("--json", action="store_true", help="print rows as a JSON array (decimals as strings)")
    sql.add_argument("--database", help="warehouse file (default data/warehouse.duckdb)")
    sql.set_defaults(func=_cmd_sql)

    settlements = commands.add_parser("settlements", help="Amazon settlements").add_subparsers(
        dest="action", required=True)
    load = settlements.add_parser("load", help="store a settlement file downloaded from Seller Central, as the "
                                               "settlement assets would (nothing is posted)")
    load.add_argument("file")
    load.add_argument("--storefront", help="storefront key (default: by the file's marketplace name or currency)")
    load.set_defaults(func=_cmd_settlements_load)

    books = commands.add_parser("books", help="the books in NetSuite").add_subparsers(dest="action", required=True)
    trial = books.add_parser("trial-balance", help="debits and credits per GL account and currency, read back by "
                                                   "SuiteQL", description=TRIAL_BALANCE_HELP,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    trial.add_argument("--storefront", help="only this storefront's records (see above)")
    trial.add_argument("--period", help="only transactions dated in this month, YYYY-MM")
    trial.add_argument("--json", action="store_true", help="an array of {account, account_type, currency, debit, "
                                                           "credit}, amounts as exact decimal strings")
    trial.add_argument("--database", help="warehouse file for --storefront (default data/warehouse.duckdb)")
    trial.set_defaults(func=_cmd_books_trial_balance)

    accounts = commands.add_parser("accounts", help="seller and vendor accounts in the settings file").add_subparsers(
        dest="action", required=True)
    listed = accounts.add_parser("list", help="accounts, their storefronts, active or not")
    add = accounts.add_parser("add", help="append a new seller account, inactive")
    add.add_argument("key")
    add.add_argument("--seller-id", required=True, help="the seller id (merchant token)")
    add.add_argument("--region", required=True, choices=["na", "eu", "fe"])
    add.add_argument("--marketplace", action="append", metavar="ID[:STOREFRONT_KEY]",
                     help="a marketplace it sells in (repeat); storefront key default KEY-<country>")
    clone = accounts.add_parser("clone", help="copy an account's settings and mappings to a new, inactive one, "
                                              "and list the settings to revisit")
    clone.add_argument("source")
    clone.add_argument("new")
    clone.add_argument("--seller-id", help="the new seller account's seller id (default: a placeholder)")
    clone.add_argument("--vendor-code", help="the new vendor account's vendor code (default: a placeholder)")
    check = accounts.add_parser("check", help="check an account's credentials, marketplaces (vendor: the Vendor "
                                              "Orders API) and NetSuite records; "
                                              "exit 1 when something needs fixing")
    check.add_argument("key")
    for parser_, func in ((listed, _cmd_accounts_list), (add, _cmd_accounts_add), (clone, _cmd_accounts_clone),
                          (check, _cmd_accounts_check)):
        parser_.add_argument("--settings", help="settings file (default data/accounts.yaml)")
        parser_.set_defaults(func=func)

    netsuite = commands.add_parser("netsuite", help="the NetSuite account").add_subparsers(dest="action",
                                                                                         required=True)
    refresh = netsuite.add_parser("refresh-metadata", help="read ship methods, payment methods, locations, "
                                  "subsidiaries, price levels, currencies, classes and departments into the "
                                  "warehouse and flag mappings naming a missing or inactive one (exit 1)")
    refresh.add_argument("--settings", help="settings file (default data/accounts.yaml)")
    refresh.add_argument("--database", help="warehouse file (default data/warehouse.duckdb)")
    refresh.set_defaults(func=_cmd_netsuite_refresh_metadata)

    reports = commands.add_parser("reports", help="Amazon report files").add_subparsers(dest="action", required=True)
    inspect = reports.add_parser("inspect", help="recognise a report file and summarise it")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(func=_cmd_reports_inspect)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
