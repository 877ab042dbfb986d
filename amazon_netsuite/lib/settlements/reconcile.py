"""The accountant's checks on a settlement, and the figures a journal entry is built from.

Plain functions over Arrow tables (or DuckDB relations), one row per settlement or per problem, so the Dagster
assets can store them and Pandera models can check them; every amount is exact DECIMAL(18,4).

- `tie_out`: total-amount against the sum of the detail lines, to the cent.
- `currency_problems`, `precision_problems`, `unmapped_lines` (gl_mapping), `already_imported`: what blocks posting.
- `gl_summary`: settlement × GL account × currency → debit/credit. Each mapped line posts to its account (a positive
  amount is money the seller receives: a credit; a negative one a debit) and the deposit (total-amount) posts to the
  bank, so the journal balances exactly when the lines tie out and every line is mapped; `journal_balance` checks it.
- `reconciliation`: the deposit explained (gross sales, promotions, refunds, fees by type, tax, reimbursements,
  reserves, other), its rows summing to the deposit.

`check_settlement` runs all of them on one parsed file and says, in words, what (if anything) blocks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.settlements.formats import minor_units_sql
from amazon_netsuite.lib.gl_mapping import GlMapping, map_lines, rule_to_add, unmapped_lines
from amazon_netsuite.lib.settlements.parse import ParsedSettlement
from amazon_netsuite.lib.warehouse.tables import MONEY

Table = pa.Table | duckdb.DuckDBPyRelation

TOTALS_SCHEMA = pa.schema(
    [
        ("settlement_id", pa.string()), ("report_id", pa.string()), ("currency", pa.string()),
        ("total_amount", pa.decimal128(18, 4)), ("settlement_start_date", pa.timestamp("us")),
        ("settlement_end_date", pa.timestamp("us")), ("deposit_date", pa.timestamp("us")),
        ("line_count", pa.int32()), ("quarantined_lines", pa.int32()),
    ]
)


def totals_table(parsed: ParsedSettlement | Iterable[ParsedSettlement]) -> pa.Table:
    """One row per parsed settlement: its totals row and how many detail lines it has and set aside."""
    items = [parsed] if isinstance(parsed, ParsedSettlement) else list(parsed)
    return pa.Table.from_pylist(
        [
            {
                "settlement_id": p.totals.settlement_id,
                "report_id": p.report_id,
                "currency": p.totals.currency,
                "total_amount": p.totals.total_amount,
                "settlement_start_date": p.totals.settlement_start_date,
                "settlement_end_date": p.totals.settlement_end_date,
                "deposit_date": p.totals.deposit_date,
                "line_count": p.detail_line_count,
                "quarantined_lines": p.quarantine.num_rows,
            }
            for p in items
        ],
        schema=TOTALS_SCHEMA,
    )


def _query(sql: str, con: duckdb.DuckDBPyConnection | None, **tables: Table) -> pa.Table:
    """Run `sql` over the tables given by name, on `con` (the caller's, for many checks in a row) or a new one."""
    own = con is None
    con = duckdb.connect() if own else con
    try:
        for name, table in tables.items():
            con.register(name, table.to_arrow_table() if isinstance(table, duckdb.DuckDBPyRelation) else table)
        return con.sql(sql).to_arrow_table()
    finally:
        if own:
            con.close()
        else:
            for name in tables:
                con.unregister(name)


def tie_out(totals: Table, lines: Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Per settlement: total_amount, lines_sum, difference (total − lines), detail line_count, quarantined_lines
    and ties_out (difference exactly zero). A settlement without lines sums to 0."""
    return _query(
        f"""
        SELECT t.settlement_id, t.currency, t.total_amount,
               CAST(coalesce(l.lines_sum, 0) AS {MONEY}) AS lines_sum,
               CAST(t.total_amount - coalesce(l.lines_sum, 0) AS {MONEY}) AS difference,
               t.line_count, t.quarantined_lines,
               t.total_amount = coalesce(l.lines_sum, 0) AS ties_out
        FROM totals AS t
        LEFT JOIN (SELECT settlement_id, sum(amount) AS lines_sum FROM lines GROUP BY settlement_id) AS l
          USING (settlement_id)
        ORDER BY t.settlement_id
        """,
        con,
        totals=totals,
        lines=lines,
    )


def currency_problems(totals: Table, lines: Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Lines in another currency than their settlement's (one currency per settlement)."""
    return _query(
        """
        SELECT l.settlement_id, l.line_number, l.currency, t.currency AS settlement_currency
        FROM lines AS l JOIN totals AS t USING (settlement_id)
        WHERE l.currency IS DISTINCT FROM t.currency
        ORDER BY l.settlement_id, l.line_number
        """,
        con,
        totals=totals,
        lines=lines,
    )


def _finer_than_sql(amount: str, currency: str) -> str:
    """SQL: the amount has digits below the currency's minor unit (JPY 0 places, USD 2, KWD 3)."""
    step = f"CASE {minor_units_sql(currency)} WHEN 0 THEN 10000 WHEN 1 THEN 1000 WHEN 3 THEN 10 ELSE 100 END"
    return f"CAST({amount} * 10000 AS BIGINT) % {step} <> 0"


def precision_problems(totals: Table, lines: Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Amounts (total-amount: line_number NULL) finer than the settlement currency's minor unit."""
    return _query(
        f"""
        SELECT settlement_id, CAST(NULL AS INTEGER) AS line_number, total_amount AS amount, currency
        FROM totals WHERE {_finer_than_sql('total_amount', 'currency')}
        UNION ALL
        SELECT l.settlement_id, l.line_number, l.amount, t.currency
        FROM lines AS l JOIN totals AS t USING (settlement_id)
        WHERE {_finer_than_sql('l.amount', 't.currency')}
        ORDER BY settlement_id, line_number NULLS FIRST
        """,
        con,
        totals=totals,
        lines=lines,
    )


def already_imported(settlement_ids: Iterable[str], imported: Iterable[str]) -> list[str]:
    """Settlement ids that were imported before, or that repeat within `settlement_ids`, in first-seen order."""
    before = set(imported)
    seen: set[str] = set()
    repeated: list[str] = []
    for settlement_id in settlement_ids:
        if (settlement_id in before or settlement_id in seen) and settlement_id not in repeated:
            repeated.append(settlement_id)
        seen.add(settlement_id)
    return repeated


def gl_summary(
    totals: Table, mapped_lines: Table, mapping: GlMapping, con: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """Settlement × GL account × currency → debit, credit (net per account, one side non-zero), line_count;
    `side` is `lines` for the mapped lines and `deposit` for the bank line (the Amazon balance account when the
    settlement is negative). Unmapped lines (no suspense account)
    appear with a NULL gl_account, so the figures still add up while the settlement stays blocked."""
    deposit_accounts = pa.table(
        {
            "currency": list(mapping.deposit_accounts),
            "deposit_account": list(mapping.deposit_accounts.values()),
        },
        schema=pa.schema([("currency", pa.string()), ("deposit_account", pa.string())]),
    )
    return _query(
        f"""
        WITH accounts AS (
            SELECT settlement_id, l.currency, gl_account, 'lines' AS side, sum(amount) AS net,
                   CAST(count(*) AS INTEGER) AS line_count
            FROM lines AS l GROUP BY ALL
            UNION ALL
            -- A negative settlement is owed to Amazon (its balance account), never taken from the bank.
            SELECT settlement_id, t.currency, CASE WHEN t.total_amount < 0 THEN '{mapping.amazon_balance_account}'
                   ELSE coalesce(d.deposit_account, 'ACCT-BANK-' || upper(t.currency)) END,
                   'deposit', -t.total_amount, 0
            FROM totals AS t LEFT JOIN deposit_accounts AS d USING (currency)
        )
        SELECT settlement_id, currency, gl_account, side,
               CAST(CASE WHEN net < 0 THEN -net ELSE 0 END AS {MONEY}) AS debit,
               CAST(CASE WHEN net > 0 THEN net ELSE 0 END AS {MONEY}) AS credit,
               line_count
        FROM accounts
        ORDER BY settlement_id, side DESC, gl_account NULLS FIRST
        """,
        con,
        totals=totals,
        lines=mapped_lines,
        deposit_accounts=deposit_accounts,
    )


def journal_balance(summary: Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Per settlement: total debit, total credit, their difference, `balances` (equal to the cent) and
    `fully_mapped` (no line without a GL account)."""
    return _query(
        f"""
        SELECT settlement_id, currency,
               CAST(sum(debit) AS {MONEY}) AS debit, CAST(sum(credit) AS {MONEY}) AS credit,
               CAST(sum(debit) - sum(credit) AS {MONEY}) AS difference,
               sum(debit) = sum(credit) AS balances,
               count(*) FILTER (WHERE gl_account IS NULL) = 0 AS fully_mapped
        FROM summary GROUP BY ALL ORDER BY settlement_id
        """,
        con,
        summary=summary,
    )


_SECTION_LABELS = {
    "sales": "gross sales",
    "promotions": "promotions",
    "refunds": "refunds",
    "tax": "tax",
    "reimbursements": "reimbursements",
    "reserves": "reserves",
    "deposit": "other",
    "other": "other",
}
_SECTION_ORDER = ("gross sales", "promotions", "refunds", "fees", "tax", "reimbursements", "reserves", "other",
                  "unexplained difference", "deposit")


def reconciliation(
    totals: Table, mapped_lines: Table, mapping: GlMapping, con: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """The deposit explained, per settlement: rows (position, section, label, amount) for gross sales,
    promotions, refunds, fees (one row per fee account), tax, reimbursements, reserves, other (suspense and
    unmapped lines included), an unexplained difference when the lines do not tie out, and the deposit. Every row
    but the deposit sums to the deposit."""
    sections = pa.table(
        {
            "gl_account": list(mapping.accounts),
            "section": [
                "fees" if a.section == "fees" else _SECTION_LABELS[a.section] for a in mapping.accounts.values()
            ],
            "account_name": [a.name for a in mapping.accounts.values()],
        }
    )
    order = pa.table({"section": list(_SECTION_ORDER), "position": list(range(1, len(_SECTION_ORDER) + 1))})
    return _query(
        f"""
        WITH by_section AS (
            SELECT l.settlement_id, l.currency,
                   coalesce(s.section, 'other') AS section,
                   CASE WHEN s.section = 'fees' THEN s.account_name
                        WHEN l.gl_account IS NULL THEN 'unmapped lines'
                        WHEN l.suspense THEN 'suspense'
                        ELSE coalesce(s.section, 'other') END AS label,
                   sum(l.amount) AS amount
            FROM lines AS l LEFT JOIN sections AS s USING (gl_account)
            GROUP BY ALL
        ), sums AS (
            SELECT settlement_id, sum(amount) AS lines_sum FROM lines GROUP BY settlement_id
        ), rows AS (
            SELECT * FROM by_section
            UNION ALL
            SELECT t.settlement_id, t.currency, 'unexplained difference', 'unexplained difference',
                   t.total_amount - coalesce(s.lines_sum, 0)
            FROM totals AS t LEFT JOIN sums AS s USING (settlement_id)
            WHERE t.total_amount <> coalesce(s.lines_sum, 0)
            UNION ALL
            SELECT settlement_id, currency, 'deposit', 'deposit', total_amount FROM totals
        )
        SELECT r.settlement_id, r.currency, CAST(o.position AS INTEGER) AS position, r.section, r.label,
               CAST(r.amount AS {MONEY}) AS amount
        FROM rows AS r JOIN section_order AS o USING (section)
        ORDER BY r.settlement_id, o.position, r.label
        """,
        con,
        totals=totals,
        lines=mapped_lines,
        sections=sections,
        section_order=order,
    )


# --- one settlement, every check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementCheck:
    """Every check on one settlement file, and what blocks its posting (empty `blocking` = it may post)."""

    settlement_id: str
    currency: str
    total_amount: Decimal
    lines_sum: Decimal
    difference: Decimal
    line_count: int
    quarantined_lines: int
    ties_out: bool
    unmapped: list[str]  # amount-descriptions no rule maps (in suspense too when one is configured)
    suspense: bool
    journal_balances: bool
    currency_problems: int
    precision_problems: int
    duplicate: bool
    blocking: list[str] = field(default_factory=list)
    mapped_lines: pa.Table | None = None


def check_settlement(
    parsed: ParsedSettlement, mapping: GlMapping, imported: Iterable[str] = ()
) -> SettlementCheck:
    """Tie-out, mapping, currency, precision, duplicate and journal checks for one parsed settlement."""
    totals = totals_table(parsed)
    mapped = map_lines(parsed.lines, mapping)
    con = duckdb.connect()
    try:
        tie = tie_out(totals, mapped, con).to_pylist()[0]
        unmapped = unmapped_lines(mapped, con).to_pylist()
        balance = journal_balance(gl_summary(totals, mapped, mapping, con), con).to_pylist()[0]
        currencies = currency_problems(totals, mapped, con)
        precision = precision_problems(totals, mapped, con)
    finally:
        con.close()
    duplicate = bool(already_imported([parsed.totals.settlement_id], imported))
    in_suspense = mapping.suspense_account is not None
    descriptions = sorted({u["amount_description"] or "" for u in unmapped})

    sid, cur = parsed.totals.settlement_id, parsed.totals.currency
    blocking = []
    if duplicate:
        blocking.append(f"settlement {sid} was imported before")
    if not tie["ties_out"]:
        blocking.append(
            f"settlement {sid}: the lines sum to {decimal_text(tie['lines_sum'])} {cur}, the total-amount is "
            f"{decimal_text(tie['total_amount'])} {cur} (difference {decimal_text(tie['difference'])})"
        )
    if parsed.quarantine.num_rows:
        first = parsed.quarantine.column("line_number")[0].as_py()
        blocking.append(
            f"settlement {sid}: {parsed.quarantine.num_rows} line(s) could not be read (first: line {first})"
        )
    if unmapped and not in_suspense:
        shown = "; ".join(
            f"{u['transaction_type']} / {u['amount_type']} / {u['amount_description']} "
            f"({u['line_count']} line(s), first line {u['first_line']})"
            for u in unmapped[:10]
        )
        paste = " ".join(
            rule_to_add(u["transaction_type"], u["amount_type"], u["amount_description"]) for u in unmapped[:10]
        )
        blocking.append(
            f"settlement {sid}: no GL mapping for {shown}; add a rule to {mapping.path or 'the GL mapping'} "
            f"or set suspense_account. To paste under `rules:` (choose the account): {paste}"
        )
    if currencies.num_rows:
        blocking.append(f"settlement {sid}: {currencies.num_rows} line(s) in another currency than {cur}")
    if precision.num_rows:
        blocking.append(f"settlement {sid}: {precision.num_rows} amount(s) finer than the {cur} minor unit")
    if not balance["balances"]:
        blocking.append(f"settlement {sid}: the journal does not balance (debit − credit = {decimal_text(balance['difference'])})")
    return SettlementCheck(
        settlement_id=sid,
        currency=cur,
        total_amount=tie["total_amount"],
        lines_sum=tie["lines_sum"],
        difference=tie["difference"],
        line_count=parsed.detail_line_count,
        quarantined_lines=parsed.quarantine.num_rows,
        ties_out=tie["ties_out"],
        unmapped=descriptions,
        suspense=bool(unmapped) and in_suspense,
        journal_balances=balance["balances"],
        currency_problems=currencies.num_rows,
        precision_problems=precision.num_rows,
        duplicate=duplicate,
        blocking=blocking,
        mapped_lines=mapped,
    )
