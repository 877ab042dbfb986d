"""One run of posting orders to NetSuite: read them, decide what each needs, send concurrently, record each attempt
as it finishes. Used by the storefront-day assets and by the `retry_failed_postings` job.

DuckDB is open only to read and to write the ledger, never while waiting on NetSuite: attempts are written in
batches (every FLUSH_SECONDS or FLUSH_ATTEMPTS) while the next requests are in flight, so a killed run loses only
its last batch and what was in flight, and re-sending those is harmless (creates are upserts by external id,
changes are PATCHes of the same content).

When NetSuite refuses our credentials, the orders not sent yet are not sent at all (each would only be refused
again, and repeated failed logins can lock the integration user out); they wait as auth errors with the rest.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from amazon_netsuite.lib.netsuite.errors import InvalidLogin, NetSuiteAuthError, NetSuiteError
from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.netsuite.items import ItemResolver, UnmappedSku
from amazon_netsuite.lib.orders.customers import CustomerPosting, ShipTo, customer_for
from amazon_netsuite.lib.orders.posting import (
    CANCELLED_BEFORE_POSTING,
    SALES_ORDER,
    TAX_DETAILS,
    NotPostable,
    build_order_posting,
    record_type_for,
)
from amazon_netsuite.lib.orders.updates import PostedRecord, Unchanged, Write, plan_change, stale_reason
from amazon_netsuite.lib.postings import (
    POSTED,
    LedgerEntry,
    NotSent,
    PostingAttempt,
    is_posted_unchanged,
    ledger_connections,
    ledger_entries,
    record_attempts,
    resolve_errors,
    utc_now,
)
from amazon_netsuite.lib.settings import Settings, load_settings
from amazon_netsuite.lib.warehouse import fetch_arrow

FLOW = "orders"
CUSTOMER_FLOW = "customers"
FLUSH_SECONDS = 1.0
FLUSH_ATTEMPTS = 250
MAX_LOGGED_EXAMPLES = 5
NOT_POSTED_HERE = "order posting is off for this storefront (post_orders: false); its settlements carry the revenue"

Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass
class DayPostingResult:
    """Counts per record type (salesOrder, cashSale) of one posting run."""

    posted: Counter  # new records
    unchanged: Counter
    failed: Counter
    skipped: Counter  # reason → orders
    errors_by_class: Counter
    updated: Counter = field(default_factory=Counter)  # posted records changed (closing lines included)
    closed: Counter = field(default_factory=Counter)  # posted records whose lines were closed (cancellations)
    customers_upserted: int = 0
    errors_resolved_without_posting: int = 0


@dataclass
class OrdersToPost:
    """Orders (rows of `orders` or `orders_latest`) with their lines, ledger rows, newest known states and ship-to."""

    orders: list[dict[str, Any]]
    lines: dict[str, list[dict[str, Any]]]
    ledger: dict[str, LedgerEntry]
    newest: dict[str, datetime]
    ship_to: dict[str, ShipTo] = field(default_factory=dict)
    account: str = ""  # the NetSuite account the ledger rows were read for


def read_orders(con: duckdb.DuckDBPyConnection, settings: Settings, storefront: str, *, day: date | None = None,
                order_ids: Iterable[str] | None = None, account: str) -> OrdersToPost:
    """One storefront-day's orders (`day`), or the newest state of the given orders (`order_ids`)."""
    if day is not None:
        chosen, params = "SELECT * FROM orders WHERE storefront = ? AND day = ?", [storefront, day]
    else:
        chosen = ("SELECT * FROM orders_latest WHERE storefront = ? "
                  "AND amazon_order_id IN (SELECT unnest(?::VARCHAR[]))")
        params = [storefront, sorted(set(order_ids or ()))]
    con.execute(f"CREATE OR REPLACE TEMP TABLE orders_to_post AS {chosen}", params)
    orders = fetch_arrow(con, "SELECT * FROM orders_to_post ORDER BY amazon_order_id").to_pylist()
    # The newest state the warehouse holds of each order, whichever day's partition it is in.
    newest = dict(con.execute(
        "SELECT amazon_order_id, max(last_updated_date) FROM orders WHERE storefront = ? "
        "AND amazon_order_id IN (SELECT amazon_order_id FROM orders_to_post) GROUP BY 1", [storefront]).fetchall())
    lines: dict[str, list[dict[str, Any]]] = {}
    for line in fetch_arrow(con, "SELECT l.* FROM order_lines l JOIN orders_to_post USING "
                                 "(storefront, day, amazon_order_id)").to_pylist():
        lines.setdefault(line["amazon_order_id"], []).append(line)
    ship_to: dict[str, ShipTo] = {}
    if settings.order_posting.customer == "per_buyer":
        for oid, *where in con.execute(
            "SELECT amazon_order_id, any_value(ship_city), any_value(ship_state), any_value(ship_postal_code), "
            "any_value(ship_country), any_value(json_extract_string(extra_columns, '$.\"buyer-email\"')) "
            "FROM order_report_rows JOIN orders_to_post USING (storefront, day, amazon_order_id) GROUP BY 1"
        ).fetchall():
            ship_to[oid] = ShipTo(*where)
    ledger = ledger_entries(con, FLOW, storefront, [o["amazon_order_id"] for o in orders], account=account)
    con.execute("DROP TABLE orders_to_post")
    return OrdersToPost(orders, lines, ledger, newest, ship_to, account)


def post_orders(connection: Connection, client, settings: Settings, storefront: str, batch: OrdersToPost,
                *, log=None) -> DayPostingResult:
    """Bring NetSuite to the batch's states: create, change or close each order's record as needed, once."""
    result = DayPostingResult(Counter(), Counter(), Counter(), Counter(), Counter())
    account = client.connection.ledger_account
    if batch.account != account:
        raise ValueError(f"the batch's ledger rows are for NetSuite account {batch.account!r}, the client posts to "
                         f"{account!r}: read_orders(account=client.connection.ledger_account)")
    if not settings.storefront(storefront).post_orders:
        # Its settlements post as summary journals, which carry the revenue; a record here would book it twice.
        if batch.orders:
            result.skipped[NOT_POSTED_HERE] += len(batch.orders)
        return result
    writer = _LedgerWriter(connection, result, account, log)
    resolver = ItemResolver(settings.order_posting.items, client.suiteql)
    resolver.prepare({line["sku"] for lines in batch.lines.values() for line in lines if line["quantity"] > 0})

    writes: list[tuple[dict[str, Any], Write, CustomerPosting | None]] = []
    no_longer_needed: list[str] = []
    for order in batch.orders:
        oid = order["amazon_order_id"]
        entry = batch.ledger.get(oid)
        stale = stale_reason(order, entry.source_updated if entry else None, batch.newest.get(oid))
        if stale:
            result.skipped[stale] += 1
            continue
        customer = customer_for(order, batch.ship_to.get(oid), settings)
        try:
            target = build_order_posting(order, batch.lines.get(oid, []), settings, items=resolver,
                                         customer=customer.external_id if customer else None)
        except (UnmappedSku, NetSuiteError) as exc:  # an unmapped SKU, or the item lookup failed: nothing is sent
            writer.add(_refused_before_sending(order, storefront, exc), "create")
            continue
        plan = plan_change(order, target, _posted(entry))
        if isinstance(plan, NotPostable):
            result.skipped[plan.reason] += 1
            if order["order_status"] == "Cancelled" and entry is not None and entry.posted_body is None:
                no_longer_needed.append(oid)
        elif isinstance(plan, Unchanged):
            result.unchanged[plan.record_type] += 1
        else:
            writes.append((order, plan, customer if plan.change == "create" else None))

    failed_customers = _upsert_customers(connection, client, storefront, writes, result, account)
    stop = _Stop()
    for error in failed_customers.values():
        if isinstance(error, (InvalidLogin, NetSuiteAuthError)):
            stop.trip(error)

    def send(order: dict[str, Any], plan: Write) -> PostingAttempt:
        attempt = _attempt(order, storefront, plan)
        customer_error = failed_customers.get(_customer_id(plan))
        if customer_error is not None:
            return PostingAttempt(**attempt, at=utc_now(), error=customer_error)
        if stop.cause is not None:
            return PostingAttempt(**attempt, at=utc_now(), error=NotSent(stop.cause))
        try:
            internal_id = _write(client, plan)
        except Exception as exc:  # every failure is recorded against its order; the rest still posts
            if isinstance(exc, (InvalidLogin, NetSuiteAuthError)):
                stop.trip(exc)
            return PostingAttempt(**attempt, at=utc_now(), error=exc)
        return PostingAttempt(**{**attempt, "internal_id": internal_id or plan.internal_id}, at=utc_now())

    with ThreadPoolExecutor(max_workers=max(1, client.concurrency_limit)) as pool:
        futures = {pool.submit(send, order, plan): plan.change for order, plan, _ in writes}
        for future in as_completed(futures):
            writer.add(future.result(), futures[future])
    writer.flush()
    writer.report()
    if no_longer_needed:
        with connection() as con:
            result.errors_resolved_without_posting = resolve_errors(
                con, FLOW, storefront, no_longer_needed, utc_now(), CANCELLED_BEFORE_POSTING)
    return result


class _Stop:
    """Set once NetSuite refuses our credentials: the rest of the run is not sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cause: BaseException | None = None

    def trip(self, cause: BaseException) -> None:
        with self._lock:
            self.cause = self.cause or cause


def _posted(entry: LedgerEntry | None) -> PostedRecord | None:
    if entry is None or (entry.posted_body is None and entry.status != POSTED):
        return None
    return PostedRecord(entry.record_type, entry.internal_id, entry.posted_body, entry.posted_line_keys,
                        entry.payload_hash, entry.status == POSTED)


def _attempt(order: dict[str, Any], storefront: str, plan: Write) -> dict[str, Any]:
    oid = order["amazon_order_id"]
    return dict(flow=FLOW, storefront=storefront, key=oid, record_type=plan.record_type,
                external_id=plan.external_id, payload=plan.body, record_label=f"order {oid}",
                sent=None if plan.change == "create" else plan.sent, line_keys=plan.line_keys,
                source_updated=order["last_updated_date"], complete=plan.complete, internal_id=plan.internal_id)


def _write(client, plan: Write) -> str | None:
    """Send one planned write; the record's internal id when NetSuite gives it."""
    if plan.change == "create" or plan.internal_id is None:
        # replace=item: a re-sent order replaces its lines instead of appending them
        # (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html).
        return client.upsert(plan.record_type, plan.external_id, plan.body,
                             replace=",".join(("item", *((TAX_DETAILS,) if TAX_DETAILS in plan.body else ()))))
    if plan.sent:
        client.patch(plan.record_type, plan.internal_id, plan.sent, replace=list(plan.replace) or None)
    # An empty change: a failed change was undone on Amazon, and NetSuite already holds this state.
    return plan.internal_id


def _refused_before_sending(order: dict[str, Any], storefront: str, exc: Exception) -> PostingAttempt:
    oid = order["amazon_order_id"]
    record_type = record_type_for(order)
    return PostingAttempt(
        flow=FLOW, storefront=storefront, key=oid,
        record_type=record_type if isinstance(record_type, str) else SALES_ORDER,
        external_id=order_external_id(storefront, oid), payload={}, at=utc_now(), error=exc,
        record_label=f"order {oid}", source_updated=order["last_updated_date"])


def _customer_id(plan: Write) -> str | None:
    return plan.body.get("entity", {}).get("externalId") if plan.change == "create" else None


def _upsert_customers(connection: Connection, client, storefront: str, writes,
                      result: DayPostingResult, account: str) -> dict[str, Exception]:
    """Upsert the per-buyer customers new orders need, each once and only when changed; external id → the error of
    each customer NetSuite refused (its orders then fail with it, nothing else is queued for the customer)."""
    needed = {c.external_id: c for _, _, c in writes if c is not None}
    if not needed:
        return {}
    with connection() as con:
        known = ledger_entries(con, CUSTOMER_FLOW, storefront, needed, account=account)
    todo = [c for c in needed.values() if not is_posted_unchanged(known.get(c.external_id), c.body)]

    def upsert(customer: CustomerPosting) -> PostingAttempt:
        base = dict(flow=CUSTOMER_FLOW, storefront=storefront, key=customer.external_id, record_type="customer",
                    external_id=customer.external_id, payload=customer.body, queue_error=False, complete=True,
                    record_label=f"customer {customer.external_id}")
        try:
            internal_id = client.upsert("customer", customer.external_id, customer.body)
        except Exception as exc:
            return PostingAttempt(**base, at=utc_now(), error=exc)
        return PostingAttempt(**base, at=utc_now(), internal_id=internal_id)

    with ThreadPoolExecutor(max_workers=max(1, client.concurrency_limit)) as pool:
        attempts = list(pool.map(upsert, todo))
    with connection() as con:
        record_attempts(con, attempts, account=account)
    result.customers_upserted = sum(a.error is None for a in attempts)
    return {a.key: a.error for a in attempts if a.error is not None}


class _LedgerWriter:
    """Buffers finished attempts and writes them in one transaction per batch, counting outcomes as it goes."""

    def __init__(self, connection: Connection, result: DayPostingResult, account: str, log=None) -> None:
        self.connection, self.result, self.account, self.log = connection, result, account, log
        self.pending: list[tuple[PostingAttempt, str]] = []
        self.last_flush = time.monotonic()
        self.examples: list[str] = []

    def add(self, attempt: PostingAttempt, change: str) -> None:
        self.pending.append((attempt, change))
        if len(self.pending) >= FLUSH_ATTEMPTS or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        with self.connection() as con:
            classes = record_attempts(con, [attempt for attempt, _ in batch], account=self.account)
        for (attempt, change), error_class in zip(batch, classes):
            record_type = attempt.record_type
            if error_class is None:
                (self.result.posted if change == "create" else self.result.updated)[record_type] += 1
                if change == "close":
                    self.result.closed[record_type] += 1
            else:
                self.result.failed[record_type] += 1
                self.result.errors_by_class[error_class] += 1
                if len(self.examples) < MAX_LOGGED_EXAMPLES:
                    self.examples.append(f"order {attempt.key} ({error_class}): {attempt.error}")

    def report(self) -> None:
        """One warning for the run, not one per order: the full list with reasons is in `integration_errors`."""
        failed = sum(self.result.errors_by_class.values())
        if self.log and failed:
            classes = ", ".join(f"{n} {c}" for c, n in self.result.errors_by_class.most_common())
            more = f"\n… and {failed - len(self.examples)} more" if failed > len(self.examples) else ""
            self.log.warning(f"{failed} order(s) not posted ({classes}); each waits in integration_errors with its "
                             "reason:\n" + "\n".join(self.examples) + more)


def post_storefront_day(warehouse, client, storefront: str, day: date, log=None, *,
                        settings: Settings | None = None) -> DayPostingResult:
    """Post one storefront-day's orders (create, change or close their records) and record every attempt.
    `warehouse` is the Warehouse resource (or anything with `connection()` and `path`). Posting settings are read
    when the run starts (`settings` overrides), so a changed file needs no reload."""
    settings = settings or load_settings()
    with warehouse.connection() as con:
        batch = read_orders(con, settings, storefront, day=day, account=client.connection.ledger_account)
    return post_orders(ledger_connections(warehouse.path), client, settings, storefront, batch, log=log)
