"""A real DuckDB warehouse holding settlements as the settlement assets store them, and a NetSuite client on the
sandbox that counts the writes it sends, with their fixtures (a NetSuite sandbox per module). For the posting tests
(the settlements' and billing on fulfilment's)."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import httpx
import pytest

from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.postings import PostingAttempt, record_attempts
from amazon_netsuite.lib.settings import Settings, load_settings, netsuite_connection
from amazon_netsuite.lib.gl_mapping import GlMapping, load_gl_mapping, map_lines
from amazon_netsuite.lib.settlements.match import match_lines
from amazon_netsuite.lib.settlements.parse import ParsedSettlement, parse_settlement
from amazon_netsuite.lib.settlements.reconcile import gl_summary, totals_table
from amazon_netsuite.schema import ensure_schema
from amazon_netsuite_tests.conftest import DEMO_SETTINGS

DEFAULT_MAPPING = Path(__file__).resolve().parents[3] / "data" / "gl_mapping.yaml"
SETTINGS = load_settings(DEMO_SETTINGS)  # orders post, so settlements post transactionally


def without_order_posting(settings: Settings) -> Settings:
    """The same settings with every storefront's order posting off: its settlements post as summary journals."""
    return settings.model_copy(update={"seller_accounts": [
        a.model_copy(update={"storefronts": [s.model_copy(update={"post_orders": False}) for s in a.storefronts]})
        for a in settings.seller_accounts]})


SUMMARY_SETTINGS = without_order_posting(SETTINGS)


class Warehouse:
    """One DuckDB file; `connect` is what post_settlement gets (a short connection per use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self.connect() as con:
            ensure_schema(con)

    @contextmanager
    def connect(self):
        con = duckdb.connect(str(self.path))
        try:
            yield con
        finally:
            con.close()

    def store(self, text: str, storefront: str = "demo-US", mapping: GlMapping | None = None) -> ParsedSettlement:
        """Parse, map, match and summarise a settlement file and store it in its storefront-day, as the assets do."""
        mapping = mapping or load_gl_mapping(DEFAULT_MAPPING)
        parsed = parse_settlement(text)
        totals = totals_table(parsed)
        mapped = map_lines(parsed.lines, mapping)
        day = parsed.totals.day
        with self.connect() as con:
            ledger = con.sql("SELECT * FROM netsuite_postings WHERE flow = 'orders' AND storefront = ?",
                             params=[storefront]).to_arrow_table()
            matches = match_lines(parsed.lines, ledger, storefront)
            summary = gl_summary(totals, mapped, mapping, con)
            t = parsed.totals
            con.execute(
                "INSERT INTO settlements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [storefront, day, parsed.report_id, t.settlement_id, t.settlement_start_date, t.settlement_end_date,
                 t.deposit_date, t.total_amount, t.currency, parsed.detail_line_count, parsed.quarantine.num_rows,
                 parsed.number_format.decimal_mark, parsed.number_format.date_order])
            for table, rows in (("settlement_lines", parsed.lines), ("settlement_line_matches", matches),
                                ("settlement_gl_summary", summary)):
                con.register("rows", rows)
                con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS storefront, ?::DATE AS day, * FROM rows",
                            [storefront, day])
                con.unregister("rows")
        return parsed

    def record_order(self, storefront: str, order_id: str, record_type: str, internal_id: str) -> None:
        """The orders flow's ledger row of a posted order, so settlement lines match it."""
        with self.connect() as con:
            record_attempts(con, [PostingAttempt(
                flow="orders", storefront=storefront, key=order_id, record_type=record_type,
                external_id=order_external_id(storefront, order_id), payload={"otherRefNum": order_id},
                at=datetime(2026, 9, 20, 12, 0), internal_id=internal_id)], account="sandbox")

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.connect() as con:
            return con.execute(sql, params or []).fetchall()


def _short_sleep(seconds: float) -> None:
    time.sleep(min(seconds, 0.05))


class CountingClient(NetSuiteClient):
    """A NetSuiteClient on the sandbox whose `writes` counts record writes (PUT/POST/PATCH to the record API)."""

    def __init__(self, sandbox) -> None:
        self.writes: Counter = Counter()

        def count(request: httpx.Request) -> None:
            if "/record/v1/" in request.url.path and request.method in ("PUT", "POST", "PATCH", "DELETE"):
                self.writes[request.method] += 1

        connection = netsuite_connection(SETTINGS, {"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
        super().__init__(connection, timeout=10, initial_backoff=0.01, max_backoff=0.05, sleep=_short_sleep,
                         http=httpx.Client(timeout=10, event_hooks={"request": [count]}))

    def rows(self, query: str, params: list | None = None) -> list[dict]:
        return list(self.suiteql(query, params))


def start_netsuite(tmp_path_factory):
    """A sandbox with a tiny Amazon world (only its NetSuite half matters here)."""
    from amazon_netsuite.sandbox.server import SandboxConfig, start_in_thread

    config = SandboxConfig(settings=SETTINGS, state_dir=tmp_path_factory.mktemp("netsuite"), orders_per_day=2,
                           history_days=1)
    return start_in_thread(config, port=0)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_netsuite(tmp_path_factory)
    yield running
    running.stop()


@pytest.fixture
def client(sandbox):
    with CountingClient(sandbox) as client:
        yield client


@pytest.fixture
def warehouse(tmp_path):
    return Warehouse(tmp_path / "warehouse.duckdb")
