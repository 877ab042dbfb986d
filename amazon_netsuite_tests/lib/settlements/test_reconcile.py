"""The accountant's checks: a settlement ties out to the cent or says by how much it does not, tampering is caught,
the GL summary balances for a deposit and for a debit, and the deposit is explained line by line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from amazon_netsuite.lib.gl_mapping import gl_mapping_from_dict, load_gl_mapping, map_lines
from amazon_netsuite.lib.settlements.parse import parse_settlement
from amazon_netsuite.lib.settlements.reconcile import (
    already_imported,
    check_settlement,
    currency_problems,
    gl_summary,
    journal_balance,
    precision_problems,
    reconciliation,
    tie_out,
    totals_table,
)
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    SETTLEMENT_ID,
    fee,
    line,
    period,
    settlement_text,
    us_settlement_lines,
)

DEFAULT = Path(__file__).resolve().parents[3] / "data" / "gl_mapping.yaml"
D = Decimal


@pytest.fixture(scope="module")
def mapping():
    return load_gl_mapping(DEFAULT)


def _parsed(lines=None, **options):
    return parse_settlement(settlement_text(us_settlement_lines() if lines is None else lines, **options))


def test_an_untouched_settlement_ties_out_and_may_post(mapping):
    check = check_settlement(_parsed(), mapping)
    assert (check.total_amount, check.lines_sum, check.difference) == (D("54.97"), D("54.97"), D("0"))
    assert check.ties_out and check.journal_balances
    assert check.line_count == 17 and check.quarantined_lines == 0
    assert check.unmapped == [] and check.blocking == []


def test_a_removed_line_is_caught_and_the_difference_is_that_line(mapping):
    text = settlement_text(us_settlement_lines()).splitlines()
    removed = text.pop(5)  # the Commission line (-3.00)
    assert "\tCommission\t-3.00\t" in removed
    parsed = parse_settlement("\n".join(text) + "\n")

    tie = tie_out(totals_table(parsed), parsed.lines).to_pylist()
    assert tie == [{"settlement_id": SETTLEMENT_ID, "currency": "USD", "total_amount": D("54.97"),
                    "lines_sum": D("57.97"), "difference": D("-3.00"), "line_count": 16, "quarantined_lines": 0,
                    "ties_out": False}]
    check = check_settlement(parsed, mapping)
    assert not check.ties_out and not check.journal_balances
    assert check.blocking == [
        f"settlement {SETTLEMENT_ID}: the lines sum to 57.97 USD, the total-amount is 54.97 USD (difference -3.00)",
        f"settlement {SETTLEMENT_ID}: the journal does not balance (debit − credit = -3.00)",
    ]


def test_a_changed_total_is_caught(mapping):
    check = check_settlement(_parsed(total=D("60.00")), mapping)
    assert (check.total_amount, check.lines_sum, check.difference) == (D("60.00"), D("54.97"), D("5.03"))
    assert not check.ties_out
    assert "the lines sum to 54.97 USD, the total-amount is 60.00 USD (difference 5.03)" in check.blocking[0]


def test_an_unknown_fee_blocks_the_settlement_and_is_named(mapping):
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Mystery Fee", "-4.00")]
    check = check_settlement(_parsed(lines), mapping)
    assert check.ties_out  # the money adds up; the mapping does not
    assert check.unmapped == ["Mystery Fee"]
    assert check.blocking == [
        f"settlement {SETTLEMENT_ID}: no GL mapping for other-transaction / other-transaction / Mystery Fee "
        f"(1 line(s), first line 20); add a rule to {DEFAULT} or set suspense_account. To paste under `rules:` "
        '(choose the account): - {name: "Mystery Fee", transaction_type: "other-transaction", '
        'amount_type: "other-transaction", amount_description: "Mystery Fee", account: ACCT-CHOOSE}'
    ]


def test_with_a_suspense_account_an_unknown_fee_posts_there_flagged(mapping):
    suspense = gl_mapping_from_dict({**yaml.safe_load(DEFAULT.read_text()), "suspense_account": "ACCT-SUSPENSE"})
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Mystery Fee", "-4.00")]
    parsed = _parsed(lines)
    check = check_settlement(parsed, suspense)
    assert check.blocking == [] and check.suspense and check.unmapped == ["Mystery Fee"]
    summary = gl_summary(totals_table(parsed), map_lines(parsed.lines, suspense), suspense).to_pylist()
    assert {"settlement_id": SETTLEMENT_ID, "currency": "USD", "gl_account": "ACCT-SUSPENSE", "side": "lines",
            "debit": D("4.00"), "credit": D("0"), "line_count": 1} in summary


def test_quarantined_lines_block_the_settlement(mapping):
    lines = [*us_settlement_lines(), fee("Commission", "oops")]
    check = check_settlement(_parsed(lines, total=D("54.97")), mapping)
    assert check.ties_out and check.quarantined_lines == 1 and check.line_count == 18
    assert check.blocking == [f"settlement {SETTLEMENT_ID}: 1 line(s) could not be read (first: line 20)"]


def test_a_line_in_another_currency_is_found(mapping):
    parsed = _parsed([line(), line(currency="EUR", amount=D("1.00"))])
    problems = currency_problems(totals_table(parsed), parsed.lines).to_pylist()
    assert problems == [{"settlement_id": SETTLEMENT_ID, "line_number": 4, "currency": "EUR",
                         "settlement_currency": "USD"}]
    assert "1 line(s) in another currency than USD" in check_settlement(parsed, mapping).blocking[0]


def test_amounts_finer_than_the_currencys_minor_unit_are_found(mapping):
    usd = _parsed([line(amount="19.995"), line(amount="0.01")], total="20.005")
    jpy = _parsed([line(amount="1500.50", marketplace_name="Amazon.co.jp"), line(amount="100")], currency="JPY",
                  total="1600.50")
    assert precision_problems(totals_table(usd), usd.lines).to_pylist() == [
        {"settlement_id": SETTLEMENT_ID, "line_number": None, "amount": D("20.005"), "currency": "USD"},
        {"settlement_id": SETTLEMENT_ID, "line_number": 3, "amount": D("19.995"), "currency": "USD"},
    ]
    assert [p["line_number"] for p in precision_problems(totals_table(jpy), jpy.lines).to_pylist()] == [None, 3]
    assert check_settlement(jpy, mapping).blocking == [
        f"settlement {SETTLEMENT_ID}: 2 amount(s) finer than the JPY minor unit"]


def test_a_settlement_imported_before_or_twice_is_found(mapping):
    assert already_imported(["1", "2", "3", "2"], imported={"3"}) == ["3", "2"]
    assert already_imported(["1", "2"], imported=set()) == []
    check = check_settlement(_parsed(), mapping, imported={SETTLEMENT_ID})
    assert check.duplicate and check.blocking == [f"settlement {SETTLEMENT_ID} was imported before"]


def _summary(parsed, mapping) -> dict:
    rows = gl_summary(totals_table(parsed), map_lines(parsed.lines, mapping), mapping).to_pylist()
    assert all(r["settlement_id"] == SETTLEMENT_ID and r["currency"] == "USD" for r in rows)
    return {(r["side"], r["gl_account"]): (r["debit"], r["credit"], r["line_count"]) for r in rows}


def test_the_gl_summary_of_a_deposit_balances_with_the_bank_debited(mapping):
    parsed = _parsed()
    assert _summary(parsed, mapping) == {
        ("lines", "ACCT-SALES"): (D("0"), D("144.49"), 2),
        ("lines", "ACCT-SHIPPING-INCOME"): (D("0"), D("4.99"), 1),
        ("lines", "ACCT-REIMBURSEMENTS"): (D("0"), D("8.63"), 1),
        ("lines", "ACCT-FACILITATOR-TAX-CLEARING"): (D("0"), D("0"), 2),  # collected and withheld: nets to zero
        ("lines", "ACCT-AMZ-SELLING-FEES"): (D("0.60"), D("0"), 3),
        ("lines", "ACCT-AMZ-FBA-FEES"): (D("3.22"), D("0"), 1),
        ("lines", "ACCT-PROMOTIONS"): (D("2.00"), D("0"), 1),
        ("lines", "ACCT-REFUNDS"): (D("19.99"), D("0"), 1),
        ("lines", "ACCT-AMZ-STORAGE-FEES"): (D("12.34"), D("0"), 1),
        ("lines", "ACCT-AMZ-SUBSCRIPTION"): (D("39.99"), D("0"), 1),
        ("lines", "ACCT-AMZ-ADVERTISING"): (D("15.00"), D("0"), 1),
        ("lines", "ACCT-AMZ-RESERVE"): (D("10.00"), D("0"), 2),
        ("deposit", "ACCT-BANK-USD"): (D("54.97"), D("0"), 0),
    }
    summary = gl_summary(totals_table(parsed), map_lines(parsed.lines, mapping), mapping)
    assert journal_balance(summary).to_pylist() == [
        {"settlement_id": SETTLEMENT_ID, "currency": "USD", "debit": D("158.11"), "credit": D("158.11"),
         "difference": D("0"), "balances": True, "fully_mapped": True}
    ]


def test_the_gl_summary_of_a_negative_settlement_credits_the_amazon_balance_not_the_bank(mapping):
    lines = [
        period("other-transaction", "other-transaction", "Subscription", "-39.99"),
        period("other-transaction", "other-transaction", "Storage Fee", "-12.34"),
        period("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", "5.00"),
    ]
    parsed = _parsed(lines)
    assert parsed.totals.total_amount == D("-47.33")
    assert _summary(parsed, mapping) == {
        ("lines", "ACCT-AMZ-SUBSCRIPTION"): (D("39.99"), D("0"), 1),
        ("lines", "ACCT-AMZ-STORAGE-FEES"): (D("12.34"), D("0"), 1),
        ("lines", "ACCT-REIMBURSEMENTS"): (D("0"), D("5.00"), 1),
        ("deposit", "ACCT-AMZ-BALANCE"): (D("0"), D("47.33"), 0),  # owed to Amazon: no money left the bank
    }
    check = check_settlement(parsed, mapping)
    assert check.journal_balances and check.blocking == []


def test_a_currency_without_a_configured_bank_account_deposits_where_the_posting_will(mapping):
    parsed = _parsed([line(marketplace_name="Amazon.co.uk")], currency="GBP")
    summary = gl_summary(totals_table(parsed), map_lines(parsed.lines, mapping), mapping).to_pylist()
    assert [(r["side"], r["gl_account"], r["debit"]) for r in summary if r["side"] == "deposit"] == [
        ("deposit", mapping.bank_account("GBP"), D("19.99"))]
    assert mapping.bank_account("GBP") == "ACCT-BANK-GBP"


def test_the_reconciliation_explains_the_deposit_and_sums_to_it(mapping):
    parsed = _parsed()
    rows = reconciliation(totals_table(parsed), map_lines(parsed.lines, mapping), mapping).to_pylist()
    assert [(r["section"], r["label"], r["amount"]) for r in rows] == [
        ("gross sales", "gross sales", D("149.48")),
        ("promotions", "promotions", D("-2.00")),
        ("refunds", "refunds", D("-19.99")),
        ("fees", "Amazon Advertising", D("-15.00")),
        ("fees", "Amazon Selling Fees", D("-0.60")),
        ("fees", "Amazon Subscription", D("-39.99")),
        ("fees", "FBA Fulfillment Fees", D("-3.22")),
        ("fees", "FBA Storage Fees", D("-12.34")),
        ("tax", "tax", D("0")),
        ("reimbursements", "reimbursements", D("8.63")),
        ("reserves", "reserves", D("-10.00")),
        ("deposit", "deposit", D("54.97")),
    ]
    assert sum(r["amount"] for r in rows if r["section"] != "deposit") == rows[-1]["amount"]
    assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)


def test_the_reconciliation_of_a_tampered_settlement_shows_the_unexplained_difference(mapping):
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Mystery Fee", "-4.00")]
    parsed = _parsed(lines, total=D("60.00"))
    rows = reconciliation(totals_table(parsed), map_lines(parsed.lines, mapping), mapping).to_pylist()
    tail = [(r["section"], r["label"], r["amount"]) for r in rows][-3:]
    assert tail == [("other", "unmapped lines", D("-4.00")), ("unexplained difference", "unexplained difference",
                    D("9.03")), ("deposit", "deposit", D("60.00"))]
    assert sum(r["amount"] for r in rows if r["section"] != "deposit") == D("60.00")


def test_checks_over_many_settlements_at_once_keep_them_apart(mapping):
    good = _parsed()
    bad = parse_settlement(settlement_text([line(), fee("Commission", "-3.00")], settlement_id="2", total="20.00"))
    totals = totals_table([good, bad])
    import pyarrow as pa

    lines = pa.concat_tables([good.lines, bad.lines])
    tie = {r["settlement_id"]: (r["difference"], r["ties_out"]) for r in tie_out(totals, lines).to_pylist()}
    assert tie == {SETTLEMENT_ID: (D("0"), True), "2": (D("3.01"), False)}
    balance = journal_balance(gl_summary(totals, map_lines(lines, mapping), mapping)).to_pylist()
    assert [(b["settlement_id"], b["balances"]) for b in balance] == [(SETTLEMENT_ID, True), ("2", False)]
