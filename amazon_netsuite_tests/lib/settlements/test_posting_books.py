"""The books a settlement leaves, read back from the NetSuite sandbox's GL impact (transactionaccountingline) by
SuiteQL: a negative settlement owed to Amazon instead of taken from the bank, a settlement spanning a month end in
one part per month, and summary journals that book VAT and seller-collected tax themselves."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import pytest
import yaml

from amazon_netsuite.lib.orders.posting import SALES_ORDER
from amazon_netsuite.lib.gl_mapping import gl_mapping_from_dict, load_gl_mapping
from amazon_netsuite.lib.settlements.posting import Line, Settlement, payment
from amazon_netsuite.lib.settlements.posting_run import post_settlement
from amazon_netsuite.sandbox.world.markets import market_for
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    fee,
    line,
    period,
    settlement_text,
    us_settlement_lines,
)
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import DEFAULT_MAPPING, SETTINGS, SUMMARY_SETTINGS

D = Decimal
OT = "other-transaction"


@pytest.fixture(scope="module")
def mapping():
    return load_gl_mapping(DEFAULT_MAPPING)


def _with(**changes):
    return gl_mapping_from_dict({**yaml.safe_load(DEFAULT_MAPPING.read_text()), **changes})


def _post(warehouse, client, settlement_id, mapping, *, transactional: bool = False):
    """Post in summary mode (the storefront's orders not posted) unless `transactional` (they are)."""
    settings = SETTINGS if transactional else SUMMARY_SETTINGS
    return post_settlement(warehouse.connect, client, settlement_id, mapping=mapping, settings=settings)


def _gl_lines(client, pattern: str) -> list[dict]:
    """Every GL line of the transactions whose external id is LIKE `pattern`, with its transaction's date."""
    return client.rows("""
        SELECT t.externalid AS transaction, t.trandate, acc.externalid AS account, a.debit, a.credit
        FROM transactionaccountingline a JOIN transaction t ON t.id = a.transaction
        JOIN account acc ON acc.id = a.account
        WHERE t.externalid LIKE ? AND a.posting = 'T'""", [pattern])


def _net(rows, key=lambda r: r["account"]) -> dict:
    """Credit − debit per key, zero keys left out."""
    totals: dict = defaultdict(Decimal)
    for r in rows:
        totals[key(r)] += D(r.get("credit") or 0) - D(r.get("debit") or 0)
    return {k: v for k, v in totals.items() if v}


def _month(trandate: str) -> str:
    month, _, year = trandate.split("/")
    return f"{year}-{int(month):02d}"


# --- Amazon's balance ---------------------------------------------------------------------------------------------


def test_a_negative_settlement_repaid_from_the_next_leaves_the_amazon_balance_at_zero_and_the_bank_untouched(
        warehouse, client, mapping):
    warehouse.store(settlement_text([period(OT, OT, "Storage Fee", "-50.00")], settlement_id="71000000001"))
    # Amazon takes what it is owed out of the next settlement.
    warehouse.store(settlement_text([line(amount=D("80.00")), period(OT, OT, "Payable to Amazon", "-50.00")],
                                    settlement_id="71000000002", start="2026-10-02 00:00:00 UTC",
                                    end="2026-10-16 00:00:00 UTC", deposit="2026-10-18 00:00:00 UTC"))

    negative = _post(warehouse, client, "71000000001", mapping)
    assert negative.posted == {"journalEntry": 2} and negative.deposit_amount == 0
    assert _net(_gl_lines(client, "AMZ-STL-71000000001-%")) == {
        "ACCT-AMZ-STORAGE-FEES": D("-50.00"), "ACCT-AMZ-BALANCE": D("50.00")}  # owed to Amazon; bank untouched
    _post(warehouse, client, "71000000002", mapping)

    both = [*_gl_lines(client, "AMZ-STL-71000000001-%"), *_gl_lines(client, "AMZ-STL-71000000002-%")]
    books = _net(both)
    assert "ACCT-AMZ-BALANCE" not in books  # repaid: zero
    assert books == {"ACCT-AMZ-STORAGE-FEES": D("-50.00"), "ACCT-SALES": D("80.00"),
                     "ACCT-BANK-USD": D("-30.00")}  # the bank got only the second deposit
    memo = client.rows("SELECT memo FROM transaction WHERE externalid = 'AMZ-STL-71000000001-DEBIT'")
    assert memo == [{"memo": "Amazon settlement 71000000001 (demo-US, 2026-09-18 to 2026-10-02): negative balance "
                             "owed to Amazon"}]


# --- periods ------------------------------------------------------------------------------------------------------

JUNE_JULY = dict(start="2026-06-25 00:00:00 UTC", end="2026-07-09 00:00:00 UTC", deposit="2026-07-11 00:00:00 UTC")


def _june_july_lines() -> list[dict]:
    june, july = dict(posted_date="06/28/26"), dict(posted_date="07/05/26")
    return [line(amount=D("50.00"), **june), fee("Commission", "-7.50", **june),
            period(OT, OT, "Storage Fee", "-12.34", posted_date="06/30/26"),
            line(order_id="111-0000002-0000002", amount=D("30.00"), **july),
            fee("Commission", "-4.50", order_id="111-0000002-0000002", **july),
            period(OT, OT, "Subscription", "-39.99", posted_date=""),  # no posted date: the deposit month
            period(OT, OT, "Previous Reserve Amount Balance", "100.00", posted_date="07/09/26")]


def test_a_settlement_spanning_june_and_july_posts_a_journal_per_month_each_dated_in_it(warehouse, client, mapping):
    warehouse.store(settlement_text(_june_july_lines(), settlement_id="72000000001", **JUNE_JULY))

    result = _post(warehouse, client, "72000000001", mapping)

    assert result.posted == {"journalEntry": 2, "deposit": 1} and not result.failed
    rows = _gl_lines(client, "AMZ-STL-72000000001-%")
    dates = {r["transaction"]: r["trandate"] for r in rows}
    assert dates == {"AMZ-STL-72000000001-JE-202606": "6/30/2026", "AMZ-STL-72000000001-JE": "7/11/2026",
                     "AMZ-STL-72000000001-DEP": "7/11/2026"}
    for journal in ("AMZ-STL-72000000001-JE-202606", "AMZ-STL-72000000001-JE"):  # each balanced
        mine = [r for r in rows if r["transaction"] == journal]
        assert sum(D(r.get("debit") or 0) for r in mine) == sum(D(r.get("credit") or 0) for r in mine) > 0
    # June's journal holds exactly June's lines, against clearing.
    assert _net([r for r in rows if r["transaction"].endswith("-202606")]) == {
        "ACCT-SALES": D("50.00"), "ACCT-AMZ-SELLING-FEES": D("-7.50"), "ACCT-AMZ-STORAGE-FEES": D("-12.34"),
        "ACCT-AMZ-CLEARING": D("-30.16")}
    # Clearing nets to zero over all parts; the bank gets the total-amount.
    books = _net(rows)
    assert "ACCT-AMZ-CLEARING" not in books and books["ACCT-BANK-USD"] == D("-115.67")
    # The trial balance by month (trandate): June's revenue in June.
    by_month = _net(rows, key=lambda r: (_month(r["trandate"]), r["account"]))
    assert (by_month[("2026-06", "ACCT-SALES")], by_month[("2026-07", "ACCT-SALES")]) == (D("50.00"), D("30.00"))
    assert by_month[("2026-07", "ACCT-AMZ-SUBSCRIPTION")] == D("-39.99")

    writes = sum(client.writes.values())
    again = _post(warehouse, client, "72000000001", mapping)
    assert sum(client.writes.values()) == writes and not again.posted
    assert again.unchanged == {"journalEntry": 2, "deposit": 1}
    assert warehouse.rows("SELECT key FROM netsuite_postings WHERE flow = 'settlements' ORDER BY key") == [
        ("72000000001:deposit",), ("72000000001:journal",), ("72000000001:journal:202606",)]


def test_with_split_at_month_end_off_a_settlement_spanning_a_month_end_posts_one_journal_on_the_deposit_date(
        warehouse, client):
    warehouse.store(settlement_text(_june_july_lines(), settlement_id="72000000002", **JUNE_JULY))

    result = _post(warehouse, client, "72000000002", _with(split_at_month_end=False))

    assert result.posted == {"journalEntry": 1, "deposit": 1}
    rows = _gl_lines(client, "AMZ-STL-72000000002-%")
    assert {r["transaction"]: r["trandate"] for r in rows} == {"AMZ-STL-72000000002-JE": "7/11/2026",
                                                               "AMZ-STL-72000000002-DEP": "7/11/2026"}
    assert _net(rows)["ACCT-SALES"] == D("80.00")


def test_in_transactional_mode_the_fee_journal_posts_per_month_too(warehouse, client, mapping):
    lines = [period(OT, OT, "Storage Fee", "-12.34", posted_date="06/30/26"),
             period(OT, OT, "Subscription", "-39.99", posted_date="07/01/26"),
             period(OT, OT, "Previous Reserve Amount Balance", "100.00", posted_date="07/01/26")]
    warehouse.store(settlement_text(lines, settlement_id="72000000003", **JUNE_JULY))

    result = _post(warehouse, client, "72000000003", mapping, transactional=True)

    assert result.posted == {"journalEntry": 2, "deposit": 1}
    rows = _gl_lines(client, "AMZ-STL-72000000003-%")
    assert {r["transaction"]: r["trandate"] for r in rows} == {"AMZ-STL-72000000003-FEES-202606": "6/30/2026",
                                                               "AMZ-STL-72000000003-FEES": "7/11/2026",
                                                               "AMZ-STL-72000000003-DEP": "7/11/2026"}
    assert _net([r for r in rows if r["transaction"].endswith("-202606")]) == {
        "ACCT-AMZ-STORAGE-FEES": D("-12.34"), "ACCT-AMZ-CLEARING": D("12.34")}
    assert "ACCT-AMZ-CLEARING" not in _net(rows)


def test_in_transactional_mode_a_june_sale_is_paid_in_june_and_its_fees_book_in_june(warehouse, client, mapping):
    order_id = "111-0000720-0000004"
    order = {"externalId": f"AMZ-demo-US-{order_id}", "tranDate": "2026-06-20", "otherRefNum": order_id,
             "entity": {"externalId": "AMZ-CUSTOMER-demo-US"}, "subsidiary": {"externalId": "SUB-na"},
             "currency": {"externalId": "USD"}, "location": {"externalId": "WH-na"}, "orderStatus": {"id": "B"},
             "item": {"items": [{"item": {"externalId": "MUG-CAFE-WHITE"}, "quantity": 2, "rate": "14.99",
                                 "price": {"id": "-1"}}]}}
    internal_id = client.upsert(SALES_ORDER, order["externalId"], order)
    warehouse.record_order("demo-US", order_id, SALES_ORDER, internal_id)
    client.transform("salesOrder", internal_id, "itemFulfillment")
    client.transform("salesOrder", internal_id, "invoice")
    june = dict(order_id=order_id, sku="MUG-CAFE-WHITE", fulfillment_id="MFN", posted_date="06/28/26")
    lines = [line(amount=D("29.98"), **june), fee("Commission", "-4.50", **june),
             period(OT, OT, "Storage Fee", "-12.34", posted_date="07/05/26")]
    warehouse.store(settlement_text(lines, settlement_id="72000000004", **JUNE_JULY))

    result = _post(warehouse, client, "72000000004", mapping, transactional=True)

    assert result.posted == {"customerPayment": 1, "journalEntry": 2, "deposit": 1} and not result.failed
    rows = _gl_lines(client, "AMZ-STL-72000000004-%")
    assert {r["transaction"]: r["trandate"] for r in rows} == {
        f"AMZ-STL-72000000004-PAY-{order_id}": "6/30/2026", "AMZ-STL-72000000004-FEES-202606": "6/30/2026",
        "AMZ-STL-72000000004-FEES": "7/11/2026", "AMZ-STL-72000000004-DEP": "7/11/2026"}
    june_books = _net([r for r in rows if _month(r["trandate"]) == "2026-06"])
    assert june_books == {"ACCT-AR": D("29.98"), "ACCT-UNDEPOSITED-FUNDS": D("-29.98"),
                          "ACCT-AMZ-SELLING-FEES": D("-4.50"), "ACCT-AMZ-CLEARING": D("4.50")}
    assert _net(rows) == {"ACCT-AR": D("29.98"), "ACCT-AMZ-SELLING-FEES": D("-4.50"),
                          "ACCT-AMZ-STORAGE-FEES": D("-12.34"), "ACCT-BANK-USD": D("-13.14")}


def test_a_payment_is_dated_at_the_end_of_its_sales_month_when_that_is_before_the_deposit_month(mapping):
    settlement = Settlement("9", "demo-US", "USD", D("10.00"), datetime(2026, 7, 11))
    june = [Line(1, "Order", "ItemPrice", "Principal", "111-1", "SKU", D("10.00"), "ACCT-SALES", None, "sales",
                 "1", date(2026, 6, 28))]
    july = [Line(1, "Order", "ItemPrice", "Principal", "111-1", "SKU", D("10.00"), "ACCT-SALES", None, "sales",
                 "1", date(2026, 7, 2))]

    def dated(lines, split=True):
        return payment(settlement, "SUB-na", "111-1", "5", "6", D("10.00"),
                       Line.month(settlement, lines, split)).body["tranDate"]

    assert (dated(june), dated(july), dated(june, split=False)) == ("2026-06-30", "2026-07-11", "2026-07-11")


# --- tax in summary mode ------------------------------------------------------------------------------------------

DE = dict(marketplace_name="Amazon.de", posted_date="02.10.2026")


def test_a_german_settlements_journal_credits_sales_net_and_vat_payable_with_exactly_the_vat(warehouse, client,
                                                                                             mapping):
    lines = [line(amount=D("24.99"), **DE),
             line(amount_type="Promotion", amount=D("-2.50"), promotion_id="DE-SAVE10", **DE),
             line(amount_description="Shipping", amount=D("4.99"), **DE),
             fee("Commission", "-3.75", **DE),
             line(transaction_type="Refund", order_id="302-0000002-0000002", order_item_code="777", amount=D("-9.99"),
                  adjustment_id="amzn1.adj.2", **DE)]
    warehouse.store(settlement_text(lines, settlement_id="73000000001", currency="EUR", decimal_comma=True,
                                    deposit="04.10.2026"), storefront="demo-DE")

    _post(warehouse, client, "73000000001", mapping)

    # VAT 19/119 per order item and charge: the principal with its promotion 22.49 → 3.59 (the promotion's own
    # -0.40, the principal 3.99), shipping 4.99 → 0.80, the refund -9.99 → -1.60.
    books = _net(_gl_lines(client, "AMZ-STL-73000000001-%"))
    assert books == {"ACCT-SALES": D("21.00"), "ACCT-PROMOTIONS": D("-2.10"), "ACCT-SHIPPING-INCOME": D("4.19"),
                     "ACCT-REFUNDS": D("-8.39"), "ACCT-VAT-PAYABLE": D("2.79"),
                     "ACCT-AMZ-SELLING-FEES": D("-3.75"), "ACCT-BANK-EUR": D("-13.74")}
    # The same rounding as the sandbox world's VAT on an order line.
    storefront = SETTINGS.storefront("demo-DE")
    world = market_for(storefront)
    assert (storefront.vat_rate, world.tax_on(D("4.99"), world.places[0]), world.tax_on(D("24.99"), world.places[0])
            ) == (D(19), D("0.80"), D("3.99"))


def test_a_canadian_settlements_seller_collected_tax_lands_on_sales_tax_payable(warehouse, client, mapping):
    ca = dict(marketplace_name="Amazon.ca", order_id="702-0000001-0000001")
    lines = [line(amount=D("50.00"), **ca), line(amount_description="Tax", amount=D("6.50"), **ca),
             line(amount_description="Shipping", amount=D("5.00"), **ca),
             line(amount_description="ShippingTax", amount=D("0.65"), **ca), fee("Commission", "-7.50", **ca)]
    warehouse.store(settlement_text(lines, settlement_id="73000000002", currency="CAD"), storefront="demo-CA")

    _post(warehouse, client, "73000000002", mapping)

    assert _net(_gl_lines(client, "AMZ-STL-73000000002-%")) == {
        "ACCT-SALES": D("50.00"), "ACCT-SHIPPING-INCOME": D("5.00"), "ACCT-SALES-TAX-PAYABLE": D("7.15"),
        "ACCT-AMZ-SELLING-FEES": D("-7.50"), "ACCT-BANK-CAD": D("-54.65")}  # facilitator clearing: zero


def test_a_us_settlements_facilitator_tax_nets_to_zero_and_touches_neither_revenue_nor_payable(warehouse, client,
                                                                                              mapping):
    warehouse.store(settlement_text(us_settlement_lines(), settlement_id="73000000003"))

    _post(warehouse, client, "73000000003", mapping)

    rows = _gl_lines(client, "AMZ-STL-73000000003-%")
    books = _net(rows)
    assert "ACCT-FACILITATOR-TAX-CLEARING" not in books and "ACCT-SALES-TAX-PAYABLE" not in books
    assert books["ACCT-SALES"] == D("144.49")  # the prices, no tax in them
    facilitator = [(r.get("debit"), r.get("credit")) for r in rows if r["account"] == "ACCT-FACILITATOR-TAX-CLEARING"]
    assert sorted(facilitator, key=str) == sorted([(None, "1.6"), ("1.6", None)], key=str)  # gross, both sides
