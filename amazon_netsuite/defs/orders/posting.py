"""Orders into NetSuite: paid MFN/SFP orders as Sales Orders, shipped FBA orders as Cash Sales, one storefront-day
at a time, each exactly once.

Every write is an upsert by external id, recorded in the `netsuite_postings` ledger; a re-run sends only what is
new or changed. An order NetSuite refuses (an unmapped SKU, a validation error) goes to `integration_errors` with
its reason, and the rest of the day still posts.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import dagster as dg

from amazon_netsuite.defs.orders.assets import settings, storefront_days
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER, NotPostable, OrderPosting, build_order_posting
from amazon_netsuite.lib.partitions import split_partition_key
from amazon_netsuite.lib.postings import (
    LedgerEntry,
    PostingAttempt,
    is_posted_unchanged,
    ledger_entries,
    record_attempt,
    utc_now,
)
from amazon_netsuite.lib.warehouse import fetch_arrow

FLOW = "orders"
ASSET_FOR = {SALES_ORDER: "sales_orders_posted", CASH_SALE: "cash_sales_posted"}


@dataclass
class DayPostingResult:
    """Counts per record type (salesOrder, cashSale) of one storefront-day's posting."""

    posted: Counter
    unchanged: Counter
    failed: Counter
    skipped: Counter  # reason → orders
    errors_by_class: Counter


def _read_day(warehouse: Warehouse, storefront: str, day) -> tuple[list[dict], dict[str, list[dict]], dict]:
    with warehouse.connection() as con:
        orders = fetch_arrow(con, "SELECT * FROM orders WHERE storefront = ? AND day = ? ORDER BY amazon_order_id",
                             [storefront, day]).to_pylist()
        lines: dict[str, list[dict]] = {}
        for line in fetch_arrow(con, "SELECT * FROM order_lines WHERE storefront = ? AND day = ?",
                                [storefront, day]).to_pylist():
            lines.setdefault(line["amazon_order_id"], []).append(line)
        ledger = ledger_entries(con, FLOW, storefront, [o["amazon_order_id"] for o in orders])
    return orders, lines, ledger


def _post(client, order_id: str, storefront: str, posting: OrderPosting) -> PostingAttempt:
    attempt = dict(flow=FLOW, storefront=storefront, key=order_id, record_type=posting.record_type,
                   external_id=posting.external_id, payload=posting.body, record_label=f"order {order_id}")
    try:
        # replace=item: a re-sent order replaces its lines instead of appending them (netsuite-facts §1.9).
        internal_id = client.upsert(posting.record_type, posting.external_id, posting.body, replace="item")
    except Exception as exc:  # every failure is recorded against its order; the rest of the day still posts
        return PostingAttempt(**attempt, at=utc_now(), error=exc)
    return PostingAttempt(**attempt, at=utc_now(), internal_id=internal_id)


def post_storefront_day(warehouse: Warehouse, client, storefront: str, day, log=None) -> DayPostingResult:
    """Post one storefront-day's postable orders and record every attempt. DuckDB is open only to read and to write
    the ledger, never while waiting on NetSuite."""
    orders, lines, ledger = _read_day(warehouse, storefront, day)
    result = DayPostingResult(Counter(), Counter(), Counter(), Counter(), Counter())
    to_send: list[tuple[str, OrderPosting]] = []
    for order in orders:
        order_id = order["amazon_order_id"]
        entry: LedgerEntry | None = ledger.get(order_id)
        posting = build_order_posting(order, lines.get(order_id, []), settings)
        if isinstance(posting, NotPostable):
            reason = posting.reason
            if entry is not None and entry.status == "posted":
                reason = f"already posted; now {order['order_status']}: updating it in NetSuite is not built yet"
            result.skipped[reason] += 1
        elif is_posted_unchanged(entry, posting.body):
            result.unchanged[posting.record_type] += 1
        else:
            to_send.append((order_id, posting))

    with ThreadPoolExecutor(max_workers=max(1, client.concurrency_limit)) as pool:
        attempts = list(pool.map(lambda item: _post(client, item[0], storefront, item[1]), to_send))

    with warehouse.connection() as con:
        for attempt in attempts:
            error_class = record_attempt(con, attempt)
            if error_class is None:
                result.posted[attempt.record_type] += 1
            else:
                result.failed[attempt.record_type] += 1
                result.errors_by_class[error_class] += 1
                if log:
                    log.warning(f"order {attempt.key} not posted ({error_class}): {attempt.error}")
    return result


def _spec(name: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        name, deps=["orders", "order_lines"], description=description, group_name="orders",
        kinds={"netsuite", "duckdb"}, tags={"flow": "orders"},
        automation_condition=dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed(),
    )


@dg.multi_asset(
    specs=[
        _spec("sales_orders_posted", "Paid MFN and Seller-Fulfilled-Prime orders of the day as NetSuite Sales Orders "
                                     "(Pending Fulfillment), external id AMZ-{storefront}-{order id}."),
        _spec("cash_sales_posted", "Shipped FBA orders of the day as NetSuite Cash Sales at the region's FBA "
                                   "location, external id AMZ-{storefront}-{order id}."),
    ],
    partitions_def=storefront_days,
    pool="duckdb",
)
def orders_posted(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
    """Post the storefront-day's orders to NetSuite; what cannot post goes to `integration_errors`."""
    storefront, day = split_partition_key(context.partition_key)
    with netsuite.client() as client:
        result = post_storefront_day(warehouse, client, storefront, day, log=context.log)
        writes = client.requests
    if result.errors_by_class.get("auth"):
        raise dg.Failure("NetSuite refused our credentials; see integration_errors (class auth) and fix them.")
    skipped = sum(result.skipped.values())
    for record_type, asset in ASSET_FOR.items():
        yield dg.MaterializeResult(
            asset_key=asset,
            metadata={
                "posted": result.posted[record_type],
                "already_posted_unchanged": result.unchanged[record_type],
                "failed": result.failed[record_type],
                # Skips are per order, not per record type: an order that is not postable has no type yet.
                "skipped": skipped,
                "skipped_reasons": dg.MetadataValue.md(
                    "\n".join(f"- {n} × {reason}" for reason, n in result.skipped.most_common()) or "none"),
                "errors_by_class": dict(result.errors_by_class),
                "netsuite_requests": writes,
            },
        )


order_posting_job = dg.define_asset_job(
    "order_posting_job",
    selection=dg.AssetSelection.assets(orders_posted),
    partitions_def=storefront_days,
    description="Post one storefront-day of orders to NetSuite (Sales Orders and Cash Sales).",
    tags={"flow": "orders"},
)
