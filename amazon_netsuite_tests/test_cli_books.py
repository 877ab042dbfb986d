"""`amazon-netsuite books trial-balance`: orders and a settlement posted to the NetSuite sandbox over HTTP, the
trial balance read back by the CLI and compared with sums computed here from the sandbox's own GL lines, per
account and currency to the cent; by month; by storefront; the balance check."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import pytest
import yaml

from amazon_netsuite.cli import main
from amazon_netsuite.lib.netsuite.trial_balance import AccountBalance, table_text, unbalanced
from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER
from amazon_netsuite.lib.gl_mapping import gl_mapping_from_dict
from amazon_netsuite.lib.settlements.posting_run import post_settlement
from amazon_netsuite_tests.conftest import DEMO_SETTINGS
from amazon_netsuite_tests.lib.settlements.settlement_builder import settlement_text
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import (
    DEFAULT_MAPPING,
    SETTINGS,
    CountingClient,
    Warehouse,
    start_netsuite,
)
from amazon_netsuite_tests.lib.settlements.test_posting_transactional import _ids, _lines, _posted

D = Decimal
HAND_MADE = "MANUAL-JE-OCTOBER"  # a journal someone entered in NetSuite: in no ledger, dated in October


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """A sandbox holding demo-US orders and their transactional settlement, a demo-CA Cash Sale and a journal
    entered by hand; the warehouse whose ledger lists what the project posted."""
    sandbox = start_netsuite(tmp_path_factory)
    warehouse = Warehouse(tmp_path_factory.mktemp("books") / "warehouse.duckdb")
    mapping = gl_mapping_from_dict({**yaml.safe_load(DEFAULT_MAPPING.read_text()),
                                    "suspense_account": "ACCT-SUSPENSE"})
    with CountingClient(sandbox) as client:
        o = _ids("114")
        _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99")
        _posted(client, warehouse, SALES_ORDER, o["B"], "MUG-CAFE-WHITE", 2, "14.99", shippingCost="4.99",
                fulfil=True, bill=True)
        _posted(client, warehouse, SALES_ORDER, o["C"], "HOODIE-GREY-L", 1, "44.99", fulfil=True)
        _posted(client, warehouse, CASH_SALE, o["E"], "KIT-SOCKS-3PK", 1, "34.99")
        warehouse.store(settlement_text(_lines(o), settlement_id="81000000001"))
        post_settlement(warehouse.connect, client, "81000000001", mapping=mapping, settings=SETTINGS)
        canadian = client.upsert(CASH_SALE, "AMZ-demo-CA-702-0000001-0000001", {
            "externalId": "AMZ-demo-CA-702-0000001-0000001", "tranDate": "2026-09-21",
            "otherRefNum": "702-0000001-0000001", "entity": {"externalId": "AMZ-CUSTOMER-demo-CA"},
            "subsidiary": {"externalId": "SUB-na"}, "currency": {"externalId": "CAD"},
            "location": {"externalId": "FBA-na"},
            "item": {"items": [{"item": {"externalId": "MUG-CAFE-WHITE"}, "quantity": 1, "rate": "18.99",
                                "price": {"id": "-1"}}]}})
        warehouse.record_order("demo-CA", "702-0000001-0000001", CASH_SALE, canadian)
        client.upsert("journalEntry", HAND_MADE, {
            "externalId": HAND_MADE, "tranDate": "2026-10-05", "subsidiary": {"externalId": "SUB-na"},
            "currency": {"externalId": "USD"}, "memo": "entered by hand",
            "line": {"items": [{"account": {"externalId": "ACCT-AMZ-ADVERTISING"}, "debit": "25.00"},
                               {"account": {"externalId": "ACCT-BANK-USD"}, "credit": "25.00"}]}})
        gl_lines = client.rows("""
            SELECT a.externalid AS account, a.accttype, t.currency, s.currency AS base, t.externalid, t.trandate,
                   t.type, tal.debit, tal.credit, t.id
            FROM transactionaccountingline tal JOIN account a ON a.id = tal.account
            JOIN transaction t ON t.id = tal.transaction JOIN subsidiary s ON s.id = t.subsidiary
            WHERE tal.posting = 'T'""")
        codes = {row["id"]: row["symbol"] for row in client.rows("SELECT id, symbol FROM currency")}
        for row in gl_lines:  # a transaction without a currency (an item fulfillment): its subsidiary's
            row["currency"] = codes[row.get("currency", row["base"])]
    yield sandbox, warehouse, gl_lines
    sandbox.stop()


@pytest.fixture
def cli(books, monkeypatch, capsys):
    """Run `amazon-netsuite books trial-balance ARGS` against the books' sandbox and warehouse."""
    sandbox, warehouse, _ = books
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(DEMO_SETTINGS))
    monkeypatch.setenv("AMAZON_NETSUITE_SANDBOX_URL", sandbox.url)

    def run(*args: str) -> tuple[int, str]:
        code = main(["books", "trial-balance", "--database", str(warehouse.path), *args])
        return code, capsys.readouterr().out

    return run


def _expected(gl_lines, keep=lambda row: True) -> list[dict]:
    """The trial balance summed here, line by line, from the sandbox's GL rows."""
    sums = defaultdict(lambda: [D(0), D(0)])
    for row in filter(keep, gl_lines):
        both = sums[(row["currency"], row["account"], row["accttype"])]
        both[0] += D(row.get("debit", "0"))
        both[1] += D(row.get("credit", "0"))
    return [{"account": a, "account_type": t, "currency": c, "debit": f"{d:.2f}", "credit": f"{k:.2f}"}
            for (c, a, t), (d, k) in sorted(sums.items())]


def _cents(rows: list[dict]) -> list[dict]:
    return [{**r, "debit": f"{D(r['debit']):.2f}", "credit": f"{D(r['credit']):.2f}"} for r in rows]


def test_the_trial_balance_is_every_gl_line_summed_per_account_and_currency_to_the_cent(books, cli):
    code, out = cli("--json")
    rows = json.loads(out)

    assert code == 0
    assert _cents(rows) == _expected(books[2])
    assert {r["currency"] for r in rows} == {"USD", "CAD"}
    assert [(r["currency"], r["account"]) for r in rows] == sorted((r["currency"], r["account"]) for r in rows)
    cogs = next(r for r in rows if r["account"] == "ACCT-COGS" and r["currency"] == "USD")
    shipped = sum(D(row.get("debit", "0")) for row in books[2] if row["type"] == "ItemShip")
    assert shipped == D("30.00") and D(cogs["debit"]) >= shipped  # item fulfillments (no currency) count
    sales = next(r for r in rows if r["account"] == "ACCT-SALES" and r["currency"] == "CAD")
    assert sales == {"account": "ACCT-SALES", "account_type": "Income", "currency": "CAD", "debit": "0",
                     "credit": "18.99"}


def test_a_period_keeps_only_the_transactions_dated_in_that_month(books, cli):
    code, out = cli("--json", "--period", "2026-10")

    assert code == 0
    october = _expected(books[2], lambda row: row["trandate"].startswith("10/") and row["trandate"].endswith("/2026"))
    assert _cents(json.loads(out)) == october
    # October holds the journal entered by hand and the settlement (deposited 2 October), not the September orders.
    assert ("ACCT-AMZ-ADVERTISING", "25.00", "0.00") in {(r["account"], r["debit"], r["credit"]) for r in october}
    assert _cents(json.loads(cli("--json", "--period", "2026-09")[1])) == _expected(
        books[2], lambda row: row["trandate"].startswith("9/"))
    code, out = cli("--json", "--period", "2026-08")
    assert (code, json.loads(out)) == (0, [])


def test_a_storefront_keeps_its_posted_records_and_those_made_from_them(books, cli):
    code, us = cli("--json", "--storefront", "demo-US")
    _, ca = cli("--json", "--storefront", "demo-CA")

    assert code == 0
    # demo-US: everything but the other storefront's Cash Sale and the journal entered by hand; the fulfillments
    # and the invoice made from its Sales Orders (no external id, in no ledger) are in.
    others = {"AMZ-demo-CA-702-0000001-0000001", HAND_MADE}
    assert _cents(json.loads(us)) == _expected(books[2], lambda row: row.get("externalid") not in others)
    assert any("externalid" not in row for row in books[2])  # records made from ours in NetSuite are counted
    assert _cents(json.loads(ca)) == _expected(
        books[2], lambda row: row.get("externalid") == "AMZ-demo-CA-702-0000001-0000001")
    code, out = cli("--json", "--storefront", "demo-DE")
    assert (code, json.loads(out)) == (0, [])


def test_the_human_table_shows_each_currency_with_a_total_that_balances(books, cli):
    code, out = cli("--storefront", "demo-US")

    assert code == 0
    total = next(line for line in out.splitlines() if line.startswith("total"))
    expected = _expected(books[2], lambda row: row.get("externalid") not in {"AMZ-demo-CA-702-0000001-0000001",
                                                                            HAND_MADE})
    debits = sum(D(r["debit"]) for r in expected)
    assert total.split()[1:] == [f"{debits:.2f}", f"{debits:.2f}", "balanced"]
    assert "debit (USD)" in out and "CAD" not in out


def test_a_result_that_does_not_balance_is_reported_and_named_by_currency():
    rows = [AccountBalance("ACCT-BANK-USD", "Bank", "USD", D("10.00"), D(0)),
            AccountBalance("ACCT-SALES", "Income", "USD", D(0), D("9.99")),
            AccountBalance("ACCT-SALES", "Income", "CAD", D("1.00"), D("1.00"))]

    assert unbalanced(rows) == {"USD": D("0.01")}
    assert "NOT balanced: debits − credits = 0.01" in table_text(rows)
    assert "balanced" in table_text(rows[2:]) and "NOT" not in table_text(rows[2:])


def test_the_command_exits_non_zero_when_the_books_do_not_balance(books, cli, monkeypatch):
    import amazon_netsuite.lib.netsuite.trial_balance as module

    real = module.trial_balance
    monkeypatch.setattr(module, "trial_balance", lambda *a, **k: [
        *real(*a, **k), AccountBalance("ACCT-SUSPENSE", "OthCurrLiab", "USD", D("0.01"), D(0))])
    code, out = cli()

    assert code == 1
    assert "NOT balanced: debits − credits = 0.01" in out
