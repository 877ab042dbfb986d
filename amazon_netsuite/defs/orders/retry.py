"""Retry what could not post: every open `integration_errors` row of the orders flow, from the order's newest state.

The schedule runs every 30 minutes (as NetSuite Connector retries order errors on each sync, netsuite-facts §4.4)
and skips when nothing is open. A run can be narrowed by run config to one storefront and/or some error classes,
e.g. after creating the items of `mapping` errors. Each retry is recorded in the ledger like any posting, and an
order that posts resolves its error.
"""

from collections import Counter, defaultdict

import dagster as dg
import duckdb

from amazon_netsuite.defs.orders.assets import settings as startup_settings
from amazon_netsuite.defs.orders.posting import AUTH_FAILURE, ledger_connection
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.orders.posting_run import FLOW, DayPostingResult, post_orders, read_orders
from amazon_netsuite.lib.postings import ERROR_CLASSES, peek_warehouse
from amazon_netsuite.lib.settings import load_settings, warehouse_path

NOT_IN_WAREHOUSE = "no longer in the warehouse (its partitions were removed): nothing to post"


class RetryScope(dg.Config):
    """Which open errors to retry; empty means all."""

    storefront: str | None = None
    error_classes: list[str] = []


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


@dg.op(pool="duckdb", tags={"flow": "orders"})
def repost_open_errors(context: dg.OpExecutionContext, config: RetryScope, warehouse: Warehouse,
                       netsuite: NetSuite):
    """Post every open order error again from the order's newest state (`orders_latest` and its lines)."""
    unknown = sorted(set(config.error_classes) - set(ERROR_CLASSES))
    if unknown:
        raise dg.Failure(f"error_classes {unknown} unknown; choose from {', '.join(ERROR_CLASSES)}")
    settings = load_settings()
    with warehouse.connection() as con:
        todo = open_errors(con, config.storefront, config.error_classes)
    total = DayPostingResult(Counter(), Counter(), Counter(), Counter(), Counter())
    if not todo:
        context.log.info("no open integration errors to retry")
    with netsuite.client() as client:
        for storefront, keys in sorted(todo.items()):
            with warehouse.connection() as con:
                batch = read_orders(con, settings, storefront, order_ids=keys, account=client.connection.ledger_account)
            gone = len(keys) - len(batch.orders)
            if gone:
                total.skipped[NOT_IN_WAREHOUSE] += gone
            result = post_orders(ledger_connection(warehouse), client, settings, storefront, batch,
                                 log=context.log)
            for name in ("posted", "unchanged", "failed", "skipped", "errors_by_class", "updated", "closed"):
                getattr(total, name).update(getattr(result, name))
            total.errors_resolved_without_posting += result.errors_resolved_without_posting
        requests = client.requests
    with warehouse.connection() as con:
        still_open = sum(len(v) for v in open_errors(con, config.storefront, config.error_classes).values())
    context.add_output_metadata({
        "orders_retried": sum(len(v) for v in todo.values()),
        "posted": sum(total.posted.values()),
        "updated": sum(total.updated.values()),
        "already_posted_unchanged": sum(total.unchanged.values()),
        "failed": sum(total.failed.values()),
        "skipped": dg.MetadataValue.md(
            "\n".join(f"- {n} × {reason}" for reason, n in total.skipped.most_common()) or "none"),
        "errors_by_class": dict(total.errors_by_class),
        "resolved_without_posting": total.errors_resolved_without_posting,
        "still_open": still_open,
        "netsuite_requests": requests,
    })
    if total.errors_by_class.get("auth"):
        raise dg.Failure(AUTH_FAILURE)


@dg.job(tags={"flow": "orders"}, description="Re-post every open integration error of the orders flow.")
def retry_failed_postings():
    repost_open_errors()


def open_error_count() -> int | None:
    """Open order errors in the warehouse; None when the warehouse is busy (another process writing)."""
    return peek_warehouse(warehouse_path(), lambda con: con.execute(
        "SELECT count(*) FROM integration_errors WHERE flow = ? AND resolved IS NULL", [FLOW]).fetchone()[0], 0)


@dg.schedule(
    name="retry_failed_postings_every_30_minutes",
    job=retry_failed_postings,
    cron_schedule="*/30 * * * *",
    execution_timezone="UTC",
    default_status=(dg.DefaultScheduleStatus.RUNNING if startup_settings.flows.orders
                    else dg.DefaultScheduleStatus.STOPPED),
    description="Retries the orders flow's open integration errors; skips when none is open.",
)
def retry_failed_postings_every_30_minutes(context: dg.ScheduleEvaluationContext):
    count = open_error_count()
    if count == 0:
        return dg.SkipReason("no open integration errors in the orders flow")
    # A busy warehouse (count None) cannot be read now; the run queues behind the writer and finds out itself.
    return dg.RunRequest(tags={"flow": "orders"})
