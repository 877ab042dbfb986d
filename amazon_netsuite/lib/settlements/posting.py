"""The NetSuite records a settlement becomes, in either posting mode. Plain Python, no I/O. The mode follows the
storefront's order posting (`Settings.settlement_posting`): transactional when this project posts its orders,
summary when it does not, so revenue is booked once.

Signs follow the GL summary: a positive settlement amount is money the seller receives (a credit to its account), a
negative one money Amazon keeps (a debit). Every record is upserted by an external id `AMZ-STL-{settlement id}-...`.

**Summary** (A2X style, for storefronts whose orders are not posted): one journal entry (`-JE`) with a
line per GL account of the settlement's lines against the Amazon clearing account, which receives the settlement's
total-amount, so the journal balances exactly when the lines tie out (otherwise it is refused before anything is
sent). It books tax itself: a VAT-inclusive storefront's sales, shipping, gift wrap, their promotions and refunds go
net, their VAT to the VAT payable account; tax the seller collected that Amazon did not withhold moves from the
facilitator-tax clearing account to sales tax payable. Then the money leaves clearing:
- a positive settlement: a **deposit** (`-DEP`) into the currency's bank account of the total-amount from clearing
  (an "other deposits" line), equal to what reached the bank;
- a negative settlement: no money leaves the bank; Amazon charges the card on file or takes it from the next
  settlement ("Successful charge", "Payable to Amazon" lines, mapped to the same account). A journal (`-DEBIT`, the
  external id of the bank journal it replaces, so a re-run updates that record) debits clearing and credits the
  Amazon balance account, as A2X books it:
  https://support.a2xaccounting.com/en/articles/2048402-payable-to-amazon-successful-charge-what-are-they-and-how-do-i-account-for-them

**Periods** (`split_at_month_end`, on by default): a settlement whose lines' posted-dates span a month end posts in
parts, each balanced against clearing with its own month's lines: the journal (summary) or fee journal
(transactional) of an earlier month is `-JE-YYYYMM` / `-FEES-YYYYMM`, dated the month's last day; the deposit
month's part keeps `-JE` / `-FEES` and the deposit date, as do lines with no posted date. A payment is dated in its
sale's month. The deposit stays on the deposit date; clearing nets to zero over all parts.

**Transactional** (NetSuite Connector / Celigo style; storefronts whose orders are posted): per order, what the buyer paid settles the order's record:
a Cash Sale (already paid, in Undeposited Funds) goes into the deposit as it is; a Sales Order's invoice gets a
customer payment (`-PAY-{order}`) applied to it. Amazon pays refunds out of the settlement, so they are paid out of
the clearing account (a Bank-type account): a refunded Cash Sale becomes a cash refund (`-CR-{order}`, its
`!transform`); a refunded invoice gets a credit memo (`-CM-{order}`) applied to it for what the refund takes back of
a sale this settlement pays (that payment shrinks by as much), and a customer refund (`-REF-{order}`) pays out the
rest, so the order's receivable nets to zero. Refund lines post on their rule's item (`AMZ-REFUND`, an other charge
item), never the SKU's: no unit goes back into stock unless a return says it came back. Everything else (fees,
withheld and refunded tax, reserves, lines of no order, and the amounts of orders that cannot be settled) goes on one
fee journal (`-FEES`) against clearing; the deposit then holds the payments and cash sales plus clearing's net, again
the total-amount.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from amazon_netsuite.lib.gl_journal import (
    SALE_SECTIONS,
    ZERO,
    JournalLine,
    account_name,
    journal_items,
    month_end,
    summary_lines,
    vat_shares,
)
from amazon_netsuite.lib.gl_journal import Line as MappedLine
from amazon_netsuite.lib.gl_mapping import GlMapping, rule_to_add
from amazon_netsuite.lib.money import decimal_text, minor_units
from amazon_netsuite.lib.netsuite.tax_details import tax_detail

JOURNAL, DEPOSIT, PAYMENT, CREDIT_MEMO, INVOICE = "journalEntry", "deposit", "customerPayment", "creditMemo", "invoice"
CASH_REFUND, CUSTOMER_REFUND = "cashRefund", "customerRefund"


class SettlementNotPostable(ValueError):
    """A settlement that must not be posted as it stands; nothing was sent. The message says why and what to do."""


class JournalNotBalanced(SettlementNotPostable):
    """A journal whose debits and credits differ: refused before it reaches NetSuite."""


@dataclass(frozen=True)
class Settlement:
    """The totals row of one stored settlement (a row of `settlements`)."""

    settlement_id: str
    storefront: str
    currency: str
    total_amount: Decimal
    deposit_date: datetime
    start: datetime | None = None
    end: datetime | None = None

    @property
    def period(self) -> str:
        if self.start is None or self.end is None:
            return f"deposited {self.deposit_date:%Y-%m-%d}"
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"

    def external_id(self, suffix: str) -> str:
        return f"AMZ-STL-{self.settlement_id}-{suffix}"

    def key(self, suffix: str) -> str:
        """The posting ledger key of one of its records."""
        return f"{self.settlement_id}:{suffix}"

    def refund_memo(self, order_id: str) -> str:
        return f"Amazon refund of order {order_id} in settlement {self.settlement_id}"


@dataclass(frozen=True)
class Posting:
    """One record to upsert: its ledger key, type, external id and whole body. `replace` names the sublists an
    update replaces (NetSuite appends lines to a non-keyed sublist otherwise,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html)."""

    key: str
    record_type: str
    external_id: str
    body: dict[str, Any]
    label: str
    replace: str | None = None


def amount_text(value: Decimal, currency: str) -> str:
    """An amount as the decimal string NetSuite gets, at the currency's minor unit; finer digits are refused."""
    exact = Decimal(value).quantize(Decimal(1).scaleb(-minor_units(currency)))
    if exact != value:
        raise SettlementNotPostable(f"amount {decimal_text(value)} has digits below the {currency} minor unit")
    return str(exact)


def _header(settlement: Settlement, subsidiary: str, memo: str, month: date | None = None) -> dict[str, Any]:
    return {
        "tranDate": (month or settlement.deposit_date.date()).isoformat(),
        "subsidiary": {"externalId": subsidiary},
        "currency": {"externalId": settlement.currency},
        "memo": memo,
    }


def journal_body(settlement: Settlement, subsidiary: str, external_id: str, memo: str,
                 lines: Iterable[JournalLine], what: str, month: date | None = None) -> dict[str, Any]:
    """A journal entry body, dated `month` (else the deposit date); zero lines are left out, and one whose debits
    and credits differ is refused (`what` names it in the message)."""
    items, debits, credits = journal_items(lines, lambda value: amount_text(value, settlement.currency))
    if debits != credits:
        raise JournalNotBalanced(
            f"The {what} ({external_id}) does not balance: debits {decimal_text(debits)} {settlement.currency}, "
            f"credits {decimal_text(credits)} {settlement.currency} (difference {decimal_text(debits - credits)}); "
            "nothing was posted. The settlement's lines must tie out to its total-amount and every line needs a GL "
            "account: re-import the settlement or fix data/gl_mapping.yaml, then rebuild settlement_gl_summary.")
    return {**_header(settlement, subsidiary, memo, month), "externalId": external_id, "line": {"items": items}}


# --- periods -----------------------------------------------------------------------------------------------------


def posting_month(settlement: Settlement, posted: date | None, split: bool) -> date | None:
    """The date a line's part posts on: the last day of its posted month when that is before the deposit month,
    else None (the deposit date). No posted date, or `split` off: None."""
    deposit = settlement.deposit_date.date()
    if not split or posted is None or (posted.year, posted.month) >= (deposit.year, deposit.month):
        return None
    return month_end(posted)


def by_month(settlement: Settlement, lines: Iterable["Line"], split: bool) -> dict[date | None, list["Line"]]:
    """The lines by the part they post in: earlier months in order, the deposit month (None) last."""
    parts: dict[date | None, list[Line]] = {}
    for line in lines:
        parts.setdefault(posting_month(settlement, line.posted_date, split), []).append(line)
    return dict(sorted(parts.items(), key=lambda part: part[0] or date.max))


def part_names(settlement: Settlement, suffix: str, key: str, month: date | None) -> tuple[str, str]:
    """(external id, ledger key) of one month's part: the deposit month's keeps the plain ones."""
    if month is None:
        return settlement.external_id(suffix), settlement.key(key)
    return settlement.external_id(f"{suffix}-{month:%Y%m}"), settlement.key(f"{key}:{month:%Y%m}")


# --- summary mode ------------------------------------------------------------------------------------------------


def summary_journals(settlement: Settlement, summary: Sequence[Mapping[str, Any]], mapping: GlMapping,
                     subsidiary: str, lines: Sequence["Line"] = (), vat_rate: Decimal | None = None) -> list[Posting]:
    """The settlement's journal entries, one per month part (one when it does not span a month end), from its
    mapped lines, checked against its `settlement_gl_summary` rows: a line per account against the clearing account.
    `vat_rate` (percent) splits VAT out of VAT-inclusive sale amounts. Refused (SettlementNotPostable) when a line
    has no GL account, the summary is of another total or mapping, or a journal would not balance."""
    sid, currency = settlement.settlement_id, settlement.currency
    if not summary:
        raise SettlementNotPostable(f"settlement {sid} has no rows in settlement_gl_summary; build it first")
    unmapped = [r for r in summary if r["gl_account"] is None]
    if unmapped:
        count = sum(r["line_count"] for r in unmapped)
        raise SettlementNotPostable(
            f"settlement {sid}: {count} line(s) have no GL account; add rules to data/gl_mapping.yaml (or set "
            "suspense_account) and rebuild settlement_gl_summary; nothing was posted")
    other = sorted({r["currency"] for r in summary} - {currency})
    if other:
        raise SettlementNotPostable(f"settlement {sid} is in {currency} but its GL summary has {', '.join(other)}")
    deposit_net = sum((r["credit"] - r["debit"] for r in summary if r["side"] == "deposit"), ZERO)
    if deposit_net != -settlement.total_amount:
        raise SettlementNotPostable(
            f"settlement {sid}: the GL summary's deposit is {decimal_text(-deposit_net)} {currency} but the "
            f"total-amount is {decimal_text(settlement.total_amount)} {currency}; rebuild settlement_gl_summary")
    check_summary(settlement, summary, lines)
    memo = f"Amazon settlement {sid} ({settlement.storefront}, {settlement.period})"
    parts = by_month(settlement, lines, mapping.split_at_month_end)
    earlier = sum((line.amount for month, part in parts.items() if month for line in part), ZERO)
    if earlier != settlement.total_amount:
        parts.setdefault(None, [])  # the deposit month's part takes the rest of the total-amount
    postings = []
    for month, part in parts.items():
        journal_lines = summary_lines(part, mapping, vat_rate, currency)
        external_id, key = part_names(settlement, "JE", "journal", month)
        if month:
            journal_lines.append(JournalLine(mapping.clearing_account,
                                             -sum((line.amount for line in journal_lines), ZERO),
                                             f"Amazon settlement {sid}: lines posted in {month:%Y-%m}"))
        else:  # the rest of the total-amount: the journal balances only when the lines tie out
            journal_lines.append(JournalLine(
                mapping.clearing_account, earlier - settlement.total_amount,
                f"Amazon settlement {sid}: total-amount {decimal_text(settlement.total_amount)} {currency}"
                + (f", less {decimal_text(earlier)} posted in earlier months" if earlier else "")))
        body = journal_body(settlement, subsidiary, external_id, memo if month is None else
                            f"{memo}, lines of {month:%Y-%m}", journal_lines, f"journal of settlement {sid}", month)
        postings.append(Posting(key, JOURNAL, external_id, body, f"journal {external_id}", replace="line"))
    return postings


def check_summary(settlement: Settlement, summary: Sequence[Mapping[str, Any]], lines: Sequence["Line"]) -> None:
    """Refuse lines whose sums per account are not the GL summary's (built with another mapping, or missing)."""
    expected: dict[str, Decimal] = {}
    for row in summary:
        if row["side"] == "lines":
            expected[row["gl_account"]] = expected.get(row["gl_account"], ZERO) + row["credit"] - row["debit"]
    mine: dict[str, Decimal] = {}
    for line in lines:
        mine[line.gl_account] = mine.get(line.gl_account, ZERO) + line.amount
    if {k: v for k, v in expected.items() if v} != {k: v for k, v in mine.items() if v}:
        raise SettlementNotPostable(
            f"settlement {settlement.settlement_id}: settlement_gl_summary does not match its lines under the current "
            "GL mapping (missing, or built with another mapping); rebuild it, then post")




# --- from clearing to the bank (both modes) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Deposited:
    """A payment or cash sale in Undeposited Funds that the settlement's deposit takes (by internal id)."""

    internal_id: str
    amount: Decimal
    label: str


def bank_transfer(settlement: Settlement, mapping: GlMapping, subsidiary: str,
                  deposited: Sequence[Deposited] = ()) -> list[Posting]:
    """The deposit that empties clearing into the bank (and for a negative settlement the journal that moves the
    negative balance from clearing to the Amazon balance account): the deposit takes `deposited` plus clearing's
    share, so its total is the total-amount (0 when negative)."""
    sid, currency, total = settlement.settlement_id, settlement.currency, settlement.total_amount
    bank, clearing = mapping.bank_account(currency), mapping.clearing_account
    memo = f"Amazon settlement {sid} ({settlement.storefront}, {settlement.period})"
    postings = []
    into_bank = max(total, ZERO)
    from_clearing = into_bank - sum((d.amount for d in deposited), ZERO)
    if deposited or into_bank:
        body: dict[str, Any] = {**_header(settlement, subsidiary, memo), "externalId": settlement.external_id("DEP"),
                                "account": {"externalId": bank},
                                "payment": {"items": [{"id": d.internal_id, "deposit": True} for d in deposited]},
                                "other": {"items": []}, "cashback": {"items": []}}
        if from_clearing:
            sublist = "other" if from_clearing > 0 else "cashback"
            body[sublist]["items"].append({
                "account": {"externalId": clearing}, "amount": amount_text(abs(from_clearing), currency),
                "memo": f"Amazon settlement {sid}: net of fees and adjustments" if deposited
                else f"Amazon settlement {sid}: total-amount"})
        postings.append(Posting(settlement.key("deposit"), DEPOSIT, body["externalId"], body,
                                f"deposit {body['externalId']}", replace="payment,other,cashback"))
    if total < 0:
        # Owed to Amazon, not paid from the bank: Amazon charges the card on file or takes it from the next
        # settlement, whose follow-up lines map to the same balance account.
        external_id = settlement.external_id("DEBIT")
        lines = [JournalLine(clearing, total, f"Amazon settlement {sid}: negative balance {decimal_text(total)} "
                                              f"{currency}"),
                 JournalLine(mapping.amazon_balance_account, -total,
                             f"Amazon settlement {sid}: owed to Amazon (charged to the card on file or taken from "
                             "the next settlement)")]
        body = journal_body(settlement, subsidiary, external_id, f"{memo}: negative balance owed to Amazon", lines,
                            f"balance journal of settlement {sid}")
        postings.append(Posting(settlement.key("debit"), JOURNAL, external_id, body, f"debit journal {external_id}",
                                replace="line"))
    return postings


# --- transactional mode --------------------------------------------------------------------------------------------


class Line(MappedLine):
    """A settlement line with its GL mapping (a row of `settlement_lines` passed through `map_lines`)."""

    @staticmethod
    def month(settlement: Settlement, lines: Iterable["Line"], split: bool) -> date | None:
        """The date of the part these lines (one order's sale) post in: their latest posted month's."""
        posted = [line.posted_date for line in lines if line.posted_date]
        return posting_month(settlement, max(posted), split) if posted else None


@dataclass
class OrderLines:
    """One order's lines in a settlement, by what carries them in transactional mode."""

    order_id: str
    sale: list[Line] = field(default_factory=list)  # on the sale record: sales and promotions
    buyer_tax: list[Line] = field(default_factory=list)  # tax the buyer paid: on the record when it posted tax
    refund: list[Line] = field(default_factory=list)  # on the refund's cash refund or credit memo
    refund_tax: list[Line] = field(default_factory=list)  # tax given back: on the refund record when the sale's was
    other: list[Line] = field(default_factory=list)  # fees, withheld tax ...: on the fee journal

    def sold(self) -> Decimal:
        return sum((line.amount for line in self.sale), ZERO)

    def refunded(self) -> Decimal:
        """What the buyer got back (positive), the cash refund's or credit memo's total."""
        return -sum((line.amount for line in self.refund), ZERO)


def order_lines(lines: Iterable[Line]) -> tuple[dict[str, OrderLines], list[Line]]:
    """The lines grouped by order (in first-seen order), and the lines of no order."""
    orders: dict[str, OrderLines] = {}
    no_order: list[Line] = []
    for line in lines:
        if not line.order_id:
            no_order.append(line)
            continue
        group = orders.setdefault(line.order_id, OrderLines(line.order_id))
        if line.is_sale and line.section in SALE_SECTIONS:
            group.sale.append(line)
        elif line.is_sale and line.section == "tax" and line.amount_type.casefold() == "itemprice":
            group.buyer_tax.append(line)
        elif line.is_refund and line.section in SALE_SECTIONS:
            group.refund.append(line)
        elif line.is_refund and line.section == "tax" and line.amount_type.casefold() == "itemprice":
            group.refund_tax.append(line)
        else:
            group.other.append(line)
    return orders, no_order


def covered_by_record(order: OrderLines, record_total: Decimal) -> tuple[Decimal, list[Line]]:
    """What of the order's sale the record covers, and the buyer-tax lines it covers too: the record carries the
    tax when its total is the sale plus that tax (seller-collected tax), else not (facilitator tax, omitted)."""
    sold, tax = order.sold(), sum((line.amount for line in order.buyer_tax), ZERO)
    if order.buyer_tax and record_total == sold + tax:
        return sold + tax, list(order.buyer_tax)
    return sold, []


def payment(settlement: Settlement, subsidiary: str, order_id: str, invoice_id: str, customer: str,
            amount: Decimal, month: date | None = None) -> Posting:
    """A customer payment of `amount` applied to the order's invoice, left in Undeposited Funds for the deposit;
    dated `month` (else the deposit date)."""
    external_id = settlement.external_id(f"PAY-{order_id}")
    text = amount_text(amount, settlement.currency)
    body = {**_header(settlement, subsidiary, f"Amazon order {order_id}: paid in settlement "
                                              f"{settlement.settlement_id}", month),
            "externalId": external_id, "customer": {"id": customer}, "payment": text, "undepFunds": True,
            "checkNumber": order_id, "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": text}]}}
    return Posting(settlement.key(f"payment:{order_id}"), PAYMENT, external_id, body,
                   f"payment {external_id} (order {order_id})", replace="apply")


@dataclass(frozen=True)
class RefundTax:
    """How a refund record gives back the tax its sale record carried (SuiteTax lines, as the order posted them): the
    VAT inside VAT-inclusive amounts at `vat_rate`, else the refund's own tax lines as Amazon refunded them."""

    code: str  # salesTaxItem external id
    type: str  # taxType external id
    vat_rate: Decimal | None = None


def refund_lines(settlement: Settlement, order: OrderLines, item_for: Callable[[Line], dict[str, str]],
                 tax: RefundTax | None = None) -> tuple[list[dict], list[dict]]:
    """The item lines and SuiteTax lines of an order's refund record: a line per refunded amount on its rule's `item`
    (a refund item moves money, never stock: a settlement does not say whether the unit came back), net of the tax
    `tax` gives back. `item_for` may raise (a rule without an item): the refund then waits."""
    currency = settlement.currency
    priced = [line for line in order.refund if line.section != "tax"]
    vat = vat_shares(priced, tax.vat_rate, currency) if tax and tax.vat_rate else {}
    items, details = [], []
    for line in priced:
        share = vat.get(line.line_number, ZERO)
        item = {"item": item_for(line), "amount": amount_text(-(line.amount - share), currency),
                "description": f"{line.amount_description} refund ({line.sku or 'no SKU'}, settlement line "
                               f"{line.line_number})"}
        if tax is not None:
            item["taxDetailsReference"] = f"AMZ-REFUND-{line.line_number}"
            if share:
                details.append(_tax_line(item["taxDetailsReference"], tax, -(line.amount - share), -share, currency))
        items.append(item)
    given_back = -sum((line.amount for line in order.refund if line.section == "tax"), ZERO)
    if tax is not None and given_back and items:
        basis = sum((Decimal(item["amount"]) for item in items), ZERO)
        details.append(_tax_line(items[0]["taxDetailsReference"], tax, basis, given_back, currency))
    return items, details


def _tax_line(reference: str, tax: RefundTax, basis: Decimal, amount: Decimal, currency: str) -> dict[str, Any]:
    return tax_detail(reference, tax.type, tax.code, amount_text(basis, currency), amount_text(amount, currency))


def _tax_fields(details: list[dict], transform: bool) -> dict[str, Any]:
    """A refund's SuiteTax fields: its own tax lines; a transform with none sends an empty list, which replaces the
    tax lines it would copy from the sale."""
    if details:
        return {"taxDetailsOverride": True, "taxDetails": {"items": details}}
    return {"taxDetails": {"items": []}} if transform else {}


def _refund_header(settlement: Settlement, subsidiary: str, suffix: str, order_id: str,
                   month: date | None) -> dict[str, Any]:
    return {**_header(settlement, subsidiary, settlement.refund_memo(order_id), month),
            "externalId": settlement.external_id(f"{suffix}-{order_id}")}


def cash_refund(settlement: Settlement, subsidiary: str, clearing: str, order: OrderLines, lines: list[dict],
                zeroed: Sequence[str] = (), month: date | None = None, tax_lines: list[dict] = ()) -> Posting:
    """The body of `cashSale/!transform/cashRefund` for a refunded Cash Sale: the refund lines replace the sale's
    (`?replace=item`), paid out of the clearing account; `zeroed` header amounts the sale carried (shipping,
    handling, tax) are set to 0, since the refund lines (and the fee journal, for tax) carry what was refunded."""
    body: dict[str, Any] = {**_refund_header(settlement, subsidiary, "CR", order.order_id, month),
                            "otherRefNum": order.order_id, "undepFunds": False,
                            "account": {"externalId": clearing}, "item": {"items": lines},
                            **_tax_fields(list(tax_lines), True), **{name: 0 for name in zeroed}}
    return Posting(settlement.key(f"cash-refund:{order.order_id}"), CASH_REFUND, body["externalId"], body,
                   f"cash refund {body['externalId']} (order {order.order_id})", replace="item")


def credit_memo(settlement: Settlement, subsidiary: str, order: OrderLines, customer: str, invoice_id: str,
                applied: Decimal, lines: list[dict], month: date | None = None, tax_lines: list[dict] = ()) -> Posting:
    """The refund of an invoiced order as a credit memo from its invoice, `applied` of it applied to the invoice
    (what the refund took back of a sale this settlement also pays); a customer refund pays out the rest."""
    body: dict[str, Any] = {
        **_refund_header(settlement, subsidiary, "CM", order.order_id, month), "entity": {"id": customer},
        "otherRefNum": order.order_id, "createdFrom": {"id": invoice_id}, "item": {"items": lines}, "autoApply": False,
        **_tax_fields(list(tax_lines), False),
        "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True,
                             "amount": amount_text(applied, settlement.currency)}] if applied else []}}
    return Posting(settlement.key(f"credit-memo:{order.order_id}"), CREDIT_MEMO, body["externalId"], body,
                   f"credit memo {body['externalId']} (order {order.order_id})", replace="item,apply")


def customer_refund(settlement: Settlement, subsidiary: str, clearing: str, order_id: str, customer: str,
                    memo_id: str, amount: Decimal, month: date | None = None) -> Posting:
    """What a credit memo has left after its application, paid to the buyer out of the clearing account (Amazon
    paid it out of the settlement), so the order's receivable nets to zero."""
    text = amount_text(amount, settlement.currency)
    body = {**_refund_header(settlement, subsidiary, "REF", order_id, month), "customer": {"id": customer},
            "account": {"externalId": clearing},
            "apply": {"items": [{"doc": {"id": memo_id}, "apply": True, "amount": text}]}}
    return Posting(settlement.key(f"customer-refund:{order_id}"), CUSTOMER_REFUND, body["externalId"], body,
                   f"customer refund {body['externalId']} (order {order_id})", replace="apply")


@dataclass(frozen=True)
class Unsettled:
    """An order's sale or refund that no NetSuite record carries: its amount waits on the suspense (or clearing)
    account of the fee journal, with the reason."""

    order_id: str
    amount: Decimal
    reason: str
    account: str = ""

    @property
    def memo(self) -> str:
        named = self.reason.startswith(f"order {self.order_id}")
        return self.reason if named else f"order {self.order_id}: {self.reason}"


def fee_journals(settlement: Settlement, mapping: GlMapping, subsidiary: str, fee_lines: Sequence[Line],
                 unsettled: Sequence[Unsettled], variances: Sequence[Unsettled]) -> list[Posting]:
    """The journals of everything no order record carries, against clearing: one per month part of the fee lines
    (`split_at_month_end`); what waits in suspense goes on the deposit month's."""
    sid = settlement.settlement_id
    for line in fee_lines:
        if line.gl_account is None:
            raise SettlementNotPostable(
                f"settlement {sid}: line {line.line_number} ({line.transaction_type} / {line.amount_type} / "
                f"{line.amount_description}) has no GL account; add a rule to data/gl_mapping.yaml or set "
                "suspense_account; nothing was posted. To paste under `rules:` (choose the account): "
                f"{rule_to_add(line.transaction_type, line.amount_type, line.amount_description)}")
    parts = by_month(settlement, fee_lines, mapping.split_at_month_end)
    if unsettled or variances:
        parts.setdefault(None, [])
    postings = []
    for month, lines_of_month in parts.items():
        by_account: dict[str, tuple[Decimal, int]] = {}
        for line in lines_of_month:
            amount, count = by_account.get(line.gl_account, (ZERO, 0))
            by_account[line.gl_account] = (amount + line.amount, count + 1)
        lines = [JournalLine(account, amount, f"{account_name(mapping, account)}: {count} settlement line(s)")
                 for account, (amount, count) in by_account.items()]
        if month is None:
            lines += [JournalLine(u.account or mapping.suspense_or_clearing, u.amount, u.memo)
                      for u in (*unsettled, *variances)]
        if not any(line.amount for line in lines):
            continue
        net = sum((line.amount for line in lines), ZERO)
        lines.append(JournalLine(mapping.clearing_account, -net,
                                 f"Amazon settlement {sid}: net of fees and adjustments"
                                 + (f" posted in {month:%Y-%m}" if month else "")))
        external_id, key = part_names(settlement, "FEES", "fees", month)
        memo = f"Amazon settlement {sid} fees and adjustments ({settlement.storefront}, {settlement.period})"
        body = journal_body(settlement, subsidiary, external_id, memo if month is None else
                            f"{memo}, lines of {month:%Y-%m}", lines, f"fee journal of settlement {sid}", month)
        postings.append(Posting(key, JOURNAL, external_id, body, f"fee journal {external_id}", replace="line"))
    return postings


def check_ties_out(settlement: Settlement, lines: Sequence[Line]) -> None:
    """Refuse a settlement whose lines do not sum to its total-amount: its journals could not balance."""
    lines_sum = sum((line.amount for line in lines), ZERO)
    if lines_sum != settlement.total_amount:
        raise JournalNotBalanced(
            f"settlement {settlement.settlement_id}: the lines sum to {decimal_text(lines_sum)} {settlement.currency}"
            f" but the total-amount is {decimal_text(settlement.total_amount)} {settlement.currency} (difference "
            f"{decimal_text(settlement.total_amount - lines_sum)}), so its journals would not balance; nothing was "
            "posted. Re-import the settlement.")
