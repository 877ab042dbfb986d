"""What to send for an order, given what NetSuite already holds of it. Plain Python, no I/O.

- Not in NetSuite yet → create it by upsert (`PUT eid:…?replace=item`): a re-run, or the re-run of a killed run,
  sends the same upsert again and never makes a second record.
- In NetSuite and unchanged (same body hash) → nothing.
- Cancelled after it posted (MFN/SFP) → every line closed (`isClosed: true`); NetSuite then shows it Closed.
- One line cancelled later → that line (and its discount) closed, the others as posted.
- Any other change (prices, quantities, shipping, tax, settings) → the changed fields only; tax lines are sent
  whole with `replace=taxDetails` (they have no key).
- A state older than the one last sent, or than one the warehouse already holds → skipped, with the reason:
  partitions are re-run and backfilled out of order, and an old state must never overwrite a newer one.

Changes go by `PATCH /{type}/{internal id}` (with `?replace=item` when lines change) rather than by re-upserting:
PATCH leaves the fields we do not send as they are in NetSuite (a memo or ship method the warehouse set), sends
only what changed, and a record someone deleted in NetSuite answers 404 instead of coming back silently
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545142173.html,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164086082106.html). The lines are sent whole with
`replace=item` because the item sublist is not keyed for us: without it NetSuite appends lines
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html). The customer, subsidiary and
currency stay as first posted: NetSuite does not move a transaction to another customer or subsidiary, and
switching to per-buyer customers must not rewrite history.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from amazon_netsuite.lib.orders.posting import (
    CASH_SALE,
    HEADER_MONEY,
    LEGACY_TAX,
    TAX_DETAILS,
    NotPostable,
    OrderPosting,
)
from amazon_netsuite.lib.postings import canonical_json

KEPT_AS_POSTED = ("entity", "subsidiary", "currency")


@dataclass(frozen=True)
class PostedRecord:
    """What the ledger knows of an order's record in NetSuite."""

    record_type: str
    internal_id: str | None
    body: dict[str, Any] | None  # the record as our last successful write left it; None for pre-ledger rows
    line_keys: tuple[str, ...]
    payload_hash: str  # of the body last attempted
    last_attempt_ok: bool


@dataclass(frozen=True)
class Write:
    """One request to NetSuite. `body` is the whole record as NetSuite will hold it; `sent` the request body."""

    change: Literal["create", "update", "close"]
    record_type: str
    external_id: str
    internal_id: str | None
    body: dict[str, Any]
    line_keys: tuple[str, ...]
    sent: dict[str, Any]
    replace_items: bool
    complete: bool  # nothing left for the integration: Cash Sales, SFP orders, fully closed orders

    @property
    def replace(self) -> tuple[str, ...]:
        """The sublists the request replaces: the item lines, and the tax lines (which have no key, so a PATCH
        without replace would append them)."""
        return ("item",) * self.replace_items + ((TAX_DETAILS,) if TAX_DETAILS in self.sent else ())


@dataclass(frozen=True)
class Unchanged:
    record_type: str


STALE_OLDER_THAN_SENT = "an older state than the one last sent to NetSuite: never sent over a newer one"
STALE_SUPERSEDED = "superseded by a newer state of the order in a later day's partition, which posts it"


def stale_reason(order: Mapping[str, Any], last_sent: datetime | None, newest: datetime | None) -> str | None:
    """Why this state of the order must not be sent (NetSuite or the warehouse already has a newer one), else None.
    Equal timestamps are the same state: sending it again is how a changed setting or a failed attempt lands."""
    updated = order["last_updated_date"]
    if last_sent is not None and updated < last_sent:
        return STALE_OLDER_THAN_SENT
    if newest is not None and updated < newest:
        return STALE_SUPERSEDED
    return None


def plan_change(order: Mapping[str, Any], target: OrderPosting | NotPostable,
                posted: PostedRecord | None) -> Write | Unchanged | NotPostable:
    """The write that brings NetSuite to the order's current state, Unchanged, or why nothing is sent."""
    if posted is None or posted.body is None:
        if isinstance(target, NotPostable):
            if posted is not None and order["order_status"] == "Cancelled":
                return NotPostable("posted before the ledger kept record bodies and now cancelled: close it in "
                                   "NetSuite by hand")
            return target
        return Write("create", target.record_type, target.external_id, None, target.body, target.line_keys,
                     target.body, True, _complete(order, target.record_type, target.body))

    status = order["order_status"]
    if posted.record_type == CASH_SALE:
        if isinstance(target, NotPostable) or target.record_type != CASH_SALE:
            reason = target.reason if isinstance(target, NotPostable) else f"Amazon now reports it {status}"
            return NotPostable(f"already posted as a Cash Sale ({reason}): returns and refunds reach NetSuite "
                               "through settlements")
        body, keys = _keep_posted(posted.body, target.body), target.line_keys
        change = "update"
    elif status == "Cancelled" or (isinstance(target, NotPostable) and not _has_quantity(order)):
        body = copy.deepcopy(posted.body)
        for line in body["item"]["items"]:
            line["isClosed"] = True
        if body.get(TAX_DETAILS):
            body[TAX_DETAILS] = {"items": []}  # closed lines sell nothing, so nothing is taxed
        keys, change = posted.line_keys, "close"
    elif isinstance(target, NotPostable):
        return NotPostable(f"already posted; {target.reason}")
    else:
        lines, keys, closed = _merge_lines(posted, target)
        body = _keep_posted(posted.body, target.body)
        body["item"] = {"items": lines}
        change = "close" if closed else "update"

    complete = _complete(order, posted.record_type, body)
    if posted.last_attempt_ok and canonical_json(body) == canonical_json(posted.body):
        return Unchanged(posted.record_type)
    sent = _changed_fields(posted.body, body)
    return Write(change, posted.record_type, body["externalId"], posted.internal_id, body, tuple(keys), sent,
                 "item" in sent, complete)


def _has_quantity(order: Mapping[str, Any]) -> bool:
    return bool(order.get("quantity"))


def _complete(order: Mapping[str, Any], record_type: str, body: Mapping[str, Any]) -> bool:
    lines = body["item"]["items"]
    return record_type == CASH_SALE or order["channel"] == "SFP" or all(line.get("isClosed") for line in lines)


def _keep_posted(posted: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    kept = dict(body)
    for field in KEPT_AS_POSTED:
        if field in posted:
            kept[field] = posted[field]
    return kept


def _merge_lines(posted: PostedRecord, target: OrderPosting) -> tuple[list[dict], list[str], bool]:
    """The posted lines in their order, each replaced by its current version or closed when Amazon no longer sells
    it, then any line new to the order. Returns (lines, keys, whether a line was newly closed)."""
    current = dict(zip(target.line_keys, target.body["item"]["items"]))
    lines, keys, closed = [], [], False
    for key, line in zip(posted.line_keys, posted.body["item"]["items"]):
        if key in current:
            lines.append(current.pop(key))
        else:
            closed = closed or not line.get("isClosed")
            lines.append({**line, "isClosed": True})
        keys.append(key)
    for key, line in current.items():
        lines.append(line)
        keys.append(key)
    return lines, keys, closed


def _changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `after` that differ from `before`; a header charge that went away is sent as zero, tax lines
    that went away as none (override off), a legacy tax field never."""
    sent = {field: value for field, value in after.items() if before.get(field) != value}
    gone = {**dict.fromkeys(HEADER_MONEY, "0"), TAX_DETAILS: {"items": []}, "taxDetailsOverride": False}
    for field in before.keys() - after.keys() - set(LEGACY_TAX):
        sent[field] = gone.get(field)
    if "item" in sent:
        sent["item"] = after["item"]
    return sent
