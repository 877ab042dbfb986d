"""The finance view of a settlement: how Amazon's gross sales became the deposit, as a table and a waterfall chart.

Both are drawn from the reconciliation rows (`reconcile.reconciliation`, stored in `settlement_reconciliation`):
gross sales, promotions, refunds, fees by account, tax, reimbursements, reserves, other and, last, the deposit.
Every row but the deposit sums to the deposit; `running` shows the balance after each row so an accountant can
follow it line by line. The chart is a PNG (matplotlib, Agg backend: no display needed) embedded in markdown as a
data URL, which is how an image shows in the Dagster UI's metadata panel.

Beside it, the settlement's trial-balance effect (`gl_effect`): per GL account, what its NetSuite records put on the
books. Posted: read back by SuiteQL (`lib/netsuite/trial_balance.py`) from the records the posting ledger holds for
it (external ids AMZ-STL-{settlement id}-*), the order records its lines matched (`settlement_line_matches`) and
those made from them. Not posted yet: the expected effect from `settlement_gl_summary`, labelled so.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal

from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.netsuite.errors import NetSuiteError
from amazon_netsuite.lib.netsuite.trial_balance import AccountBalance, SuiteQLReader, made_from, trial_balance

DEPOSIT = "deposit"


@dataclass(frozen=True)
class Step:
    """One row of the waterfall: a section's label, its amount and the balance after it (exact decimals)."""

    section: str
    label: str
    amount: Decimal
    running: Decimal


def waterfall_steps(rows: Iterable[Mapping]) -> tuple[list[Step], Decimal]:
    """(steps before the deposit, the deposit) from one settlement's reconciliation rows (`position`, `section`,
    `label`, `amount`), in position order."""
    ordered = sorted(rows, key=lambda r: (r["position"], r["label"]))
    steps, running, deposit = [], Decimal(0), Decimal(0)
    for row in ordered:
        if row["section"] == DEPOSIT:
            deposit = row["amount"]
            continue
        running += row["amount"]
        label = row["label"] if row["section"] == "fees" else row["section"]
        steps.append(Step(row["section"], label, row["amount"], running))
    return steps, deposit


def reconciliation_markdown(rows: Iterable[Mapping], currency: str) -> str:
    """The reconciliation as a markdown table: section, line, amount, running balance; the deposit last, and a
    row saying whether the lines explain it to the cent."""
    steps, deposit = waterfall_steps(rows)
    table = [f"| section | line | amount ({currency}) | running |", "|---|---|---:|---:|"]
    for step in steps:
        label = step.label if step.section == "fees" else ""
        table.append(f"| {step.section} | {label} | {decimal_text(step.amount)} | {decimal_text(step.running)} |")
    explained = steps[-1].running if steps else Decimal(0)
    table.append(f"| **deposit** | | **{decimal_text(deposit)}** | |")
    verdict = "ties out to the cent" if explained == deposit else (
        f"does NOT tie out: the lines explain {decimal_text(explained)}, {decimal_text(deposit - explained)} short")
    return "\n".join(table) + f"\n\nThe deposit {verdict}."


def waterfall_png(rows: Iterable[Mapping], title: str, currency: str) -> bytes:
    """A waterfall chart of the reconciliation as PNG bytes: each section moves the balance up (green) or down
    (red) from zero; the last bar is the deposit (blue)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    steps, deposit = waterfall_steps(rows)
    labels = [s.label for s in steps] + ["deposit"]
    # Floats only for drawing: every figure shown as text comes from the exact decimals.
    bottoms = [float(s.running - s.amount) for s in steps] + [0.0]
    heights = [float(s.amount) for s in steps] + [float(deposit)]
    colours = ["#2e7d32" if s.amount >= 0 else "#c62828" for s in steps] + ["#1565c0"]
    texts = [decimal_text(s.amount) for s in steps] + [decimal_text(deposit)]

    figure = Figure(figsize=(max(6.0, 0.9 * len(labels) + 2), 4.2), dpi=90)
    axes = figure.subplots()
    bars = axes.bar(range(len(labels)), heights, bottom=bottoms, color=colours, width=0.6)
    for bar, text in zip(bars, texts):
        top = bar.get_y() + max(bar.get_height(), 0)
        axes.annotate(text, (bar.get_x() + bar.get_width() / 2, top), ha="center", va="bottom", fontsize=7,
                      xytext=(0, 2), textcoords="offset points")
    for i in range(len(steps)):  # connectors: the balance carried to the next bar
        level = float(steps[i].running)
        axes.plot([i + 0.3, i + 0.7], [level, level], color="#757575", linewidth=0.8)
    axes.axhline(0, color="#424242", linewidth=0.8)
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    axes.set_ylabel(currency)
    axes.set_title(title, fontsize=10)
    axes.grid(axis="y", linewidth=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass(frozen=True)
class GlEffect:
    """A settlement's trial-balance effect: per account, debit and credit; `posted` False means expected."""

    posted: bool
    balances: list[AccountBalance]
    settlement_records: int = 0
    order_records: int = 0
    problem: str = ""  # why a posted settlement's effect could not be read back (the expected one is shown)


def _posted_records(con, storefront: str, settlement_id: str, ledger_account: str) -> tuple[set[int], set[int]]:
    """(internal ids of the settlement's posted records, of the order records its lines matched)."""
    own = con.execute(
        "SELECT DISTINCT internal_id FROM netsuite_postings WHERE flow = 'settlements' AND storefront = ? "
        "AND starts_with(key, ?) AND internal_id IS NOT NULL "  # in NetSuite, even if a later update failed
        "AND coalesce(netsuite_account, ?) = ?",
        [storefront, f"{settlement_id}:", ledger_account, ledger_account]).fetchall()
    orders = con.execute(
        "SELECT DISTINCT internal_id FROM settlement_line_matches WHERE storefront = ? AND settlement_id = ? "
        "AND match_status = 'matched' AND internal_id IS NOT NULL", [storefront, settlement_id]).fetchall()
    return ({int(i) for (i,) in own if str(i).isdigit()}, {int(i) for (i,) in orders if str(i).isdigit()})


def expected_effect(con, storefront: str, settlement_id: str) -> list[AccountBalance]:
    """Debit and credit per account of the settlement's GL summary (NULL account: lines no rule maps)."""
    rows = con.execute(
        "SELECT coalesce(gl_account, '(unmapped)'), currency, sum(debit), sum(credit) FROM settlement_gl_summary "
        "WHERE storefront = ? AND settlement_id = ? GROUP BY ALL ORDER BY 2, 1", [storefront, settlement_id]).fetchall()
    return [AccountBalance(account, "", currency, debit, credit) for account, currency, debit, credit in rows]


def gl_effect(con, *, storefront: str, settlement_id: str, ledger_account: str,
              netsuite: Callable[[], AbstractContextManager[SuiteQLReader]]) -> GlEffect:
    """The settlement's trial-balance effect: read back from NetSuite when the ledger has posted records of it
    (`netsuite` opens a client only then), else the expected effect from its GL summary."""
    own, orders = _posted_records(con, storefront, settlement_id, ledger_account)
    if not own:
        return GlEffect(False, expected_effect(con, storefront, settlement_id))
    try:
        with netsuite() as client:
            orders = made_from(client, orders) - own
            return GlEffect(True, trial_balance(client, transactions=own | orders), len(own), len(orders))
    except NetSuiteError as exc:  # the summary's metadata must not fail because NetSuite is unreachable
        return GlEffect(False, expected_effect(con, storefront, settlement_id), problem=str(exc))


def gl_effect_markdown(effect: GlEffect) -> str:
    """The effect as a markdown table per account, a total row and whether debits equal credits."""
    if effect.posted:
        heading = (f"**Trial-balance effect** (posted, read back from NetSuite: {effect.settlement_records} "
                   f"settlement record(s), {effect.order_records} order record(s) it settles)")
    else:
        heading = "**Trial-balance effect: expected (not posted)**, from the GL summary"
        if effect.problem:
            heading = ("**Trial-balance effect: expected**, from the GL summary: the posted records could not be "
                       f"read back from NetSuite ({effect.problem})")
    table = ["| account | type | debit | credit |", "|---|---|---:|---:|"]
    table += [f"| {b.account} | {b.account_type} | {decimal_text(b.debit)} | {decimal_text(b.credit)} |"
              for b in effect.balances]
    debit = sum((b.debit for b in effect.balances), Decimal(0))
    credit = sum((b.credit for b in effect.balances), Decimal(0))
    table.append(f"| **total** | | **{decimal_text(debit)}** | **{decimal_text(credit)}** |")
    verdict = "Debits equal credits." if debit == credit else (
        f"Debits and credits differ by {decimal_text(debit - credit)}.")
    return f"{heading}\n\n" + "\n".join(table) + f"\n\n{verdict}"


def finance_view_markdown(rows: Iterable[Mapping], *, settlement_id: str, currency: str, deposit_day: str,
                          storefront: str, effect: GlEffect | None = None) -> str:
    """One settlement's section of the asset metadata: heading, reconciliation table, embedded waterfall and,
    when given, its trial-balance effect."""
    rows = list(rows)
    title = f"Settlement {settlement_id} · {storefront} · deposited {deposit_day}"
    png = base64.b64encode(waterfall_png(rows, title, currency)).decode("ascii")
    beside = f"\n{gl_effect_markdown(effect)}\n" if effect is not None else ""
    return (f"### {title}\n\n{reconciliation_markdown(rows, currency)}\n\n"
            f"![waterfall of settlement {settlement_id}](data:image/png;base64,{png})\n{beside}")
