"""Vendor transactions and the acknowledgements they carry (SQLite under the state directory), so a restarted
sandbox still knows what a vendor acknowledged."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

RETAIL, DIRECT = "retail", "direct"  # Retail Procurement, Direct Fulfillment
PROCESSING, SUCCESS, FAILURE = "Processing", "Success", "Failure"

_SCHEMA = """
create table if not exists transactions (
    transaction_id text primary key,
    vendor_account text not null,
    program text not null,
    submitted_at text not null,
    ready_at text,  -- null: stays Processing forever (the stuck fault)
    outcome text not null,  -- Success or Failure, shown from ready_at on
    errors text not null  -- JSON [{code, message, details}]
);
create table if not exists acknowledgements (
    transaction_id text not null,
    vendor_account text not null,
    program text not null,
    purchase_order_number text not null,
    body text not null  -- that order's acknowledgement as sent
);
"""


@dataclass(frozen=True)
class Transaction:
    transaction_id: str
    vendor_account: str
    program: str
    submitted_at: datetime
    ready_at: datetime | None
    outcome: str
    errors: list[dict]

    def status(self, as_of: datetime) -> str:
        return self.outcome if self.ready_at is not None and self.ready_at <= as_of else PROCESSING


@dataclass(frozen=True)
class Acknowledgement:
    """One order's acknowledgement of a successful transaction, in effect from `at`."""

    purchase_order_number: str
    at: datetime
    body: dict


class VendorStore:
    def __init__(self, state_dir: Path) -> None:
        self._con = sqlite3.connect(state_dir / "vendor.sqlite3", check_same_thread=False)
        self._con.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def add(self, transaction: Transaction, acknowledgements: list[tuple[str, dict]]) -> None:
        """Keep a transaction and, when it succeeds, the acknowledgements (order number, body) it carries."""
        t = transaction
        with self._lock, self._con:
            self._con.execute(
                "insert into transactions values (?, ?, ?, ?, ?, ?, ?)",
                (t.transaction_id, t.vendor_account, t.program, t.submitted_at.isoformat(),
                 t.ready_at.isoformat() if t.ready_at else None, t.outcome, json.dumps(t.errors)))
            if t.outcome == SUCCESS:
                self._con.executemany(
                    "insert into acknowledgements values (?, ?, ?, ?, ?)",
                    [(t.transaction_id, t.vendor_account, t.program, number, json.dumps(body))
                     for number, body in acknowledgements])

    def transaction(self, vendor_account: str, transaction_id: str) -> Transaction | None:
        with self._lock:
            row = self._con.execute(
                "select transaction_id, vendor_account, program, submitted_at, ready_at, outcome, errors "
                "from transactions where vendor_account = ? and transaction_id = ?",
                (vendor_account, transaction_id)).fetchone()
        if row is None:
            return None
        tid, account, program, submitted, ready, outcome, errors = row
        return Transaction(tid, account, program, datetime.fromisoformat(submitted),
                           datetime.fromisoformat(ready) if ready else None, outcome, json.loads(errors))

    def acknowledgements(self, vendor_account: str, program: str, as_of: datetime | None = None,
                         numbers: list[str] | None = None) -> dict[str, list[Acknowledgement]]:
        """The acknowledgements in effect (their transaction turned Success by `as_of`; all with None), oldest
        first, by purchase order number."""
        where, args = "a.vendor_account = ? and a.program = ? and t.ready_at is not null", [vendor_account, program]
        if numbers is not None:
            where += f" and a.purchase_order_number in ({', '.join('?' for _ in numbers)})"
            args += numbers
        with self._lock:
            rows = self._con.execute(
                "select a.purchase_order_number, t.ready_at, a.body from acknowledgements a join transactions t "
                f"using (transaction_id) where {where} order by t.ready_at, t.submitted_at, a.rowid", args).fetchall()
        found: dict[str, list[Acknowledgement]] = {}
        for number, ready, body in rows:
            at = datetime.fromisoformat(ready)
            if as_of is None or at <= as_of:
                found.setdefault(number, []).append(Acknowledgement(number, at, json.loads(body)))
        return found

    def close(self) -> None:
        self._con.close()
