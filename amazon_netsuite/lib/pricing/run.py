"""One storefront-day of prices: the price list from NetSuite's prices, and only the changed prices sent to Amazon.

A push sends a `merge` patch of `purchasable_offer` (our_price, and the minimum and maximum allowed prices when the
settings ask for them) for each SKU whose price differs from the one Amazon last accepted (`amazon_listing_prices`).
A merge keeps what it does not name, so a running sale survives; before changing a price Amazon already took from
us, the listing is read first (as Amazon's own repricer sample does, https://developer-docs.amazon.com/sp-api/docs/
manage-purchasable-offer): a price Amazon already shows is not sent again, and a running sale is recorded beside the
message. A FATAL feed's prices are read back from the listings before anything is sent again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.listings import offer_value, price_patch, running_sale
from amazon_netsuite.lib.amazon.listings_feed import (
    ACCEPTED,
    READ_BACK,
    REJECTED,
    UNKNOWN,
    message_outcomes,
    patch_documents,
    sku_issue_class,
)
from amazon_netsuite.lib.gates import GateResult
from amazon_netsuite.lib.postings import QueuedError, queue_errors
from amazon_netsuite.lib.pricing.gate import price_gate
from amazon_netsuite.lib.pricing.price_list import MINOR_UNITS, price_list
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.warehouse import fetch_arrow, replace_partition

FLOW = "pricing"
POLL_SECONDS = 0.5  # getFeed allows 2 requests a second; the client's wait grows from here
READ_LIMIT = 200  # getListingsItem runs at 5 requests a second: beyond this, send without reading first
Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def held_back_key(sku: str) -> str:
    return f"price_list:{sku}"


def refused_key(sku: str) -> str:
    return f"price:{sku}"


def write_price_list(con: duckdb.DuckDBPyConnection, settings: Settings, storefront: str, day: date,
                     prices: pa.Table, changes: pa.Table, costs: pa.Table, now: datetime) -> pa.Table:
    """Compute and write the storefront-day's `price_list` (replacing the partition); SKUs held back open an error
    each, and the ones priced again resolve theirs. Returns what was written."""
    chosen = settings.storefront_prices(storefront)
    currency = settings.storefront(storefront).currency
    listed = price_list(prices, changes, price_level=chosen.price_level, currency=currency, day=day)
    if currency != settings.pricing.cost_currency:  # NetSuite keeps costs in one currency; no FX here
        costs = costs.slice(0, 0)
    con.register("listed", listed)
    con.register("costs", costs)
    try:
        replace_partition(con, "price_list", storefront, str(day),
                          "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, ?::TIMESTAMP AS computed_at, l.*, "
                          "c.cost FROM listed l LEFT JOIN costs c USING (sku)", params=[storefront, day, now])
    finally:
        con.unregister("listed")
        con.unregister("costs")
    rows = listed.to_pylist()
    queue_errors(con, FLOW, storefront,
                 [QueuedError(held_back_key(r["sku"]), "mapping" if r["held_back_reason"].startswith("no price")
                              else "validation",
                              f"SKU {r['sku']} (storefront {storefront}) has no price to send on {day}: "
                              f"{r['held_back_reason']}. Amazon keeps its last price.", {"sku": r["sku"]})
                  for r in rows if r["held_back_reason"]], now,
                 settled=[held_back_key(r["sku"]) for r in rows if not r["held_back_reason"]])
    return fetch_arrow(con, "SELECT * FROM price_list WHERE storefront = ? AND day = ? ORDER BY sku",
                       [storefront, day])


def gate_for(con: duckdb.DuckDBPyConnection, settings: Settings, storefront: str, day: date) -> GateResult:
    """The price gate over the storefront-day's price list, against what Amazon last accepted and the items' cost."""
    prices = fetch_arrow(con, "SELECT sku, price FROM price_list WHERE storefront = ? AND day = ?", [storefront, day])
    if not prices.num_rows:
        return GateResult(False, [f"the price list of {storefront} on {day} is empty: NetSuite returned no price "
                                  "(wrong price level or currency?) or it was not computed"])
    accepted = fetch_arrow(con, "SELECT sku, price FROM amazon_listing_prices WHERE storefront = ? AND currency = ?",
                           [storefront, settings.storefront(storefront).currency])
    costs = fetch_arrow(con, "SELECT sku, cost FROM price_list WHERE storefront = ? AND day = ? AND cost IS NOT NULL",
                        [storefront, day])
    return price_gate(prices, accepted, costs, max_change_share=settings.pricing.max_change_share,
                      allow_below_cost=settings.pricing.allow_below_cost)


def bounds(price: Decimal, currency: str, minimum_share: Decimal | None,
           maximum_share: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """The minimum and maximum allowed prices around `price`, in the currency's minor unit: the minimum rounded
    down and the maximum up, so the price always lies between them."""
    unit = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    low = (price * minimum_share).quantize(unit, ROUND_FLOOR) if minimum_share is not None else None
    high = (price * maximum_share).quantize(unit, ROUND_CEILING) if maximum_share is not None else None
    return low, high


@dataclass
class PricePushResult:
    feeds: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # accepted | rejected | read_back | unknown
    messages: int = 0
    unchanged: int = 0  # priced SKUs Amazon already shows right (the register, or read first)
    sales_kept: int = 0


def _sale_text(sale) -> str:
    return f"sale at {sale.price} from {sale.start_at.isoformat()} to {sale.end_at.isoformat()}"


def push_prices(connect: Connection, feeds_api, listings_api, settings: Settings, storefront: str, day: date,
                now: datetime, log=None) -> PricePushResult:
    """Send the storefront-day's changed prices; every message lands in `price_feed_submissions`."""
    account = settings.account_of(storefront)
    marketplace_id = settings.storefront(storefront).marketplace_id
    chosen = settings.storefront_prices(storefront)
    result = PricePushResult()
    with connect() as con:
        changed = con.execute(
            """SELECT l.sku, l.currency, l.price, a.price FROM price_list l
               LEFT JOIN amazon_listing_prices a ON a.storefront = l.storefront AND a.sku = l.sku
               WHERE l.storefront = ? AND l.day = ? AND l.price IS NOT NULL
                 AND (a.price IS NULL OR a.price <> l.price OR a.currency <> l.currency)
               ORDER BY l.sku""", [storefront, day]).fetchall()
        priced = con.execute("SELECT count(*) FROM price_list WHERE storefront = ? AND day = ? AND price IS NOT NULL",
                             [storefront, day]).fetchall()[0][0]
    result.unchanged = priced - len(changed)
    to_send, sales, already = [], {}, []
    for index, (sku, currency, price, previous) in enumerate(changed):
        if previous is not None and index < READ_LIMIT:  # Amazon has a price of ours: look before changing it
            listed = listings_api.get_price(account.seller_id, sku, marketplace_id)
            offer = listed.offer if listed else None
            if offer is not None and offer_value(offer) == price and offer.get("currency") == currency:
                already.append({"sku": sku, "currency": currency, "price": price})
                continue
            sale = running_sale(offer, now)
            if sale is not None:
                sales[sku] = _sale_text(sale)
        to_send.append((sku, currency, price, previous))
    result.unchanged += len(already)
    result.sales_kept = len(sales)
    rows: list[dict] = []
    sent = {sku: (currency, price, previous, *bounds(price, currency, chosen.minimum_allowed_share,
                                                     chosen.maximum_allowed_share))
            for sku, currency, price, previous in to_send}
    documents = patch_documents(account.seller_id, (
        (sku, [price_patch(marketplace_id, currency, price, minimum=low, maximum=high)])
        for sku, (currency, price, _, low, high) in sent.items()))
    for document in documents:
        outcome = feeds_api.submit_json_listings_feed(document, [marketplace_id], poll_seconds=POLL_SECONDS)
        result.feeds.append(outcome.feed_id)
        result.statuses[outcome.processing_status] += 1
        outcomes = message_outcomes(document["messages"], outcome.report, outcome.processing_status)
        if outcome.processing_status != "DONE":
            _read_back(listings_api, account.seller_id, marketplace_id, outcomes, sent)
        for row in outcomes:
            currency, price, previous, low, high = sent[row["sku"]]
            rows.append(dict(storefront=storefront, day=day, feed_id=outcome.feed_id, submitted_at=now,
                             feed_status=outcome.processing_status, message_id=row["message_id"], sku=row["sku"],
                             currency=currency, price=price, previous_price=previous, minimum_price=low,
                             maximum_price=high, running_sale=sales.get(row["sku"]), outcome=row["outcome"],
                             issue=row["issue"]))
        with connect() as con:  # as each feed ends, so a killed run keeps what Amazon already took
            _record(con, storefront, [r for r in rows if r["feed_id"] == outcome.feed_id], now)
        if log:
            log.info(f"price feed {outcome.feed_id}: {outcome.processing_status}, {len(document['messages'])} "
                     "messages")
    with connect() as con:
        if already:
            _accept(con, storefront, already, None, now)
        if rows:
            con.register("submitted", pa.Table.from_pylist(rows))
            con.execute("INSERT INTO price_feed_submissions BY NAME SELECT * FROM submitted")
            con.unregister("submitted")
        errors = [QueuedError(refused_key(r["sku"]), sku_issue_class(r["issue"] or ""),
                              f"Amazon refused the price {r['price']} {r['currency']} for SKU {r['sku']} (storefront "
                              f"{storefront}, feed {r['feed_id']}): {r['issue']}",
                              {"sku": r["sku"], "price": str(r["price"]), "currency": r["currency"]})
                  for r in rows if r["outcome"] == REJECTED]
        queue_errors(con, FLOW, storefront, errors, now,
                     settled=[refused_key(r["sku"]) for r in rows if r["outcome"] in (ACCEPTED, READ_BACK)]
                     + [refused_key(a["sku"]) for a in already])
    result.messages = len(rows)
    result.outcomes.update(r["outcome"] for r in rows)
    return result


def _read_back(listings_api, seller_id: str, marketplace_id: str, outcomes: list[dict], sent: dict) -> None:
    """After FATAL (or CANCELLED), what each message's listing shows now: that is what Amazon has."""
    for index, row in enumerate(outcomes):
        if row["outcome"] == REJECTED:
            continue
        listed = listings_api.get_price(seller_id, row["sku"], marketplace_id) if index < READ_LIMIT else None
        shown = offer_value(listed.offer) if listed else None
        if shown == sent[row["sku"]][1]:
            row.update(outcome=READ_BACK, issue=(row["issue"] or "") + " read back: Amazon shows the price")
        else:
            row["outcome"] = UNKNOWN


def _accept(con: duckdb.DuckDBPyConnection, storefront: str, rows: list[dict], feed_id: str | None,
            at: datetime) -> None:
    con.register("_accepted_prices", pa.Table.from_pylist(
        [{"sku": r["sku"], "currency": r["currency"], "price": r["price"]} for r in rows],
        schema=pa.schema([("sku", pa.string()), ("currency", pa.string()), ("price", pa.decimal128(18, 4))])))
    try:
        con.execute("""
            INSERT INTO amazon_listing_prices (storefront, sku, currency, price, accepted_at, feed_id)
            SELECT ?, sku, currency, price, ?::TIMESTAMP, ? FROM _accepted_prices
            ON CONFLICT (storefront, sku) DO UPDATE SET currency = excluded.currency, price = excluded.price,
              accepted_at = excluded.accepted_at, feed_id = excluded.feed_id
        """, [storefront, at, feed_id])
    finally:
        con.unregister("_accepted_prices")


def _record(con: duckdb.DuckDBPyConnection, storefront: str, rows: list[dict], at: datetime) -> None:
    """The register after one feed: what Amazon took (or shows when read back) is its price now; what may or may
    not have applied is forgotten, so the next push sends it."""
    taken = [r for r in rows if r["outcome"] in (ACCEPTED, READ_BACK)]
    if taken:
        _accept(con, storefront, taken, rows[0]["feed_id"], at)
    forgotten = [r["sku"] for r in rows if r["outcome"] == UNKNOWN]
    con.execute("DELETE FROM amazon_listing_prices WHERE storefront = ? AND sku IN (SELECT unnest(?::VARCHAR[]))",
                [storefront, forgotten])
