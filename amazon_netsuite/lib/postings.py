"""The posting ledger and the error queue, in the warehouse.

`netsuite_postings` holds one row per record a flow writes to NetSuite (flow, storefront, key): its external and
internal id, the hash of the payload last sent, status and attempts. A re-run compares hashes and sends nothing that
is already posted unchanged. `integration_errors` holds what could not be posted, classified so an operator knows
whether to fix a mapping, the data, the credentials, or just wait; a later success resolves it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import duckdb

from amazon_netsuite.lib.netsuite.errors import (
    ConcurrencyLimitExceeded,
    InvalidExternalId,
    InvalidKeyOrRef,
    InvalidLogin,
    NetSuiteAuthError,
    NetSuiteError,
    NetSuiteUnreachable,
    UnexpectedError,
)
from amazon_netsuite.lib.orders.posting import PROMOTION_ITEM, canonical_json
from amazon_netsuite.lib.warehouse.schema import register_ddl

POSTED, FAILED = "posted", "failed"
ERROR_CLASSES = ("mapping", "validation", "auth", "rate_limit", "transient")

DDL = (
    """
    CREATE TABLE IF NOT EXISTS netsuite_postings (
      flow VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,
      key VARCHAR NOT NULL,             -- the source record's id, e.g. the Amazon order id
      record_type VARCHAR NOT NULL,
      external_id VARCHAR NOT NULL,
      internal_id VARCHAR,              -- NetSuite's id once posted
      payload_hash VARCHAR NOT NULL,    -- sha256 of the body last sent
      status VARCHAR NOT NULL,          -- posted | failed
      attempts INTEGER NOT NULL,
      first_attempt TIMESTAMP NOT NULL, -- naive UTC
      last_attempt TIMESTAMP NOT NULL,
      last_error VARCHAR,
      PRIMARY KEY (flow, storefront, key)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS integration_errors (
      flow VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,
      key VARCHAR NOT NULL,
      error_class VARCHAR NOT NULL,     -- mapping | validation | auth | rate_limit | transient
      message VARCHAR NOT NULL,         -- what happened, to which record, and what to do
      payload VARCHAR,                  -- the body that was refused (JSON)
      created TIMESTAMP NOT NULL,       -- naive UTC
      resolved TIMESTAMP                -- set when a later attempt posts the record
    )
    """,
)
register_ddl(DDL)


@dataclass(frozen=True)
class LedgerEntry:
    record_type: str
    external_id: str
    internal_id: str | None
    payload_hash: str
    status: str
    attempts: int


@dataclass(frozen=True)
class PostingAttempt:
    """One write to NetSuite and how it ended (`error` None when it posted)."""

    flow: str
    storefront: str
    key: str
    record_type: str
    external_id: str
    payload: Mapping[str, Any]
    at: datetime
    internal_id: str | None = None
    error: Exception | None = None
    record_label: str = ""  # how the message names the record, e.g. "order 111-…"

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.payload)


def utc_now() -> datetime:
    """Naive UTC, as every warehouse timestamp."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def ledger_entries(con: duckdb.DuckDBPyConnection, flow: str, storefront: str,
                   keys: Iterable[str]) -> dict[str, LedgerEntry]:
    """The ledger rows of these keys, by key."""
    keys = list(keys)
    if not keys:
        return {}
    rows = con.execute(
        "SELECT key, record_type, external_id, internal_id, payload_hash, status, attempts FROM netsuite_postings "
        "WHERE flow = ? AND storefront = ? AND key IN (SELECT unnest(?::VARCHAR[]))",
        [flow, storefront, keys],
    ).fetchall()
    return {r[0]: LedgerEntry(*r[1:]) for r in rows}


def is_posted_unchanged(entry: LedgerEntry | None, payload: Mapping[str, Any]) -> bool:
    """True when this exact payload is already in NetSuite: sending it again would change nothing."""
    return entry is not None and entry.status == POSTED and entry.payload_hash == payload_hash(payload)


def record_attempt(con: duckdb.DuckDBPyConnection, attempt: PostingAttempt) -> str | None:
    """Write one attempt to the ledger (and the error queue when it failed); the error class, if any."""
    error_class, message = (None, None) if attempt.error is None else classify_failure(attempt)
    status = POSTED if attempt.error is None else FAILED
    con.execute(
        """
        INSERT INTO netsuite_postings VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
        ON CONFLICT (flow, storefront, key) DO UPDATE SET
          record_type = excluded.record_type, external_id = excluded.external_id,
          internal_id = coalesce(excluded.internal_id, netsuite_postings.internal_id),
          payload_hash = excluded.payload_hash, status = excluded.status,
          attempts = netsuite_postings.attempts + 1, last_attempt = excluded.last_attempt,
          last_error = excluded.last_error
        """,
        [attempt.flow, attempt.storefront, attempt.key, attempt.record_type, attempt.external_id,
         attempt.internal_id, attempt.payload_hash, status, attempt.at, attempt.at, message],
    )
    where = "flow = ? AND storefront = ? AND key = ? AND resolved IS NULL"
    ids = [attempt.flow, attempt.storefront, attempt.key]
    if error_class is None:
        con.execute(f"UPDATE integration_errors SET resolved = ? WHERE {where}", [attempt.at, *ids])
        return None
    # One open error per record: a repeated failure refreshes it rather than piling up rows.
    open_count = con.execute(f"SELECT count(*) FROM integration_errors WHERE {where}", ids).fetchone()[0]
    payload = canonical_json(attempt.payload)
    if open_count:
        con.execute(f"UPDATE integration_errors SET error_class = ?, message = ?, payload = ? WHERE {where}",
                    [error_class, message, payload, *ids])
    else:
        con.execute("INSERT INTO integration_errors VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                    [*ids, error_class, message, payload, attempt.at])
    return error_class


_LINE_PATH = re.compile(r"item\.items\[(\d+)\]\.item")


def classify_failure(attempt: PostingAttempt) -> tuple[str, str]:
    """(error class, message saying what happened, to which record, and what to do)."""
    exc = attempt.error
    what = f"{attempt.record_label or attempt.key} (storefront {attempt.storefront})"
    if isinstance(exc, InvalidKeyOrRef):
        match = _LINE_PATH.fullmatch(exc.error_path or "")
        if match:
            lines = attempt.payload.get("item", {}).get("items", [])
            index = int(match.group(1))
            ref = lines[index].get("item", {}) if index < len(lines) else {}
            sku = ref.get("externalId") or ref.get("id") or "?"
            if sku == PROMOTION_ITEM:
                return "mapping", (f"The promotion discount item `{sku}` does not exist in NetSuite ({what}); "
                                   f"create a Discount item with external id `{sku}`, then retry.")
            return "mapping", (f"SKU `{sku}` ({what}) has no NetSuite item; create the item with external id "
                               f"`{sku}` (or set an existing item's external id to the SKU), then retry.")
        field = exc.error_path or "a reference"
        return "mapping", (f"NetSuite has no record for `{field}` of {what}: {exc.detail} Create it or fix the "
                           "storefront's mapping, then retry.")
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
