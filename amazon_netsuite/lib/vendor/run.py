"""The vendor flow's work against NetSuite and Amazon: post each landed purchase order as a Sales Order (and apply
Amazon's later changes to it), then acknowledge every approved Sales Order, follow each acknowledgement's
transaction to Success or Failure, and keep the order's integration status current in NetSuite (the account's
`status_field`) and in `vendor_order_status`.

Idempotent: a Sales Order's external id is `AMZV-{vendor account}-{purchase order}`, so re-running never makes a
second one; an acknowledgement Amazon took is never sent again, one it refused is sent again only once the Sales
Order changed (the same acknowledgement would fail the same way). Each purchase order's trouble goes to
`integration_errors` (posting under its ledger key `po:{number}`, acknowledging under `ack:{number}`) and the
others proceed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb

from amazon_netsuite.lib.amazon.errors import SpApiError
from amazon_netsuite.lib.netsuite.errors import NetSuiteError
from amazon_netsuite.lib.netsuite.items import ItemResolver, UnmappedSku
from amazon_netsuite.lib.postings import (
    PostingAttempt,
    QueuedError,
    canonical_json,
    ledger_entries,
    payload_hash,
    queue_errors,
    record_attempts,
    upsert_attempt,
    utc_now,
)
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.settings.vendor import VendorAccount
from amazon_netsuite.lib.vendor.acknowledgements import (
    AWAITING_AMAZON,
    AWAITING_APPROVAL,
    PENDING_APPROVAL,
    Acknowledged,
    NotAcknowledgeable,
    acknowledged,
    acknowledgement,
    approved_lines,
    confirmed_status,
    external_id,
    sales_order_body,
)
from amazon_netsuite.lib.vendor.purchase_orders import VendorOrder, landed_orders

FLOW = "vendor"
PROCESSING, SUCCESS, FAILURE = "Processing", "Success", "Failure"
log = logging.getLogger(__name__)


@dataclass
class PostResult:
    posted: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _set_status(con: duckdb.DuckDBPyConnection, client, account: VendorAccount, order: VendorOrder,
                sales_order_id: str | None, status: str, now: datetime) -> None:
    """Record the order's integration status, and show it on its Sales Order when it changed."""
    (current,), = con.execute(
        "SELECT max(status) FROM vendor_order_status WHERE storefront = ? AND purchase_order_number = ?",
        [order.storefront, order.number]).fetchall() or [(None,)]
    if current == status:
        return
    if sales_order_id is not None:
        try:
            client.patch("salesOrder", sales_order_id, {account.status_field: status[:300]})
        except NetSuiteError as exc:  # the warehouse still says it; the next change tries again
            log.warning("could not show the status of purchase order %s on its Sales Order: %s", order.number, exc)
    con.execute("INSERT OR REPLACE INTO vendor_order_status VALUES (?, ?, ?, ?, ?, ?)",
                [order.storefront, order.number, order.program, sales_order_id, status, now])


def _changed_lines(order: VendorOrder, sales_order: dict) -> list[dict]:
    """The Sales Order lines Amazon's change lowers: to the new ordered quantity, closed when it is 0."""
    by_line = {int(line["line"]): line for line in (sales_order.get("item") or {}).get("items", [])}
    changes = []
    for line in order.lines:
        current = by_line.get(line.line)
        if current is None or current.get("isClosed") in (True, "T"):
            continue
        if line.ordered_eaches == 0:
            changes.append({"line": line.line, "isClosed": True})
        elif Decimal(str(current.get("quantity") or 0)) > line.ordered_eaches:
            changes.append({"line": line.line, "quantity": line.ordered_eaches})
    return changes


def post_vendor_orders(con: duckdb.DuckDBPyConnection, client, settings: Settings, key: str, day: date, *,
                       account: str) -> PostResult:
    """Post the purchase orders placed on `day` as Sales Orders, and apply Amazon's changes to those posted."""
    vendor = settings.vendor_account(key)
    orders = landed_orders(con, key, day=day)
    result = PostResult()
    entries = ledger_entries(con, FLOW, key, [o.key for o in orders], account=account)
    resolver = ItemResolver(settings.order_posting.items, client.suiteql)
    resolver.prepare({line.sku for o in orders for line in o.lines})
    attempts: list[PostingAttempt] = []
    for order in orders:
        entry = entries.get(order.key)
        source = order.changed_at or order.placed_at
        label = f"purchase order {order.number}"
        if entry is not None and entry.status == "posted":
            if entry.source_updated is not None and entry.source_updated >= source:
                result.unchanged += 1
                continue
            attempts.append(_apply_change(client, order, entry.internal_id, source, label))
            continue
        try:
            items = [resolver.reference(line.sku) for line in order.lines]
        except (UnmappedSku, NetSuiteError) as exc:
            attempts.append(PostingAttempt(FLOW, key, order.key, "salesOrder", external_id(order), {}, utc_now(),
                                           error=exc, record_label=label, source_updated=source))
            continue
        body = sales_order_body(order, vendor, items)
        attempt = upsert_attempt(client, flow=FLOW, storefront=key, key=order.key, record_type="salesOrder",
                                 external_id=external_id(order), body=body, label=label)
        attempts.append(replace(attempt, source_updated=source))
    now = utc_now()
    for attempt, error_class in zip(attempts, record_attempts(con, attempts, account=account)):
        order = next(o for o in orders if o.key == attempt.key)
        if error_class is None:
            if attempt.sent is None:
                result.posted += 1
                status = AWAITING_APPROVAL if _status_sent(attempt) == PENDING_APPROVAL else AWAITING_AMAZON
                _set_status(con, client, vendor, order, attempt.internal_id, status, now)
            else:
                result.updated += 1
        else:
            result.failed += 1
            result.errors.append(f"{attempt.record_label}: {attempt.error}")
            _set_status(con, client, vendor, order, None, f"not posted: {attempt.error}"[:300], now)
    return result


def _status_sent(attempt: PostingAttempt) -> str | None:
    return (attempt.payload.get("orderStatus") or {}).get("id")


def _apply_change(client, order: VendorOrder, internal_id: str, source: datetime, label: str) -> PostingAttempt:
    """Amazon changed a posted purchase order: lower (or close) the Sales Order lines it cut."""
    payload = {"purchaseOrder": order.number, "changedAt": source.isoformat(),
               "lines": [[line.line, line.ordered_eaches] for line in order.lines]}
    base = dict(flow=FLOW, storefront=order.storefront, key=order.key, record_type="salesOrder",
                external_id=external_id(order), payload=payload, record_label=label, source_updated=source)
    try:
        changes = _changed_lines(order, client.get("salesOrder", internal_id, expand_sub_resources=True))
        if changes:
            client.patch("salesOrder", internal_id, {"item": {"items": changes}})
    except NetSuiteError as exc:
        return PostingAttempt(**base, at=utc_now(), error=exc, sent={"item": {"items": []}})
    return PostingAttempt(**base, at=utc_now(), internal_id=internal_id, sent={"item": {"items": changes}})


@dataclass
class AckResult:
    sent: int = 0
    confirmed: int = 0
    refused: int = 0
    held: int = 0
    awaiting_approval: int = 0
    stuck: int = 0
    errors: list[str] = field(default_factory=list)


def _ack_hash(body: dict) -> str:
    return payload_hash({k: v for k, v in body.items() if k != "acknowledgementDate"})


def acknowledge_vendor_orders(con: duckdb.DuckDBPyConnection, client, apis: dict, settings: Settings, key: str, *,
                              account: str, now: datetime | None = None) -> AckResult:
    """Acknowledge each approved Sales Order of the vendor account and follow what Amazon made of it. `apis`: the
    program → its API (`VendorOrdersApi`, `DirectFulfillmentOrdersApi`); `now`: naive UTC."""
    vendor = settings.vendor_account(key)
    now = now or utc_now()
    result = AckResult()
    posted = dict(con.execute(
        "SELECT key, internal_id FROM netsuite_postings WHERE flow = ? AND storefront = ? AND status = 'posted' "
        "AND netsuite_account = ?", [FLOW, key, account]).fetchall())
    orders = landed_orders(con, key, numbers=[k.removeprefix("po:") for k in posted])
    latest = {row[0]: row[1:] for row in con.execute(
        "SELECT purchase_order_number, transaction_id, sent_at, body_hash, status, accepted_eaches, "
        "backordered_eaches, rejected_eaches FROM vendor_acknowledgements WHERE storefront = ? "
        "QUALIFY row_number() OVER (PARTITION BY purchase_order_number ORDER BY sent_at DESC) = 1", [key]).fetchall()}
    errors: list[QueuedError] = []
    settled: list[str] = []
    for order in orders:
        sales_order_id = posted[order.key]
        api = apis.get(order.program)
        if api is None:
            continue
        ack_key = f"ack:{order.number}"
        last = latest.get(order.number)
        if last is not None and last[3] == SUCCESS:
            continue
        if last is not None and last[3] == PROCESSING:
            transaction_id, sent_at = last[0], last[1]
            try:
                transaction = api.transaction(transaction_id)
            except SpApiError as exc:
                errors.append(QueuedError(ack_key, "transient", f"purchase order {order.number}: could not read "
                                          f"transaction {transaction_id}: {exc}"))
                continue
            status = transaction.status.value
            if status == PROCESSING:
                waited = now - sent_at
                if waited >= timedelta(minutes=vendor.transaction_timeout_minutes):
                    result.stuck += 1
                    minutes = int(waited.total_seconds() // 60)
                    errors.append(QueuedError(ack_key, "transient", (
                        f"purchase order {order.number}: Amazon has not answered its acknowledgement (transaction "
                        f"{transaction_id}) in {minutes} minutes; every run asks again. If it stays Processing, "
                        f"give Amazon Vendor Central support the transaction id {transaction_id}.")))
                    _set_status(con, client, vendor, order, sales_order_id, f"acknowledged, no answer from Amazon "
                                f"after {minutes} minutes (transaction {transaction_id})", now)
                continue
            con.execute("UPDATE vendor_acknowledgements SET status = ?, reason = ?, checked_at = ? WHERE storefront = ? "
                        "AND transaction_id = ? AND purchase_order_number = ?",
                        [status, transaction.reason or None, now, key, transaction_id, order.number])
            if status == SUCCESS:
                result.confirmed += 1
                settled.append(ack_key)
                _set_status(con, client, vendor, order, sales_order_id,
                            confirmed_status(order.program, Acknowledged(*last[4:7]), vendor.rejection_reason), now)
            else:
                result.refused += 1
                message = (f"Amazon refused the acknowledgement of purchase order {order.number}: {transaction.reason}. "
                           "Correct its Sales Order in NetSuite; it is acknowledged again once the Sales Order changes.")
                errors.append(QueuedError(ack_key, "validation", message))
                result.errors.append(message)
                _set_status(con, client, vendor, order, sales_order_id, f"rejected: {transaction.reason}"[:300], now)
            continue
        try:
            sales_order = client.get("salesOrder", sales_order_id, expand_sub_resources=True)
        except NetSuiteError as exc:
            errors.append(QueuedError(ack_key, "transient", f"purchase order {order.number}: could not read its "
                                      f"Sales Order {sales_order_id}: {exc}"))
            continue
        if (sales_order.get("orderStatus") or {}).get("id") == PENDING_APPROVAL:
            result.awaiting_approval += 1
            _set_status(con, client, vendor, order, sales_order_id, AWAITING_APPROVAL, now)
            continue
        try:
            lines = approved_lines(order, sales_order)
        except NotAcknowledgeable as exc:
            result.held += 1
            message = f"{exc}. Nothing was sent to Amazon; it is acknowledged once the Sales Order is corrected."
            errors.append(QueuedError(ack_key, "validation", message))
            result.errors.append(message)
            _set_status(con, client, vendor, order, sales_order_id, f"held: {exc}"[:300], now)
            continue
        body = acknowledgement(order, lines, now, vendor, sales_order.get("tranId") or sales_order_id)
        body_hash = _ack_hash(body)
        if last is not None and last[3] == FAILURE and last[2] == body_hash:
            continue  # refused as it is, and the Sales Order has not changed since
        try:
            transaction_id = api.submit_acknowledgements([body])
        except SpApiError as exc:
            errors.append(QueuedError(ack_key, "validation" if 400 <= getattr(exc, "status", 0) < 500 else "transient",
                                      f"purchase order {order.number}: Amazon refused the acknowledgement: {exc}",
                                      body))
            continue
        units = acknowledged(order, lines, vendor)
        con.execute("INSERT INTO vendor_acknowledgements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                    [key, order.number, order.program, transaction_id, now, canonical_json(body), body_hash,
                     units.accepted, units.backordered, units.rejected, PROCESSING])
        result.sent += 1
        _set_status(con, client, vendor, order, sales_order_id, AWAITING_AMAZON, now)
    queue_errors(con, FLOW, key, errors, now, settled=settled)
    return result


def open_vendor_partitions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, date]]:
    """(vendor account, day placed) of each purchase order whose Sales Order is not posted yet."""
    return con.execute(
        "SELECT DISTINCT p.storefront, p.day FROM vendor_purchase_orders p JOIN integration_errors e "
        "ON e.flow = 'vendor' AND e.storefront = p.storefront AND e.key = 'po:' || p.purchase_order_number "
        "AND e.resolved IS NULL ORDER BY 1, 2").fetchall()


def order_statuses(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, str]:
    return dict(con.execute("SELECT purchase_order_number, status FROM vendor_order_status WHERE storefront = ?",
                            [key]).fetchall())


def netsuite_mark(client) -> str | None:
    """When a vendor Sales Order last changed in NetSuite (None: there is none yet)."""
    rows = list(client.suiteql("SELECT MAX(lastmodifieddate) AS mark, COUNT(*) AS n FROM transaction "
                               "WHERE type = 'SalesOrd' AND externalid LIKE 'AMZV-%'"))
    if not rows or not int(rows[0].get("n") or 0):
        return None
    return f"{rows[0]['mark']}|{rows[0]['n']}"


def waiting_for_amazon(con: duckdb.DuckDBPyConnection) -> int:
    """How many acknowledgements wait for Amazon's answer."""
    (n,), = con.execute("SELECT count(*) FROM vendor_acknowledgements WHERE status = 'Processing'").fetchall()
    return int(n)
