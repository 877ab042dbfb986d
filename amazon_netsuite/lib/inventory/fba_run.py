"""Amazon's FBA movements into NetSuite's FBA location: one inventory adjustment per ledger row that moves sellable
stock NetSuite does not already move, upserted by an external id derived from the row, so a re-run (or the same row
in a later report) never adjusts twice. Every attempt goes to the posting ledger; a refusal to `integration_errors`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

import duckdb

from amazon_netsuite.lib.inventory.fba_adjustments import adjustment_payload
from amazon_netsuite.lib.netsuite.errors import NetSuiteError
from amazon_netsuite.lib.postings import PostingAttempt, is_posted_unchanged, ledger_entries, record_attempts, utc_now
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.warehouse import fetch_arrow

FLOW = "inventory"
ADJUSTMENT = "inventoryAdjustment"
RECEIPTS = "Receipts"
Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass
class AdjustmentResult:
    posted: int = 0
    unchanged: int = 0
    failed: int = 0
    not_adjusted: Counter = field(default_factory=Counter)  # reason → rows
    errors_by_class: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Adjustment:
    """One inventory adjustment to post: the storefront and key it is recorded under, its body, and how the
    posting ledger and `integration_errors` name it."""
    storefront: str
    key: str
    body: dict
    label: str


def upsert_adjustments(connect: Connection, client, adjustments: list[Adjustment], entries: dict, *,
                       account: str) -> tuple[int, list[str | None]]:
    """Upsert every adjustment NetSuite does not already hold as it is (by external id, so never twice) and record
    each attempt; returns how many were unchanged and, per attempt, its error class (None when posted)."""
    unchanged, attempts = 0, []
    for adjustment in adjustments:
        body = adjustment.body
        if is_posted_unchanged(entries.get(adjustment.key), body):
            unchanged += 1
            continue
        internal_id, error = None, None
        try:
            internal_id = client.upsert(ADJUSTMENT, body["externalId"],
                                        {k: v for k, v in body.items() if k != "externalId"})
        except NetSuiteError as exc:
            error = exc
        attempts.append(PostingAttempt(
            flow=FLOW, storefront=adjustment.storefront, key=adjustment.key, record_type=ADJUSTMENT,
            external_id=body["externalId"], payload=body, at=utc_now(), internal_id=internal_id, error=error,
            record_label=adjustment.label, complete=True))
    with connect() as con:
        return unchanged, record_attempts(con, attempts, account=account)


def post_fba_adjustments(connect: Connection, client, settings: Settings, storefront: str, day: date, *,
                         account: str, log=None) -> AdjustmentResult:
    """Post the storefront-day's adjusting ledger rows; `account` is the NetSuite account the ledger files under."""
    posting = settings.storefront_posting(storefront)
    result = AdjustmentResult()
    with connect() as con:
        rows = fetch_arrow(con, "SELECT * FROM fba_inventory_ledger WHERE storefront = ? AND day = ? ORDER BY "
                                "ledger_key", [storefront, day]).to_pylist()
        entries = ledger_entries(con, FLOW, storefront, [r["ledger_key"] for r in rows], account=account)
    result.not_adjusted.update(r["not_adjusted_reason"] for r in rows if not r["adjusts_netsuite"])
    adjustments = []
    for row in rows:
        if not row["adjusts_netsuite"]:
            continue
        # A receipt is the seller's own inbound shipment arriving, not a gain: it clears the in-transit account.
        account_for = (settings.inventory.fba_inbound_account if row["event_type"] == RECEIPTS
                       else settings.inventory.fba_adjustment_account)
        body = adjustment_payload(row, subsidiary=posting.subsidiary, fba_location=posting.fba_location,
                                  account=account_for)
        adjustments.append(Adjustment(storefront, row["ledger_key"], body,
                                      f"FBA {row['event_type']} of {row['quantity']} × {row['sku']} "
                                      f"({row['reference_id']})"))
    result.unchanged, classes = upsert_adjustments(connect, client, adjustments, entries, account=account)
    for error_class in classes:
        if error_class is None:
            result.posted += 1
        else:
            result.failed += 1
            result.errors_by_class[error_class] += 1
    if log:
        log.info(f"FBA adjustments {storefront} {day}: {result.posted} posted, {result.unchanged} unchanged, "
                 f"{result.failed} failed")
    return result


def open_adjustment_partitions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, date]]:
    """The storefront-days whose FBA adjustment (or the FBA location's opening balance) NetSuite refused and is still
    open in `integration_errors`: the day of the ledger row, or the storefront's newest ledger day for an opening
    (any run of a storefront sharing the location posts it)."""
    return [tuple(row) for row in con.execute(
        """
        SELECT DISTINCT e.storefront, l.day FROM integration_errors e
        JOIN fba_inventory_ledger l ON l.storefront = e.storefront AND l.ledger_key = e.key
        WHERE e.flow = ? AND e.resolved IS NULL
        UNION
        SELECT DISTINCT e.storefront, max(l.day) FROM integration_errors e
        JOIN fba_inventory_ledger l ON l.storefront = e.storefront
        WHERE e.flow = ? AND e.resolved IS NULL AND starts_with(e.key, 'opening|') GROUP BY e.storefront
        ORDER BY 2, 1
        """, [FLOW, FLOW]).fetchall()]
