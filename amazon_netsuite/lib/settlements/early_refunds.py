"""Refunds as they happen (the finances flow's `refunds_posted`): each Refund, Chargeback and A-to-z Guarantee claim
of `finance_transactions` becomes the NetSuite record the settlement's transactional posting would make of it, built
by the same functions (`posting.py`: `refund_lines`, `cash_refund`, `credit_memo`, `customer_refund`), weeks
before the settlement arrives. A refunded Cash Sale gets a cash refund (its `!transform`) paid out of clearing; a
refunded Sales Order a credit memo applied to its invoice for up to what the invoice still owes (the Sales Order is
billed first when it is fulfilled, as the settlement would bill it) and a customer refund of the rest out of
clearing. Refund lines post on their GL rule's item (AMZ-REFUND), never the SKU: no unit goes back into stock.

External ids `AMZ-RFD-{transaction id}` (its customer refund `-REF`, its invoice `-INV`); ledger flow `refunds`,
key `{transaction id}:cash-refund:{order}` (`credit-memo`, `customer-refund`, `invoice`). The settlement then
matches these records instead of posting its own (transactional.py reads `refunds_posted`); a refund its settlement
posted first is left to it (`settled`). Unpostable (order not in NetSuite, Sales Order not fulfilled) goes to
integration_errors; the rest proceeds.

The breakdown names are read as the sandbox writes them (ProductCharges, ShippingCharges, Promotions, Tax,
AmazonFees); Amazon does not document that vocabulary (see README, "Refunds").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.netsuite.items import UnmappedSku
from amazon_netsuite.lib.netsuite.sales_orders import BILLABLE, invoices, ship_days
from amazon_netsuite.lib.postings import POSTED, ledger_entries, resolve_errors, utc_now
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.gl_mapping import GlMapping
from amazon_netsuite.lib.settlements.posting import (
    CASH_REFUND,
    CREDIT_MEMO,
    INVOICE,
    ZERO,
    Line,
    OrderLines,
    Settlement,
    cash_refund,
    credit_memo,
    customer_refund,
    order_lines,
    refund_lines,
)
from amazon_netsuite.lib.settlements.posting_sender import Connection, PostingSender, SettlementPostingResult
from amazon_netsuite.lib.settlements.transactional import NotSettleable, refund_item, refund_tax
from amazon_netsuite.lib.warehouse.connection import transaction
from amazon_netsuite.lib.warehouse.writes import replace_partition_rows

FLOW = "refunds"
# Finances API transactionType → the settlement's transaction-type of the same money.
TRANSACTION_TYPES = {"Refund": "Refund", "Chargeback": "Chargeback Refund",
                     "GuaranteeClaim": "A-to-z Guarantee Claim"}
_BUYER_TAX = ("Tax", "ShippingTax", "GiftWrapTax")


@dataclass(frozen=True)
class AmazonRefund(Settlement):
    """One refund transaction in the shape the settlement's builders take: `settlement_id` is the transaction id,
    `deposit_date` its posted date."""

    kind: str = "Refund"

    def external_id(self, suffix: str) -> str:
        part = suffix.split("-", 1)[0]
        return f"AMZ-RFD-{self.settlement_id}" + ("" if part in ("CR", "CM") else f"-{part}")

    def refund_memo(self, order_id: str) -> str:
        return f"Amazon {self.kind} of order {order_id} (Finances API transaction {self.settlement_id})"


def amount_type(path: str | None, leaf: str | None) -> str:
    """The settlement amount-type of a breakdown leaf, so the GL mapping's rules apply to it."""
    category = (path or "").split("/", 1)[0]
    if category == "Tax":
        return "ItemPrice" if leaf in _BUYER_TAX else "ItemWithheldTax"
    return {"Promotions": "Promotion", "AmazonFees": "ItemFees"}.get(category, "ItemPrice")


def refund_lines_of(rows: Sequence[dict], mapping: GlMapping) -> list[Line]:
    """A transaction's rows as settlement lines passed through the GL mapping."""
    lines = []
    for number, row in enumerate(rows, start=1):
        kind, leaf = TRANSACTION_TYPES[row["transaction_type"]], row["breakdown_type"] or ""
        amount_kind = amount_type(row["breakdown_path"], leaf)
        rule = mapping.rule_for(kind, amount_kind, leaf)
        account = rule.account if rule else mapping.suspense_account
        section = mapping.accounts[account].section if account in mapping.accounts else "other"
        posted = row["posted_date"]
        lines.append(Line(number, kind, amount_kind, leaf, row["order_id"], row["sku"], Decimal(row["amount"] or 0),
                          account, rule.item if rule else None, section,
                          posted_date=posted.date() if isinstance(posted, datetime) else posted))
    return lines


@dataclass
class RefundOutcome:
    """A row of `refunds_posted`."""

    transaction_id: str
    transaction_type: str
    order_id: str | None
    posted_date: datetime | None
    currency: str | None
    refunded: Decimal = ZERO
    record_type: str | None = None
    external_id: str | None = None
    internal_id: str | None = None
    applied: Decimal | None = None
    paid_out: Decimal | None = None
    status: str = "error"
    reason: str | None = None


def post_refunds(connect: Connection, client, settings: Settings, mapping: GlMapping, storefront: str, day: date,
                 log=None) -> list[RefundOutcome]:
    """Post the storefront-day's refunds, chargebacks and A-to-z claims; write `refunds_posted`; the outcomes."""
    with connect() as con:
        cursor = con.execute(
            "SELECT * FROM finance_transactions WHERE storefront = ? AND day = ? AND list_contains(?, "
            "transaction_type) ORDER BY posted_date, transaction_id", [storefront, day, list(TRANSACTION_TYPES)])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    by_transaction: dict[str, list[dict]] = {}
    for row in rows:
        by_transaction.setdefault(row["transaction_id"], []).append(row)
    poster = _RefundPoster(connect, client, settings, mapping, storefront, log)
    outcomes = [poster.post(tid, found) for tid, found in by_transaction.items()]
    with connect() as con, transaction(con):
        con.register("refund_outcomes", _table(outcomes))
        try:
            replace_partition_rows(con, "refunds_posted", storefront, day.isoformat(),
                                   "SELECT ? AS storefront, ?::DATE AS day, * FROM refund_outcomes",
                                   params=[storefront, day])
        finally:
            con.unregister("refund_outcomes")
    return outcomes


def _table(outcomes: list[RefundOutcome]):
    import pyarrow as pa

    money = pa.decimal128(18, 4)
    schema = pa.schema([("transaction_id", pa.string()), ("transaction_type", pa.string()),
                        ("order_id", pa.string()), ("posted_date", pa.timestamp("us", tz="UTC")),
                        ("currency", pa.string()), ("refunded", money), ("record_type", pa.string()),
                        ("external_id", pa.string()), ("internal_id", pa.string()), ("applied", money),
                        ("paid_out", money), ("status", pa.string()), ("reason", pa.string())])
    return pa.Table.from_pylist([vars(o) for o in outcomes], schema=schema)


class _RefundPoster:
    def __init__(self, connect: Connection, client, settings: Settings, mapping: GlMapping, storefront: str,
                 log) -> None:
        self.connect, self.client, self.settings, self.mapping = connect, client, settings, mapping
        self.storefront, self.log = storefront, log
        self.shop = settings.storefront(storefront)
        self.subsidiary = mapping.subsidiary(storefront, settings.account_of(storefront).region)

    def post(self, tid: str, rows: list[dict]) -> RefundOutcome:
        first = rows[0]
        out = RefundOutcome(tid, first["transaction_type"], first["order_id"], first["posted_date"], first["currency"])
        orders, _ = order_lines(refund_lines_of(rows, self.mapping))
        order = orders.get(first["order_id"] or "")
        if order is None or not order.refund:
            out.status, out.reason = "nothing", "no order or no amount given back to the buyer"
            return out
        src = AmazonRefund(tid, self.storefront, first["currency"], ZERO, first["posted_date"],
                           kind=TRANSACTION_TYPES[first["transaction_type"]])
        oid = order.order_id
        settled = self._settled_by(oid)
        if settled:
            out.status, out.reason = "settled", f"its settlement posted the refund first ({settled})"
            out.refunded = order.refunded()
            self._resolve(out, f"posted by its settlement ({settled})")
            return out
        keys = [src.key(f"{k}:{oid}") for k in ("cash-refund", "credit-memo", "customer-refund", "invoice")]
        with self.connect() as con:
            ledger = ledger_entries(con, FLOW, self.storefront, keys, account=self.client.connection.ledger_account)
        result = SettlementPostingResult(tid, self.storefront, FLOW)
        sender = PostingSender(self.connect, self.client, src, ledger, result, self.log, flow=FLOW)
        record = self._record(oid)
        if record is None:
            return self._refuse(out, sender, src, order, "ORDER_NOT_IN_NETSUITE",
                                f"order {oid} is not in NetSuite ({order_external_id(self.storefront, oid)}); post "
                                "the order first, then run refunds_posted again")
        cash = record["type"] == "CashSale"
        invoice = None if cash else self._invoice(src, oid, record, sender)
        if not cash and invoice is None:
            return self._refuse(out, sender, src, order, "ORDER_NOT_BILLED",
                                f"Sales Order {order_external_id(self.storefront, oid)} has no invoice to credit "
                                "(not fulfilled yet); fulfil it, then run refunds_posted again")
        tax = refund_tax(self.settings, self.shop, record if cash else invoice)
        if tax is not None:
            order.refund += order.refund_tax
        out.refunded = order.refunded()
        try:
            lines, tax_lines = refund_lines(src, order, refund_item, tax)
        except UnmappedSku as exc:
            return self._refuse(out, sender, src, order, None, str(exc), exc)
        month = src.deposit_date.date()
        clearing = self.mapping.clearing_account
        if cash:
            zeroed = [name for name, column in (("shippingCost", "shippingcost"), ("handlingCost", "handlingcost"))
                      if Decimal(str(record.get(column) or 0))]
            posting = cash_refund(src, self.subsidiary, clearing, order, lines, zeroed, month, tax_lines)
            out.record_type, out.external_id = CASH_REFUND, posting.external_id
            made = self._rows("SELECT id FROM transaction WHERE type = 'CashRfnd' AND externalid = ?",
                              [posting.external_id])
            if made:  # a transform is not idempotent: one made before is found, not made again
                sender.known(posting.key, posting.external_id, str(made[0]["id"]))
                out.internal_id = str(made[0]["id"])
            else:
                out.internal_id = sender.transform(posting.key, "cashSale", str(record["id"]), CASH_REFUND,
                                                   posting.external_id, posting.body, posting.label,
                                                   replace=posting.replace)
            return self._done(out, sender, posting.key)
        entry = ledger.get(src.key(f"credit-memo:{oid}"))
        if entry is not None and entry.status == POSTED and entry.posted_body:
            # What it applied when it posted: the invoice owes less since (this memo, the settlement's payment).
            applied = sum((Decimal(i["amount"]) for i in entry.posted_body["apply"]["items"]), ZERO)
        else:
            applied = min(out.refunded, Decimal(str(invoice["foreignamountremaining"] or 0)))
        memo = credit_memo(src, self.subsidiary, order, str(invoice["entity"]), str(invoice["id"]), applied, lines,
                           month, tax_lines)
        out.record_type, out.external_id, out.applied = CREDIT_MEMO, memo.external_id, applied
        out.internal_id = sender.send(memo)
        if out.internal_id is None:
            return self._done(out, sender, memo.key)
        out.paid_out = out.refunded - applied
        if out.paid_out:
            paid = customer_refund(src, self.subsidiary, clearing, oid, str(invoice["entity"]), out.internal_id,
                                   out.paid_out, month)
            if sender.send(paid) is None:
                return self._done(out, sender, paid.key)
        return self._done(out, sender, memo.key)

    def _done(self, out: RefundOutcome, sender: PostingSender, key: str) -> RefundOutcome:
        error = sender.errors.get(key)
        out.status, out.reason = ("error", str(error)) if error else ("posted", None)
        if not error:
            self._resolve(out, "posted")
        return out

    def _resolve(self, out: RefundOutcome, resolution: str) -> None:
        """Close the error of an earlier run that could not make the record (order missing, not billed)."""
        with self.connect() as con:
            resolve_errors(con, FLOW, self.storefront, [f"{out.transaction_id}:refund:{out.order_id}"], utc_now(),
                           resolution)

    def _refuse(self, out: RefundOutcome, sender: PostingSender, src: AmazonRefund, order: OrderLines,
                code: str | None, detail: str, error: Exception | None = None) -> RefundOutcome:
        oid = order.order_id
        out.refunded = out.refunded or order.refunded()
        eid = src.external_id(f"CR-{oid}")
        sender.refuse(src.key(f"refund:{oid}"), CASH_REFUND, eid, f"refund {eid} (order {oid})",
                      error or NotSettleable(code, detail, f"refund order {oid}"))
        out.status, out.reason = "error", detail
        return out

    def _rows(self, sql: str, params: list) -> list[dict]:
        return list(self.client.suiteql(sql, params))

    def _record(self, oid: str) -> dict | None:
        found = self._rows("SELECT id, type, status, entity, foreigntotal, shippingcost, handlingcost, taxtotal "
                           "FROM transaction WHERE externalid = ?", [order_external_id(self.storefront, oid)])
        return found[0] if found else None

    def _invoice(self, src: AmazonRefund, oid: str, record: dict, sender: PostingSender) -> dict | None:
        """The Sales Order's invoice; a fulfilled Sales Order not billed yet is billed (dated the day it shipped, as
        the settlement bills it)."""
        so = str(record["id"])
        found = invoices(self.client, [so]).get(so)
        if found or record.get("status") not in BILLABLE:
            return found
        body = {"externalId": src.external_id(f"INV-{oid}"),
                "memo": f"Amazon order {oid}: billed to credit its {src.kind.lower()} ({src.settlement_id})"}
        shipped = ship_days(self.client, [so])
        if so in shipped:
            body["tranDate"] = shipped[so]
        if sender.transform(src.key(f"invoice:{oid}"), "salesOrder", so, INVOICE, body["externalId"],
                            body, f"invoice {body['externalId']} (order {oid})") is None:
            return None
        return invoices(self.client, [so]).get(so)

    def _settled_by(self, oid: str) -> str | None:
        """The settlement refund record of this order, when a settlement posted one before this flow did."""
        with self.connect() as con:
            found = con.execute(
                "SELECT external_id FROM netsuite_postings WHERE flow = 'settlements' AND status = ? AND "
                "(ends_with(key, ?) OR ends_with(key, ?)) ORDER BY key LIMIT 1",
                [POSTED, f":cash-refund:{oid}", f":credit-memo:{oid}"]).fetchall()
        return found[0][0] if found else None
