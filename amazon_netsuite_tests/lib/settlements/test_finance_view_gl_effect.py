"""The finance view's trial-balance effect: a posted settlement's is what its NetSuite records and the order records
it settles put on the books, read back by SuiteQL from the sandbox over HTTP; an unposted one's is the GL summary,
labelled expected."""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from decimal import Decimal

import yaml

from amazon_netsuite.lib.orders.posting import CASH_SALE
from amazon_netsuite.lib.settlements.finance_view import finance_view_markdown, gl_effect, gl_effect_markdown
from amazon_netsuite.lib.gl_mapping import gl_mapping_from_dict
from amazon_netsuite.lib.settlements.posting_run import post_settlement
from amazon_netsuite_tests.lib.settlements.settlement_builder import settlement_text, us_settlement_lines
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import DEFAULT_MAPPING, SETTINGS
from amazon_netsuite_tests.lib.settlements.test_posting_transactional import _ids, _posted, _setup

D = Decimal


def _effect(warehouse, settlement_id, netsuite):
    with warehouse.connect() as con:
        return gl_effect(con, storefront="demo-US", settlement_id=settlement_id, ledger_account="sandbox",
                         netsuite=netsuite)


def _gl_by_account(client, keep) -> dict[str, tuple[Decimal, Decimal]]:
    """Debit and credit per account, summed here from the sandbox's GL lines of the transactions `keep` accepts."""
    sums = defaultdict(lambda: [D(0), D(0)])
    for row in client.rows("""
            SELECT a.externalid AS account, t.externalid, t.type, ml.createdfrom, tal.debit, tal.credit
            FROM transactionaccountingline tal JOIN account a ON a.id = tal.account
            JOIN transaction t ON t.id = tal.transaction
            JOIN transactionline ml ON ml.transaction = t.id AND ml.mainline = 'T'
            WHERE tal.posting = 'T'"""):
        if keep(row):
            sums[row["account"]][0] += D(row.get("debit", "0"))
            sums[row["account"]][1] += D(row.get("credit", "0"))
    return {account: (debit, credit) for account, (debit, credit) in sums.items()}


def test_a_posted_settlements_effect_is_the_gl_of_its_records_and_the_orders_it_settles(warehouse, client):
    mapping = gl_mapping_from_dict({**yaml.safe_load(DEFAULT_MAPPING.read_text()),
                                    "suspense_account": "ACCT-SUSPENSE"})
    o, ids = _setup(client, warehouse, "115", "82000000001")
    post_settlement(warehouse.connect, client, "82000000001", mapping=mapping, settings=SETTINGS)
    elsewhere = _ids("116")["A"]  # an order of no settlement yet: not part of this one
    other = _posted(client, warehouse, CASH_SALE, elsewhere, "TSHIRT-RED-M", 2, "19.99")

    effect = _effect(warehouse, "82000000001", lambda: nullcontext(client))

    settled = {ids[k] for k in "ABCE"}  # D's Sales Order posts nothing; F was never posted
    expected = _gl_by_account(client, lambda row: row.get("externalid", "").startswith("AMZ-STL-82000000001-")
                              or row.get("createdfrom") in settled
                              or (row.get("externalid") or "").removeprefix("AMZ-demo-US-") in {o[k] for k in "ABCE"})
    assert effect.posted and effect.settlement_records == 6 and effect.order_records >= 4
    assert {b.account: (b.debit, b.credit) for b in effect.balances} == expected
    assert other not in settled and expected != _gl_by_account(client, lambda row: True)  # the other sale is out
    assert sum(b.debit for b in effect.balances) == sum(b.credit for b in effect.balances)
    sales = next(b for b in effect.balances if b.account == "ACCT-SALES")
    assert (sales.account_type, sales.currency) == ("Income", "USD")
    assert "(posted, read back from NetSuite: 6 settlement record(s)" in gl_effect_markdown(effect)


def test_an_unposted_settlement_shows_the_expected_effect_from_its_gl_summary_labelled_so(warehouse):
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="82000000002"))

    def no_netsuite():
        raise AssertionError("an unposted settlement needs nothing from NetSuite")

    effect = _effect(warehouse, "82000000002", no_netsuite)

    summary = dict((a, (d, c)) for a, d, c in warehouse.rows(
        "SELECT gl_account, sum(debit), sum(credit) FROM settlement_gl_summary WHERE settlement_id = '82000000002' "
        "GROUP BY 1"))
    assert not effect.posted
    assert {b.account: (b.debit, b.credit) for b in effect.balances} == summary
    assert summary["ACCT-SALES"] == (D("0.00"), D("144.49"))
    markdown = finance_view_markdown([], settlement_id="82000000002", currency="USD", deposit_day="2026-10-02",
                                     storefront="demo-US", effect=effect)
    assert "**Trial-balance effect: expected (not posted)**" in markdown
    assert "| ACCT-SALES |  | 0.00 | 144.49 |" in markdown
