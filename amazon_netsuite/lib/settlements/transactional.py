"""Transactional posting (NetSuite Connector / Celigo style) of one settlement: the I/O around `posting.py`'s
payments, credit memos, fee journal and deposit.

For each order with lines in the settlement, its record (from the orders flow's ledger, via
`settlement_line_matches`) is read by SuiteQL: a Cash Sale goes into the deposit as it is (unless already deposited
elsewhere); a Sales Order needs its invoice, usually billed on fulfilment by the shipments flow
(lib/shipments/billing.py), else made here by `!transform` when the order is fulfilled but not billed, dated on the
day its last item fulfillment shipped (revenue lands in the month the order shipped, whenever Amazon pays), and gets
a payment; an order whose Sales Order is not fulfilled yet is queued as a validation error. A
refunded Cash Sale gets a cash refund (`!transform`), a refunded invoice a credit memo applied to it (for what the
refund takes back of this settlement's payment) and a customer refund of the rest, both paid out of clearing
(posting.py). Whatever of an order no record carries (never posted, not billable, refused by NetSuite) goes to the
suspense (or clearing) account on the fee journal, with the reason, and is listed in the result: the deposit always
equals the bank amount.
The deposit goes only once the fee journal is in NetSuite: clearing's share of it is what that journal books.

A refund the finances flow posted when it happened (`refunds_posted`, early_refunds.py) is matched, not posted
again: same order and amount → no refund record; its credit memos' applications reduce the invoice's payment; a
different amount → queued in integration_errors naming both, the amount in suspense.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal

from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.netsuite.errors import NetSuiteError
from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.netsuite.items import UnmappedSku
from amazon_netsuite.lib.netsuite.sales_orders import BILLABLE, ORDER_STATUS, by_ids, ship_days
from amazon_netsuite.lib.netsuite.sales_orders import invoices as invoices_billed
from amazon_netsuite.lib.settings import Settings, Storefront
from amazon_netsuite.lib.gl_mapping import GlMapping, map_lines, rule_to_add
from amazon_netsuite.lib.settlements.match import MATCHED
from amazon_netsuite.lib.settlements.posting import (
    CASH_REFUND,
    CREDIT_MEMO,
    INVOICE,
    PAYMENT,
    ZERO,
    Deposited,
    Line,
    OrderLines,
    Posting,
    RefundTax,
    SettlementNotPostable,
    Unsettled,
    bank_transfer,
    cash_refund,
    check_summary,
    check_ties_out,
    covered_by_record,
    credit_memo,
    customer_refund,
    fee_journals,
    order_lines,
    payment,
    refund_lines,
    vat_shares,
)
from amazon_netsuite.lib.settlements.posting_sender import PostingSender
from amazon_netsuite.lib.settlements.stored_settlement import StoredSettlement



class NotSettleable(NetSuiteError):
    """An order whose NetSuite record cannot take the settlement's money yet (a Sales Order not fulfilled, a Cash
    Sale deposited elsewhere); nothing was sent. Queued as a validation error against its payment."""

    def __init__(self, code: str, detail: str, operation: str) -> None:
        super().__init__(None, code, detail, operation=operation)


@dataclass
class _Sale:
    """An order whose sale a payment (Sales Order) or the deposit itself (Cash Sale) settles."""

    order: OrderLines
    covered: Decimal  # what Amazon paid that the record carries
    amount: Decimal  # what the payment or cash sale puts in the deposit
    record_label: str
    posting: Posting | None = None  # the payment; None for a cash sale (or a sale its refund took back whole)
    internal_id: str | None = None
    invoice: dict | None = None  # the invoice the payment applies to
    netted: Decimal = ZERO  # what a credit memo of this settlement applies to the invoice instead of the payment


@dataclass(frozen=True)
class _EarlyRefund:
    """What the finances flow's refunds_posted already booked for an order: refunded, of it applied to the invoice."""

    refunded: Decimal
    applied: Decimal
    external_ids: str


@dataclass
class _Memo:
    """A refunded invoice's credit memo; what `applied` leaves of it a customer refund pays out of clearing."""

    order: OrderLines
    posting: Posting
    customer: str
    applied: Decimal


class TransactionalPosting:
    """One settlement in transactional mode: look its orders' records up, bill what must be billed, send payments
    and credit memos, then the fee journal and the deposit of what did post."""

    def __init__(self, stored: StoredSettlement, client, mapping: GlMapping, subsidiary: str, sender: PostingSender,
                 settings: Settings) -> None:
        self.stored, self.client, self.mapping, self.subsidiary = stored, client, mapping, subsidiary
        self.settlement, self.sender, self.settings = stored.settlement, sender, settings
        self.unsettled: list[Unsettled] = []
        self.variances: list[Unsettled] = []
        self.fee_lines: list[Line] = []
        self.not_billed: dict[str, str] = {}  # Sales Order internal id → why billing it failed in this run

    def run(self) -> None:
        s = self.settlement
        mapped = map_lines(self.stored.lines, self.mapping).to_pylist()
        lines = [Line.from_row(row, self.mapping) for row in mapped]
        self._check(lines)
        orders, self.fee_lines = order_lines(lines)  # lines of no order start the fee journal
        self.early, self.early_applied = self._early_refunds(list(orders.values()))
        records = self._order_records(orders)
        known = self._lookup(records)

        sales: list[_Sale] = []
        cash_refunds: list[tuple[OrderLines, str, Posting]] = []  # order, its Cash Sale's internal id, the refund
        memos: list[_Memo] = []
        for order in orders.values():
            self.fee_lines += order.other
            record = records.get(order.order_id)
            if order.order_id in self.stored.never_posted:  # no record will ever carry it: post it as mapped
                self.fee_lines += self._as_mapped(order)
                continue
            if isinstance(record, str):  # why the order has no NetSuite record
                self._unsettle(order, order.sold() - order.refunded(), record)
                self.fee_lines += order.buyer_tax + order.refund_tax
                continue
            record_type, internal_id = record
            row = known["records"].get(internal_id)
            if row is None:
                self._unsettle(order, order.sold() - order.refunded(),
                               f"its {record_type} (internal id {internal_id}) is no longer in NetSuite")
                self.fee_lines += order.buyer_tax + order.refund_tax
                continue
            sale = None
            if order.sale:
                sale = self._settle_sale(order, internal_id, row, known)
                if sale is not None:
                    sales.append(sale)
            else:
                self.fee_lines += order.buyer_tax
            if order.refund:
                self._refund(order, internal_id, row, known, sale, cash_refunds, memos)

        sent = self.sender.send_many([*(sale.posting for sale in sales if sale.posting),
                                      *(memo.posting for memo in memos)])
        deposited: list[Deposited] = []
        for sale in sales:
            if sale.posting is not None:
                sale.internal_id = sent[sale.posting.key]
                if sale.internal_id is None:
                    self._unsettle(sale.order, sale.covered - sale.netted,
                                   f"its payment {sale.posting.external_id} did not post; see integration_errors")
                    continue
            if sale.internal_id is not None:
                deposited.append(Deposited(sale.internal_id, sale.amount, sale.record_label))
            if sale.covered != sale.amount + sale.netted:
                self.variances.append(Unsettled(
                    sale.order.order_id, sale.covered - sale.amount - sale.netted,
                    f"Amazon paid {decimal_text(sale.covered)} {s.currency} for the sale, {sale.record_label} "
                    f"takes {decimal_text(sale.amount + sale.netted)}", self.mapping.suspense_or_clearing))
        self._pay_out(cash_refunds, memos, sent)

        journals = fee_journals(s, self.mapping, self.subsidiary, self.fee_lines, self.unsettled, self.variances)
        for journal in journals:
            self.sender.send(journal)
        # The payments and cash sales it takes are in NetSuite (the others wait in suspense); clearing's share is
        # what the fee journals and the refunds put there (a refund that did not post waits on the fee journal's
        # suspense line), so the deposit waits for the journals.
        self.sender.send_after(bank_transfer(s, self.mapping, self.subsidiary, deposited), needs=journals)
        self.sender.result.unmatched = self.unsettled
        self.sender.result.variances = self.variances

    def _check(self, lines: list[Line]) -> None:
        """Refuse what must not post: lines that do not tie out or lack a GL account, a GL summary of another
        mapping, order lines never matched."""
        s = self.settlement
        check_ties_out(s, lines)
        unmapped = [line for line in lines if line.gl_account is None]
        if unmapped:
            first = unmapped[0]
            raise SettlementNotPostable(
                f"settlement {s.settlement_id}: {len(unmapped)} line(s) have no GL account (first: line "
                f"{first.line_number}, {first.transaction_type} / {first.amount_type} / {first.amount_description});"
                " add a rule to data/gl_mapping.yaml or set suspense_account; nothing was posted. To paste under "
                f"`rules:` (choose the account): "
                f"{rule_to_add(first.transaction_type, first.amount_type, first.amount_description)}")
        check_summary(s, self.stored.summary, lines)
        missing = [line.line_number for line in lines if line.order_id and line.line_number not in
                   self.stored.matches]
        if missing:
            raise SettlementNotPostable(
                f"settlement {s.settlement_id}: {len(missing)} order line(s) are not in settlement_line_matches "
                f"(first: line {missing[0]}); build the matches first")

    def _early_refunds(self, orders: Sequence[OrderLines]) -> tuple[dict[str, "_EarlyRefund"], dict[str, Decimal]]:
        """The refunds the finances flow posted when they happened: by order, those this settlement carries (posted
        in its period, when it has one), and what all of them applied to the order's invoice."""
        s = self.settlement
        if not orders:
            return {}, {}
        with self.sender.connect() as con:
            rows = con.execute(
                "SELECT order_id, refunded, coalesce(applied, 0), external_id, posted_date FROM refunds_posted "
                "WHERE status = 'posted' AND list_contains(?::VARCHAR[], order_id) ORDER BY external_id",
                [[o.order_id for o in orders]]).fetchall()
        found: dict[str, _EarlyRefund] = {}
        applied_to: dict[str, Decimal] = {}
        for order_id, refunded, applied, external_id, posted in rows:
            applied_to[order_id] = applied_to.get(order_id, ZERO) + applied
            if not _within(posted, s.start, s.end):  # another settlement's refund of the same order
                continue
            before = found.get(order_id, _EarlyRefund(ZERO, ZERO, ""))
            found[order_id] = _EarlyRefund(before.refunded + refunded, before.applied + applied,
                                           ", ".join(filter(None, (before.external_ids, external_id))))
        return found, applied_to

    def _order_records(self, orders: dict[str, OrderLines]) -> dict[str, tuple[str, str] | str]:
        """Order id → (record type, internal id) of its posted record, or the reason it has none."""
        found: dict[str, tuple[str, str] | str] = {}
        for order in orders.values():
            lines = [*order.sale, *order.buyer_tax, *order.refund, *order.other]
            match = self.stored.matches[lines[0].line_number]
            if match["match_status"] == MATCHED and match["internal_id"]:
                found[order.order_id] = (match["record_type"], match["internal_id"])
            else:
                found[order.order_id] = match["reason"] or f"order {order.order_id} has no posted NetSuite record"
        return found

    def _lookup(self, records: dict[str, tuple[str, str] | str]) -> dict[str, dict]:
        """The orders' records, the invoices billed from their Sales Orders and the deposits holding their Cash
        Sales, by SuiteQL; Sales Orders fulfilled but not billed are billed (salesOrder → invoice) first."""
        ids = sorted({r[1] for r in records.values() if isinstance(r, tuple)}, key=int)
        rows = {str(r["id"]): r for r in by_ids(
            self.client, "SELECT id, type, status, entity, foreigntotal, shippingcost, handlingcost, taxtotal "
            "FROM transaction WHERE id IN ({ids})", ids)}
        orders = [i for i in ids if rows.get(i, {}).get("type") == "SalesOrd"]
        invoices = invoices_billed(self.client, orders)
        shipped = ship_days(self.client,
                            [i for i in orders if i not in invoices and rows[i].get("status") in BILLABLE])
        s = self.settlement
        for order_id, record in records.items():
            if not isinstance(record, tuple) or record[1] not in orders:
                continue
            if record[1] in invoices:  # billed already (by an earlier run, or in NetSuite)
                self.sender.known(s.key(f"invoice:{order_id}"), s.external_id(f"INV-{order_id}"),
                                  str(invoices[record[1]]["id"]))
                continue
            status = rows[record[1]].get("status")
            if status in BILLABLE:
                body = {"externalId": s.external_id(f"INV-{order_id}"),
                        "memo": f"Amazon order {order_id}: billed to settle it in settlement {s.settlement_id}"}
                if record[1] in shipped:  # revenue in the month it shipped, whenever Amazon pays
                    body["tranDate"] = shipped[record[1]]
                billed = self.sender.transform(
                    s.key(f"invoice:{order_id}"), "salesOrder", record[1], INVOICE, s.external_id(f"INV-{order_id}"),
                    body,
                    f"invoice {s.external_id(f'INV-{order_id}')} (order {order_id})")
                if billed is None:
                    self.not_billed[record[1]] = (f"billing its Sales Order ({s.external_id(f'INV-{order_id}')}) "
                                                  "failed; see integration_errors")
        invoices.update(invoices_billed(self.client, [o for o in orders if o not in invoices]))
        cash_sales = [i for i in ids if rows.get(i, {}).get("type") == "CashSale"]
        deposits = {str(r["previousdoc"]): str(r["nextdoc"]) for r in by_ids(
            self.client,
            "SELECT previousdoc, nextdoc FROM previoustransactionlinelink WHERE linktype = 'Deposit' "
            "AND previousdoc IN ({ids})", cash_sales)}
        return {"records": rows, "invoices": invoices, "deposits": deposits}

    def _settle_sale(self, order: OrderLines, internal_id: str, row: dict, known: dict) -> _Sale | None:
        s, oid = self.settlement, order.order_id
        record_eid = order_external_id(s.storefront, oid)
        if row["type"] == "CashSale":
            total = Decimal(str(row["foreigntotal"]))
            covered, tax = covered_by_record(order, total)
            self.fee_lines += [line for line in order.buyer_tax if line not in tax]
            ours = self.stored.ledger.get(s.key("deposit"))
            holder = known["deposits"].get(internal_id)
            if row.get("status") == "C" and (holder is None or ours is None or holder != ours.internal_id):
                where = f"in deposit internal id {holder}" if holder else "straight to a bank account"
                detail = (f"Cash Sale {record_eid} is already deposited ({where}), so settlement {s.settlement_id} "
                          "cannot deposit it; its amount waits in suspense until the other deposit is corrected")
                self.sender.refuse(s.key(f"payment:{oid}"), PAYMENT, s.external_id(f"PAY-{oid}"),
                                   f"cash sale of order {oid} in settlement {s.settlement_id}",
                                   NotSettleable("ALREADY_DEPOSITED", detail, f"deposit order {oid}"))
                self._unsettle(order, covered, f"its Cash Sale {record_eid} is already deposited ({where})")
                return None
            return _Sale(order, covered, total, f"cash sale {record_eid}", internal_id=internal_id)
        invoice = known["invoices"].get(internal_id)
        if invoice is None and internal_id in self.not_billed:  # the billing error is queued already
            self.fee_lines += order.buyer_tax
            self._unsettle(order, order.sold(), self.not_billed[internal_id])
            return None
        if invoice is None:
            status = ORDER_STATUS.get(row.get("status"), row.get("status") or "unknown")
            reason = (f"its Sales Order {record_eid} is {status} in NetSuite and has no invoice to pay: fulfil it "
                      "(it is billed then), then post the settlement again")
            self.sender.refuse(s.key(f"payment:{oid}"), PAYMENT, s.external_id(f"PAY-{oid}"),
                               f"payment of order {oid} in settlement {s.settlement_id}",
                               NotSettleable("ORDER_NOT_BILLED", f"Sales Order {record_eid} is {status} and has no "
                                             "invoice to pay; fulfil it in NetSuite (the next settlement run bills "
                                             "it and applies the payment)", f"pay order {oid}"))
            self.fee_lines += order.buyer_tax
            self._unsettle(order, order.sold(), reason)
            return None
        total = Decimal(str(invoice["foreigntotal"]))
        covered, tax = covered_by_record(order, total)
        self.fee_lines += [line for line in order.buyer_tax if line not in tax]
        # What refunds posted when they happened applied to the invoice, whichever settlement carries them: the
        # invoice owes that much less.
        credited = self.early_applied.get(oid, ZERO)
        amount = min(covered, total) - credited
        if credited and amount <= 0:  # the early credit memos took back the whole sale: nothing left to pay
            return _Sale(order, covered, ZERO, "its early credit memos", invoice=invoice, netted=credited)
        if amount <= 0:
            self._unsettle(order, covered, f"Amazon paid {decimal_text(covered)} {s.currency} for it: nothing to pay")
            return None
        posting = payment(s, self.subsidiary, oid, str(invoice["id"]), str(invoice["entity"]), amount,
                          Line.month(s, order.sale, self.mapping.split_at_month_end))
        return _Sale(order, covered, amount, f"payment {posting.external_id}", posting=posting, invoice=invoice,
                     netted=credited)

    def _refund(self, order: OrderLines, internal_id: str, row: dict, known: dict, sale: _Sale | None,
                cash_refunds: list[tuple[OrderLines, str, Posting]], memos: list[_Memo]) -> None:
        """A cash refund of a Cash Sale, or a credit memo of an invoice (its application netted against this
        settlement's payment of the same invoice); an order not billed yet waits in suspense as its payment does."""
        s, oid, refunded = self.settlement, order.order_id, order.refunded()
        if refunded <= 0:  # nothing paid back: the lines are adjustments, not a refund
            self.fee_lines += order.refund + order.refund_tax
            return
        cash = row["type"] == "CashSale"
        key, record_type, suffix, label = (("cash-refund", CASH_REFUND, "CR", "cash refund") if cash else
                                           ("credit-memo", CREDIT_MEMO, "CM", "credit memo"))
        eid = s.external_id(f"{suffix}-{oid}")
        invoice = None if cash else known["invoices"].get(internal_id)
        tax = self._refund_tax(order, row if cash else invoice)
        if tax is None:  # the sale's record carried no tax: what Amazon gave back of it is the fee journal's
            self.fee_lines += order.refund_tax
        else:
            order.refund += order.refund_tax
            refunded = order.refunded()
        early = self.early.get(oid)
        if early is not None:  # posted when it happened (refunds_posted): matched, not posted again
            if early.refunded != refunded:
                detail = (f"settlement {s.settlement_id} refunds {decimal_text(refunded)} {s.currency} of order "
                          f"{oid} ({eid}) but {early.external_ids} already refunded "
                          f"{decimal_text(early.refunded)}; correct one of them (nothing was posted for it)")
                self.sender.refuse(s.key(f"{key}:{oid}"), record_type, eid, f"{label} {eid} (order {oid})",
                                   NotSettleable("REFUND_MISMATCH", detail, f"refund order {oid}"))
                self._unsettle(order, -refunded, detail)
            return
        if not cash and invoice is None:
            if internal_id in self.not_billed:  # the billing error is queued already
                self._unsettle(order, -refunded, self.not_billed[internal_id])
                return
            status = ORDER_STATUS.get(row.get("status"), row.get("status") or "unknown")
            record_eid = order_external_id(s.storefront, oid)
            self.sender.refuse(s.key(f"{key}:{oid}"), record_type, eid, f"{label} {eid} (order {oid})",
                               NotSettleable("ORDER_NOT_BILLED", f"Sales Order {record_eid} is {status} and has no "
                                             "invoice to credit; fulfil it in NetSuite (the next settlement run "
                                             "bills it and credits the refund)", f"refund order {oid}"))
            self._unsettle(order, -refunded, f"its Sales Order {record_eid} is {status} in NetSuite and has no "
                                             "invoice to credit the refund to: fulfil it, then post the settlement "
                                             "again")
            return
        try:
            lines, tax_lines = refund_lines(s, order, refund_item, tax)
        except UnmappedSku as exc:
            self.sender.refuse(s.key(f"{key}:{oid}"), record_type, eid, f"{label} {eid} (order {oid})", exc)
            self._unsettle(order, -refunded, f"its {label} {eid} cannot be made: {exc}")
            return
        month = Line.month(s, order.refund, self.mapping.split_at_month_end)  # refunds book in their own month
        if cash:
            zeroed = [name for name, column in (("shippingCost", "shippingcost"), ("handlingCost", "handlingcost"))
                      if Decimal(str(row.get(column) or 0))]
            cash_refunds.append((order, internal_id,
                                 cash_refund(s, self.subsidiary, self.mapping.clearing_account, order, lines, zeroed,
                                             month, tax_lines)))
            return
        applied = ZERO
        if sale is not None and sale.posting is not None and sale.invoice is not None:
            # Refunded before Amazon paid it: the memo takes back that much of the invoice and the payment less.
            applied = min(refunded, sale.amount)
            sale.amount -= applied
            sale.netted = applied
            sale.posting = (payment(s, self.subsidiary, oid, str(sale.invoice["id"]), str(sale.invoice["entity"]),
                                    sale.amount, Line.month(s, sale.order.sale, self.mapping.split_at_month_end))
                            if sale.amount else None)
        memos.append(_Memo(order, credit_memo(s, self.subsidiary, order, str(invoice["entity"]), str(invoice["id"]),
                                              applied, lines, month, tax_lines), str(invoice["entity"]), applied))

    def _pay_out(self, cash_refunds: list[tuple[OrderLines, str, Posting]], memos: list[_Memo],
                 sent: dict[str, str | None]) -> None:
        """Cash refunds by `!transform` from their Cash Sales; a customer refund of what each posted credit memo
        has left. What did not post waits in suspense."""
        s = self.settlement
        # A transform is not idempotent: one an earlier run made (its ledger row lost, say) is found, not made again.
        made = {str(r["externalid"]): str(r["id"]) for r in by_ids(
            self.client, "SELECT id, externalid FROM transaction WHERE type = 'CashRfnd' AND externalid IN ({ids})",
            [posting.external_id for _, _, posting in cash_refunds])}
        for order, cash_sale, posting in cash_refunds:
            if posting.external_id in made:
                self.sender.known(posting.key, posting.external_id, made[posting.external_id])
                continue
            if self.sender.transform(posting.key, "cashSale", cash_sale, CASH_REFUND, posting.external_id,
                                     posting.body, posting.label, replace=posting.replace) is None:
                self._unsettle(order, -order.refunded(), f"its cash refund {posting.external_id} did not post; "
                                                         "see integration_errors")
        payouts = []
        for memo in memos:
            memo_id = sent[memo.posting.key]
            if memo_id is None:  # neither the refund nor the part of the sale it took back is booked
                self._unsettle(memo.order, memo.applied - memo.order.refunded(),
                               f"its credit memo {memo.posting.external_id} did not post; see integration_errors")
                continue
            rest = memo.order.refunded() - memo.applied
            if rest:
                payouts.append((memo, customer_refund(s, self.subsidiary, self.mapping.clearing_account,
                                                      memo.order.order_id, memo.customer, memo_id, rest,
                                                      Line.month(s, memo.order.refund,
                                                                 self.mapping.split_at_month_end))))
        paid = self.sender.send_many([posting for _, posting in payouts])
        for memo, posting in payouts:
            if paid[posting.key] is None:
                self._unsettle(memo.order, memo.applied - memo.order.refunded(),
                               f"its customer refund {posting.external_id} did not post; see integration_errors")

    def _refund_tax(self, order: OrderLines, record: dict | None) -> RefundTax | None:
        return refund_tax(self.settings, self._storefront_of(order.refund[0]), record)

    def _as_mapped(self, order: OrderLines) -> list[Line]:
        """The lines of an order no record will carry, for the fee journal as the GL mapping maps them, the VAT of a
        VAT-inclusive storefront's amounts split out to VAT payable as the summary journal does."""
        lines = [*order.sale, *order.buyer_tax, *order.refund, *order.refund_tax]
        storefront = self._storefront_of(lines[0])
        if not storefront.prices_include_vat:
            return lines
        shares = vat_shares(lines, storefront.vat_rate, self.settlement.currency)
        split = []
        for line in lines:
            vat = shares.get(line.line_number, ZERO)
            split.append(replace(line, amount=line.amount - vat) if vat else line)
            if vat:
                split.append(replace(line, amount=vat, gl_account=self.mapping.vat_payable_account, section="tax"))
        return split

    def _storefront_of(self, line: Line) -> Storefront:
        """The storefront a line belongs to (its marketplace's: a unified EU settlement holds several)."""
        return self.settings.storefront(self.stored.matches[line.line_number]["line_storefront"]
                                        or self.settlement.storefront)

    def _unsettle(self, order: OrderLines, amount: Decimal, reason: str) -> None:
        if amount:
            self.unsettled.append(Unsettled(order.order_id, amount, reason, self.mapping.suspense_or_clearing))



def _within(posted: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    """Whether a transaction posted in a settlement's period (naive times are UTC); true when either is unknown."""
    def utc(t: datetime) -> datetime:
        return t if t.tzinfo else t.replace(tzinfo=timezone.utc)

    if posted is None or start is None or end is None:
        return True
    return utc(start) <= utc(posted) <= utc(end)


def refund_tax(settings: Settings, shop: Storefront, record: dict | None) -> RefundTax | None:
    """How an order's refund gives back tax: as the sale's record carried it (SuiteTax lines, VAT split out of a
    VAT-inclusive storefront's amounts), or None when the record carried none (facilitator tax)."""
    if record is None or not Decimal(str(record.get("taxtotal") or 0)):
        return None
    codes = settings.storefront_posting(shop.key).tax
    if shop.prices_include_vat:
        return RefundTax(codes.vat_code, codes.vat_type, shop.vat_rate)
    return RefundTax(codes.sales_tax_code, codes.sales_tax_type)


def refund_item(line: Line) -> dict[str, str]:
    """A refund line's item: its GL rule's `item`, never the SKU's (that would put a unit back into stock)."""
    if line.netsuite_item:
        return {"externalId": line.netsuite_item}
    raise UnmappedSku(line.sku or "(none)", f"refund line {line.line_number} ({line.transaction_type} / "
                      f"{line.amount_type} / {line.amount_description}) maps to a GL rule without an item",
                      "add `item: AMZ-REFUND` (an other charge or non-inventory item whose income account is "
                      "the rule's) to that rule in data/gl_mapping.yaml")
