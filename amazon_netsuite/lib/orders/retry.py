"""Retrying what could not post: every open `integration_errors` row of the orders flow, posted again from the
order's newest state (`orders_latest` and its lines), recorded in the ledger like any posting."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import duckdb

from amazon_netsuite.lib.orders.posting_run import (
    FLOW,
    DayPostingResult,
    ledger_connections,
    post_orders,
    read_orders,
)
from amazon_netsuite.lib.postings import peek_warehouse
from amazon_netsuite.lib.settings import Settings, warehouse_path

NOT_IN_WAREHOUSE = "no longer in the warehouse (its partitions were removed): nothing to post"
_COUNTERS = ("posted", "unchanged", "failed", "skipped", "errors_by_class", "updated", "closed")


def open_errors(con: duckdb.DuckDBPyConnection, storefront: str | None = None,
                error_classes: list[str] | None = None) -> dict[str, set[str]]:
    """Storefront → Amazon order ids with an open error in the orders flow."""
    sql = "SELECT DISTINCT storefront, key FROM integration_errors WHERE flow = ? AND resolved IS NULL"
    params: list = [FLOW]
    if storefront:
        sql += " AND storefront = ?"
        params.append(storefront)
    if error_classes:
        sql += " AND error_class IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(error_classes))
    found: dict[str, set[str]] = defaultdict(set)
    for sf, key in con.execute(sql, params).fetchall():
        found[sf].add(key)
    return found


def open_error_count() -> int | None:
    """Open order errors in the warehouse; None when the warehouse is busy (another process writing)."""
    return peek_warehouse(warehouse_path(), lambda con: con.execute(
        "SELECT count(*) FROM integration_errors WHERE flow = ? AND resolved IS NULL", [FLOW]).fetchone()[0], 0)


@dataclass
class RetryOutcome:
    retried: int = 0
    still_open: int = 0
    total: DayPostingResult = field(
        default_factory=lambda: DayPostingResult(Counter(), Counter(), Counter(), Counter(), Counter()))


def retry_open_errors(warehouse, client, settings: Settings, storefront: str | None = None,
                       error_classes: list[str] | None = None, log=None) -> RetryOutcome:
    """Post every open order error (of `storefront` and `error_classes`, when given) again from the order's newest
    state. `warehouse` is the Warehouse resource (or anything with `connection()` and `path`)."""
    outcome = RetryOutcome()
    with warehouse.connection() as con:
        todo = open_errors(con, storefront, error_classes)
    outcome.retried = sum(len(keys) for keys in todo.values())
    if not todo and log:
        log.info("no open integration errors to retry")
    for sf, keys in sorted(todo.items()):
        with warehouse.connection() as con:
            batch = read_orders(con, settings, sf, order_ids=keys, account=client.connection.ledger_account)
        gone = len(keys) - len(batch.orders)
        if gone:
            outcome.total.skipped[NOT_IN_WAREHOUSE] += gone
        result = post_orders(ledger_connections(warehouse.path), client, settings, sf, batch, log=log)
        for name in _COUNTERS:
            getattr(outcome.total, name).update(getattr(result, name))
        outcome.total.errors_resolved_without_posting += result.errors_resolved_without_posting
    with warehouse.connection() as con:
        outcome.still_open = sum(len(v) for v in open_errors(con, storefront, error_classes).values())
    return outcome
