"""`amazon-netsuite settlements load FILE [--storefront KEY]`: a settlement downloaded by hand is stored as the
settlement assets would store it, the tie-out and gates are printed, bad input is refused with a message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_netsuite.cli import main
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import DEMO_SETTINGS
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    SETTLEMENT_ID,
    line,
    period,
    settlement_text,
    us_settlement_lines,
    write_settlement,
)


@pytest.fixture(autouse=True)
def _project(tmp_path, monkeypatch):
    """An empty warehouse and data directory; the demo settings and the project's GL mapping."""
    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(DEMO_SETTINGS))
    monkeypatch.delenv("AMAZON_NETSUITE_WAREHOUSE", raising=False)
    monkeypatch.delenv("AMAZON_NETSUITE_GL_MAPPING", raising=False)


def _load(capsys, *args) -> tuple[int, str, str]:
    code = main(["settlements", "load", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _query(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_settlement_file_is_stored_like_the_assets_store_it_and_ties_out(tmp_path, capsys):
    path = write_settlement(tmp_path / "settlement.txt", us_settlement_lines(), encoding="cp1252", newline="\r\n")
    code, out, _ = _load(capsys, path)

    assert code == 0
    assert f"settlement {SETTLEMENT_ID} (USD) stored as report manual-" in out
    assert "storefront demo-US, deposit day 2026-10-04" in out
    assert "total-amount 54.97, lines sum 54.97, difference 0.00: ties out" in out
    assert "passes every gate" in out
    ((report_id, source, day, storefront),) = _query(
        "SELECT report_id, source, day, storefront FROM settlement_documents")
    assert source == "manual" and str(day) == "2026-10-04" and storefront == "demo-US"
    assert _query("SELECT settlement_id, total_amount, line_count FROM settlements") == [
        (SETTLEMENT_ID, Decimal("54.97"), 17)]
    assert _query("SELECT count(*), sum(amount) FROM settlement_lines WHERE report_id = ?", [report_id]) == [
        (17, Decimal("54.97"))]
    # The order lines have no NetSuite record here: unmatched, each with the reason.
    statuses = dict(_query("SELECT match_status, count(*) FROM settlement_line_matches GROUP BY 1"))
    assert statuses == {"unmatched": 11, "not_an_order": 6}
    assert _query("SELECT count(*) FROM settlement_line_matches WHERE match_status = 'unmatched' AND reason IS NULL"
                  ) == [(0,)]
    ((debit, credit),) = _query("SELECT sum(debit), sum(credit) FROM settlement_gl_summary")
    assert debit == credit == Decimal("158.11")  # the journal balances; the bank receives the deposit
    assert _query("SELECT gl_account, debit, credit FROM settlement_gl_summary WHERE side = 'deposit'") == [
        ("ACCT-BANK-USD", Decimal("54.97"), Decimal(0))]
    assert _query("SELECT sum(amount) FROM settlement_reconciliation WHERE section <> 'deposit'") == [
        (Decimal("54.97"),)]
    # The document is kept byte for byte under data/reports, registered like Amazon's.
    assert _query("SELECT report_type, document_path IS NOT NULL FROM amazon_reports WHERE report_id = ?",
                  [report_id]) == [("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", True)]


def test_loading_the_same_file_again_stores_nothing_new(tmp_path, capsys):
    path = write_settlement(tmp_path / "settlement.txt", us_settlement_lines())
    assert _load(capsys, path)[0] == 0
    code, out, _ = _load(capsys, path)

    assert code == 0 and "was already stored" in out and "passes every gate" in out
    assert _query("SELECT count(*) FROM settlement_documents") == [(1,)]
    assert _query("SELECT count(*) FROM settlements") == [(1,)]
    assert _query("SELECT count(*) FROM settlement_lines") == [(17,)]


def test_a_settlement_with_a_line_removed_is_stored_and_blocked_with_the_reason(tmp_path, capsys):
    text = settlement_text(us_settlement_lines()).splitlines()
    del text[5]  # the Commission line (-3.00); the total still counts it
    path = tmp_path / "tampered.txt"
    path.write_text("\n".join(text) + "\n")
    code, out, _ = _load(capsys, path)

    assert code == 0  # read and stored: the gate, not the loader, refuses it
    assert "total-amount 54.97, lines sum 57.97, difference -3.00: does NOT tie out" in out
    assert "blocked from posting" in out
    assert "lines_sum_to_total: the 16 lines sum to 57.97 USD, the total-amount is 54.97 USD" in out
    # The bank side posts the total-amount, so the journal is short by the same 3.00.
    assert "journal_balances: debits 157.51 and credits 160.51 USD differ by -3.00" in out


def test_an_unknown_fee_blocks_the_settlement_naming_its_line(tmp_path, capsys):
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Mystery Fee", "-4.00")]
    code, out, _ = _load(capsys, write_settlement(tmp_path / "s.txt", lines))

    assert code == 0 and "ties out" in out
    assert ("every_line_has_a_gl_account: line 20: no GL mapping rule matches; add one to gl_mapping.yaml or set "
            "suspense_account") in out
    assert ('to paste under `rules:` (choose the account): - {name: "Mystery Fee", transaction_type: '
            '"other-transaction", amount_type: "other-transaction", amount_description: "Mystery Fee", '
            "account: ACCT-CHOOSE}") in out


def test_a_second_copy_of_a_settlement_with_other_bytes_replaces_the_first_and_nothing_doubles(tmp_path, capsys):
    """The same settlement downloaded twice (here LF, then CRLF, as a re-export from Seller Central may be) is
    stored once, from the newer file; the CLI says which document it replaced."""
    first = write_settlement(tmp_path / "a.txt", us_settlement_lines())
    copy = write_settlement(tmp_path / "b.txt", us_settlement_lines(), newline="\r\n")  # other bytes, same id
    assert _load(capsys, first)[0] == 0
    ((first_report,),) = _query("SELECT report_id FROM settlement_documents")
    code, out, _ = _load(capsys, copy)

    assert code == 0
    assert f"replaces settlement {SETTLEMENT_ID} stored from manual report {first_report} (a.txt)" in out
    assert "passes every gate" in out
    assert _query("SELECT count(*), sum(total_amount) FROM settlements") == [(1, Decimal("54.97"))]
    assert _query("SELECT count(*), sum(amount) FROM settlement_lines") == [(17, Decimal("54.97"))]
    ((debit, credit),) = _query("SELECT sum(debit), sum(credit) FROM settlement_gl_summary")
    assert debit == credit == Decimal("158.11")  # not doubled
    (current,), = _query("SELECT report_id FROM settlement_documents WHERE replaced_by IS NULL")
    assert current != first_report
    assert _query("SELECT DISTINCT report_id FROM settlements") == [(current,)]
    assert _query("SELECT replaced_by FROM settlement_documents WHERE report_id = ?", [first_report]) == [(current,)]


def test_an_unreadable_file_exits_non_zero_with_a_message(tmp_path, capsys):
    no_totals = tmp_path / "no_totals.txt"
    text = settlement_text([line()]).splitlines()
    del text[1]
    no_totals.write_text("\n".join(text) + "\n")
    code, out, err = _load(capsys, no_totals)
    assert code == 2 and out == ""
    assert f"cannot load {no_totals}" in err and "should be the settlement's totals row" in err

    code, _, err = _load(capsys, tmp_path / "missing.txt")
    assert code == 2 and "missing.txt: cannot be read" in err
    assert not (tmp_path / "data" / "warehouse.duckdb").exists() or _query(
        "SELECT count(*) FROM settlement_documents") == [(0,)]


def test_an_unknown_storefront_exits_non_zero_with_a_message(tmp_path, capsys):
    path = write_settlement(tmp_path / "s.txt", us_settlement_lines())

    code, _, err = _load(capsys, path, "--storefront", "demo-XX")
    assert code == 2 and "storefront 'demo-XX' is not in the settings file" in err

    code, _, err = _load(capsys, path, "--storefront", "demo-DE")
    assert code == 2 and "storefront demo-DE sells in EUR" in err

    japanese = [line(marketplace_name="Amazon.co.jp", amount=Decimal("1980"))]
    code, _, err = _load(capsys, write_settlement(tmp_path / "jp.txt", japanese, currency="JPY"))
    assert code == 2 and "matches no single storefront" in err


def test_a_storefront_can_be_named_for_a_file_without_marketplace_names(tmp_path, capsys):
    lines = [period("other-transaction", "other-transaction", "Subscription", "-39.99", marketplace_name=""),
             period("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", "12.00",
                    marketplace_name="")]
    code, out, _ = _load(capsys, write_settlement(tmp_path / "ca.txt", lines, currency="CAD"),
                         "--storefront", "demo-CA")

    assert code == 0 and "storefront demo-CA" in out and "ties out" in out
    assert _query("SELECT storefront, total_amount FROM settlements") == [("demo-CA", Decimal("-27.99"))]
