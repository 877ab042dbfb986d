"""The NetSuite records a settlement becomes, in either posting mode. Plain Python, no I/O.

Signs follow the GL summary: a positive settlement amount is money the seller receives (a credit to its account), a
negative one money Amazon keeps (a debit). Every record is upserted by an external id `AMZ-STL-{settlement id}-...`.

**Summary** (default, A2X style): one journal entry (`-JE`) with a line per GL account of `settlement_gl_summary`
against the Amazon clearing account, which receives the settlement's total-amount, so the journal balances exactly
when the lines tie out (otherwise it is refused before anything is sent). Then the money leaves clearing:
- a positive settlement: a **deposit** (`-DEP`) into the currency's bank account of the total-amount from clearing
  (an "other deposits" line), equal to what reached the bank;
- a negative settlement (Amazon debits the seller's bank account or card): NetSuite cannot hold a negative deposit,
  and its own record for money leaving a bank is a Check; a journal (`-DEBIT`, credit bank, debit clearing) records
  the same movement, is what A2X's NetSuite journal export produces, and keeps every settlement in journal entries.

**Transactional** (NetSuite Connector / Celigo style): per order, what the buyer paid settles the order's record:
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
from datetime import datetime
from decimal import Decimal
from typing import Any

from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.settlements.formats import minor_units
from amazon_netsuite.lib.settlements.gl_mapping import GlMapping, rule_to_add

JOURNAL, DEPOSIT, PAYMENT, CREDIT_MEMO, INVOICE = "journalEntry", "deposit", "customerPayment", "creditMemo", "invoice"
CASH_REFUND, CUSTOMER_REFUND = "cashRefund", "customerRefund"
ZERO = Decimal(0)
# Lines of these sections on an order are what its sale record (or its refund record) carries.
SALE_SECTIONS = frozenset({"sales", "promotions", "refunds"})


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


def _header(settlement: Settlement, subsidiary: str, memo: str) -> dict[str, Any]:
    return {
        "tranDate": settlement.deposit_date.date().isoformat(),
        "subsidiary": {"externalId": subsidiary},
        "currency": {"externalId": settlement.currency},
        "memo": memo,
    }


@dataclass(frozen=True)
class JournalLine:
    """A journal line in settlement signs: `amount` > 0 credits the account, < 0 debits it."""

    account: str
    amount: Decimal
    memo: str
    entity: str | None = None  # a customer's internal id (receivables lines need one)


def journal_body(settlement: Settlement, subsidiary: str, external_id: str, memo: str,
                 lines: Iterable[JournalLine], what: str) -> dict[str, Any]:
    """A journal entry body; zero lines are left out, and one whose debits and credits differ is refused
    (`what` names it in the message)."""
    items, debits, credits = [], ZERO, ZERO
    for line in lines:
        if not line.amount:
            continue
        side = "credit" if line.amount > 0 else "debit"
        item: dict[str, Any] = {"account": {"externalId": line.account},
                                side: amount_text(abs(line.amount), settlement.currency), "memo": line.memo[:999]}
        if line.entity:
            item["entity"] = {"id": line.entity}
        items.append(item)
        if line.amount > 0:
            credits += line.amount
        else:
            debits -= line.amount
    if debits != credits:
        raise JournalNotBalanced(
            f"The {what} ({external_id}) does not balance: debits {decimal_text(debits)} {settlement.currency}, "
            f"credits {decimal_text(credits)} {settlement.currency} (difference {decimal_text(debits - credits)}); "
            "nothing was posted. The settlement's lines must tie out to its total-amount and every line needs a GL "
            "account: re-import the settlement or fix data/gl_mapping.yaml, then rebuild settlement_gl_summary.")
    return {**_header(settlement, subsidiary, memo), "externalId": external_id, "line": {"items": items}}


# --- summary mode ------------------------------------------------------------------------------------------------


def summary_journal(settlement: Settlement, summary: Sequence[Mapping[str, Any]], mapping: GlMapping,
                    subsidiary: str, facilitator_tax: tuple[Decimal, Decimal] | None = None) -> Posting:
    """The settlement's journal entry from its `settlement_gl_summary` rows: a line per account of its lines,
    against the clearing account for the total-amount. `facilitator_tax` (collected, withheld) shows the facilitator
    tax clearing account gross, a line for each side, instead of their net. Refused (SettlementNotPostable) when a
    line has no GL account, the summary is of another total, or the journal would not balance."""
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
    lines = []
    for r in summary:
        if r["side"] != "lines":
            continue
        account, net = r["gl_account"], r["credit"] - r["debit"]
        if account == mapping.facilitator_tax_account and facilitator_tax and sum(facilitator_tax) == net:
            # Collected and withheld tax both pass through the clearing account, so each side stays visible.
            collected, withheld = facilitator_tax
            lines += [JournalLine(account, collected, "Marketplace facilitator tax collected from buyers"),
                      JournalLine(account, withheld, "Marketplace facilitator tax withheld by Amazon")]
        else:
            lines.append(JournalLine(account, net, f"{_account_name(mapping, account)}: {r['line_count']} "
                                                   "settlement line(s)"))
    lines.append(JournalLine(mapping.clearing_account, -settlement.total_amount,
                             f"Amazon settlement {sid}: total-amount {decimal_text(settlement.total_amount)} "
                             f"{currency}"))
    external_id = settlement.external_id("JE")
    memo = f"Amazon settlement {sid} ({settlement.storefront}, {settlement.period})"
    body = journal_body(settlement, subsidiary, external_id, memo, lines, f"journal of settlement {sid}")
    return Posting(settlement.key("journal"), JOURNAL, external_id, body, f"journal {external_id}", replace="line")


def _account_name(mapping: GlMapping, account: str) -> str:
    known = mapping.accounts.get(account)
    return known.name if known else account


# --- from clearing to the bank (both modes) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Deposited:
    """A payment or cash sale in Undeposited Funds that the settlement's deposit takes (by internal id)."""

    internal_id: str
    amount: Decimal
    label: str


def bank_transfer(settlement: Settlement, mapping: GlMapping, subsidiary: str,
                  deposited: Sequence[Deposited] = ()) -> list[Posting]:
    """The deposit (and for a negative settlement the debit journal) that empties clearing into the bank: the
    deposit takes `deposited` plus clearing's share, so its total is the total-amount (0 when negative)."""
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
        external_id = settlement.external_id("DEBIT")
        lines = [JournalLine(clearing, total, f"Amazon settlement {sid}: Amazon debited {decimal_text(-total)} "
                                              f"{currency}"),
                 JournalLine(bank, -total, f"Amazon settlement {sid}: debited by Amazon")]
        body = journal_body(settlement, subsidiary, external_id, f"{memo}: Amazon debited the seller", lines,
                            f"debit journal of settlement {sid}")
        postings.append(Posting(settlement.key("debit"), JOURNAL, external_id, body, f"debit journal {external_id}",
                                replace="line"))
    return postings


# --- transactional mode --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A settlement line with its GL mapping (a row of `settlement_lines` passed through `map_lines`)."""

    line_number: int
    transaction_type: str
    amount_type: str
    amount_description: str
    order_id: str | None
    sku: str | None
    amount: Decimal
    gl_account: str | None
    netsuite_item: str | None
    section: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any], mapping: GlMapping) -> "Line":
        account = row["gl_account"]
        section = mapping.accounts[account].section if account in mapping.accounts else "other"
        return cls(row["line_number"], row["transaction_type"] or "", row["amount_type"] or "",
                   row["amount_description"] or "", row["order_id"], row["sku"], row["amount"], account,
                   row["netsuite_item"], section)

    @property
    def is_sale(self) -> bool:
        return self.transaction_type.casefold() == "order"

    @property
    def is_refund(self) -> bool:
        return self.transaction_type.casefold().startswith("refund")


@dataclass
class OrderLines:
    """One order's lines in a settlement, by what carries them in transactional mode."""

    order_id: str
    sale: list[Line] = field(default_factory=list)  # on the sale record: sales and promotions
    buyer_tax: list[Line] = field(default_factory=list)  # tax the buyer paid: on the record when it posted tax
    refund: list[Line] = field(default_factory=list)  # on the refund's cash refund or credit memo
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
            amount: Decimal) -> Posting:
    """A customer payment of `amount` applied to the order's invoice, left in Undeposited Funds for the deposit."""
    external_id = settlement.external_id(f"PAY-{order_id}")
    text = amount_text(amount, settlement.currency)
    body = {**_header(settlement, subsidiary, f"Amazon order {order_id}: paid in settlement "
                                              f"{settlement.settlement_id}"),
            "externalId": external_id, "customer": {"id": customer}, "payment": text, "undepFunds": True,
            "checkNumber": order_id, "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": text}]}}
    return Posting(settlement.key(f"payment:{order_id}"), PAYMENT, external_id, body,
                   f"payment {external_id} (order {order_id})", replace="apply")


def refund_lines(settlement: Settlement, order: OrderLines, item_for: Callable[[Line], dict[str, str]]) -> list[dict]:
    """A line per refunded amount on its rule's `item` (a refund item moves money, never stock: a settlement does
    not say whether the unit came back). `item_for` may raise (a rule without an item): the refund then waits."""
    return [{"item": item_for(line), "amount": amount_text(-line.amount, settlement.currency),
             "description": f"{line.amount_description} refund ({line.sku or 'no SKU'}, settlement line "
                            f"{line.line_number})"} for line in order.refund]


def _refund_header(settlement: Settlement, subsidiary: str, suffix: str, order_id: str) -> dict[str, Any]:
    return {**_header(settlement, subsidiary, f"Amazon refund of order {order_id} in settlement "
                                              f"{settlement.settlement_id}"),
            "externalId": settlement.external_id(f"{suffix}-{order_id}")}


def cash_refund(settlement: Settlement, subsidiary: str, clearing: str, order: OrderLines, lines: list[dict],
                zeroed: Sequence[str] = ()) -> Posting:
    """The body of `cashSale/!transform/cashRefund` for a refunded Cash Sale: the refund lines replace the sale's
    (`?replace=item`), paid out of the clearing account; `zeroed` header amounts the sale carried (shipping,
    handling, tax) are set to 0, since the refund lines (and the fee journal, for tax) carry what was refunded."""
    body: dict[str, Any] = {**_refund_header(settlement, subsidiary, "CR", order.order_id),
                            "otherRefNum": order.order_id, "undepFunds": False,
                            "account": {"externalId": clearing}, "item": {"items": lines},
                            **{name: 0 for name in zeroed}}
    return Posting(settlement.key(f"cash-refund:{order.order_id}"), CASH_REFUND, body["externalId"], body,
                   f"cash refund {body['externalId']} (order {order.order_id})", replace="item")


def credit_memo(settlement: Settlement, subsidiary: str, order: OrderLines, customer: str, invoice_id: str,
                applied: Decimal, lines: list[dict]) -> Posting:
    """The refund of an invoiced order as a credit memo from its invoice, `applied` of it applied to the invoice
    (what the refund took back of a sale this settlement also pays); a customer refund pays out the rest."""
    body: dict[str, Any] = {
        **_refund_header(settlement, subsidiary, "CM", order.order_id), "entity": {"id": customer},
        "otherRefNum": order.order_id, "createdFrom": {"id": invoice_id}, "item": {"items": lines}, "autoApply": False,
        "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True,
                             "amount": amount_text(applied, settlement.currency)}] if applied else []}}
    return Posting(settlement.key(f"credit-memo:{order.order_id}"), CREDIT_MEMO, body["externalId"], body,
                   f"credit memo {body['externalId']} (order {order.order_id})", replace="item,apply")


def customer_refund(settlement: Settlement, subsidiary: str, clearing: str, order_id: str, customer: str,
                    memo_id: str, amount: Decimal) -> Posting:
    """What a credit memo has left after its application, paid to the buyer out of the clearing account (Amazon
    paid it out of the settlement), so the order's receivable nets to zero."""
    text = amount_text(amount, settlement.currency)
    body = {**_refund_header(settlement, subsidiary, "REF", order_id), "customer": {"id": customer},
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


def fee_journal(settlement: Settlement, mapping: GlMapping, subsidiary: str, fee_lines: Sequence[Line],
                unsettled: Sequence[Unsettled], variances: Sequence[Unsettled]) -> Posting | None:
    """One journal for everything no order record carries, against clearing (None when there is nothing)."""
    sid = settlement.settlement_id
    by_account: dict[str, tuple[Decimal, int]] = {}
    for line in fee_lines:
        if line.gl_account is None:
            raise SettlementNotPostable(
                f"settlement {sid}: line {line.line_number} ({line.transaction_type} / {line.amount_type} / "
                f"{line.amount_description}) has no GL account; add a rule to data/gl_mapping.yaml or set "
                "suspense_account; nothing was posted. To paste under `rules:` (choose the account): "
                f"{rule_to_add(line.transaction_type, line.amount_type, line.amount_description)}")
        amount, count = by_account.get(line.gl_account, (ZERO, 0))
        by_account[line.gl_account] = (amount + line.amount, count + 1)
    lines = [JournalLine(account, amount, f"{_account_name(mapping, account)}: {count} settlement line(s)")
             for account, (amount, count) in by_account.items()]
    lines += [JournalLine(u.account or mapping.suspense_or_clearing, u.amount, u.memo)
              for u in (*unsettled, *variances)]
    net = sum((line.amount for line in lines), ZERO)
    if not any(line.amount for line in lines):
        return None
    lines.append(JournalLine(mapping.clearing_account, -net, f"Amazon settlement {sid}: net of fees and adjustments"))
    external_id = settlement.external_id("FEES")
    body = journal_body(settlement, subsidiary, external_id, f"Amazon settlement {sid} fees and adjustments "
                        f"({settlement.storefront}, {settlement.period})", lines, f"fee journal of settlement {sid}")
    return Posting(settlement.key("fees"), JOURNAL, external_id, body, f"fee journal {external_id}", replace="line")


def check_ties_out(settlement: Settlement, lines: Sequence[Line]) -> None:
    """Refuse a settlement whose lines do not sum to its total-amount: its journals could not balance."""
    lines_sum = sum((line.amount for line in lines), ZERO)
    if lines_sum != settlement.total_amount:
        raise JournalNotBalanced(
            f"settlement {settlement.settlement_id}: the lines sum to {decimal_text(lines_sum)} {settlement.currency}"
            f" but the total-amount is {decimal_text(settlement.total_amount)} {settlement.currency} (difference "
            f"{decimal_text(settlement.total_amount - lines_sum)}), so its journals would not balance; nothing was "
            "posted. Re-import the settlement.")
