"""Posting one settlement to NetSuite: read it from the warehouse, build its records (`posting.py`) in the mode
`data/gl_mapping.yaml` sets, upsert each by external id in order, and record every attempt in the posting ledger
(flow `settlements`, key `{settlement id}:journal`, `:deposit`, `:payment:{order}` ...).

A record already posted with the same body is not sent again, so a re-run writes nothing. What NetSuite refuses
goes to `integration_errors` with the reason and the rest still posts: a refused payment or credit memo leaves its
order's amount on the suspense (or clearing) account of the fee journal, so the deposit still equals the bank amount;
the next run that gets it through moves it out of suspense by updating the fee journal and the deposit.

The deposit (or a negative settlement's debit journal) empties the clearing account that the journal (summary) or
the fee journal (transactional) fills, so it is sent only once that journal is in NetSuite as this run built it.
Otherwise it waits: queued in `integration_errors` with the journal's reason, counted in `waiting`, and sent by the
next run (the retry schedule's, or any) that gets the journal through.

A settlement that must not post at all (its lines do not tie out, a line has no GL account, its GL summary is
missing or of another mapping) raises SettlementNotPostable before anything is sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.postings import (
    POSTED,
    LedgerEntry,
    PostingAttempt,
    Waiting,
    is_posted_unchanged,
    ledger_entries,
    record_attempts,
    resolve_errors,
    utc_now,
)
from amazon_netsuite.lib.settings import Settings, load_settings
from amazon_netsuite.lib.settlements.gl_mapping import GlMapping, load_gl_mapping, map_lines
from amazon_netsuite.lib.settlements.posting import (
    ZERO,
    Posting,
    Settlement,
    SettlementNotPostable,
    Unsettled,
    bank_transfer,
    summary_journal,
)
from amazon_netsuite.lib.settlements.transactional import TransactionalPosting
from amazon_netsuite.lib.warehouse import fetch_arrow

FLOW = "settlements"
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


@dataclass(frozen=True)
class StoredSettlement:
    """One settlement as the warehouse holds it, with its ledger rows."""

    settlement: Settlement
    lines: pa.Table  # settlement_lines rows, in line order
    summary: list[dict[str, Any]]
    matches: dict[int, dict[str, Any]]  # line number → its settlement_line_matches row
    ledger: dict[str, LedgerEntry]


def read_settlement(con: duckdb.DuckDBPyConnection, settlement_id: str, account: str) -> StoredSettlement:
    """A settlement's rows of settlements, settlement_lines, settlement_gl_summary and settlement_line_matches."""
    found = fetch_arrow(con, "SELECT * FROM settlements WHERE settlement_id = ?", [settlement_id]).to_pylist()
    if not found:
        raise SettlementNotPostable(f"settlement {settlement_id} is not in the warehouse (table settlements); "
                                    "import it first")
    if len(found) > 1:
        where = ", ".join(f"{r['storefront']} {r['day']}" for r in found)
        raise SettlementNotPostable(f"settlement {settlement_id} is stored {len(found)} times ({where}); keep one "
                                    "import of it before posting")
    row = found[0]
    settlement = Settlement(settlement_id, row["storefront"], row["currency"], row["total_amount"],
                            row["deposit_date"], row["settlement_start_date"], row["settlement_end_date"])
    where, params = "WHERE settlement_id = ? AND storefront = ? AND day = ?", [settlement_id, row["storefront"],
                                                                                row["day"]]
    lines = fetch_arrow(con, f"SELECT * FROM settlement_lines {where} ORDER BY line_number", params)
    summary = fetch_arrow(con, f"SELECT * FROM settlement_gl_summary {where} ORDER BY side DESC, gl_account",
                          params).to_pylist()
    matches = {m["line_number"]: m for m in fetch_arrow(
        con, f"SELECT * FROM settlement_line_matches {where}", params).to_pylist()}
    keys = [k for (k,) in con.execute("SELECT key FROM netsuite_postings WHERE flow = ? AND storefront = ? "
                                      "AND starts_with(key, ?)", [FLOW, row["storefront"], f"{settlement_id}:"])
            .fetchall()]
    return StoredSettlement(settlement, lines, summary, matches,
                            ledger_entries(con, FLOW, row["storefront"], keys, account=account))


def post_settlement(connect: Connection, client, settlement_id: str, *, mapping: GlMapping | None = None,
                    log=None, settings: Settings | None = None) -> SettlementPostingResult:
    """Post one settlement in the mapping's `posting_mode`; records every attempt. Raises SettlementNotPostable
    (nothing sent) when the settlement must not post as it stands."""
    mapping = mapping or load_gl_mapping()
    with connect() as con:
        stored = read_settlement(con, settlement_id, client.connection.ledger_account)
    settlement = stored.settlement
    settings = settings or load_settings()
    try:
        region = settings.account_of(settlement.storefront).region
    except KeyError:
        raise SettlementNotPostable(f"settlement {settlement_id} belongs to storefront {settlement.storefront}, "
                                    "which the settings do not have") from None
    subsidiary = mapping.subsidiary(settlement.storefront, region)
    _check_mode(stored, mapping.posting_mode)
    result = SettlementPostingResult(settlement_id, settlement.storefront, mapping.posting_mode)
    sender = PostingSender(connect, client, settlement, stored.ledger, result, log)
    if mapping.posting_mode == "transactional":
        TransactionalPosting(stored, client, mapping, subsidiary, sender, settings).run()
    else:
        tax = [line["amount"] for line in map_lines(stored.lines, mapping).to_pylist()
               if line["gl_account"] == mapping.facilitator_tax_account]
        facilitator_tax = (sum((a for a in tax if a > 0), ZERO), sum((a for a in tax if a < 0), ZERO))
        # Refused here, before any write, when it must not post.
        journal = summary_journal(settlement, stored.summary, mapping, subsidiary, facilitator_tax)
        transfer = bank_transfer(settlement, mapping, subsidiary)
        sender.send(journal)
        sender.send_after(transfer, needs=[journal])
    result.deposit_amount = max(settlement.total_amount, ZERO)
    result.errors_resolved_without_posting = sender.resolve_untouched_errors()
    if log:
        log.info(f"settlement {settlement_id} ({mapping.posting_mode}): posted {dict(result.posted)}, unchanged "
                 f"{dict(result.unchanged)}, failed {dict(result.failed)}, waiting {dict(result.waiting)}, errors "
                 f"no longer needed {result.errors_resolved_without_posting}")
    return result


@dataclass(frozen=True)
class OpenPostingError:
    """An open `integration_errors` row of a settlement's record: what a retry of its storefront-day posts."""

    storefront: str
    day: date
    settlement_id: str
    key: str
    error_class: str
    message: str

    def __str__(self) -> str:
        return f"{self.key} ({self.error_class}): {self.message}"


def open_posting_errors(con: duckdb.DuckDBPyConnection,
                        partitions: Iterable[tuple[str, date]] | None = None) -> list[OpenPostingError]:
    """The open errors of settlement postings, by deposit day, storefront and key; only those of the settlements
    stored in `partitions` (storefront, day) when given. Errors of settlements no longer stored are left out: no
    run can post them."""
    wanted = None if partitions is None else [f"{storefront}|{day}" for storefront, day in partitions]
    rows = con.execute(
        """
        SELECT s.storefront, s.day, s.settlement_id, e.key, e.error_class, e.message
        FROM integration_errors e
        JOIN settlements s ON s.storefront = e.storefront AND s.settlement_id = split_part(e.key, ':', 1)
        WHERE e.flow = ? AND e.resolved IS NULL AND (? OR list_contains(?::VARCHAR[], s.storefront || '|' || s.day))
        ORDER BY s.day, s.storefront, e.key
        """, [FLOW, wanted is None, wanted or []]).fetchall()
    return [OpenPostingError(*row) for row in rows]


# Ledger keys only one mode writes: a settlement posted in one mode is never posted again in the other.
_SUMMARY_ONLY = ("journal",)
_TRANSACTIONAL_ONLY = ("fees", "payment:", "credit-memo:", "invoice:")


def _check_mode(stored: StoredSettlement, mode: str) -> None:
    other, keys = ("transactional", _TRANSACTIONAL_ONLY) if mode == "summary" else ("summary", _SUMMARY_ONLY)
    sid = stored.settlement.settlement_id
    posted = sorted(e.external_id for k, e in stored.ledger.items()
                    if e.status == POSTED and k.removeprefix(f"{sid}:").startswith(keys))
    if posted:
        raise SettlementNotPostable(
            f"settlement {sid} was posted in {other} mode ({', '.join(posted[:3])}); posting it in {mode} mode too "
            f"would count it twice. Keep posting_mode: {other} for it, or delete those records in NetSuite and their "
            "netsuite_postings rows first")


class PostingSender:
    """Upserts postings (skipping those posted unchanged) and records each attempt in the ledger."""

    def __init__(self, connect: Connection, client, settlement: Settlement, ledger: dict[str, LedgerEntry],
                 result: SettlementPostingResult, log=None) -> None:
        self.connect, self.client, self.settlement = connect, client, settlement
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
                flow=FLOW, storefront=self.settlement.storefront, key=posting.key, record_type=posting.record_type,
                external_id=posting.external_id, payload=posting.body, at=utc_now(), error=Waiting(needed, cause),
                record_label=posting.label))
        self._record(attempts)
        self.outcomes.update(ids)
        return ids

    def transform(self, key: str, source_type: str, source_id: str, target: str, external_id: str,
                  body: dict[str, Any], label: str) -> str | None:
        """`!transform` once: a transform is not idempotent, so a record the ledger has is never made again."""
        self.touched.add(key)
        entry = self.ledger.get(key)
        if entry is not None and entry.status == POSTED and entry.internal_id:
            self.result.unchanged[target] += 1
            return self._remember(target, external_id, entry.internal_id)
        base = dict(flow=FLOW, storefront=self.settlement.storefront, key=key, record_type=target,
                    external_id=external_id, payload=body, record_label=label)
        try:
            internal_id = self.client.transform(source_type, source_id, target, body)
            attempt = PostingAttempt(**base, at=utc_now(), internal_id=internal_id)
        except Exception as exc:  # recorded against the record; the rest of the settlement still posts
            attempt = PostingAttempt(**base, at=utc_now(), error=exc)
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
        self._record([PostingAttempt(flow=FLOW, storefront=self.settlement.storefront, key=posting_key,
                                     record_type=record_type, external_id=external_id, payload={}, at=utc_now(),
                                     error=error, record_label=label)])

    def resolve_untouched_errors(self) -> int:
        """Resolve the settlement's open errors of records this run did not build (an order no longer matched, an
        invoice billed by hand in NetSuite): no run sends them again, so the retry would look at them forever."""
        sid, storefront = self.settlement.settlement_id, self.settlement.storefront
        with self.connect() as con:
            keys = [k for (k,) in con.execute(
                "SELECT key FROM integration_errors WHERE flow = ? AND storefront = ? AND resolved IS NULL "
                "AND starts_with(key, ?)", [FLOW, storefront, f"{sid}:"]).fetchall() if k not in self.touched]
            return resolve_errors(con, FLOW, storefront, keys, utc_now(),
                                  "no longer part of the settlement's posting: nothing to send")

    def _upsert(self, posting: Posting) -> PostingAttempt:
        entry = self.ledger.get(posting.key)
        base = dict(flow=FLOW, storefront=self.settlement.storefront, key=posting.key,
                    record_type=posting.record_type, external_id=posting.external_id, payload=posting.body,
                    record_label=posting.label)
        try:
            internal_id = self.client.upsert(posting.record_type, posting.external_id, posting.body,
                                             replace=posting.replace)
            if internal_id is None:
                internal_id = entry.internal_id if entry and entry.internal_id else str(self.client.get(
                    posting.record_type, f"eid:{posting.external_id}", fields=["id"])["id"])
        except Exception as exc:  # recorded against the record; the rest of the settlement still posts
            return PostingAttempt(**base, at=utc_now(), error=exc)
        return PostingAttempt(**base, at=utc_now(), internal_id=internal_id)

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
