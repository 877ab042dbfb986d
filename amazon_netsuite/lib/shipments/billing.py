"""Billing on fulfilment: a storefront's Sales Order is invoiced (`!transform` salesOrder → invoice) as soon as it is
fully shipped, dated the day its last item fulfillment shipped, so its revenue is in the month the goods left even
when Amazon settles it weeks later. The month-end accrual leaves sales to the order records where orders post
(lib/accruals/run.py), so without this a Sales Order shipped on 30 October would carry no October revenue until its
November settlement billed it.

Whoever bills first wins: the settlement (transactional.py) and a refund as it happens (early_refunds.py) find this
invoice by its link to the Sales Order and pay or credit it; an order one of them billed already is left alone. An
order with a fulfillment still picked or packed, or lines not fulfilled yet (Sales Order status other than Pending
Billing), waits for the run of the day its last part ships. External id `{order external id}-INV`; ledger flow
`shipments`, key `invoice:{order id}`; a transform NetSuite refuses waits in integration_errors and is tried again
by the storefront's next billing run, whatever its day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.netsuite.sales_orders import ORDER_STATUS, PENDING_BILLING, by_ids, invoices, shipments
from amazon_netsuite.lib.postings import (
    POSTED,
    ledger_entries,
    record_attempts,
    resolve_errors,
    transform_attempt,
)
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.shipments.run import FLOW, Connection

INVOICE = "invoice"
ERROR_PREFIX = "invoice:"
BILLED = "G"  # the Sales Order status once every line is billed
BILLED_SCHEMA = pa.schema([
    ("storefront", pa.string()), ("day", pa.date32()), ("amazon_order_id", pa.string()),
    ("sales_order_id", pa.string()), ("invoice_id", pa.string()), ("invoice_external_id", pa.string()),
    ("tran_date", pa.date32()), ("amount", pa.decimal128(18, 4)), ("billed_at", pa.timestamp("us")),
])


def invoice_external_id(storefront: str, order_id: str) -> str:
    return f"{order_external_id(storefront, order_id)}-INV"


@dataclass
class BillingResult:
    billed: list[dict] = field(default_factory=list)  # rows of sales_orders_billed written by this run
    already_billed: int = 0  # an invoice was linked already (an earlier run, a settlement, a refund, by hand)
    waiting: list[str] = field(default_factory=list)  # why an order is not billed yet (not fully shipped)
    failed: int = 0  # NetSuite refused the transform: in integration_errors
    skipped: str | None = None  # why nothing was looked at


def bill_shipped_orders(connect: Connection, client, settings: Settings, storefront: str, day: date,
                        now: datetime, log=None) -> BillingResult:
    """Bill the storefront's Sales Orders shipped on `day` (its `shipped_packages`) that are fully shipped and not
    billed, and those whose billing NetSuite refused before; write what was billed to `sales_orders_billed`."""
    result = BillingResult()
    if not settings.bills_on_fulfilment(storefront):
        result.skipped = (f"storefront {storefront} does not bill on fulfilment (its orders do not post, or "
                          "order_posting.bill_on_fulfilment is off): its settlements bill its Sales Orders")
        return result
    with connect() as con:
        order_ids = sorted({o for (o,) in con.execute(
            "SELECT amazon_order_id FROM shipped_packages WHERE storefront = ? AND day = ? UNION "
            "SELECT substr(key, ?) FROM integration_errors WHERE flow = ? AND storefront = ? AND resolved IS NULL "
            "AND starts_with(key, ?)",
            [storefront, day, len(ERROR_PREFIX) + 1, FLOW, storefront, ERROR_PREFIX]).fetchall()})
    if not order_ids:
        return result
    by_external_id = {order_external_id(storefront, o): o for o in order_ids}
    sales_orders = {str(r["id"]): (by_external_id[r["externalid"]], r) for r in by_ids(
        client, "SELECT id, externalid, status FROM transaction WHERE type = 'SalesOrd' AND externalid IN ({ids})",
        list(by_external_id))}
    pending = [so for so, (_, row) in sales_orders.items() if row.get("status") == PENDING_BILLING]
    for so, (order_id, row) in sales_orders.items():
        if row.get("status") == BILLED:
            result.already_billed += 1
        elif so not in pending:
            status = ORDER_STATUS.get(row.get("status"), row.get("status") or "unknown")
            result.waiting.append(f"order {order_id}: its Sales Order is {status}")
    linked = invoices(client, pending)
    shipped = shipments(client, [so for so in pending if so not in linked])
    keys = {so: ERROR_PREFIX + sales_orders[so][0] for so in pending}
    with connect() as con:
        ledger = ledger_entries(con, FLOW, storefront, keys.values(), account=client.connection.ledger_account)
    billed_elsewhere: list[str] = []
    attempts = []
    for so in pending:
        order_id = sales_orders[so][0]
        if so in linked:
            result.already_billed += 1
            if linked[so].get("externalid") != invoice_external_id(storefront, order_id):
                billed_elsewhere.append(keys[so])
            continue
        fulfilments = shipped.get(so)
        if fulfilments is None or fulfilments.not_shipped or not fulfilments.last_day:
            result.waiting.append(f"order {order_id}: a fulfillment of it is picked or packed, not shipped yet")
            continue
        eid = invoice_external_id(storefront, order_id)
        entry = ledger.get(keys[so])
        if entry is not None and entry.status == POSTED and entry.internal_id:
            continue  # a transform is not idempotent: what the ledger has made is never made again
        body = {"externalId": eid, "tranDate": fulfilments.last_day,
                "memo": f"Amazon order {order_id}: billed on fulfilment (shipped {fulfilments.last_day})"}
        attempts.append(transform_attempt(client, flow=FLOW, storefront=storefront, key=keys[so],
                                          source_type="salesOrder", source_id=so, target=INVOICE, external_id=eid,
                                          body=body, label=f"invoice {eid} (order {order_id})"))
    if attempts:
        with connect() as con:
            classes = record_attempts(con, attempts, account=client.connection.ledger_account)
        result.failed += sum(c is not None for c in classes)
        if log:
            for attempt, error_class in zip(attempts, classes):
                if error_class is not None:
                    log.warning(f"{attempt.record_label} not posted ({error_class}): {attempt.error}")
    if billed_elsewhere:  # a settlement or a refund billed it since our attempt failed: nothing left to retry
        with connect() as con:
            resolve_errors(con, FLOW, storefront, billed_elsewhere, now, "billed by another record's flow")
    made = {so: inv for so, inv in invoices(client, [so for so in pending if so not in linked]).items()
            if inv.get("externalid") == invoice_external_id(storefront, sales_orders[so][0])}
    result.billed = [dict(storefront=storefront, day=date.fromisoformat(inv["trandate"]),
                          amazon_order_id=sales_orders[so][0], sales_order_id=so, invoice_id=str(inv["id"]),
                          invoice_external_id=inv["externalid"], tran_date=date.fromisoformat(inv["trandate"]),
                          amount=Decimal(str(inv["foreigntotal"])), billed_at=now.replace(tzinfo=None))
                     for so, inv in made.items()]
    if result.billed:
        with connect() as con:
            con.register("_billed", pa.Table.from_pylist(result.billed, schema=BILLED_SCHEMA))
            try:
                con.execute("INSERT OR IGNORE INTO sales_orders_billed BY NAME SELECT * FROM _billed")
            finally:
                con.unregister("_billed")
    if log:
        log.info(f"{storefront} {day}: {len(result.billed)} Sales Order(s) billed, {result.already_billed} billed "
                 f"already, {len(result.waiting)} waiting, {result.failed} refused")
    return result
