"""Sending a settlement's records to NetSuite: each upserted by external id (skipped when posted unchanged) and
every attempt recorded in the posting ledger, with what one run did counted in `SettlementPostingResult`. Used by
both posting modes (`posting_run.py`, `transactional.py`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from amazon_netsuite.lib.postings import (
    POSTED,
    LedgerEntry,
    PostingAttempt,
    Waiting,
    is_posted_unchanged,
    record_attempts,
    resolve_errors,
    transform_attempt,
    upsert_attempt,
    utc_now,
)
from amazon_netsuite.lib.settlements.posting import Posting, Settlement, Unsettled
from amazon_netsuite.lib.settlements.stored_settlement import FLOW

Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass
class SettlementPostingResult:
    """What one run did: counts per record type, the records by external id, and the orders whose money waits on
    the suspense (or clearing) account with the reason."""

    settlement_id: str
    storefront: str = ""
    mode: str = "summary"
    posted: Counter = field(default_factory=Counter)  # written (created or changed) in this run
    unchanged: Counter = field(default_factory=Counter)  # already in NetSuite as they should be: not sent
    failed: Counter = field(default_factory=Counter)  # refused by NetSuite (or not sendable), queued as errors
    waiting: Counter = field(default_factory=Counter)  # held back until a record they need is in NetSuite
    updated: Counter = field(default_factory=Counter)  # of `posted`, records that existed and changed
    errors_by_class: Counter = field(default_factory=Counter)
    errors_resolved_without_posting: int = 0  # open errors of records this settlement no longer needs
    records: dict[str, dict[str, str | None]] = field(default_factory=dict)  # record type → external id → id
    unmatched: list[Unsettled] = field(default_factory=list)  # order amounts no record carries, with the reason
    variances: list[Unsettled] = field(default_factory=list)  # what Amazon paid differs from the order's record
    deposit_amount: Decimal | None = None  # what the deposit brings to the bank (the total-amount, or 0)


class PostingSender:
    """Upserts postings (skipping those posted unchanged) and records each attempt in the ledger."""

    def __init__(self, connect: Connection, client, settlement: Settlement, ledger: dict[str, LedgerEntry],
                 result: SettlementPostingResult, log=None, flow: str = FLOW) -> None:
        self.connect, self.client, self.settlement, self.flow = connect, client, settlement, flow
        self.ledger, self.result, self.log = ledger, result, log
        self.outcomes: dict[str, str | None] = {}  # key → internal id of what this run sent or found unchanged
        self.errors: dict[str, Exception] = {}  # key → why it did not post in this run
        self.touched: set[str] = set()  # keys of the records this run built (sent, unchanged, waiting, refused)

    def send(self, posting: Posting) -> str | None:
        """The record's internal id, or None when it did not post."""
        return self.send_many([posting])[posting.key]

    def send_many(self, postings: Sequence[Posting]) -> dict[str, str | None]:
        """Independent postings, concurrently under the client's limit; key → internal id (None: not posted)."""
        todo: list[Posting] = []
        ids: dict[str, str | None] = {}
        self.touched.update(p.key for p in postings)
        for posting in postings:
            entry = self.ledger.get(posting.key)
            if is_posted_unchanged(entry, posting.body):
                self.result.unchanged[posting.record_type] += 1
                ids[posting.key] = self._remember(posting.record_type, posting.external_id, entry.internal_id)
            else:
                todo.append(posting)
        attempts: list[PostingAttempt] = []
        if todo:
            with ThreadPoolExecutor(max_workers=min(len(todo), max(1, self.client.concurrency_limit))) as pool:
                attempts = list(pool.map(self._upsert, todo))
        self._record(attempts)
        ids.update({a.key: a.internal_id if a.error is None else None for a in attempts})
        self.outcomes.update(ids)
        return ids

    def send_after(self, postings: Sequence[Posting], needs: Sequence[Posting]) -> dict[str, str | None]:
        """Send `postings` only if every record of `needs` is in NetSuite as this run built it; otherwise each waits
        (not sent, queued with the first missing record's reason) unless it is posted unchanged already."""
        missing = [n for n in needs if self.outcomes.get(n.key) is None]
        if not missing:
            return self.send_many(postings)
        self.touched.update(p.key for p in postings)
        cause = self.errors.get(missing[0].key)
        needed = " and ".join(n.label for n in missing)
        ids: dict[str, str | None] = {}
        attempts = []
        for posting in postings:
            entry = self.ledger.get(posting.key)
            if is_posted_unchanged(entry, posting.body):  # nothing to send: it is in NetSuite as it should be
                self.result.unchanged[posting.record_type] += 1
                ids[posting.key] = self._remember(posting.record_type, posting.external_id, entry.internal_id)
                continue
            ids[posting.key] = None
            attempts.append(PostingAttempt(
                flow=self.flow, storefront=self.settlement.storefront, key=posting.key, record_type=posting.record_type,
                external_id=posting.external_id, payload=posting.body, at=utc_now(), error=Waiting(needed, cause),
                record_label=posting.label))
        self._record(attempts)
        self.outcomes.update(ids)
        return ids

    def transform(self, key: str, source_type: str, source_id: str, target: str, external_id: str,
                  body: dict[str, Any], label: str, replace: str | None = None) -> str | None:
        """`!transform` once: a transform is not idempotent, so a record the ledger has is never made again."""
        self.touched.add(key)
        entry = self.ledger.get(key)
        if entry is not None and entry.status == POSTED and entry.internal_id:
            self.result.unchanged[target] += 1
            return self._remember(target, external_id, entry.internal_id)
        attempt = transform_attempt(self.client, flow=self.flow, storefront=self.settlement.storefront, key=key,
                                    source_type=source_type, source_id=source_id, target=target,
                                    external_id=external_id, body=body, label=label, replace=replace)
        self._record([attempt])
        self.outcomes[key] = attempt.internal_id if attempt.error is None else None
        return self.outcomes[key]

    def known(self, key: str, external_id: str, internal_id: str) -> None:
        """A record an earlier run of ours made, found in NetSuite: counted unchanged, nothing sent."""
        entry = self.ledger.get(key)
        if entry is not None and entry.status == POSTED and entry.internal_id == internal_id:
            self.result.unchanged[entry.record_type] += 1
            self._remember(entry.record_type, external_id, internal_id)

    def refuse(self, posting_key: str, record_type: str, external_id: str, label: str, error: Exception) -> None:
        """Record a record that cannot be sent (its order is not ready, its SKU has no item): an error to fix."""
        self.touched.add(posting_key)
        self._record([PostingAttempt(flow=self.flow, storefront=self.settlement.storefront, key=posting_key,
                                     record_type=record_type, external_id=external_id, payload={}, at=utc_now(),
                                     error=error, record_label=label)])

    def resolve_untouched_errors(self) -> int:
        """Resolve the settlement's open errors of records this run did not build (an order no longer matched, an
        invoice billed by hand in NetSuite): no run sends them again, so the retry would look at them forever."""
        sid, storefront = self.settlement.settlement_id, self.settlement.storefront
        with self.connect() as con:
            keys = [k for (k,) in con.execute(
                "SELECT key FROM integration_errors WHERE flow = ? AND storefront = ? AND resolved IS NULL "
                "AND starts_with(key, ?)", [self.flow, storefront, f"{sid}:"]).fetchall() if k not in self.touched]
            return resolve_errors(con, self.flow, storefront, keys, utc_now(),
                                  "no longer part of the settlement's posting: nothing to send")

    def _upsert(self, posting: Posting) -> PostingAttempt:
        entry = self.ledger.get(posting.key)
        return upsert_attempt(self.client, flow=self.flow, storefront=self.settlement.storefront, key=posting.key,
                              record_type=posting.record_type, external_id=posting.external_id, body=posting.body,
                              label=posting.label, replace=posting.replace,
                              known_id=entry.internal_id if entry else None)

    def _record(self, attempts: Sequence[PostingAttempt]) -> None:
        """Write finished attempts to the ledger (and failures to the error queue) in one transaction; count them."""
        if not attempts:
            return
        with self.connect() as con:
            classes = record_attempts(con, attempts, account=self.client.connection.ledger_account)
        for attempt, error_class in zip(attempts, classes):
            if error_class is None:
                self.result.posted[attempt.record_type] += 1
                before = self.ledger.get(attempt.key)
                if before is not None and before.posted_body is not None:
                    self.result.updated[attempt.record_type] += 1
                self._remember(attempt.record_type, attempt.external_id, attempt.internal_id)
            elif isinstance(attempt.error, Waiting):  # its cause is counted (and logged) against the record it needs
                self.errors[attempt.key] = attempt.error
                self.result.waiting[attempt.record_type] += 1
                if self.log:
                    self.log.warning(f"{attempt.record_label} not sent: it {attempt.error}")
            else:
                self.errors[attempt.key] = attempt.error
                self.result.failed[attempt.record_type] += 1
                self.result.errors_by_class[error_class] += 1
                if self.log:
                    self.log.warning(f"{attempt.record_label} not posted ({error_class}): {attempt.error}")

    def _remember(self, record_type: str, external_id: str, internal_id: str | None) -> str | None:
        self.result.records.setdefault(record_type, {})[external_id] = internal_id
        return internal_id
