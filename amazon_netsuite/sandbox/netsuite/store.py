"""The NetSuite record store: records by type in memory, written through to SQLite under the sandbox state_dir.

Internal ids come from one sequence for every type, so a transaction id never repeats across record types and an
id alone finds its record. Bodies are stored as JSON with exact decimals. The store also knows which transactions
point at which (`createdFrom`, applied invoices, deposited payments), so a record's derived state (an order's
fulfilled quantity, an invoice's amount remaining) can be refreshed when a related record changes.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

from amazon_netsuite.sandbox.netsuite.wire import dumps, loads

ITEM_TYPES = ("inventoryItem", "kitItem", "discountItem", "otherChargeSaleItem")
# Transactions with an `item` sublist of rates and amounts.
SALES_TYPES = ("salesOrder", "cashSale", "invoice", "creditMemo", "cashRefund")
TRANSACTION_TYPES = (*SALES_TYPES, "itemFulfillment", "customerPayment", "journalEntry", "deposit",
                     "customerRefund", "inventoryAdjustment", "returnAuthorization", "itemReceipt")
LIST_TYPES = ("subsidiary", "location", "currency", "customer", "account", "classification", "department",
              "taxType", "salesTaxItem", "priceLevel", "shipItem", "paymentMethod")
# Custom record types the sandbox's account defines (their REST record type is their script id).
PRICE_CHANGE = "customrecord_amz_price_change"
CUSTOM_RECORD_TYPES = (PRICE_CHANGE,)
PRICE_CHANGE_FIELDS = ("custrecord_apc_item", "custrecord_apc_price_level", "custrecord_apc_currency",
                       "custrecord_apc_price", "custrecord_apc_start_date", "custrecord_apc_end_date",
                       "custrecord_apc_memo")
RECORD_TYPES = (*LIST_TYPES, *ITEM_TYPES, *TRANSACTION_TYPES, *CUSTOM_RECORD_TYPES)
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_-]+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    external_id TEXT,
    body TEXT NOT NULL,
    UNIQUE (type, external_id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _id(value: object) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    return int(value) if value is not None and str(value).isdigit() else None


def linked_ids(record_type: str, record: dict) -> set[int]:
    """Ids of the transactions this record points at: its source, the invoices (or credit memos) it applies to,
    the payments it deposits."""
    ids = {_id(record.get("createdFrom"))}
    if record_type in ("customerPayment", "creditMemo", "customerRefund"):
        ids |= {_id(line.get("doc")) for line in record.get("apply", {}).get("items", []) if line.get("apply", True)}
    if record_type == "deposit":
        ids |= {_id(line.get("id")) for line in record.get("payment", {}).get("items", []) if line.get("deposit", True)}
    return {i for i in ids if i is not None}


class RecordStore:
    """Thread-safe; `get`/`put` copy nothing, so callers treat returned records as read-only."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._records: dict[str, dict[int, dict]] = {t: {} for t in RECORD_TYPES}
        self._by_external_id: dict[str, dict[str, int]] = {t: {} for t in RECORD_TYPES}
        self._type_of: dict[int, str] = {}
        self._links: dict[int, set[int]] = {}  # record id → ids it points at
        self._referrers: dict[int, set[int]] = {}  # record id → ids pointing at it
        self._last_id = 0
        self.version = 0  # bumped on every write, so SuiteQL knows when its tables are stale
        for record_id, record_type, external_id, body in self._db.execute("SELECT id, type, external_id, body FROM records"):
            record = loads(body)
            self._records.setdefault(record_type, {})[record_id] = record
            self._type_of[record_id] = record_type
            self._index_links(record_type, record_id, record)
            if external_id:
                self._by_external_id.setdefault(record_type, {})[external_id] = record_id
            self._last_id = max(self._last_id, record_id)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get(self, record_type: str, record_id: int) -> dict | None:
        return self._records[record_type].get(record_id)

    def find(self, record_id: int) -> tuple[str, dict] | None:
        """(type, record) of any record by internal id."""
        record_type = self._type_of.get(record_id)
        return None if record_type is None else (record_type, self._records[record_type][record_id])

    def id_for(self, record_type: str, external_id: str) -> int | None:
        return self._by_external_id[record_type].get(external_id)

    def all(self, record_type: str) -> list[dict]:
        with self._lock:
            return list(self._records[record_type].values())

    def referrers(self, record_id: int) -> list[tuple[str, dict]]:
        """The records pointing at `record_id` (createdFrom, apply, deposit), in id order."""
        with self._lock:
            ids = sorted(self._referrers.get(record_id, ()))
            return [(self._type_of[i], self._records[self._type_of[i]][i]) for i in ids]

    def links(self, record_id: int) -> set[int]:
        return set(self._links.get(record_id, ()))

    def next_id(self) -> int:
        with self._lock:
            self._last_id += 1
            return self._last_id

    def put(self, record_type: str, record: dict) -> None:
        """Insert or replace the record (its `id` already assigned); its externalId must be free or its own."""
        record_id, external_id = int(record["id"]), record.get("externalId")
        with self._lock:
            old = self._records[record_type].get(record_id)
            if old and old.get("externalId") and old.get("externalId") != external_id:
                del self._by_external_id[record_type][old["externalId"]]
            self._db.execute(
                "INSERT OR REPLACE INTO records (id, type, external_id, body) VALUES (?, ?, ?, ?)",
                (record_id, record_type, external_id, dumps(record)),
            )
            self._records[record_type][record_id] = record
            self._type_of[record_id] = record_type
            self._index_links(record_type, record_id, record)
            if external_id:
                self._by_external_id[record_type][external_id] = record_id
            self._last_id = max(self._last_id, record_id)
            self.version += 1

    def delete(self, record_type: str, record_id: int) -> None:
        """Remove a record (NetSuite deletes an automatic reversal when its journal no longer reverses)."""
        with self._lock:
            record = self._records[record_type].pop(record_id, None)
            if record is None:
                return
            self._db.execute("DELETE FROM records WHERE id = ?", (record_id,))
            if record.get("externalId"):
                self._by_external_id[record_type].pop(record["externalId"], None)
            self._type_of.pop(record_id, None)
            for target in self._links.pop(record_id, set()):
                self._referrers.get(target, set()).discard(record_id)
            self.version += 1

    def _index_links(self, record_type: str, record_id: int, record: dict) -> None:
        new = linked_ids(record_type, record) if record_type in TRANSACTION_TYPES else set()
        old = self._links.get(record_id, set())
        if new == old:
            return
        for target in old - new:
            self._referrers.get(target, set()).discard(record_id)
        for target in new - old:
            self._referrers.setdefault(target, set()).add(record_id)
        self._links[record_id] = new
