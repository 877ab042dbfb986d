"""The posting ledger and the error queue, in the warehouse.

`netsuite_postings` holds one row per record a flow writes to NetSuite (flow, storefront, key): the NetSuite
account it was written to (`netsuite_account`: the realm, or `sandbox`), its external and internal id, the hash of
the record last attempted, the record as our last successful write left it, the timestamp of the source state last
sent, status and attempts. A re-run compares hashes and sends nothing that is already posted unchanged to the same
account; a record posted to another account (the sandbox before going live, or another company) counts as not
posted, so switching accounts never skips one. An older source state than the one sent is never sent.
`integration_errors` holds what could not be posted, classified so an operator knows whether to fix a mapping, the
data, the credentials, or just wait; a later success (or the order no longer needing a record) resolves it.

`complete` marks records the orders flow has nothing more to do for: Cash Sales, Seller-Fulfilled-Prime Sales
Orders (NetSuite Connector leaves their tracking to Amazon:
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164433264647.html) and fully closed Sales
Orders. The shipments flow's view `sales_orders_to_confirm_shipment` lists the Sales Orders whose shipment it still
has to confirm to Amazon, SFP ones included. The tables are declared in `lib/warehouse/tables.py`.

Attempts are written in batches as they finish (`record_attempts`), one transaction per batch, so a killed run
loses only what was in flight; the upserts by external id make re-sending those harmless.
"""

from __future__ import annotations

import hashlib
import re
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.netsuite.errors import (
    ConcurrencyLimitExceeded,
    InvalidExternalId,
    InvalidKeyOrRef,
    InvalidLogin,
    NetSuiteAuthError,
    NetSuiteError,
    NetSuiteUnreachable,
    RecordNotFound,
    UnexpectedError,
)
from amazon_netsuite.lib.netsuite.items import PROMOTION_ITEM, UnmappedSku
from amazon_netsuite.lib.warehouse import transaction
from amazon_netsuite.lib.warehouse.connection import connect

POSTED, FAILED = "posted", "failed"
T = TypeVar("T")
ERROR_CLASSES = ("mapping", "validation", "auth", "rate_limit", "transient")


@dataclass(frozen=True)
class LedgerEntry:
    record_type: str
    external_id: str
    internal_id: str | None
    payload_hash: str
    status: str
    attempts: int
    source_updated: datetime | None = None
    posted_body: dict[str, Any] | None = None
    posted_line_keys: tuple[str, ...] = ()
    complete: bool = False


class NotSent(Exception):
    """An attempt given up before sending, because an earlier one in the run showed it could not succeed."""

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(f"not sent: {cause}")


class Waiting(Exception):
    """A record held back because a record it depends on is not in NetSuite (e.g. a deposit whose journal NetSuite
    refused): sending it alone would leave the books wrong. Classified like the cause; sent once that posts."""

    def __init__(self, needs: str, cause: BaseException | None) -> None:
        self.needs, self.cause = needs, cause
        super().__init__(f"waits for {needs}: {cause}")


@dataclass(frozen=True)
class PostingAttempt:
    """One write to NetSuite and how it ended (`error` None when it posted)."""

    flow: str
    storefront: str
    key: str
    record_type: str
    external_id: str
    payload: Mapping[str, Any]  # the whole record as it should be in NetSuite
    at: datetime
    internal_id: str | None = None
    error: Exception | None = None
    record_label: str = ""  # how the message names the record, e.g. "order 111-…"
    sent: Mapping[str, Any] | None = None  # the request body, when less than the whole record (a PATCH)
    line_keys: tuple[str, ...] = ()
    source_updated: datetime | None = None
    complete: bool = False
    queue_error: bool = True  # False when the failure is queued against the records that needed this one
    resolution: str = "posted"

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.payload)


def utc_now() -> datetime:
    """Naive UTC, as every warehouse timestamp."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def canonical_json(body: Mapping[str, Any]) -> str:
    """The body as sent, in a stable form (sorted keys) so equal payloads hash equal."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def ledger_entries(con: duckdb.DuckDBPyConnection, flow: str, storefront: str, keys: Iterable[str], *,
                   account: str) -> dict[str, LedgerEntry]:
    """The ledger rows of these keys written to this NetSuite `account` (`NetSuiteConnection.ledger_account`), by
    key; a record last written to another account is not there."""
    keys = list(keys)
    if not keys:
        return {}
    # Rows from before the ledger recorded accounts were posted to the account configured then: the first run
    # after the upgrade takes them as its own rather than posting everything again.
    con.execute("UPDATE netsuite_postings SET netsuite_account = ? WHERE netsuite_account IS NULL", [account])
    rows = con.execute(
        "SELECT key, record_type, external_id, internal_id, payload_hash, status, attempts, source_updated, "
        "posted_body, posted_line_keys, coalesce(complete, false) FROM netsuite_postings "
        "WHERE flow = ? AND storefront = ? AND netsuite_account = ? AND key IN (SELECT unnest(?::VARCHAR[]))",
        [flow, storefront, account, keys],
    ).fetchall()
    return {
        r[0]: LedgerEntry(*r[1:8], posted_body=json.loads(r[8]) if r[8] else None,
                          posted_line_keys=tuple(json.loads(r[9])) if r[9] else (), complete=r[10])
        for r in rows
    }


def is_posted_unchanged(entry: LedgerEntry | None, payload: Mapping[str, Any]) -> bool:
    """True when this exact payload is already in NetSuite: sending it again would change nothing."""
    return entry is not None and entry.status == POSTED and entry.payload_hash == payload_hash(payload)


_BATCH_SCHEMA = pa.schema([
    ("flow", pa.string()), ("storefront", pa.string()), ("key", pa.string()), ("record_type", pa.string()),
    ("external_id", pa.string()), ("internal_id", pa.string()), ("payload_hash", pa.string()),
    ("status", pa.string()), ("attempted_at", pa.timestamp("us")), ("last_error", pa.string()),
    ("source_updated", pa.timestamp("us")), ("posted_body", pa.string()), ("posted_line_keys", pa.string()),
    ("complete", pa.bool_()), ("error_class", pa.string()), ("error_payload", pa.string()),
    ("resolution", pa.string()), ("netsuite_account", pa.string()),
])

_UPSERT_LEDGER = """
    INSERT INTO netsuite_postings (flow, storefront, key, record_type, external_id, internal_id, payload_hash, status,
                                   attempts, first_attempt, last_attempt, last_error, source_updated, posted_body,
                                   posted_line_keys, complete, netsuite_account, first_posted)
    SELECT flow, storefront, key, record_type, external_id, internal_id, payload_hash, status, 1, attempted_at,
           attempted_at, last_error, source_updated, posted_body, posted_line_keys, coalesce(complete, false), netsuite_account,
           CASE WHEN status = 'posted' THEN attempted_at END
    FROM posting_batch
    ON CONFLICT (flow, storefront, key) DO UPDATE SET
      record_type = excluded.record_type, external_id = excluded.external_id,
      payload_hash = excluded.payload_hash, status = excluded.status,
      last_attempt = excluded.last_attempt, last_error = excluded.last_error,
      netsuite_account = excluded.netsuite_account,
      -- The same account: the record's history goes on. Another account: it starts afresh there, keeping nothing
      -- (an internal id or posted body of the other account would make the next run PATCH the wrong record).
      internal_id = CASE WHEN {same} THEN coalesce(excluded.internal_id, netsuite_postings.internal_id)
                         ELSE excluded.internal_id END,
      attempts = CASE WHEN {same} THEN netsuite_postings.attempts + 1 ELSE 1 END,
      first_attempt = CASE WHEN {same} THEN netsuite_postings.first_attempt ELSE excluded.last_attempt END,
      source_updated = CASE WHEN {same} THEN greatest(excluded.source_updated, netsuite_postings.source_updated)
                            ELSE excluded.source_updated END,
      posted_body = CASE WHEN {same} THEN coalesce(excluded.posted_body, netsuite_postings.posted_body)
                         ELSE excluded.posted_body END,
      posted_line_keys = CASE WHEN {same} THEN coalesce(excluded.posted_line_keys, netsuite_postings.posted_line_keys)
                              ELSE excluded.posted_line_keys END,
      complete = CASE WHEN excluded.status = 'posted' THEN excluded.complete
                      WHEN {same} THEN netsuite_postings.complete ELSE false END,
      first_posted = coalesce(CASE WHEN {same} THEN netsuite_postings.first_posted END,
                              CASE WHEN excluded.status = 'posted' THEN excluded.last_attempt END)
""".format(same="coalesce(netsuite_postings.netsuite_account, excluded.netsuite_account) = excluded.netsuite_account")
_SAME_RECORD = "e.flow = b.flow AND e.storefront = b.storefront AND e.key = b.key AND e.resolved IS NULL"


def record_attempts(con: duckdb.DuckDBPyConnection, attempts: Sequence[PostingAttempt], *,
                    account: str) -> list[str | None]:
    """Write a batch of attempts made against the NetSuite `account` to the ledger, and failures to the error
    queue, in one transaction; the error class of each attempt (None when it posted). A success resolves the
    record's open error."""
    classes: list[str | None] = []
    rows: list[dict[str, Any]] = []
    for attempt in attempts:
        error_class, message = (None, None) if attempt.error is None else classify_failure(attempt)
        classes.append(error_class)
        ok = attempt.error is None
        rows.append(dict(
            flow=attempt.flow, storefront=attempt.storefront, key=attempt.key, record_type=attempt.record_type,
            external_id=attempt.external_id, internal_id=attempt.internal_id, payload_hash=attempt.payload_hash,
            status=POSTED if ok else FAILED, attempted_at=attempt.at, last_error=message,
            source_updated=attempt.source_updated,
            posted_body=canonical_json(attempt.payload) if ok else None,
            posted_line_keys=json.dumps(list(attempt.line_keys)) if ok else None,
            complete=attempt.complete if ok else None,
            error_class=error_class if attempt.queue_error else None,
            error_payload=canonical_json(attempt.payload if attempt.sent is None else attempt.sent)
            if error_class else None,
            resolution=attempt.resolution if ok and attempt.queue_error else None,
            netsuite_account=account,
        ))
    # ON CONFLICT may touch a row once per statement: a key attempted twice goes in a later round.
    rounds: list[list[dict[str, Any]]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        ident = (row["flow"], row["storefront"], row["key"])
        n = seen[ident] = seen.get(ident, -1) + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(row)
    with transaction(con):
        for batch in rounds:
            con.register("posting_batch", pa.Table.from_pylist(batch, schema=_BATCH_SCHEMA))
            con.execute(_UPSERT_LEDGER)
            _queue_batch(con)
            con.unregister("posting_batch")
    return classes


def _queue_batch(con: duckdb.DuckDBPyConnection) -> None:
    """The error queue's side of a registered `posting_batch`: a row with a resolution resolves the record's open
    error; a row with an error class opens one, or refreshes the open one."""
    con.execute(f"UPDATE integration_errors e SET resolved = b.attempted_at, resolution = b.resolution "
                f"FROM posting_batch b WHERE b.resolution IS NOT NULL AND {_SAME_RECORD}")
    # One open error per record: a repeated failure refreshes it rather than piling up rows.
    con.execute(f"UPDATE integration_errors e SET error_class = b.error_class, message = b.last_error, "
                f"payload = b.error_payload FROM posting_batch b WHERE b.error_class IS NOT NULL "
                f"AND {_SAME_RECORD}")
    con.execute(f"""
        INSERT INTO integration_errors (flow, storefront, key, error_class, message, payload, created)
        SELECT flow, storefront, key, error_class, last_error, error_payload, attempted_at FROM posting_batch b
        WHERE b.error_class IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM integration_errors e WHERE {_SAME_RECORD})
    """)


def peek_warehouse(path: Path, read: Callable[[duckdb.DuckDBPyConnection], T], empty: T) -> T | None:
    """`read` on the warehouse file opened read-only straight away, without the usual wait for the lock (a schedule
    tick must stay short): `empty` when there is no warehouse or no ledger yet, None when another process is
    writing (the caller decides whether to try anyway)."""
    if not path.exists():
        return empty
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return read(con)
    except duckdb.CatalogException:
        return empty  # nothing ever posted: no ledger yet
    except duckdb.IOException:
        return None


def upsert_attempt(client, *, flow: str, storefront: str, key: str, record_type: str, external_id: str,
                   body: Mapping[str, Any], label: str = "", replace: str | None = None,
                   known_id: str | None = None) -> PostingAttempt:
    """Upsert one record by external id (so never twice) and say how it went, for the ledger to record. NetSuite
    answers an update without the record's id, so that comes from `known_id` (the ledger's) or a lookup."""
    base: dict[str, Any] = dict(flow=flow, storefront=storefront, key=key, record_type=record_type,
                                external_id=external_id, payload=body, record_label=label)
    try:
        internal_id = client.upsert(record_type, external_id, body, replace=replace)
        if internal_id is None:
            internal_id = known_id or str(client.get(record_type, f"eid:{external_id}", fields=["id"])["id"])
    except Exception as exc:  # recorded against the record in the ledger and the error queue; the run goes on
        return PostingAttempt(**base, at=utc_now(), error=exc)
    return PostingAttempt(**base, at=utc_now(), internal_id=internal_id)


def transform_attempt(client, *, flow: str, storefront: str, key: str, source_type: str, source_id: str,
                      target: str, external_id: str, body: Mapping[str, Any], label: str = "",
                      replace: str | None = None) -> PostingAttempt:
    """`!transform` one record from another (a Sales Order into its invoice ...) and say how it went. A transform is
    not idempotent: callers send it only when the ledger has no posted record for `key`."""
    base: dict[str, Any] = dict(flow=flow, storefront=storefront, key=key, record_type=target,
                                external_id=external_id, payload=body, record_label=label)
    try:
        internal_id = client.transform(source_type, source_id, target, body, replace=replace)
    except Exception as exc:  # recorded against the record in the ledger and the error queue; the run goes on
        return PostingAttempt(**base, at=utc_now(), error=exc)
    return PostingAttempt(**base, at=utc_now(), internal_id=internal_id)


def record_attempt(con: duckdb.DuckDBPyConnection, attempt: PostingAttempt, *, account: str) -> str | None:
    """Write one attempt to the ledger (and the error queue when it failed); the error class, if any."""
    return record_attempts(con, [attempt], account=account)[0]


def resolve_errors(con: duckdb.DuckDBPyConnection, flow: str, storefront: str, keys: Iterable[str],
                   at: datetime, resolution: str) -> int:
    """Resolve the open errors of records that no longer need posting (e.g. cancelled on Amazon before they
    posted); how many were resolved."""
    keys = list(keys)
    if not keys:
        return 0
    return con.execute(
        "UPDATE integration_errors SET resolved = ?, resolution = ? WHERE flow = ? AND storefront = ? "
        "AND resolved IS NULL AND key IN (SELECT unnest(?::VARCHAR[]))",
        [at, resolution, flow, storefront, keys],
    ).fetchone()[0]


_LINE_PATH = re.compile(r"item\.items\[(\d+)\]\.item")
_SKU_OF_LINE = re.compile(r"(.+) \(Amazon line \d+\)$")


def _refused_line(attempt: PostingAttempt, index: int) -> tuple[dict[str, Any], str | None]:
    body = attempt.payload if attempt.sent is None else attempt.sent
    lines = body.get("item", {}).get("items", [])
    line = lines[index] if index < len(lines) else {}
    key = attempt.line_keys[index] if index < len(attempt.line_keys) else None
    return line, key


def classify_failure(attempt: PostingAttempt) -> tuple[str, str]:
    """(error class, message saying what happened, to which record, and what to do)."""
    exc = attempt.error
    what = f"{attempt.record_label or attempt.key} (storefront {attempt.storefront})"
    if isinstance(exc, Waiting):
        error_class = (classify_failure(PostingAttempt(**{**attempt.__dict__, "error": exc.cause}))[0]
                       if exc.cause is not None else "validation")
        return error_class, (f"{what} waits for {exc.needs}, which is not in NetSuite ({exc.cause}); it was not "
                             "sent, so nothing is booked twice or left half-done. It is sent once that posts: fix "
                             "the cause, then retry.")
    if isinstance(exc, NotSent):
        error_class, _ = classify_failure(PostingAttempt(**{**attempt.__dict__, "error": exc.cause}))
        return error_class, (f"{what} was not sent: an earlier request of this run showed it cannot succeed "
                             f"({exc.cause}). Fix that first; then retry.")
    if isinstance(exc, UnmappedSku):
        return "mapping", f"SKU `{exc.sku}` ({what}) has no NetSuite item: {exc.reason}; {exc.fix}, then retry."
    if isinstance(exc, InvalidKeyOrRef):
        match = _LINE_PATH.fullmatch(exc.error_path or "")
        if match:
            line, key = _refused_line(attempt, int(match.group(1)))
            ref = line.get("item", {})
            item = ref.get("externalId") or ref.get("id") or "?"
            if (key or "").endswith("/promotion") or (key is None and item == PROMOTION_ITEM):
                return "mapping", (f"The promotion discount item `{item}` does not exist in NetSuite ({what}); "
                                   f"create a Discount item with external id `{item}` (or set "
                                   "order_posting.promotion_item), then retry.")
            described = _SKU_OF_LINE.fullmatch(line.get("description", ""))
            sku = described.group(1) if described else item
            if sku != item:
                return "mapping", (f"SKU `{sku}` ({what}) maps to item `{item}`, which NetSuite does not have; "
                                   f"create it or fix the SKU map, then retry.")
            return "mapping", (f"SKU `{sku}` ({what}) has no NetSuite item; create the item with external id "
                               f"`{sku}` (or set an existing item's external id to the SKU, or map the SKU under "
                               "order_posting.items), then retry.")
        field = exc.error_path or "a reference"
        where = ("data/gl_mapping.yaml" if attempt.flow == "settlements"
                 else "the storefront's mapping (order_posting.storefronts)")
        return "mapping", (f"NetSuite has no record for `{field}` of {what}: {exc.detail} Create it or fix "
                           f"{where}, then retry.")
    if isinstance(exc, RecordNotFound):
        return "validation", (f"{what} is no longer in NetSuite (internal id {attempt.internal_id}): someone deleted "
                              "it after it posted, and it is not re-created behind their back. Re-enter it by hand, "
                              "or delete its netsuite_postings row so the next run posts it anew.")
    if isinstance(exc, (InvalidLogin, NetSuiteAuthError)):
        return "auth", (f"NetSuite refused our credentials while posting {what}: {exc}. Fix the credentials; "
                        "nothing else posts until then.")
    if isinstance(exc, ConcurrencyLimitExceeded):
        return "rate_limit", (f"NetSuite's concurrency limit stayed full while posting {what} after every retry; "
                              "lower netsuite.concurrency_limit or post outside busy hours, then retry.")
    if isinstance(exc, (UnexpectedError, NetSuiteUnreachable)):
        return "transient", f"NetSuite did not answer properly while posting {what}: {exc}. Retry later."
    if isinstance(exc, (NetSuiteError, InvalidExternalId)):
        return "validation", f"NetSuite refused {what}: {exc}. Fix the record or its data, then retry."
    return "transient", f"Posting {what} failed unexpectedly: {type(exc).__name__}: {exc}. Retry later."


def ledger_connections(path: str | Path | None = None) -> Callable[
        [], AbstractContextManager[duckdb.DuckDBPyConnection]]:
    """Connections for the ledger batches written while requests are in flight: the schema is in place by then,
    so they skip the schema check and hold the file (and the GIL) as briefly as possible."""
    return partial(connect, path or None)


@dataclass(frozen=True)
class QueuedError:
    """A problem found without a NetSuite write (a SKU held back, a message Amazon refused), for the error queue."""

    key: str
    error_class: str
    message: str
    payload: Mapping[str, Any] | None = None


def queue_errors(con: duckdb.DuckDBPyConnection, flow: str, storefront: str, errors: Sequence[QueuedError],
                 at: datetime, *, settled: Iterable[str] = (), resolution: str = "resolved") -> None:
    """Open (or refresh) one error per key, and resolve the open errors of `settled` keys (the problem is gone),
    in one transaction, by the same statements as a posting batch."""
    by_key = {e.key: e for e in errors}  # one open error per key: the last word on a key counts
    rows = [dict(flow=flow, storefront=storefront, key=e.key, attempted_at=at, error_class=e.error_class,
                 last_error=e.message, error_payload=canonical_json(e.payload) if e.payload is not None else None)
            for e in by_key.values()]
    rows += [dict(flow=flow, storefront=storefront, key=k, attempted_at=at, resolution=resolution)
             for k in dict.fromkeys(settled) if k not in by_key]
    if not rows:
        return
    with transaction(con):
        con.register("posting_batch", pa.Table.from_pylist(rows, schema=_BATCH_SCHEMA))
        _queue_batch(con)
        con.unregister("posting_batch")
