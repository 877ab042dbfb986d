"""Pushing one storefront's quantities to Amazon: only what differs from what Amazon last accepted, as
JSON_LISTINGS_FEED documents, each message's outcome recorded.

Amazon's processing report says which messages it accepted; those become what it "last accepted"
(`amazon_listing_quantities`). A FATAL feed "may have applied some, none or all" of its messages
(https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide), so its SKUs are read back
from the listings before anything is sent again; what cannot be read back is forgotten, so the next push sends it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.listings_feed import sku_issue_class
from amazon_netsuite.lib.inventory.deltas import changed_quantities, feed_documents
from amazon_netsuite.lib.inventory.outcomes import message_outcomes, record_accepted
from amazon_netsuite.lib.postings import QueuedError, queue_errors, resolve_errors
from amazon_netsuite.lib.settings import Settings

FLOW = "inventory"
# getFeed allows 2 requests a second (burst 15); the wait grows by half each time up to 30 s, so a quick feed is
# seen quickly and one Amazon takes minutes over costs a few calls more.
POLL_SECONDS = 0.5
READ_BACK_LIMIT = 500  # getListingsItem runs at 5 requests a second: beyond this, forget and resend
Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass
class PushResult:
    feeds: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # accepted | rejected | read_back | unknown
    messages: int = 0
    unchanged: int = 0  # pushable SKUs Amazon already shows right


def listing_error_key(sku: str) -> str:
    return f"listing:{sku}"


def push_storefront_day(connect: Connection, feeds_api, listings_api, settings: Settings, storefront: str, day: date,
                        now: datetime, log=None) -> PushResult:
    """Send the storefront-day's changed quantities; every message lands in `inventory_feed_submissions`."""
    account = settings.account_of(storefront)
    marketplace_id = settings.storefront(storefront).marketplace_id
    result = PushResult()
    with connect() as con:
        changes = changed_quantities(con, storefront, day)
        result.unchanged = con.execute(
            "SELECT count(*) FROM available_to_sell WHERE storefront = ? AND day = ? AND quantity IS NOT NULL",
            [storefront, day]).fetchone()[0] - changes.num_rows
    documents = feed_documents(account.seller_id, changes, lead_time_days=settings.inventory.lead_time_days)
    previous = {r["sku"]: r["previous_quantity"] for r in changes.to_pylist()}
    rows: list[dict] = []
    for document in documents:
        messages = document["messages"]
        outcome = feeds_api.submit_json_listings_feed(document, [marketplace_id], poll_seconds=POLL_SECONDS)
        result.feeds.append(outcome.feed_id)
        result.statuses[outcome.processing_status] += 1
        outcomes = message_outcomes(messages, outcome.report, outcome.processing_status)
        if outcome.processing_status != "DONE":
            outcomes = _read_back(listings_api, account.seller_id, marketplace_id, outcomes, log)
        for row in outcomes:
            row.update(feed_id=outcome.feed_id, feed_status=outcome.processing_status,
                       previous_quantity=previous.get(row["sku"]))
        rows.extend(outcomes)
        with connect() as con:  # as each feed ends, so a killed run keeps what Amazon already took
            # A read-back row records what the listing shows, which may not be what the message said.
            record_accepted(con, storefront, [{**r, "quantity": r.get("shown", r["quantity"])} for r in outcomes
                                              if r["outcome"] in ("accepted", "read_back")], outcome.feed_id, now)
            forgotten = [r["sku"] for r in outcomes if r["outcome"] == "unknown"]
            con.execute("DELETE FROM amazon_listing_quantities WHERE storefront = ? AND sku IN "
                        "(SELECT unnest(?::VARCHAR[]))", [storefront, forgotten])
        if log:
            log.info(f"feed {outcome.feed_id}: {outcome.processing_status}, {len(messages)} messages")
    result.messages = len(rows)
    result.outcomes.update(r["outcome"] for r in rows)
    table = pa.Table.from_pylist([dict(storefront=storefront, day=day, feed_id=r["feed_id"], submitted_at=now,
                                       feed_status=r["feed_status"], message_id=r["message_id"], sku=r["sku"],
                                       quantity=r["quantity"], previous_quantity=r["previous_quantity"],
                                       outcome=r["outcome"], issue=r.get("issue")) for r in rows])
    with connect() as con:
        if rows:
            con.register("submitted", table)
            con.execute("INSERT INTO inventory_feed_submissions BY NAME SELECT * FROM submitted")
            con.unregister("submitted")
        errors = [QueuedError(listing_error_key(r["sku"]), sku_issue_class(r["issue"] or ""),
                              f"Amazon refused the quantity {r['quantity']} for SKU {r['sku']} (storefront "
                              f"{storefront}, feed {r['feed_id']}): {r['issue']}",
                              {"sku": r["sku"], "quantity": r["quantity"]})
                  for r in rows if r["outcome"] == "rejected"]
        queue_errors(con, FLOW, storefront, errors, now,
                     settled=[listing_error_key(r["sku"]) for r in rows if r["outcome"] in ("accepted", "read_back")])
        resolve_retired_errors(con, storefront, day, listing_error_key(""), now)
    return result


def resolve_retired_errors(con: duckdb.DuckDBPyConnection, storefront: str, day: date, key_prefix: str,
                           at: datetime) -> int:
    """Resolve the open `{key_prefix}{sku}` errors of SKUs the storefront-day's `available_to_sell` no longer lists
    (the item retired in NetSuite, or the listing now FBA): nothing is left to fix. How many were resolved."""
    retired = con.execute(
        "SELECT key FROM integration_errors WHERE flow = ? AND storefront = ? AND resolved IS NULL AND "
        "starts_with(key, ?) AND substr(key, length(?) + 1) NOT IN (SELECT sku FROM available_to_sell WHERE "
        "storefront = ? AND day = ?)", [FLOW, storefront, key_prefix, key_prefix, storefront, day]).fetchall()
    return resolve_errors(con, FLOW, storefront, [k for k, in retired], at, "the SKU is no longer pushed")


def _read_back(listings_api, seller_id: str, marketplace_id: str, outcomes: list[dict], log) -> list[dict]:
    """After FATAL (or CANCELLED), what each message's listing shows now: that is what Amazon has."""
    from amazon_netsuite.lib.amazon.listings import merchant_quantity

    for index, row in enumerate(outcomes):
        if row["outcome"] == "rejected":
            continue
        if index >= READ_BACK_LIMIT:
            row["outcome"] = "unknown"
            continue
        listing = listings_api.get_listings_item(seller_id, row["sku"], marketplace_id,
                                                 included_data=("fulfillmentAvailability",))
        shown = merchant_quantity(listing) if listing else None
        if shown is None:
            row["outcome"] = "unknown"
            continue
        row.update(outcome="read_back", shown=shown,
                   issue=(row.get("issue") or "") + f" read back after the feed ended: Amazon shows {shown}")
    if log:
        log.warning(f"feed did not finish DONE: read back {sum(r['outcome'] == 'read_back' for r in outcomes)} "
                    f"listings")
    return outcomes
