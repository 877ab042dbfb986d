"""`amazon-netsuite reports inspect FILE --json` on V2 settlement files: exact figures, tampering shown, bad files
refused with a message."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal

import pytest
import yaml

from amazon_netsuite.cli import main
from amazon_netsuite.lib.gl_mapping import gl_mapping_path
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    SETTLEMENT_ID,
    fee,
    line,
    period,
    settlement_text,
    us_settlement_lines,
    write_settlement,
)


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    """An empty data directory: the project's data/gl_mapping.yaml is the mapping used."""
    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AMAZON_NETSUITE_GL_MAPPING", raising=False)


def _inspect(path, capsys) -> dict:
    assert main(["reports", "inspect", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_inspect_recognises_a_settlement_and_prints_its_exact_figures(tmp_path, capsys):
    path = write_settlement(tmp_path / "settlement.txt", us_settlement_lines(), encoding="cp1252", newline="\r\n")
    summary = _inspect(path, capsys)

    assert {k: summary[k] for k in ("report_type", "settlement_id", "currency", "total_amount", "lines_sum",
                                    "difference", "line_count", "ties_out", "unmapped")} == {
        "report_type": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
        "settlement_id": SETTLEMENT_ID,
        "currency": "USD",
        "total_amount": "54.97",
        "lines_sum": "54.97",
        "difference": "0.00",
        "line_count": 17,
        "ties_out": True,
        "unmapped": [],
    }
    assert summary["quarantined"] == 0 and summary["blocking"] == [] and summary["journal_balances"] is True
    assert summary["deposit_date"] == "2026-10-04T00:00:00"
    assert summary["marketplace_name"] == "Amazon.com"
    assert summary["gl_mapping"].endswith("data/gl_mapping.yaml")


def test_inspect_shows_a_settlement_that_does_not_tie_out(tmp_path, capsys):
    text = settlement_text(us_settlement_lines()).splitlines()
    del text[5]  # the Commission line (-3.00)
    path = tmp_path / "tampered.txt"
    path.write_text("\n".join(text) + "\n")

    summary = _inspect(path, capsys)  # read, so exit 0 even though it does not tie out
    assert (summary["total_amount"], summary["lines_sum"], summary["difference"]) == ("54.97", "57.97", "-3.00")
    assert summary["line_count"] == 16 and summary["ties_out"] is False
    assert any("does not balance" in reason for reason in summary["blocking"])


def test_inspect_names_fees_no_rule_maps(tmp_path, capsys):
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Mystery Fee", "-4.00"),
             fee("Brand New Fee", "-0.25")]
    summary = _inspect(write_settlement(tmp_path / "s.txt", lines), capsys)
    assert summary["ties_out"] is True
    assert summary["unmapped"] == ["Brand New Fee", "Mystery Fee"]
    assert Decimal(summary["total_amount"]) == Decimal("50.72")


def test_inspect_reads_a_gzipped_german_settlement(tmp_path, capsys):
    lines = [line(marketplace_name="Amazon.de", amount=Decimal("1234.56"), posted_date="02.10.2026"),
             fee("Commission", "-185.18", marketplace_name="Amazon.de", posted_date="02.10.2026")]
    text = settlement_text(lines, currency="EUR", decimal_comma=True, grouping=True, deposit="04.10.2026")
    path = tmp_path / "de.txt.gz"
    path.write_bytes(gzip.compress(text.encode("cp1252")))

    summary = _inspect(path, capsys)
    assert (summary["currency"], summary["total_amount"], summary["lines_sum"], summary["ties_out"]) == (
        "EUR", "1049.38", "1049.38", True)
    assert summary["number_format"]["decimal_mark"] == ","


def test_inspect_uses_the_configured_mapping_with_its_suspense_account(tmp_path, capsys, monkeypatch):
    default = yaml.safe_load(gl_mapping_path().read_text(encoding="utf-8"))
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(yaml.safe_dump({**default, "suspense_account": "ACCT-SUSPENSE"}, allow_unicode=True))
    monkeypatch.setenv("AMAZON_NETSUITE_GL_MAPPING", str(mapping))
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Mystery Fee", "-4.00")]

    summary = _inspect(write_settlement(tmp_path / "s.txt", lines), capsys)
    assert summary["unmapped"] == ["Mystery Fee"] and summary["suspense"] is True and summary["blocking"] == []


def test_inspect_refuses_an_unreadable_settlement_with_a_message(tmp_path, capsys):
    no_totals = tmp_path / "no_totals.txt"
    text = settlement_text([line()]).splitlines()
    del text[1]
    no_totals.write_text("\n".join(text) + "\n")
    assert main(["reports", "inspect", str(no_totals), "--json"]) != 0
    err = capsys.readouterr().err
    assert "cannot read" in err and "should be the settlement's totals row" in err

    header_only = tmp_path / "header_only.txt"
    header_only.write_text(text[0] + "\n")
    assert main(["reports", "inspect", str(header_only), "--json"]) != 0
    assert "no totals row" in capsys.readouterr().err


def test_inspect_refuses_a_broken_gl_mapping_with_a_message(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nrules: []\n")
    monkeypatch.setenv("AMAZON_NETSUITE_GL_MAPPING", str(broken))
    assert main(["reports", "inspect", str(write_settlement(tmp_path / "s.txt", [line()])), "--json"]) != 0
    assert f"{broken}: rules" in capsys.readouterr().err
