"""Listing state and the feeds registry (SQLite) under the sandbox's state directory.

A listing is a seller account × marketplace × SKU and holds its product type, its `fulfillment_availability` and
`purchasable_offer` attributes, every other attribute a put or patch set, and its last submission's issues. A SKU
without a row shows its initial listing (`initial_fulfillment_availability`, `initial_offer`, the catalog's product
type); a row records every accepted change since (a row whose `purchasable_offer` is SQL null, written before prices
were kept, still shows the initial offer; JSON `null` is a deleted offer).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from amazon_netsuite.sandbox.seller_central.product_types import GENERIC, product_type_of
from amazon_netsuite.sandbox.seller_central.report_store import api_time
from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.markets import Market
from amazon_netsuite.sandbox.world.listings import AMAZON_CHANNELS, MERCHANT_CHANNEL, is_fba_listed, starting_stock

MERCHANT_LEAD_TIME_DAYS = 2

_SCHEMA = """
create table if not exists listings (
    seller_account text not null,
    marketplace_id text not null,
    sku text not null,
    fulfillment_availability text,  -- JSON list; null when the attribute was deleted
    purchasable_offer text,  -- JSON list, or JSON null when deleted; SQL null: the initial offer
    deleted integer not null default 0,
    changed_at text not null,
    product_type text,  -- null: the catalog SKU's own (product_types.product_type_of)
    attributes text,  -- JSON object of every other attribute a put or patch set
    issues text,  -- JSON list of the last accepted submission's issues (warnings)
    created_at text,  -- null: listed since the world began
    primary key (seller_account, marketplace_id, sku)
);
create table if not exists feeds (
    seq integer primary key autoincrement,
    feed_id text unique not null,
    seller_account text not null,
    feed_type text not null,
    marketplace_ids text not null,
    input_document_id text not null,
    created_time text not null,
    created_wall real not null,
    processing_status text not null,
    processing_start_time text,
    processing_end_time text,
    result_document_id text,
    planned_fatal integer not null default 0
);
create table if not exists feed_documents (
    document_id text primary key,
    seller_account text not null,
    content_type text not null,
    content blob,  -- null until uploaded
    compression text
);
"""

_FIRST_FEED_NUMBER = 60_000_000_000  # real feed ids are 11-digit numbers


def initial_fulfillment_availability(sku: str, region: str) -> list[dict] | None:
    """What a catalog SKU's listing shows before any change; None for a SKU Amazon does not know."""
    if sku not in PRODUCTS_BY_SKU:
        return None
    if is_fba_listed(sku):
        return [{"fulfillment_channel_code": AMAZON_CHANNELS[region]}]
    return [{"fulfillment_channel_code": MERCHANT_CHANNEL, "quantity": starting_stock(sku, f"WH-{region}"),
             "lead_time_to_ship_max_days": MERCHANT_LEAD_TIME_DAYS}]


def initial_offer(sku: str, marketplace_id: str, market: Market) -> list[dict] | None:
    """A catalog SKU's offer before any change: our_price is the world's shelf price in the marketplace's currency
    (already in its minor unit, whole yen for JPY), for every buyer (audience ALL)."""
    product = PRODUCTS_BY_SKU.get(sku)
    if product is None:
        return None
    price = market.local_price(product.price_usd)
    return [{"marketplace_id": marketplace_id, "currency": market.currency, "audience": "ALL",
             "our_price": [{"schedule": [{"value_with_tax": int(price) if price == price.to_integral() else
                                          float(price)}]}]}]


@dataclass
class Listing:
    sku: str
    fulfillment_availability: list[dict] | None  # None: the attribute was deleted
    changed_at: datetime | None  # None: never changed since the world began
    purchasable_offer: list[dict] | None = None  # None: no offer (deleted, or a SKU Amazon does not know)
    product_type: str = GENERIC
    attributes: dict = field(default_factory=dict)  # every attribute but the two above
    issues: list[dict] = field(default_factory=list)  # Issue objects of the Listings Items API
    created_at: datetime | None = None  # None: listed since the world began


@dataclass
class FeedRecord:
    feed_id: str
    seller_account: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created_time: datetime
    created_wall: float  # epoch seconds; processing progresses in real time, like reports
    processing_status: str = "IN_QUEUE"
    processing_start_time: datetime | None = None
    processing_end_time: datetime | None = None
    result_document_id: str | None = None
    planned_fatal: bool = False

    def to_api(self) -> dict:
        """The `Feed` object of the Feeds API 2021-06-30."""
        body = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": self.marketplace_ids,
            "createdTime": api_time(self.created_time),
            "processingStatus": self.processing_status,
            "processingStartTime": api_time(self.processing_start_time),
            "processingEndTime": api_time(self.processing_end_time),
            "resultFeedDocumentId": self.result_document_id,
        }
        return {k: v for k, v in body.items() if v is not None}


@dataclass(frozen=True)
class FeedDocument:
    document_id: str
    seller_account: str
    content_type: str
    content: bytes | None
    compression: str | None


class ListingStore:
    def __init__(self, state_dir: Path, region_of: dict[str, str], markets: dict[str, Market] | None = None) -> None:
        """`region_of` maps each seller account key to its region (whose channel FBA listings show), `markets` each
        marketplace id to its rules (whose currency and shelf prices the initial offers carry)."""
        self._region_of = region_of
        self._markets = markets or {}
        self._lock = threading.Lock()
        self._db = sqlite3.connect(Path(state_dir) / "listings.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        columns = {r["name"] for r in self._db.execute("pragma table_info(listings)")}
        for column in ("purchasable_offer", "product_type", "attributes", "issues", "created_at"):
            if column not in columns:  # a state directory from before the column was kept
                self._db.execute(f"alter table listings add column {column} text")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- listings -----------------------------------------------------------------------------------------

    def get(self, seller_account: str, marketplace_id: str, sku: str) -> Listing | None:
        """The listing, or None when Amazon does not know the SKU (not in the catalog, or deleted)."""
        with self._lock:
            row = self._db.execute(
                "select * from listings where seller_account = ? and marketplace_id = ? and sku = ?",
                (seller_account, marketplace_id, sku),
            ).fetchone()
        if row is None:
            return self._initial(seller_account, marketplace_id, sku)
        if row["deleted"]:
            return None
        return self._listing(row, marketplace_id)

    def put(self, seller_account: str, marketplace_id: str, sku: str, fulfillment_availability: list[dict] | None,
            at: datetime, *, deleted: bool = False, purchasable_offer: list[dict] | None = None,
            product_type: str | None = None, attributes: dict | None = None, issues: list[dict] | None = None,
            ) -> None:
        """Store the listing's attributes as they now are (all: the caller passes the unchanged ones through); a
        SKU new to the storefront is created at `at`."""
        with self._lock:
            self._db.execute(
                "insert or replace into listings (seller_account, marketplace_id, sku, fulfillment_availability,"
                " deleted, changed_at, purchasable_offer, product_type, attributes, issues, created_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce((select created_at from listings where"
                " seller_account = ? and marketplace_id = ? and sku = ? and not deleted), ?))",
                (seller_account, marketplace_id, sku,
                 None if fulfillment_availability is None else json.dumps(fulfillment_availability),
                 int(deleted), at.isoformat(), json.dumps(purchasable_offer), product_type,
                 json.dumps(attributes or {}), json.dumps(issues or []), seller_account, marketplace_id, sku,
                 None if sku in PRODUCTS_BY_SKU else at.isoformat()),
            )

    def all(self, seller_account: str, marketplace_id: str) -> list[Listing]:
        """Every listing of the storefront, by SKU: the catalog's and any changed since."""
        with self._lock:
            rows = self._db.execute(
                "select * from listings where seller_account = ? and marketplace_id = ?",
                (seller_account, marketplace_id),
            ).fetchall()
        changed = {r["sku"]: r for r in rows}
        listings = []
        for sku in sorted(set(PRODUCTS_BY_SKU) | set(changed)):
            row = changed.get(sku)
            if row is None:
                listings.append(self._initial(seller_account, marketplace_id, sku))
            elif not row["deleted"]:
                listings.append(self._listing(row, marketplace_id))
        return listings

    def _initial(self, seller_account: str, marketplace_id: str, sku: str) -> Listing | None:
        availability = initial_fulfillment_availability(sku, self._region_of[seller_account])
        if availability is None:
            return None
        return Listing(sku, availability, None, self._initial_offer(sku, marketplace_id), product_type_of(sku))

    def _initial_offer(self, sku: str, marketplace_id: str) -> list[dict] | None:
        market = self._markets.get(marketplace_id)
        return None if market is None else initial_offer(sku, marketplace_id, market)

    def _listing(self, row: sqlite3.Row, marketplace_id: str) -> Listing:
        value, offer = row["fulfillment_availability"], row["purchasable_offer"]
        return Listing(row["sku"], None if value is None else json.loads(value), _parse(row["changed_at"]),
                       self._initial_offer(row["sku"], marketplace_id) if offer is None else json.loads(offer),
                       row["product_type"] or product_type_of(row["sku"]), json.loads(row["attributes"] or "{}"),
                       json.loads(row["issues"] or "[]"), _parse(row["created_at"]))

    # --- feeds --------------------------------------------------------------------------------------------

    def create_feed(self, feed: FeedRecord) -> FeedRecord:
        with self._lock:
            (last,) = self._db.execute("select coalesce(max(seq), 0) from feeds").fetchone()
            feed.feed_id = str(_FIRST_FEED_NUMBER + last + 1)
            self._db.execute(
                "insert into feeds (seq, feed_id, seller_account, feed_type, marketplace_ids, input_document_id,"
                " created_time, created_wall, processing_status, planned_fatal) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (last + 1, feed.feed_id, feed.seller_account, feed.feed_type, json.dumps(feed.marketplace_ids),
                 feed.input_document_id, feed.created_time.isoformat(), feed.created_wall, feed.processing_status,
                 int(feed.planned_fatal)),
            )
        return feed

    def save_feed(self, feed: FeedRecord) -> None:
        with self._lock:
            self._db.execute(
                "update feeds set processing_status = ?, processing_start_time = ?, processing_end_time = ?,"
                " result_document_id = ? where feed_id = ?",
                (feed.processing_status, _iso(feed.processing_start_time), _iso(feed.processing_end_time),
                 feed.result_document_id, feed.feed_id),
            )

    def feed(self, seller_account: str, feed_id: str) -> FeedRecord | None:
        with self._lock:
            row = self._db.execute(
                "select * from feeds where feed_id = ? and seller_account = ?", (feed_id, seller_account)
            ).fetchone()
        return _feed(row) if row else None

    def feeds(self, seller_account: str) -> list[FeedRecord]:
        """The account's feeds, newest first."""
        with self._lock:
            rows = self._db.execute(
                "select * from feeds where seller_account = ? order by seq desc", (seller_account,)
            ).fetchall()
        return [_feed(r) for r in rows]

    # --- feed documents -----------------------------------------------------------------------------------

    def add_document(self, document_id: str, seller_account: str, content_type: str,
                     content: bytes | None = None, compression: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "insert or replace into feed_documents (document_id, seller_account, content_type, content,"
                " compression) values (?, ?, ?, ?, ?)",
                (document_id, seller_account, content_type, content, compression),
            )

    def upload(self, document_id: str, content: bytes) -> None:
        with self._lock:
            self._db.execute("update feed_documents set content = ? where document_id = ?", (content, document_id))

    def document(self, document_id: str) -> FeedDocument | None:
        with self._lock:
            row = self._db.execute("select * from feed_documents where document_id = ?", (document_id,)).fetchone()
        if row is None:
            return None
        return FeedDocument(row["document_id"], row["seller_account"], row["content_type"], row["content"],
                            row["compression"])


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _feed(row: sqlite3.Row) -> FeedRecord:
    return FeedRecord(
        feed_id=row["feed_id"],
        seller_account=row["seller_account"],
        feed_type=row["feed_type"],
        marketplace_ids=json.loads(row["marketplace_ids"]),
        input_document_id=row["input_document_id"],
        created_time=_parse(row["created_time"]),
        created_wall=row["created_wall"],
        processing_status=row["processing_status"],
        processing_start_time=_parse(row["processing_start_time"]),
        processing_end_time=_parse(row["processing_end_time"]),
        result_document_id=row["result_document_id"],
        planned_fatal=bool(row["planned_fatal"]),
    )
