"""The lines of a summary journal (A2X style) from GL-mapped Amazon money, shared by the settlement's summary
journal (`lib/settlements/posting.py`) and the month-end accrual (`lib/accruals/`), so both book the same accounts,
VAT and tax the same way. Signs: a positive amount is money Amazon owes the seller (a credit to its account)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from amazon_netsuite.lib.gl_mapping import GlMapping
from amazon_netsuite.lib.money import decimal_text, minor_units

ZERO = Decimal(0)
# Lines of these sections on an order are what its sale record (or its refund record) carries.
SALE_SECTIONS = frozenset({"sales", "promotions", "refunds"})


@dataclass(frozen=True)
class JournalLine:
    """A journal line in settlement signs: `amount` > 0 credits the account, < 0 debits it."""

    account: str
    amount: Decimal
    memo: str
    entity: str | None = None  # a customer's internal id (receivables lines need one)


@dataclass(frozen=True)
class Line:
    """A line with its GL mapping (a row of `settlement_lines`, or of Finances API transactions, passed through
    `map_lines`)."""

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
    order_item_code: str | None = None
    posted_date: date | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], mapping: GlMapping) -> "Line":
        account = row["gl_account"]
        section = mapping.accounts[account].section if account in mapping.accounts else "other"
        return cls(row["line_number"], row["transaction_type"] or "", row["amount_type"] or "",
                   row["amount_description"] or "", row["order_id"], row["sku"], row["amount"], account,
                   row["netsuite_item"], section, row.get("order_item_code"), _day(row.get("posted_date")))

    @property
    def is_sale(self) -> bool:
        return self.transaction_type.casefold() == "order"

    @property
    def is_refund(self) -> bool:
        """Money given back to the buyer: a refund, a chargeback or an A-to-z Guarantee claim (each reverses the
        sale, so each is the order's refund record)."""
        kind = self.transaction_type.casefold()
        return kind.startswith(("refund", "a-to-z", "guaranteeclaim")) or "chargeback refund" in kind


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def summary_lines(lines: Sequence["Line"], mapping: GlMapping, vat_rate: Decimal | None,
                   currency: str) -> list[JournalLine]:
    """Journal lines of a summary journal in settlement signs, not yet balanced: a line per account, VAT split out,
    facilitator tax gross and what of it the seller remits moved to sales tax payable."""
    fac = mapping.facilitator_tax_account
    amounts: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    collected = withheld = ZERO
    for line in lines:
        if line.gl_account == fac:
            # Collected and withheld tax both pass through the clearing account, so each side stays visible.
            collected, withheld = (collected + line.amount, withheld) if line.amount > 0 else (collected,
                                                                                               withheld + line.amount)
            continue
        amounts[line.gl_account] = amounts.get(line.gl_account, ZERO) + line.amount
        counts[line.gl_account] = counts.get(line.gl_account, 0) + 1
    vat = vat_included(lines, vat_rate, currency) if vat_rate else {}
    out = [JournalLine(account, amounts[account] - vat.get(account, ZERO),
                       f"{account_name(mapping, account)}: {counts[account]} settlement line(s)"
                       + (" net of VAT" if vat.get(account) else "")) for account in sorted(amounts)]
    total_vat = sum(vat.values(), ZERO)
    if total_vat:
        out.append(JournalLine(mapping.vat_payable_account, total_vat,
                               f"VAT {decimal_text(vat_rate)}% included in sales, promotions and refunds"))
    out += [JournalLine(fac, collected, "Marketplace facilitator tax collected from buyers"),
            JournalLine(fac, withheld, "Marketplace facilitator tax withheld by Amazon")]
    remaining = collected + withheld
    if remaining:  # collected by the seller, not withheld: the seller's to remit
        out += [JournalLine(fac, -remaining, "Tax the seller collected and remits: to sales tax payable"),
                JournalLine(mapping.sales_tax_payable_account, remaining,
                            "Tax collected from buyers that Amazon did not withhold (the seller remits it)")]
    return out


_VAT_CHARGES = frozenset({"principal", "shipping", "giftwrap"})


def vat_shares(lines: Iterable["Line"], rate: Decimal, currency: str) -> dict[int, Decimal]:
    """The VAT included in VAT-inclusive order amounts, per line number: per order-item-code and charge (Principal,
    Shipping, GiftWrap with its promotion, a sale or a refund apart), round-half-up(net × rate / (100 + rate)) to the
    currency's minor unit. Each line takes its own share; the group's largest line takes the rounding."""
    unit = Decimal(1).scaleb(-minor_units(currency))

    def share(amount: Decimal) -> Decimal:
        return (amount * rate / (100 + rate)).quantize(unit, rounding=ROUND_HALF_UP)

    groups: dict[tuple[str, str, str, str], list[Line]] = {}
    for line in lines:
        if (line.order_id and line.section in SALE_SECTIONS and line.amount_description.casefold() in _VAT_CHARGES
                and line.amount_type.casefold() in ("itemprice", "promotion")):
            key = (line.transaction_type.casefold(), line.order_id, line.order_item_code or "",
                   line.amount_description.casefold())
            groups.setdefault(key, []).append(line)
    vat: dict[int, Decimal] = {}
    for group in groups.values():
        left = share(sum((line.amount for line in group), ZERO))
        largest = max(group, key=lambda line: abs(line.amount))
        for line in group:
            if line is not largest:
                vat[line.line_number] = share(line.amount)
                left -= vat[line.line_number]
        vat[largest.line_number] = left
    return vat


def vat_included(lines: Iterable["Line"], rate: Decimal, currency: str) -> dict[str, Decimal]:
    """The VAT included in VAT-inclusive order amounts (`vat_shares`), per account."""
    lines = list(lines)
    shares = vat_shares(lines, rate, currency)
    vat: dict[str, Decimal] = {}
    for line in lines:
        if line.line_number in shares:
            vat[line.gl_account] = vat.get(line.gl_account, ZERO) + shares[line.line_number]
    return vat


def account_name(mapping: GlMapping, account: str) -> str:
    known = mapping.accounts.get(account)
    return known.name if known else account


def journal_items(lines: Iterable[JournalLine], amount_text: Callable[[Decimal], str]
                  ) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    """(the `line` sublist items, debits, credits) of journal lines; zero lines are left out, `amount_text` writes an
    amount (refusing digits below the currency's minor unit)."""
    items, debits, credits = [], ZERO, ZERO
    for line in lines:
        if not line.amount:
            continue
        side = "credit" if line.amount > 0 else "debit"
        item: dict[str, Any] = {"account": {"externalId": line.account}, side: amount_text(abs(line.amount)),
                                "memo": line.memo[:999]}
        if line.entity:
            item["entity"] = {"id": line.entity}
        items.append(item)
        if line.amount > 0:
            credits += line.amount
        else:
            debits -= line.amount
    return items, debits, credits


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
