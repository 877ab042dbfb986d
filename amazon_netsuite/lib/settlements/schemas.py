"""The gates a settlement passes before anything reaches the GL: Pandera models of the stored tables and the
accountant's rules, run on one storefront-day of the warehouse.

Each gate returns the offending lines (settlement, line number, description, amount, the problem in words), so a
failed Dagster check can list them and the posting step can refuse exactly the settlements concerned. The rules
reuse the library's checks (`reconcile.py`): the asset checks, the posting step's own refusal and
`amazon-netsuite settlements load` all give the same answer.

| gate | on table | blocks when |
|---|---|---|
| `settlements_valid`, `settlement_lines_valid`, `settlement_gl_summary_valid` | the table | the Pandera model fails |
| `settlement_not_imported_twice` | settlements | the settlement is stored from a document a newer one replaced |
| `lines_sum_to_total` | settlement_lines | the lines do not sum to total-amount to the cent, or a line could not be read |
| `one_currency_per_settlement` | settlement_lines | a line is in another currency than its settlement |
| `amounts_in_minor_units` | settlement_lines | an amount is finer than the currency's minor unit (JPY: none) |
| `every_line_has_a_gl_account` | settlement_line_accounts | no GL rule maps a line and no suspense account is set |
| `journal_balances` | settlement_gl_summary | debits and credits of the settlement's journal differ |
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pandera.pandas as pa
import pyarrow

from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.gl_mapping import rule_to_add
from amazon_netsuite.lib.settlements.reconcile import currency_problems, journal_balance, precision_problems, tie_out
from amazon_netsuite.lib.warehouse.checks import Day, Int, Money, Text, Timestamp, optional, schema_failures

SHOWN = 25  # offending lines listed per gate; the count says how many there are


def _currency() -> pa.Field:
    return pa.Field(str_length={"min_value": 3, "max_value": 3})


class SettlementsModel(pa.DataFrameModel):
    """One settlement of a storefront-day (table `settlements`)."""

    storefront: Text
    day: Day
    report_id: Text
    settlement_id: Text
    settlement_start_date: Timestamp = optional()
    settlement_end_date: Timestamp = optional()
    deposit_date: Timestamp
    total_amount: Money
    currency: Text = _currency()
    line_count: Int = pa.Field(ge=0)
    quarantined_lines: Int = pa.Field(ge=0)
    decimal_mark: Text = pa.Field(isin=(".", ","))
    date_order: Text = pa.Field(isin=("MDY", "DMY"))

    class Config:
        strict = True
        ordered = True


class SettlementLinesModel(pa.DataFrameModel):
    """One detail line of a settlement (table `settlement_lines`); line 1 is the header, line 2 the totals."""

    storefront: Text
    day: Day
    report_id: Text
    settlement_id: Text
    line_number: Int = pa.Field(ge=3)
    transaction_type: Text = optional()
    order_id: Text = optional()
    merchant_order_id: Text = optional()
    adjustment_id: Text = optional()
    shipment_id: Text = optional()
    marketplace_name: Text = optional()
    amount_type: Text = optional()
    amount_description: Text = optional()
    amount: Money
    currency: Text = _currency()
    fulfillment_id: Text = optional()
    posted_date: Day = optional()
    posted_date_time: Timestamp = optional()
    order_item_code: Text = optional()
    merchant_order_item_id: Text = optional()
    merchant_adjustment_item_id: Text = optional()
    sku: Text = optional()
    quantity_purchased: Int = optional()
    promotion_id: Text = optional()
    extra_columns: Text = optional()

    class Config:
        strict = True
        ordered = True


class SettlementGlSummaryModel(pa.DataFrameModel):
    """Settlement × GL account × currency, net on one side (table `settlement_gl_summary`)."""

    storefront: Text
    day: Day
    settlement_id: Text
    currency: Text = _currency()
    gl_account: Text = optional()
    side: Text = pa.Field(isin=("lines", "deposit"))
    debit: Money = pa.Field(ge=0)
    credit: Money = pa.Field(ge=0)
    line_count: Int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True


@dataclass(frozen=True)
class Offence:
    """One offending line (or the totals row, line_number None) of a settlement, and what is wrong with it."""

    settlement_id: str
    line_number: int | None
    description: str
    amount: Decimal | None
    problem: str


@dataclass
class GateResult:
    """A gate on one storefront-day: passed when nothing offends; `offences` holds every offending line."""

    name: str
    offences: list[Offence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said but not blocking (e.g. lines parked in suspense)

    @property
    def passed(self) -> bool:
        return not self.offences

    @property
    def settlements(self) -> dict[str, list[Offence]]:
        found: dict[str, list[Offence]] = defaultdict(list)
        for offence in self.offences:
            found[offence.settlement_id].append(offence)
        return dict(found)

    def markdown(self, shown: int = SHOWN) -> str:
        """The offending lines as a table (capped at `shown`), with how many there are."""
        if self.passed:
            return "none" if not self.notes else "\n".join(f"- {n}" for n in self.notes)
        rows = ["| settlement | line | description | amount | problem |", "|---|---|---|---|---|"]
        for o in self.offences[:shown]:
            cell = [o.settlement_id, "totals" if o.line_number is None else str(o.line_number),
                    o.description.replace("|", "/"), "" if o.amount is None else decimal_text(o.amount),
                    o.problem.replace("|", "/")]
            rows.append("| " + " | ".join(cell) + " |")
        if len(self.offences) > shown:
            rows.append(f"\n… and {len(self.offences) - shown} more ({len(self.offences)} offending in all)")
        return "\n".join(rows)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pyarrow.Table:
    return con.sql(sql, params=params).to_arrow_table()


def _partition(con: duckdb.DuckDBPyConnection, table: str, storefront: str, day: date) -> pyarrow.Table:
    return _fetch(con, f"SELECT * FROM {table} WHERE storefront = ? AND day = ?", [storefront, day])


def _line_labels(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> dict[tuple[str, int], str]:
    rows = con.execute(
        "SELECT settlement_id, line_number, concat_ws(' / ', transaction_type, amount_type, amount_description, "
        "nullif(order_id, '')) FROM settlement_lines WHERE storefront = ? AND day = ?",
        [storefront, day],
    ).fetchall()
    return {(s, n): label for s, n, label in rows}


def _model_gate(name: str, model: type[pa.DataFrameModel], table: pyarrow.Table) -> GateResult:
    failures = schema_failures(model, table.to_pandas(types_mapper=pd.ArrowDtype))
    return GateResult(name, [Offence("*", None, model.__name__, None, f) for f in failures])


def _not_imported_twice(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> GateResult:
    """A settlement is stored once: each stored row must come from its settlement's current document, and no
    other current document may hold the same settlement id (a newer document replaces an older one, documents.py)."""
    rows = con.execute(
        """
        SELECT s.settlement_id, s.report_id, s.total_amount, d.report_id, d.storefront, d.day, d.source,
               me.replaced_by IS NOT NULL AS replaced
        FROM settlements AS s
        JOIN settlement_documents AS me ON me.report_id = s.report_id
        JOIN settlement_documents AS d ON d.settlement_id = s.settlement_id AND d.report_id <> s.report_id
             AND d.replaced_by IS NULL
        WHERE s.storefront = ? AND s.day = ?
          AND (me.replaced_by IS NOT NULL OR d.registered_at < me.registered_at
               OR d.registered_at = me.registered_at AND d.report_id < me.report_id)
        ORDER BY s.settlement_id, d.registered_at
        """,
        [storefront, day],
    ).fetchall()
    return GateResult("settlement_not_imported_twice", [
        Offence(sid, None, f"report {report}", total,
                f"settlement {sid} is stored from report {report}, which {source} report {other} ({other_storefront}, "
                f"deposit {other_day}) replaced; re-run this storefront-day to store the newer document"
                if replaced else
                f"settlement {sid} was imported before as {source} report {other} ({other_storefront}, deposit "
                f"{other_day}); remove the copy, or post the one already imported")
        for sid, report, total, other, other_storefront, other_day, source, replaced in rows
    ])


def _totals(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> pyarrow.Table:
    return _fetch(con, "SELECT settlement_id, report_id, currency, total_amount, line_count, quarantined_lines "
                       "FROM settlements WHERE storefront = ? AND day = ? ORDER BY settlement_id", [storefront, day])


def _lines_sum_to_total(con: duckdb.DuckDBPyConnection, storefront: str, day: date, totals: pyarrow.Table,
                        lines: pyarrow.Table) -> GateResult:
    result = GateResult("lines_sum_to_total")
    for row in tie_out(totals, lines, con).to_pylist():
        if row["ties_out"]:
            continue
        sid, cur = row["settlement_id"], row["currency"]
        result.offences.append(Offence(
            sid, None, "total-amount", row["total_amount"],
            f"the {row['line_count'] - row['quarantined_lines']} lines sum to {decimal_text(row['lines_sum'])} "
            f"{cur}, the total-amount is {decimal_text(row['total_amount'])} {cur} (difference "
            f"{decimal_text(row['difference'])}): a line is missing, extra or changed, or the total is wrong",
        ))
    quarantined = con.execute(
        "SELECT settlement_id, line_number, reason, raw_line FROM settlement_line_quarantine "
        "WHERE storefront = ? AND day = ? ORDER BY settlement_id, line_number",
        [storefront, day],
    ).fetchall()
    result.offences += [Offence(sid, n, (raw or "")[:80], None, f"could not be read: {reason}")
                        for sid, n, reason, raw in quarantined]
    return result


def _one_currency(con, storefront, day, totals, lines, labels) -> GateResult:
    return GateResult("one_currency_per_settlement", [
        Offence(r["settlement_id"], r["line_number"], labels.get((r["settlement_id"], r["line_number"]), ""), None,
                f"in {r['currency']}, the settlement is in {r['settlement_currency']}")
        for r in currency_problems(totals, lines, con).to_pylist()
    ])


def _minor_units(con, storefront, day, totals, lines, labels) -> GateResult:
    return GateResult("amounts_in_minor_units", [
        Offence(r["settlement_id"], r["line_number"],
                "total-amount" if r["line_number"] is None else labels.get((r["settlement_id"], r["line_number"]), ""),
                r["amount"], f"finer than the {r['currency']} minor unit")
        for r in precision_problems(totals, lines, con).to_pylist()
    ])


def _every_line_mapped(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> GateResult:
    rows = con.execute(
        """
        SELECT l.settlement_id, l.line_number, l.transaction_type, l.amount_type, l.amount_description, l.amount,
               a.gl_account, a.suspense
        FROM settlement_line_accounts AS a
        JOIN settlement_lines AS l USING (storefront, day, settlement_id, line_number)
        WHERE a.storefront = ? AND a.day = ? AND (a.gl_account IS NULL OR a.suspense)
        ORDER BY l.settlement_id, l.line_number
        """,
        [storefront, day],
    ).fetchall()
    result = GateResult("every_line_has_a_gl_account")
    for sid, n, transaction_type, amount_type, amount_description, amount, account, suspense in rows:
        label = " / ".join(v for v in (transaction_type, amount_type, amount_description) if v is not None)
        if suspense:
            result.notes.append(f"settlement {sid} line {n} ({label}, {decimal_text(amount)}) posts to suspense "
                                f"account {account}: reclassify it, or add a rule to the GL mapping")
        else:
            result.offences.append(Offence(sid, n, label, amount,
                                           "no GL mapping rule matches; add one to gl_mapping.yaml or set "
                                           "suspense_account; to paste under `rules:` (choose the account): "
                                           + rule_to_add(transaction_type, amount_type, amount_description)))
    return result


def _journal_balances(con: duckdb.DuckDBPyConnection, summary: pyarrow.Table) -> GateResult:
    result = GateResult("journal_balances")
    if not summary.num_rows:
        return result
    for row in journal_balance(summary.select(["settlement_id", "currency", "gl_account", "debit", "credit"]),
                               con).to_pylist():
        if not row["balances"]:
            result.offences.append(Offence(
                row["settlement_id"], None, "journal", row["difference"],
                f"debits {decimal_text(row['debit'])} and credits {decimal_text(row['credit'])} {row['currency']} "
                f"differ by {decimal_text(row['difference'])}",
            ))
    return result


# The gates of each settlement asset, name → what it holds (the check's description in the UI).
REPORT_GATES = {
    "settlements_valid": "The settlements rows match the Pandera model (types, currency code, counts ≥ 0).",
    "settlement_not_imported_twice": "No settlement id was imported before under another report or partition.",
}
LINE_GATES = {
    "settlement_lines_valid": "The lines match the Pandera model (exact DECIMAL amounts, line numbers ≥ 3).",
    "lines_sum_to_total": "The lines sum to the settlement's total-amount to the cent, and none was unreadable.",
    "one_currency_per_settlement": "Every line is in its settlement's currency.",
    "amounts_in_minor_units": "No amount is finer than its currency's minor unit (JPY: whole yen).",
}
GL_GATES = {
    "settlement_gl_summary_valid": "The GL summary matches the Pandera model (debit and credit ≥ 0).",
    "every_line_has_a_gl_account": "Every line has a GL account (a rule of gl_mapping.yaml, or the suspense account).",
    "journal_balances": "Each settlement's journal balances: debits equal credits to the cent.",
}
ALL_GATES = (*REPORT_GATES, *LINE_GATES, *GL_GATES)


def run_gates(con: duckdb.DuckDBPyConnection, storefront: str, day: date,
              names: tuple[str, ...] = ALL_GATES) -> dict[str, GateResult]:
    """Run the named gates on one storefront-day of the warehouse."""
    found: dict[str, GateResult] = {}
    if "settlements_valid" in names:
        found["settlements_valid"] = _model_gate("settlements_valid", SettlementsModel,
                                                 _partition(con, "settlements", storefront, day))
    if "settlement_not_imported_twice" in names:
        found["settlement_not_imported_twice"] = _not_imported_twice(con, storefront, day)
    if set(names) & set(LINE_GATES):
        lines_table = _partition(con, "settlement_lines", storefront, day)
        if "settlement_lines_valid" in names:
            found["settlement_lines_valid"] = _model_gate("settlement_lines_valid", SettlementLinesModel, lines_table)
        totals = _totals(con, storefront, day)
        lines = lines_table.select(["settlement_id", "line_number", "amount", "currency"])
        labels = _line_labels(con, storefront, day)
        if "lines_sum_to_total" in names:
            found["lines_sum_to_total"] = _lines_sum_to_total(con, storefront, day, totals, lines)
        if "one_currency_per_settlement" in names:
            found["one_currency_per_settlement"] = _one_currency(con, storefront, day, totals, lines, labels)
        if "amounts_in_minor_units" in names:
            found["amounts_in_minor_units"] = _minor_units(con, storefront, day, totals, lines, labels)
    if set(names) & set(GL_GATES):
        summary = _partition(con, "settlement_gl_summary", storefront, day)
        if "settlement_gl_summary_valid" in names:
            found["settlement_gl_summary_valid"] = _model_gate("settlement_gl_summary_valid",
                                                               SettlementGlSummaryModel, summary)
        if "every_line_has_a_gl_account" in names:
            found["every_line_has_a_gl_account"] = _every_line_mapped(con, storefront, day)
        if "journal_balances" in names:
            found["journal_balances"] = _journal_balances(con, summary)
    return found


def blocked_settlements(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> dict[str, list[str]]:
    """Settlement id → why it must not post (every gate run again on the stored partition); a model failure,
    which belongs to no one settlement, blocks every settlement of the partition."""
    ids = [r[0] for r in con.execute("SELECT settlement_id FROM settlements WHERE storefront = ? AND day = ? "
                                     "ORDER BY settlement_id", [storefront, day]).fetchall()]
    blocked: dict[str, list[str]] = defaultdict(list)
    for gate in run_gates(con, storefront, day).values():
        for offence in gate.offences:
            targets = ids if offence.settlement_id == "*" else [offence.settlement_id]
            where = "" if offence.line_number is None else f"line {offence.line_number}: "
            for sid in targets:
                blocked[sid].append(f"{gate.name}: {where}{offence.problem}")
    return dict(blocked)
