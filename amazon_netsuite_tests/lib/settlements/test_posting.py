"""Summary posting (A2X style) through the NetSuite sandbox over HTTP, from a real DuckDB warehouse: one balanced
journal and a deposit equal to the bank amount, tied to the GL summary to the cent by SuiteQL; a negative settlement
as a debit journal; re-runs that send nothing; refusals that post nothing; NetSuite refusing one record."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from amazon_netsuite.lib.gl_mapping import GlMappingError, gl_mapping_from_dict, load_gl_mapping
from amazon_netsuite.lib.settlements.posting import (
    JournalNotBalanced,
    Settlement,
    SettlementNotPostable,
    amount_text,
    summary_journals,
)
from amazon_netsuite.lib.settlements.posting_run import post_settlement
from amazon_netsuite.lib.settlements.stored_settlement import FLOW
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    fee,
    line,
    period,
    settlement_text,
    us_settlement_lines,
)
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import (
    DEFAULT_MAPPING,
    SETTINGS,
    SUMMARY_SETTINGS,
)

D = Decimal


@pytest.fixture(scope="module")
def mapping():
    return load_gl_mapping(DEFAULT_MAPPING)


def _post(warehouse, client, settlement_id, mapping, settings=SUMMARY_SETTINGS):
    """Post in summary mode: the storefronts' orders do not post (post_orders: false)."""
    return post_settlement(warehouse.connect, client, settlement_id, mapping=mapping, settings=settings)


def _gl(client, *external_ids) -> dict[str, Decimal]:
    """Net (credit − debit) per account of the GL lines NetSuite posted for these transactions."""
    marks = ", ".join("?" for _ in external_ids)
    rows = client.rows(f"""
        SELECT acc.externalid AS account, SUM(NVL(a.debit, 0)) AS debit, SUM(NVL(a.credit, 0)) AS credit
        FROM transactionaccountingline a JOIN transaction t ON t.id = a.transaction
        JOIN account acc ON acc.id = a.account
        WHERE t.externalid IN ({marks}) GROUP BY acc.externalid""", list(external_ids))
    return {r["account"]: D(r["credit"]) - D(r["debit"]) for r in rows}


def _summary_net(warehouse, settlement_id) -> dict[str, Decimal]:
    rows = warehouse.rows("SELECT gl_account, sum(credit) - sum(debit) FROM settlement_gl_summary "
                          "WHERE settlement_id = ? GROUP BY 1", [settlement_id])
    return {account: net for account, net in rows if net}


def test_a_settlement_posts_one_balanced_journal_and_a_deposit_that_tie_to_the_gl_summary(warehouse, client,
                                                                                         mapping):
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="70000000001"))

    result = _post(warehouse, client, "70000000001", mapping)

    assert result.mode == "summary"
    assert result.posted == {"journalEntry": 1, "deposit": 1} and not result.failed and not result.unchanged
    assert set(result.records) == {"journalEntry", "deposit"}
    assert set(result.records["journalEntry"]) == {"AMZ-STL-70000000001-JE"}
    assert result.deposit_amount == D("54.97")
    # Per account, what NetSuite posted is the GL summary to the cent; clearing is emptied into the bank.
    posted = _gl(client, "AMZ-STL-70000000001-JE", "AMZ-STL-70000000001-DEP")
    assert posted.pop("ACCT-AMZ-CLEARING") == 0
    assert posted.pop("ACCT-FACILITATOR-TAX-CLEARING") == 0  # Amazon remits what it collected
    assert posted == _summary_net(warehouse, "70000000001") == {
        "ACCT-SALES": D("144.49"), "ACCT-SHIPPING-INCOME": D("4.99"), "ACCT-PROMOTIONS": D("-2.00"),
        "ACCT-REFUNDS": D("-19.99"), "ACCT-AMZ-SELLING-FEES": D("-0.60"), "ACCT-AMZ-FBA-FEES": D("-3.22"),
        "ACCT-AMZ-STORAGE-FEES": D("-12.34"), "ACCT-AMZ-SUBSCRIPTION": D("-39.99"),
        "ACCT-AMZ-ADVERTISING": D("-15.00"), "ACCT-REIMBURSEMENTS": D("8.63"), "ACCT-AMZ-RESERVE": D("-10.00"),
        "ACCT-BANK-USD": D("-54.97"),
    }
    headers = {r["externalid"]: r for r in client.rows("""
        SELECT t.externalid, t.type, t.trandate, t.foreigntotal, t.memo, s.externalid AS subsidiary,
               c.symbol AS currency
        FROM transaction t JOIN subsidiary s ON s.id = t.subsidiary JOIN currency c ON c.id = t.currency
        WHERE t.externalid LIKE 'AMZ-STL-70000000001-%'""")}
    journal, deposit = headers["AMZ-STL-70000000001-JE"], headers["AMZ-STL-70000000001-DEP"]
    assert (journal["type"], deposit["type"]) == ("Journal", "Deposit")
    assert D(deposit["foreigntotal"]) == D("54.97")  # the bank amount, total-amount
    assert journal["trandate"] == deposit["trandate"] == "10/4/2026"  # the deposit date
    assert journal["memo"] == "Amazon settlement 70000000001 (demo-US, 2026-09-18 to 2026-10-02)"
    assert (journal["subsidiary"], journal["currency"]) == ("SUB-na", "USD")
    # The journal's own lines: debits equal credits, the clearing line carries the total-amount.
    lines = client.rows("""
        SELECT a.externalid AS account, tl.debitforeignamount AS debit, tl.creditforeignamount AS credit
        FROM transactionline tl JOIN transaction t ON t.id = tl.transaction JOIN account a ON a.id = tl.account
        WHERE t.externalid = 'AMZ-STL-70000000001-JE' AND tl.mainline = 'F' ORDER BY tl.id""")
    assert sum(D(r.get("debit") or 0) for r in lines) == sum(D(r.get("credit") or 0) for r in lines) == D("159.71")
    assert [r for r in lines if r["account"] == "ACCT-AMZ-CLEARING"] == [
        {"account": "ACCT-AMZ-CLEARING", "debit": "54.97"}]
    # Facilitator tax passes through its clearing account gross: collected from the buyer, withheld by Amazon.
    assert [r for r in lines if r["account"] == "ACCT-FACILITATOR-TAX-CLEARING"] == [
        {"account": "ACCT-FACILITATOR-TAX-CLEARING", "credit": "1.6"},
        {"account": "ACCT-FACILITATOR-TAX-CLEARING", "debit": "1.6"}]
    with warehouse.connect() as con:
        ledger = con.execute("SELECT key, record_type, status, attempts FROM netsuite_postings WHERE flow = ? "
                             "ORDER BY key", [FLOW]).fetchall()
    assert ledger == [("70000000001:deposit", "deposit", "posted", 1),
                      ("70000000001:journal", "journalEntry", "posted", 1)]


def test_running_it_again_sends_nothing(warehouse, client, mapping):
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="70000000002"))
    first = _post(warehouse, client, "70000000002", mapping)
    writes = sum(client.writes.values())
    assert writes == 2 and sum(first.posted.values()) == 2

    again = _post(warehouse, client, "70000000002", mapping)

    assert sum(client.writes.values()) == writes  # no request at all went to the record API
    assert not again.posted and again.unchanged == {"journalEntry": 1, "deposit": 1}
    assert again.records == first.records
    count = client.rows("SELECT COUNT(*) AS n FROM transaction WHERE externalid LIKE 'AMZ-STL-70000000002-%'")
    assert count == [{"n": "2"}]
    assert warehouse.rows("SELECT max(attempts) FROM netsuite_postings WHERE flow = 'settlements'") == [(1,)]


def test_a_negative_settlement_posts_a_journal_owing_its_balance_to_amazon_and_leaves_the_bank_alone(
        warehouse, client, mapping):
    lines = [line(amount=D("10.00")), fee("Commission", "-1.50"),
             period("other-transaction", "other-transaction", "Storage Fee", "-12.34"),
             period("other-transaction", "other-transaction", "Subscription", "-39.99")]
    warehouse.store(settlement_text(lines, settlement_id="70000000003"))

    result = _post(warehouse, client, "70000000003", mapping)

    assert result.posted == {"journalEntry": 2} and not result.failed
    assert set(result.records["journalEntry"]) == {"AMZ-STL-70000000003-JE", "AMZ-STL-70000000003-DEBIT"}
    assert "deposit" not in result.records and result.deposit_amount == 0
    assert client.rows("SELECT COUNT(*) AS n FROM transaction WHERE externalid = 'AMZ-STL-70000000003-DEP'") == [
        {"n": "0"}]
    posted = _gl(client, "AMZ-STL-70000000003-JE", "AMZ-STL-70000000003-DEBIT")
    assert posted.pop("ACCT-AMZ-CLEARING") == 0
    assert posted == _summary_net(warehouse, "70000000003")
    assert posted["ACCT-AMZ-BALANCE"] == D("43.83") and "ACCT-BANK-USD" not in posted  # owed, not paid
    assert _gl(client, "AMZ-STL-70000000003-DEBIT") == {"ACCT-AMZ-CLEARING": D("-43.83"),
                                                        "ACCT-AMZ-BALANCE": D("43.83")}


def test_a_settlement_whose_journal_would_not_balance_is_refused_and_nothing_is_posted(warehouse, client,
                                                                                       mapping):
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="70000000004", total=D("60.00")))

    with pytest.raises(JournalNotBalanced) as refused:
        _post(warehouse, client, "70000000004", mapping)

    assert str(refused.value).startswith(
        "The journal of settlement 70000000004 (AMZ-STL-70000000004-JE) does not balance: debits 164.74 USD, "
        "credits 159.71 USD (difference 5.03); nothing was posted.")
    assert not client.writes
    assert warehouse.rows("SELECT count(*) FROM netsuite_postings WHERE flow = 'settlements'") == [(0,)]
    assert client.rows("SELECT COUNT(*) AS n FROM transaction WHERE externalid LIKE 'AMZ-STL-70000000004-%'") == [
        {"n": "0"}]


def test_a_settlement_with_an_unmapped_line_is_refused_before_anything_is_sent(warehouse, client, mapping):
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "Brand new fee", "-1.00")]
    warehouse.store(settlement_text(lines, settlement_id="70000000005"))

    with pytest.raises(SettlementNotPostable, match="settlement 70000000005: 1 line\\(s\\) have no GL account"):
        _post(warehouse, client, "70000000005", mapping)
    assert not client.writes


def with_unknown_storage_account(account: str, **changes):
    """The default mapping with storage fees on `account`, which NetSuite's chart does not have (yet): NetSuite
    refuses a journal naming it with 400 INVALID_KEY_OR_REF. Each test names its own (the sandbox is shared)."""
    raw = yaml.safe_load(DEFAULT_MAPPING.read_text())
    raw["accounts"][account] = {"name": "Storage (new account)", "section": "fees"}
    raw["rules"].insert(0, {"amount_description": "Storage Fee", "account": account})
    return gl_mapping_from_dict({**raw, **changes})


def create_account(client, account: str) -> None:
    """What the accountant does about the refusal: create the account in NetSuite."""
    client.upsert("account", account, {"acctName": "Storage (new account)", "acctType": {"id": "Expense"}})


def _in_netsuite(client, *external_ids) -> dict[str, int]:
    """How many transactions NetSuite holds under each external id."""
    marks = ", ".join("?" for _ in external_ids)
    counts = {r["externalid"]: int(r["n"]) for r in client.rows(
        f"SELECT externalid, COUNT(*) AS n FROM transaction WHERE externalid IN ({marks}) GROUP BY externalid",
        list(external_ids))}
    return {eid: counts.get(eid, 0) for eid in external_ids}


def _open_errors(warehouse, settlement_id) -> dict[str, tuple[str, str]]:
    return {key: (error_class, message) for key, error_class, message in warehouse.rows(
        "SELECT key, error_class, message FROM integration_errors WHERE flow = 'settlements' AND resolved IS NULL "
        "AND starts_with(key, ?)", [f"{settlement_id}:"])}


def test_netsuite_refusing_the_journal_holds_the_deposit_back_until_a_later_run_posts_both(warehouse, client):
    """The deposit empties the clearing account the journal fills: sent alone, it would take 54.97 out of a
    clearing account that never received it."""
    unknown_account = with_unknown_storage_account("ACCT-STORAGE-NEW")
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="70000000006"), mapping=unknown_account)
    je, dep = "AMZ-STL-70000000006-JE", "AMZ-STL-70000000006-DEP"

    result = _post(warehouse, client, "70000000006", unknown_account)

    assert _in_netsuite(client, je, dep) == {je: 0, dep: 0}
    assert not result.posted and result.failed == {"journalEntry": 1} and result.waiting == {"deposit": 1}
    assert result.errors_by_class == {"mapping": 1}
    errors = _open_errors(warehouse, "70000000006")
    assert set(errors) == {"70000000006:journal", "70000000006:deposit"}
    error_class, message = errors["70000000006:journal"]
    assert error_class == "mapping"
    assert f"journal {je}" in message and "Invalid account reference key ACCT-STORAGE-NEW" in message
    error_class, message = errors["70000000006:deposit"]
    assert error_class == "mapping"  # the cause's class: fixing the mapping releases the deposit too
    assert message.startswith(f"deposit {dep} (storefront demo-US) waits for journal {je}, which is not in NetSuite")
    assert warehouse.rows("SELECT key, status, internal_id FROM netsuite_postings WHERE flow = 'settlements' "
                          "ORDER BY key") == [("70000000006:deposit", "failed", None),
                                              ("70000000006:journal", "failed", None)]

    # Run again before anyone fixed it: still nothing in NetSuite, still one open error per record.
    again = _post(warehouse, client, "70000000006", unknown_account)
    assert _in_netsuite(client, je, dep) == {je: 0, dep: 0} and again.waiting == {"deposit": 1}
    assert len(_open_errors(warehouse, "70000000006")) == 2

    create_account(client, "ACCT-STORAGE-NEW")
    retried = _post(warehouse, client, "70000000006", unknown_account)

    assert retried.posted == {"journalEntry": 1, "deposit": 1} and not retried.failed and not retried.waiting
    assert _in_netsuite(client, je, dep) == {je: 1, dep: 1}
    assert warehouse.rows("SELECT key, resolution FROM integration_errors WHERE starts_with(key, '70000000006:') "
                          "ORDER BY key") == [("70000000006:deposit", "posted"), ("70000000006:journal", "posted")]
    posted = _gl(client, je, dep)
    assert posted.pop("ACCT-AMZ-CLEARING") == 0 and posted["ACCT-STORAGE-NEW"] == D("-12.34")
    assert posted["ACCT-BANK-USD"] == D("-54.97")


def test_a_negative_settlements_debit_journal_waits_for_its_journal_too(warehouse, client):
    unknown_account = with_unknown_storage_account("ACCT-STORAGE-NEGATIVE")
    lines = [line(amount=D("10.00")), period("other-transaction", "other-transaction", "Storage Fee", "-12.34")]
    warehouse.store(settlement_text(lines, settlement_id="70000000009"), mapping=unknown_account)
    je, debit = "AMZ-STL-70000000009-JE", "AMZ-STL-70000000009-DEBIT"

    result = _post(warehouse, client, "70000000009", unknown_account)

    assert _in_netsuite(client, je, debit) == {je: 0, debit: 0}
    assert result.failed == {"journalEntry": 1} and result.waiting == {"journalEntry": 1}
    assert set(_open_errors(warehouse, "70000000009")) == {"70000000009:journal", "70000000009:debit"}

    create_account(client, "ACCT-STORAGE-NEGATIVE")
    retried = _post(warehouse, client, "70000000009", unknown_account)
    assert retried.posted == {"journalEntry": 2} and _in_netsuite(client, je, debit) == {je: 1, debit: 1}
    assert _open_errors(warehouse, "70000000009") == {}


def test_a_settlement_posted_in_one_mode_is_not_posted_again_in_the_other(warehouse, client, mapping):
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="70000000008"))
    _post(warehouse, client, "70000000008", mapping)
    writes = sum(client.writes.values())

    # Order posting turned on for the storefront afterwards: its settlements now post transactionally.
    with pytest.raises(SettlementNotPostable, match="settlement 70000000008 was posted in summary mode "
                                                    "\\(AMZ-STL-70000000008-JE\\); posting it in transactional mode"):
        _post(warehouse, client, "70000000008", mapping, settings=SETTINGS)
    assert sum(client.writes.values()) == writes


def test_a_summary_journal_is_refused_for_a_settlement_of_orders_that_were_posted(warehouse, client, mapping):
    """Order posting turned off after orders posted: their revenue is on their Cash Sales already."""
    warehouse.record_order("demo-US", "111-0000010-0000010", "cashSale", "999999")
    warehouse.store(settlement_text([line(order_id="111-0000010-0000010"), line(order_id="111-0000011-0000011")],
                                    settlement_id="70000000010"))
    writes = sum(client.writes.values())

    with pytest.raises(SettlementNotPostable, match="settlement 70000000010: 1 of its orders were posted to NetSuite "
                                                    "as Cash Sales or Sales Orders \\(first: 111-0000010-0000010\\) "
                                                    "and carry their revenue; a summary journal would book it again"):
        _post(warehouse, client, "70000000010", mapping)
    assert sum(client.writes.values()) == writes


def test_a_euro_settlement_posts_to_its_regions_subsidiary_and_euro_bank(warehouse, client, mapping):
    # Posted-dates as a German file writes them (a US date would be read as 10 February and post in February).
    de = dict(marketplace_name="Amazon.de", sku="TSHIRT-RED-M", posted_date="02.10.2026")
    lines = [line(amount=D("1234.56"), **de), fee("Commission", "-185.18", **de),
             period("other-transaction", "other-transaction", "Subscription", "-39.00", marketplace_name="Amazon.de",
                    posted_date="02.10.2026")]
    warehouse.store(settlement_text(lines, settlement_id="70000000007", currency="EUR", decimal_comma=True,
                                    grouping=True, deposit="04.10.2026"), storefront="demo-DE")

    result = _post(warehouse, client, "70000000007", mapping)

    assert result.posted == {"journalEntry": 1, "deposit": 1}
    rows = client.rows("""
        SELECT t.externalid, s.externalid AS subsidiary, c.symbol AS currency, t.foreigntotal
        FROM transaction t JOIN subsidiary s ON s.id = t.subsidiary JOIN currency c ON c.id = t.currency
        WHERE t.externalid LIKE 'AMZ-STL-70000000007-%' ORDER BY t.externalid""")
    assert [(r["externalid"], r["subsidiary"], r["currency"]) for r in rows] == [
        ("AMZ-STL-70000000007-DEP", "SUB-eu", "EUR"), ("AMZ-STL-70000000007-JE", "SUB-eu", "EUR")]
    assert _gl(client, "AMZ-STL-70000000007-DEP") == {"ACCT-BANK-EUR": D("-1010.38"),
                                                     "ACCT-AMZ-CLEARING": D("1010.38")}


# --- payloads and options, without NetSuite ---------------------------------------------------------------------


def test_amounts_go_out_at_the_currencys_minor_unit_and_finer_ones_are_refused():
    assert (amount_text(D("12.3"), "USD"), amount_text(D("1500"), "JPY"), amount_text(D("1.234"), "KWD")) == (
        "12.30", "1500", "1.234")
    with pytest.raises(SettlementNotPostable, match="amount 0.005 has digits below the USD minor unit"):
        amount_text(D("0.005"), "USD")


def test_a_journal_from_a_summary_of_another_total_is_refused(mapping):
    from datetime import datetime

    settlement = Settlement("1", "demo-US", "USD", D("10.00"), datetime(2026, 10, 4))
    summary = [
        {"gl_account": "ACCT-BANK-USD", "currency": "USD", "side": "deposit", "debit": D("12.00"), "credit": D(0),
         "line_count": 0},
        {"gl_account": "ACCT-SALES", "currency": "USD", "side": "lines", "debit": D(0), "credit": D("12.00"),
         "line_count": 1},
    ]
    with pytest.raises(SettlementNotPostable, match="the GL summary's deposit is 12.00 USD but the total-amount is "
                                                    "10.00 USD"):
        summary_journals(settlement, summary, mapping, "SUB-na")
    with pytest.raises(SettlementNotPostable, match="has no rows in settlement_gl_summary"):
        summary_journals(settlement, [], mapping, "SUB-na")


def test_posting_options_have_defaults_and_are_validated():
    raw = yaml.safe_load(DEFAULT_MAPPING.read_text())
    mapping = gl_mapping_from_dict(raw)
    assert (mapping.clearing_account, mapping.facilitator_tax_account) == ("ACCT-AMZ-CLEARING",
                                                                          "ACCT-FACILITATOR-TAX-CLEARING")
    assert (mapping.bank_account("USD"), mapping.bank_account("GBP")) == ("ACCT-BANK-USD", "ACCT-BANK-GBP")
    assert mapping.subsidiary("demo-US", "na") == "SUB-na"
    chosen = gl_mapping_from_dict({**raw, "subsidiaries": {"demo-CA": "SUB-CA", "eu": "SUB-EUROPE"}})
    assert (chosen.subsidiary("demo-CA", "na"), chosen.subsidiary("demo-US", "na"),
            chosen.subsidiary("demo-DE", "eu")) == ("SUB-CA", "SUB-na", "SUB-EUROPE")
    for change, message in [({"posting_mode": "summary"}, "posting_mode: no longer read here. A settlement posts "
                                                          "transactionally when the project posts its storefront's "
                                                          "orders"),
                            ({"facilitator_tax_account": "ACCT-NOPE"},
                             "facilitator_tax_account: account 'ACCT-NOPE' is not declared"),
                            ({"subsidiaries": {"demo-US": "SUB na"}}, "subsidiaries.demo-US: String should match")]:
        with pytest.raises(GlMappingError, match=message):
            gl_mapping_from_dict({**raw, **change})
