"""The NetSuite record store: records by type in memory, written through to SQLite under the sandbox state_dir.

Internal ids come from one sequence for every type, so a transaction id never repeats across record types.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path

TRANSACTION_TYPES = ("salesOrder", "cashSale")
ITEM_TYPES = ("inventoryItem", "kitItem")
RECORD_TYPES = ("subsidiary", "location", "currency", "customer", *ITEM_TYPES, *TRANSACTION_TYPES)
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
        self._last_id = 0
        self.version = 0  # bumped on every write, so SuiteQL knows when its tables are stale
        for record_id, record_type, external_id, body in self._db.execute("SELECT id, type, external_id, body FROM records"):
            self._records.setdefault(record_type, {})[record_id] = json.loads(body)
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

    def id_for(self, record_type: str, external_id: str) -> int | None:
        return self._by_external_id[record_type].get(external_id)

    def all(self, record_type: str) -> list[dict]:
        with self._lock:
            return list(self._records[record_type].values())

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
                (record_id, record_type, external_id, json.dumps(record)),
            )
            self._records[record_type][record_id] = record
            if external_id:
                self._by_external_id[record_type][external_id] = record_id
            self._last_id = max(self._last_id, record_id)
            self.version += 1
