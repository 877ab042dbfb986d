"""SuiteQL over the whole order-to-cash chain: NetSuite's transaction type codes, journal lines with accounts,
balanced accounting lines, line links, the chart of accounts, custom fields as columns, stock per location."""

from __future__ import annotations

from amazon_netsuite.sandbox.netsuite.seed import stock_on_hand
from amazon_netsuite.sandbox.world import PRODUCTS_BY_SKU
from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    RECORDS,
    create,
    internal_id,
    order_to_cash as _order_to_cash,
    sales_order,
    suiteql_rows as _rows,
    transform,
)


# The agreed chart (/tmp/prompts/chart.md → data/gl_mapping.yaml): external id → acctType.
AGREED_CHART = {
    "ACCT-BANK-USD": "Bank", "ACCT-BANK-CAD": "Bank", "ACCT-BANK-EUR": "Bank",
    "ACCT-UNDEPOSITED-FUNDS": "OthCurrAsset", "ACCT-AMZ-CLEARING": "Bank", "ACCT-AMZ-RESERVE": "OthCurrAsset",
    "ACCT-SALES": "Income", "ACCT-SHIPPING-INCOME": "Income", "ACCT-GIFTWRAP-INCOME": "Income",
    "ACCT-REFUNDS": "Income", "ACCT-PROMOTIONS": "Income", "ACCT-REIMBURSEMENTS": "OthIncome",
    "ACCT-AMZ-SELLING-FEES": "Expense", "ACCT-AMZ-FBA-FEES": "Expense", "ACCT-AMZ-STORAGE-FEES": "Expense",
    "ACCT-AMZ-SUBSCRIPTION": "Expense", "ACCT-AMZ-ADVERTISING": "Expense", "ACCT-AMZ-SHIPPING-CHARGEBACK": "Expense",
    "ACCT-AMZ-CHARGEBACKS": "Expense", "ACCT-FACILITATOR-TAX-CLEARING": "OthCurrLiab",
    "ACCT-SALES-TAX-PAYABLE": "OthCurrLiab", "ACCT-SUSPENSE": "OthCurrAsset",
}


def test_every_transaction_type_has_netsuites_code_and_balanced_accounting_lines(netsuite):
    ids = _order_to_cash(netsuite)
    types = {row["type"]: row["id"] for row in _rows(netsuite, "SELECT id, type FROM transaction")}
    assert {code: types[code] for code in ids} == ids
    unbalanced = _rows(netsuite, """
        SELECT t.type, SUM(NVL(a.debit, 0)) AS debits, SUM(NVL(a.credit, 0)) AS credits
        FROM transactionaccountingline a JOIN transaction t ON t.id = a.transaction
        GROUP BY t.type HAVING SUM(NVL(a.debit, 0)) <> SUM(NVL(a.credit, 0))""")
    assert unbalanced == []
    posted = {row["type"] for row in _rows(netsuite, "SELECT DISTINCT t.type FROM transactionaccountingline a "
                                                     "JOIN transaction t ON t.id = a.transaction")}
    assert posted == {"CashSale", "ItemShip", "CustInvc", "CustPymt", "CustCred", "Journal", "Deposit"}
    deposit = _rows(netsuite, """
        SELECT acc.externalid AS account, a.debit, a.credit FROM transactionaccountingline a
        JOIN account acc ON acc.id = a.account WHERE a.transaction = ? ORDER BY a.transactionline""",
                    [ids["Deposit"]])
    # payment 79.96 (2 × 19.99 + 34.99 + 4.99) and cash sale 48.12 (3 × 14.99 + 3.15 tax), less 7.50 fees
    assert deposit == [{"account": "ACCT-BANK-USD", "debit": "120.58"},
                       {"account": "ACCT-UNDEPOSITED-FUNDS", "credit": "79.96"},
                       {"account": "ACCT-UNDEPOSITED-FUNDS", "credit": "48.12"},
                       {"account": "ACCT-AMZ-SELLING-FEES", "debit": "7.5"}]


def test_journal_lines_carry_their_account_and_debit_or_credit(netsuite):
    journal = _order_to_cash(netsuite)["Journal"]
    lines = _rows(netsuite, """
        SELECT tl.id, a.externalid AS account, tl.debitforeignamount, tl.creditforeignamount, tl.netamount
        FROM transactionline tl JOIN account a ON a.id = tl.account
        WHERE tl.transaction = ? AND tl.mainline = 'F' ORDER BY tl.id""", [journal])
    assert lines == [
        {"id": "1", "account": "ACCT-AMZ-CLEARING", "debitforeignamount": "12.34", "netamount": "12.34"},
        {"id": "2", "account": "ACCT-AMZ-ADVERTISING", "debitforeignamount": "0.66", "netamount": "0.66"},
        {"id": "3", "account": "ACCT-SALES", "creditforeignamount": "13", "netamount": "-13"}]


def test_fulfillment_and_billing_lines_link_back_to_the_order(netsuite):
    ids = _order_to_cash(netsuite)
    links = _rows(netsuite, """
        SELECT previousline, nextdoc, linktype FROM previoustransactionlinelink
        WHERE previousdoc = ? ORDER BY linktype, previousline""", [ids["SalesOrd"]])
    assert links == [{"previousline": "1", "nextdoc": ids["CustInvc"], "linktype": "OrdBill"},
                     {"previousline": "2", "nextdoc": ids["CustInvc"], "linktype": "OrdBill"},
                     {"previousline": "1", "nextdoc": ids["ItemShip"], "linktype": "ShipRcpt"},
                     {"previousline": "2", "nextdoc": ids["ItemShip"], "linktype": "ShipRcpt"}]
    order = _rows(netsuite, "SELECT status, custbody_amz_order_id FROM transaction WHERE id = ?", [ids["SalesOrd"]])
    assert order == [{"status": "G", "custbody_amz_order_id": "111-0000009-0000009"}]
    invoice = _rows(netsuite, "SELECT status, foreignamountremaining FROM transaction WHERE id = ?", [ids["CustInvc"]])
    assert invoice == [{"status": "B", "foreignamountremaining": "0"}]


def test_the_chart_of_accounts_is_seeded_with_the_agreed_external_ids(netsuite):
    accounts = {row["externalid"]: row for row in _rows(netsuite, "SELECT * FROM account")}
    assert {eid: accounts[eid]["accttype"] for eid in AGREED_CHART} == AGREED_CHART
    bank_currencies = _rows(netsuite, """
        SELECT a.externalid, c.symbol FROM account a JOIN currency c ON c.id = a.currency
        WHERE a.accttype = 'Bank' ORDER BY a.acctnumber""")
    assert bank_currencies == [{"externalid": "ACCT-BANK-USD", "symbol": "USD"},
                               {"externalid": "ACCT-BANK-CAD", "symbol": "CAD"},
                               {"externalid": "ACCT-BANK-EUR", "symbol": "EUR"}]
    assert accounts["ACCT-AMZ-CLEARING-na"]["fullname"] == "Amazon Clearing : Amazon Clearing – North America"
    account = netsuite.get(f"{RECORDS}/account/eid:ACCT-SALES").json()
    subsidiaries = [row["id"] for row in _rows(netsuite, "SELECT id FROM subsidiary ORDER BY id")]
    assert [s["id"] for s in account["subsidiary"]["items"]] == subsidiaries
    segments = _rows(netsuite, "SELECT externalid FROM classification UNION ALL SELECT externalid FROM department "
                               "ORDER BY externalid")
    assert [row["externalid"] for row in segments] == [
        "CLASS-AMAZON", "CLASS-AMZ-demo-CA", "CLASS-AMZ-demo-DE", "CLASS-AMZ-demo-FR", "CLASS-AMZ-demo-US",
        "DEPT-ECOMMERCE", "DEPT-MARKETPLACES"]


def test_custom_item_fields_become_item_columns_for_an_alias_lookup(netsuite):
    for sku, alias in [("TSHIRT-RED-M", "AMZ-TSHIRT-RED-M"), ("MUG-CAFE-WHITE", "AMZ-MUG-W")]:
        response = netsuite.patch(f"{RECORDS}/inventoryItem/eid:{sku}", json={"custitem_amz_sku": alias})
        assert response.status_code == 204, response.text
    rows = _rows(netsuite, "SELECT externalid, custitem_amz_sku FROM item WHERE custitem_amz_sku IN (?, ?, ?) "
                           "ORDER BY externalid", ["AMZ-TSHIRT-RED-M", "AMZ-MUG-W", "AMZ-NOBODY"])
    assert rows == [{"externalid": "MUG-CAFE-WHITE", "custitem_amz_sku": "AMZ-MUG-W"},
                    {"externalid": "TSHIRT-RED-M", "custitem_amz_sku": "AMZ-TSHIRT-RED-M"}]
    unset = _rows(netsuite, "SELECT COUNT(*) AS n FROM item WHERE custitem_amz_sku IS NULL")[0]["n"]
    assert int(unset) == int(_rows(netsuite, "SELECT COUNT(*) AS n FROM item")[0]["n"]) - 2


def _stock(netsuite, sku: str, location: str) -> dict:
    return _rows(netsuite, """
        SELECT il.quantityonhand, il.quantitycommitted, il.quantityavailable, il.quantitybackordered
        FROM inventoryitemlocations il JOIN item i ON i.id = il.item JOIN location l ON l.id = il.location
        WHERE i.itemid = ? AND l.externalid = ?""", [sku, location])[0]


def test_stock_per_location_is_committed_by_open_orders_and_reduced_by_shipments(netsuite):
    sku = "HOODIE-GREY-L"
    seeded = stock_on_hand(PRODUCTS_BY_SKU[sku], "WH-na")
    assert seeded > 3
    assert _stock(netsuite, sku, "WH-na") == {"quantityonhand": str(seeded), "quantitycommitted": "0",
                                              "quantityavailable": str(seeded), "quantitybackordered": "0"}
    order = create(netsuite, "salesOrder", sales_order("AMZ-STOCK-1", (sku, 3, "44.99")))
    assert _stock(netsuite, sku, "WH-na")["quantityavailable"] == str(seeded - 3)
    internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment",
                          {"item": {"items": [{"orderLine": 1, "quantity": 1}]}}))
    assert _stock(netsuite, sku, "WH-na") == {"quantityonhand": str(seeded - 1), "quantitycommitted": "2",
                                              "quantityavailable": str(seeded - 3), "quantitybackordered": "0"}
    # more than is on hand: the rest is back-ordered, nothing is available
    create(netsuite, "salesOrder", sales_order("AMZ-STOCK-2", (sku, seeded + 5, "44.99")))
    assert _stock(netsuite, sku, "WH-na") == {"quantityonhand": str(seeded - 1), "quantitycommitted": str(seeded - 1),
                                              "quantityavailable": "0", "quantitybackordered": "8"}
    # a kit commits its members: 3 pairs of socks per pack
    socks = stock_on_hand(PRODUCTS_BY_SKU["SOCKS-GREY-SM"], "FBA-na")
    create(netsuite, "cashSale", sales_order("AMZ-STOCK-3", ("KIT-SOCKS-3PK", 1, "34.99"),
                                             location={"externalId": "FBA-na"}))
    assert _stock(netsuite, "SOCKS-GREY-SM", "FBA-na")["quantityonhand"] == str(socks - 3)
