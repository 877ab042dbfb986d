"""A trial balance read back from NetSuite by SuiteQL: what the books hold, per GL account and currency.

The GL impact of every posting transaction is in `transactionaccountingline` ("the data you will see when viewing the
GL impact tab", https://netsuitediagnostics.com/posts/transaction-accounting-line), joined to `account` (external
id, number, `accttype`) and `transaction` (date, currency). The same query runs on the sandbox and on a live account.

Currency: `debit` and `credit` are summed as NetSuite stores them, in the accounting book's base currency (`amount`
is base currency, https://meir.prolecto.com/2023/02/19/sql-ar-and-ap-fields/), grouped by the transaction's
currency; a transaction with no currency of its own (the sandbox's item fulfillments) counts under its subsidiary's
base currency, which is what its amounts are in. In the sandbox every exchange rate is 1, so a group's figures are
also its transaction currency's; in a live multi-currency account a foreign-currency group holds base-currency
amounts. Not verified against a live account: that `debit`/`credit` are base currency, that the primary book is
`accountingbook = 1`, and that `account.externalid` is readable by SuiteQL (an account without one is named by its
number).

A storefront's records are the transactions the posting ledger (`netsuite_postings`, flows orders, settlements and
accruals) holds an internal id for in this NetSuite account, and every transaction made from one of them (mainline
`transactionline.createdfrom`, followed until nothing new turns up: the invoice billed from a Sales Order, its item
fulfillments, a Cash Refund of a Cash Sale, an accrual's automatic reversal). A payment or deposit someone entered by hand is not ours even when it
applies to our invoice: it may hold other customers' money.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

ZERO = Decimal(0)
# Internal ids put into one IN list: Oracle, which SuiteQL runs on, refuses lists of more than 1,000 expressions.
IDS_PER_QUERY = 1000
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class SuiteQLReader(Protocol):
    def suiteql(self, query: str, params: list[Any] | None = None) -> Iterable[dict[str, Any]]: ...


@dataclass(frozen=True)
class AccountBalance:
    """One account's debits and credits in one currency (exact decimals)."""

    account: str  # the account's external id (its number, or #internal id, when it has none)
    account_type: str  # NetSuite's accttype: Bank, AcctRec, Income, OthCurrLiab ...
    currency: str  # ISO code (the currency record's symbol): the transaction's, else its subsidiary's
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def month_bounds(period: str) -> tuple[date, date]:
    """(first day, first day of the next month) of a YYYY-MM period."""
    found = PERIOD.match(period)
    if not found:
        raise ValueError(f"period {period!r} is not YYYY-MM")
    year, month = int(found[1]), int(found[2])
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


def _filters(period: str | None) -> tuple[str, list[str]]:
    if period is None:
        return "", []
    first, after = month_bounds(period)
    return (" AND t.trandate >= TO_DATE(?, 'YYYY-MM-DD') AND t.trandate < TO_DATE(?, 'YYYY-MM-DD')",
            [first.isoformat(), after.isoformat()])


def _id_list(ids: Iterable[int]) -> str:
    # Integers only (int() refuses anything else), so the list is safe to write into the query.
    return ", ".join(str(int(i)) for i in ids)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), IDS_PER_QUERY):
        yield ordered[start:start + IDS_PER_QUERY]


def _gl_rows(client: SuiteQLReader, period: str | None, transactions: Sequence[int] | None,
             group_by_transaction: bool = False) -> Iterable[dict[str, Any]]:
    where, params = _filters(period)
    if transactions is not None:
        where += f" AND t.id IN ({_id_list(transactions)})"
    by_transaction = "t.id, " if group_by_transaction else ""
    # Grouped and ordered by internal ids so every page boundary falls between distinct rows.
    return client.suiteql(f"""
        SELECT {by_transaction}a.id AS account_id, a.externalid, a.acctnumber, a.accttype,
               NVL(c.symbol, sc.symbol) AS currency,
               SUM(NVL(tal.debit, 0)) AS debit, SUM(NVL(tal.credit, 0)) AS credit
        FROM transactionaccountingline tal
        JOIN account a ON a.id = tal.account
        JOIN transaction t ON t.id = tal.transaction
        LEFT JOIN currency c ON c.id = t.currency
        LEFT JOIN subsidiary s ON s.id = t.subsidiary
        LEFT JOIN currency sc ON sc.id = s.currency
        WHERE tal.posting = 'T' AND tal.accountingbook = 1{where}
        GROUP BY {by_transaction}a.id, a.externalid, a.acctnumber, a.accttype, NVL(c.symbol, sc.symbol)
        ORDER BY {by_transaction}NVL(c.symbol, sc.symbol), a.id""", params)


def _account_name(row: dict[str, Any]) -> str:
    return row.get("externalid") or row.get("acctnumber") or f"#{row['account_id']}"


def _balances(rows: Iterable[dict[str, Any]]) -> list[AccountBalance]:
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rows:
        both = sums[(row["currency"], _account_name(row), row.get("accttype", ""))]
        both[0] += Decimal(row.get("debit", "0"))
        both[1] += Decimal(row.get("credit", "0"))
    return [AccountBalance(account, kind, currency, debit, credit)
            for (currency, account, kind), (debit, credit) in sorted(sums.items())]


def trial_balance(client: SuiteQLReader, *, period: str | None = None,
                  transactions: Iterable[int] | None = None) -> list[AccountBalance]:
    """Debits and credits per account and currency, sorted by currency then account; `period` (YYYY-MM) keeps
    transactions dated in that month, `transactions` (internal ids) keeps only those."""
    if transactions is None:
        return _balances(_gl_rows(client, period, None))
    return _balances(row for chunk in _chunks(transactions) for row in _gl_rows(client, period, chunk))


def transaction_gl(client: SuiteQLReader, transactions: Iterable[int]) -> dict[int, list[AccountBalance]]:
    """Each transaction's own GL lines summed per account: what one record put on the books."""
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(transactions):
        for row in _gl_rows(client, None, chunk, group_by_transaction=True):
            rows[int(row["id"])].append(row)
    return {tid: _balances(found) for tid, found in rows.items()}


def made_from(client: SuiteQLReader, transactions: Iterable[int]) -> set[int]:
    """The transactions and every transaction made from them (mainline `createdfrom`), transitively."""
    known = {int(t) for t in transactions}
    frontier = set(known)
    while frontier:
        found: set[int] = set()
        for chunk in _chunks(frontier):
            found |= {int(row["transaction"]) for row in client.suiteql(
                "SELECT DISTINCT tl.transaction FROM transactionline tl WHERE tl.mainline = 'T' "
                f"AND tl.createdfrom IN ({_id_list(chunk)}) ORDER BY tl.transaction")}
        frontier = found - known
        known |= frontier
    return known


def ledger_transactions(con, storefront: str, netsuite_account: str) -> set[int]:
    """Internal ids of the records the posting ledger says this project posted for `storefront` to this NetSuite
    account (`NetSuiteConnection.ledger_account`)."""
    rows = con.execute(
        "SELECT DISTINCT internal_id FROM netsuite_postings WHERE storefront = ? AND flow IN ('orders', "
        "'settlements', 'accruals') AND internal_id IS NOT NULL AND coalesce(netsuite_account, ?) = ?",
        [storefront, netsuite_account, netsuite_account]).fetchall()
    return {int(i) for (i,) in rows if str(i).isdigit()}


def unbalanced(balances: Iterable[AccountBalance]) -> dict[str, Decimal]:
    """Currency → debits − credits, for each currency whose debits and credits differ."""
    difference: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in balances:
        difference[row.currency] += row.balance
    return {currency: d for currency, d in sorted(difference.items()) if d}


def as_json(balances: Iterable[AccountBalance]) -> list[dict[str, str]]:
    """The rows as `--json` prints them: amounts as exact decimal strings."""
    return [{"account": b.account, "account_type": b.account_type, "currency": b.currency,
             "debit": str(b.debit), "credit": str(b.credit)} for b in balances]


def table_text(balances: Sequence[AccountBalance]) -> str:
    """A table per currency (account, type, debit, credit, balance) with a total row saying whether it balances."""
    from amazon_netsuite.lib.money import decimal_text

    if not balances:
        return "no posting GL lines"
    by_currency: dict[str, list[AccountBalance]] = defaultdict(list)
    for row in balances:
        by_currency[row.currency].append(row)
    blocks = []
    for currency, rows in sorted(by_currency.items()):
        debit, credit = sum((r.debit for r in rows), ZERO), sum((r.credit for r in rows), ZERO)
        verdict = ("balanced" if debit == credit
                   else f"NOT balanced: debits − credits = {decimal_text(debit - credit)}")
        cells = [(r.account, r.account_type, decimal_text(r.debit), decimal_text(r.credit), decimal_text(r.balance))
                 for r in rows]
        head = ("account", "type", f"debit ({currency})", f"credit ({currency})", "balance")
        total = ("total", "", decimal_text(debit), decimal_text(credit), "")
        widths = [max(len(c[i]) for c in [head, total, *cells]) for i in range(5)]

        def line(cell: Sequence[str]) -> str:
            return "  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(cell, widths)))

        rule = line(["-" * w for w in widths])
        blocks.append("\n".join([line(head), *map(line, cells), rule, f"{line(total).rstrip()}  {verdict}"]))
    return "\n\n".join(blocks)
