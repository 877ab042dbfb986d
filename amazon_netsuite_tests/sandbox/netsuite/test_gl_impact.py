"""GL impact as NetSuite computes it, read back by SuiteQL: what each record debits and credits
(transactionaccountingline joined to account), item costs into COGS, balance per transaction, a trial balance."""

from __future__ import annotations

from decimal import Decimal

import httpx

from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    RECORDS,
    create,
    error_detail,
    fetch,
    internal_id,
    order_to_cash,
    sales_order,
    suiteql_rows,
    taxed,
    transform,
)

# Seeded costs (seed.item_cost, 40 % of the price): T-shirt 19.99 → 8.00, socks 12.99 → 5.20, mug 14.99 → 6.00.


def _gl(netsuite, transaction: str) -> list[tuple[str, str, str]]:
    """(account external id, debit, credit) of a transaction's posting lines, in line order."""
    rows = suiteql_rows(netsuite, """
        SELECT a.externalid, tal.debit, tal.credit FROM transactionaccountingline tal
        JOIN account a ON a.id = tal.account
        WHERE tal.transaction = ? AND tal.posting = 'T' AND tal.accountingbook = 1
        ORDER BY tal.transactionline, a.acctnumber""", [transaction])
    return [(row["externalid"], row.get("debit", ""), row.get("credit", "")) for row in rows]


def test_items_carry_their_income_asset_and_cogs_accounts_and_a_cost(netsuite):
    items = suiteql_rows(netsuite, """
        SELECT i.itemid, i.cost, inc.externalid AS income, ast.externalid AS asset, cg.externalid AS cogs,
               cg.accttype AS cogstype, ast.accttype AS assettype
        FROM item i JOIN account inc ON inc.id = i.incomeaccount JOIN account ast ON ast.id = i.assetaccount
        JOIN account cg ON cg.id = i.expenseaccount
        WHERE i.itemid IN ('TSHIRT-RED-M', 'SOCKS-GREY-SM') ORDER BY i.itemid""")
    assert items == [
        {"itemid": "SOCKS-GREY-SM", "cost": "5.2", "income": "ACCT-SALES", "asset": "ACCT-INVENTORY",
         "cogs": "ACCT-COGS", "cogstype": "COGS", "assettype": "OthCurrAsset"},
        {"itemid": "TSHIRT-RED-M", "cost": "8", "income": "ACCT-SALES", "asset": "ACCT-INVENTORY",
         "cogs": "ACCT-COGS", "cogstype": "COGS", "assettype": "OthCurrAsset"}]


def test_a_shipped_fulfillment_moves_the_items_cost_from_inventory_asset_to_cogs_and_a_kit_ships_its_members(
        netsuite):
    order = create(netsuite, "salesOrder", sales_order(
        "AMZ-GL-SHIP", ("TSHIRT-RED-M", 2, "19.99"), ("KIT-SOCKS-3PK", 1, "34.99")))
    assert _gl(netsuite, order) == []  # a sales order does not post
    fulfillment = internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment"))
    # line 1: 2 × 8.00; line 2: one kit of 3 socks × 5.20
    assert _gl(netsuite, fulfillment) == [
        ("ACCT-INVENTORY", "", "16"), ("ACCT-COGS", "16", ""),
        ("ACCT-INVENTORY", "", "15.6"), ("ACCT-COGS", "15.6", "")]


def test_a_picked_fulfillment_posts_nothing_until_it_is_shipped(netsuite):
    order = create(netsuite, "salesOrder", sales_order("AMZ-GL-PICK", ("TSHIRT-RED-M", 1, "19.99")))
    picked = internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment", {"shipStatus": {"id": "A"}}))
    assert _gl(netsuite, picked) == []
    assert suiteql_rows(netsuite, "SELECT posting FROM transaction WHERE id = ?", [picked]) == [{"posting": "F"}]
    response = netsuite.patch(f"/services/rest/record/v1/itemFulfillment/{picked}", json={"shipStatus": {"id": "C"}})
    assert response.status_code == 204, response.text
    assert _gl(netsuite, picked) == [("ACCT-INVENTORY", "", "8"), ("ACCT-COGS", "8", "")]


def test_a_stand_alone_cash_sale_posts_funds_income_shipping_tax_and_the_cost_of_what_it_ships(netsuite):
    sale = create(netsuite, "cashSale", taxed(sales_order("AMZ-GL-CS", ("MUG-CAFE-WHITE", 3, "14.99"),
                                                          location={"externalId": "FBA-na"}, shippingCost="4.99"),
                                              (1, "44.97", "7", "3.15")))
    # 44.97 + 4.99 shipping + 3.15 tax = 53.11 into Undeposited Funds; 3 × 6.00 cost
    assert _gl(netsuite, sale) == [
        ("ACCT-UNDEPOSITED-FUNDS", "53.11", ""), ("ACCT-SALES-TAX-PAYABLE", "", "3.15"),
        ("ACCT-SHIPPING-INCOME", "", "4.99"),
        ("ACCT-INVENTORY", "", "18"), ("ACCT-SALES", "", "44.97"), ("ACCT-COGS", "18", "")]
    to_bank = create(netsuite, "cashSale", sales_order("AMZ-GL-CS-BANK", ("MUG-CAFE-WHITE", 1, "14.99"),
                                                       undepFunds=False, account={"externalId": "ACCT-BANK-USD"}))
    assert _gl(netsuite, to_bank)[0] == ("ACCT-BANK-USD", "14.99", "")


def test_invoice_payment_credit_memo_and_deposit_post_as_oracles_examples_show(netsuite):
    ids = order_to_cash(netsuite)
    assert _gl(netsuite, ids["CustInvc"]) == [("ACCT-AR", "79.96", ""), ("ACCT-SHIPPING-INCOME", "", "4.99"),
                                              ("ACCT-SALES", "", "39.98"), ("ACCT-SALES", "", "34.99")]
    assert _gl(netsuite, ids["CustPymt"]) == [("ACCT-AR", "", "79.96"), ("ACCT-UNDEPOSITED-FUNDS", "79.96", "")]
    # the credit memo's mug goes back into stock at its cost (6.00)
    assert _gl(netsuite, ids["CustCred"]) == [("ACCT-AR", "", "14.99"), ("ACCT-INVENTORY", "6", ""),
                                              ("ACCT-SALES", "14.99", ""), ("ACCT-COGS", "", "6")]
    assert _gl(netsuite, ids["Journal"]) == [("ACCT-AMZ-CLEARING", "12.34", ""), ("ACCT-AMZ-ADVERTISING", "0.66", ""),
                                             ("ACCT-SALES", "", "13")]


def _on_hand(netsuite, sku: str, location: str) -> int:
    return int(suiteql_rows(netsuite, """
        SELECT il.quantityonhand FROM inventoryitemlocations il JOIN item i ON i.id = il.item
        JOIN location l ON l.id = il.location WHERE i.itemid = ? AND l.externalid = ?""", [sku, location])[0][
        "quantityonhand"])


def test_a_cash_refund_debits_income_and_tax_pays_out_of_where_the_sale_went_and_restocks_inventory_items(
        netsuite):
    sale = create(netsuite, "cashSale", taxed(sales_order("AMZ-GL-RF", ("MUG-CAFE-WHITE", 2, "14.99"),
                                                          location={"externalId": "FBA-na"}),
                                              (1, "29.98", "7", "2.10")))
    stock = _on_hand(netsuite, "MUG-CAFE-WHITE", "FBA-na")
    refund = internal_id(transform(netsuite, "cashSale", sale, "cashRefund"))
    # 2 × 14.99 + 2.10 tax = 32.08 back out of Undeposited Funds; both mugs back into stock at cost (2 × 6.00)
    assert _gl(netsuite, refund) == [("ACCT-UNDEPOSITED-FUNDS", "", "32.08"), ("ACCT-SALES-TAX-PAYABLE", "2.1", ""),
                                     ("ACCT-INVENTORY", "12", ""), ("ACCT-SALES", "29.98", ""), ("ACCT-COGS", "", "12")]
    assert _on_hand(netsuite, "MUG-CAFE-WHITE", "FBA-na") == stock + 2
    from_bank = internal_id(transform(netsuite, "cashSale", sale, "cashRefund", {
        "undepFunds": False, "account": {"externalId": "ACCT-BANK-USD"}, "taxDetails": {"items": []},
        "item": {"items": [{"item": {"externalId": "MUG-CAFE-WHITE"}, "quantity": 1, "rate": "14.99"}]}},
        replace="item"))
    assert _gl(netsuite, from_bank) == [("ACCT-BANK-USD", "", "14.99"), ("ACCT-INVENTORY", "6", ""),
                                        ("ACCT-SALES", "14.99", ""), ("ACCT-COGS", "", "6")]
    types = suiteql_rows(netsuite, "SELECT type, createdfrom FROM transaction t JOIN transactionline tl "
                                   "ON tl.transaction = t.id AND tl.mainline = 'T' WHERE t.id = ?", [refund])
    assert types == [{"type": "CashRfnd", "createdfrom": sale}]


def test_a_cash_refund_on_the_other_charge_refund_item_pays_out_of_clearing_and_moves_no_stock(netsuite):
    sale = create(netsuite, "cashSale", sales_order("AMZ-GL-RF-CHG", ("MUG-CAFE-WHITE", 2, "14.99"),
                                                    location={"externalId": "FBA-na"}))
    stock = _on_hand(netsuite, "MUG-CAFE-WHITE", "FBA-na")
    refund = internal_id(transform(netsuite, "cashSale", sale, "cashRefund", {
        "undepFunds": False, "account": {"externalId": "ACCT-AMZ-CLEARING"},
        "item": {"items": [{"item": {"externalId": "AMZ-REFUND"}, "amount": "14.99"}]}}, replace="item"))
    assert _gl(netsuite, refund) == [("ACCT-AMZ-CLEARING", "", "14.99"), ("ACCT-REFUNDS", "14.99", "")]
    assert _on_hand(netsuite, "MUG-CAFE-WHITE", "FBA-na") == stock
    item = suiteql_rows(netsuite, "SELECT i.itemtype, a.externalid FROM item i JOIN account a ON a.id = "
                                  "i.incomeaccount WHERE i.itemid = 'AMZ-REFUND'")
    assert item == [{"itemtype": "OthCharge", "externalid": "ACCT-REFUNDS"}]


def _customer_refund(netsuite, memo: str, **line: object) -> httpx.Response:
    return netsuite.post(f"{RECORDS}/customerRefund", json={
        "customer": {"externalId": "AMZ-CUSTOMER-demo-US"}, "account": {"externalId": "ACCT-BANK-USD"},
        "apply": {"items": [{"doc": {"id": memo}, "apply": True, **line}]}})


def test_a_customer_refund_pays_a_credit_memo_out_of_the_bank_and_clears_its_receivable(netsuite):
    memo = create(netsuite, "creditMemo", sales_order("CM-GL-RF", ("MUG-CAFE-WHITE", 2, "14.99")))
    assert error_detail(_customer_refund(netsuite, memo, amount="30.00"))["o:errorPath"] == "apply.items[0].amount"
    first = internal_id(_customer_refund(netsuite, memo, amount="10.00"))
    rest = internal_id(_customer_refund(netsuite, memo))  # what the memo has left: 29.98 − 10.00
    assert _gl(netsuite, first) == [("ACCT-BANK-USD", "", "10"), ("ACCT-AR", "10", "")]
    assert _gl(netsuite, rest) == [("ACCT-BANK-USD", "", "19.98"), ("ACCT-AR", "19.98", "")]
    assert fetch(netsuite, "creditMemo", memo)["amountRemaining"] == 0
    receivable = suiteql_rows(netsuite, """
        SELECT SUM(tal.amount) AS amount FROM transactionaccountingline tal JOIN account a ON a.id = tal.account
        WHERE a.externalid = 'ACCT-AR'""")
    assert receivable == [{"amount": "0"}]
    types = suiteql_rows(netsuite, "SELECT type FROM transaction WHERE id IN (?, ?)", [first, rest])
    assert types == [{"type": "CustRfnd"}, {"type": "CustRfnd"}]


def test_an_inventory_adjustment_moves_stock_and_its_value_against_the_adjustment_account(netsuite):
    before = _on_hand(netsuite, "TSHIRT-RED-M", "FBA-na")
    adjustment = create(netsuite, "inventoryAdjustment", {
        "subsidiary": {"externalId": "SUB-na"}, "account": {"externalId": "ACCT-COGS"},
        "adjLocation": {"externalId": "FBA-na"}, "inventory": {"items": [
            {"item": {"externalId": "TSHIRT-RED-M"}, "adjustQtyBy": -2},  # lost at the item's cost, 8.00
            {"item": {"externalId": "MUG-CAFE-WHITE"}, "adjustQtyBy": 3, "unitCost": "5.55"}]}})
    assert _gl(netsuite, adjustment) == [("ACCT-INVENTORY", "", "16"), ("ACCT-COGS", "16", ""),
                                         ("ACCT-INVENTORY", "16.65", ""), ("ACCT-COGS", "", "16.65")]
    assert _on_hand(netsuite, "TSHIRT-RED-M", "FBA-na") == before - 2
    assert suiteql_rows(netsuite, "SELECT type FROM transaction WHERE id = ?", [adjustment]) == [{"type": "InvAdjst"}]


def test_every_posting_transaction_balances_to_the_cent_joins_its_lines_and_only_sales_orders_post_nothing(
        netsuite):
    ids = order_to_cash(netsuite)
    internal_id(transform(netsuite, "cashSale", ids["CashSale"], "cashRefund"))
    internal_id(_customer_refund(netsuite, ids["CustCred"]))
    create(netsuite, "inventoryAdjustment", {"account": {"externalId": "ACCT-COGS"}, "inventory": {"items": [
        {"item": {"externalId": "SOCKS-GREY-SM"}, "location": {"externalId": "WH-na"}, "adjustQtyBy": "-1"}]}})
    unbalanced = suiteql_rows(netsuite, """
        SELECT tal.transaction, SUM(NVL(tal.debit, 0)) AS debits, SUM(NVL(tal.credit, 0)) AS credits,
               SUM(tal.amount) AS amount
        FROM transactionaccountingline tal GROUP BY tal.transaction
        HAVING SUM(NVL(tal.debit, 0)) <> SUM(NVL(tal.credit, 0)) OR SUM(tal.amount) <> 0""")
    assert unbalanced == []
    orphans = suiteql_rows(netsuite, """
        SELECT COUNT(*) AS n FROM transactionaccountingline tal LEFT JOIN transactionline tl
        ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE tl.id IS NULL""")
    assert orphans == [{"n": "0"}]  # every GL line joins the transaction line it belongs to
    postings = suiteql_rows(netsuite, """
        SELECT t.type, t.posting, COUNT(tal.transaction) AS lines FROM transaction t
        LEFT JOIN transactionaccountingline tal ON tal.transaction = t.id GROUP BY t.type, t.posting ORDER BY t.type""")
    assert [(row["type"], row["posting"], int(row["lines"]) > 0) for row in postings] == [
        ("CashRfnd", "T", True), ("CashSale", "T", True), ("CustCred", "T", True), ("CustInvc", "T", True),
        ("CustPymt", "T", True), ("CustRfnd", "T", True), ("Deposit", "T", True), ("InvAdjst", "T", True),
        ("ItemShip", "T", True), ("Journal", "T", True), ("SalesOrd", "F", False)]


def test_the_trial_balance_by_suiteql_gives_each_accounts_debits_and_credits(netsuite):
    order_to_cash(netsuite)
    rows = suiteql_rows(netsuite, """
        SELECT a.externalid, a.accttype, SUM(tal.debit) AS debit, SUM(tal.credit) AS credit
        FROM transactionaccountingline tal JOIN account a ON a.id = tal.account
        JOIN transaction t ON t.id = tal.transaction
        WHERE tal.posting = 'T' AND tal.accountingbook = 1
        GROUP BY a.externalid, a.accttype ORDER BY a.externalid""")
    assert rows == [
        {"externalid": "ACCT-AMZ-ADVERTISING", "accttype": "Expense", "debit": "0.66"},
        {"externalid": "ACCT-AMZ-CLEARING", "accttype": "Bank", "debit": "12.34"},
        {"externalid": "ACCT-AMZ-SELLING-FEES", "accttype": "Expense", "debit": "7.5"},
        {"externalid": "ACCT-AR", "accttype": "AcctRec", "debit": "79.96", "credit": "94.95"},
        {"externalid": "ACCT-BANK-USD", "accttype": "Bank", "debit": "120.58"},
        {"externalid": "ACCT-COGS", "accttype": "COGS", "debit": "49.6", "credit": "6"},  # the credit memo's mug
        {"externalid": "ACCT-INVENTORY", "accttype": "OthCurrAsset", "debit": "6", "credit": "49.6"},
        {"externalid": "ACCT-SALES", "accttype": "Income", "debit": "14.99", "credit": "132.94"},
        {"externalid": "ACCT-SALES-TAX-PAYABLE", "accttype": "OthCurrLiab", "credit": "3.15"},
        {"externalid": "ACCT-SHIPPING-INCOME", "accttype": "Income", "credit": "4.99"},
        {"externalid": "ACCT-UNDEPOSITED-FUNDS", "accttype": "OthCurrAsset", "debit": "128.08", "credit": "128.08"}]
    totals = suiteql_rows(netsuite, "SELECT SUM(debit) AS debit, SUM(credit) AS credit, SUM(amount) AS amount "
                                    "FROM transactionaccountingline WHERE posting = 'T'")
    assert totals == [{"debit": "419.71", "credit": "419.71", "amount": "0"}]


def test_an_orders_discount_line_is_billed_with_its_first_invoice_so_the_invoice_is_what_the_order_sold(netsuite):
    body = sales_order("AMZ-GL-DISC", ("MUG-CAFE-WHITE", 2, "14.99"), shippingCost="4.99")
    body["item"]["items"].append({"item": {"externalId": "AMZ-PROMOTION"}, "amount": "-3.00"})
    order = create(netsuite, "salesOrder", body)
    internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment", {
        "item": {"items": [{"orderLine": 1, "quantity": 1}]}}, replace="item"))
    first = internal_id(transform(netsuite, "salesOrder", order, "invoice"))
    assert fetch(netsuite, "invoice", first)["total"] == Decimal("16.98")  # one mug, the discount, the shipping
    assert ("ACCT-SALES", "3", "") in _gl(netsuite, first)  # the discount item's income account, debited
    internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment"))
    second = internal_id(transform(netsuite, "salesOrder", order, "invoice"))
    assert fetch(netsuite, "invoice", second)["total"] == Decimal("14.99")  # the second mug alone
    assert fetch(netsuite, "salesOrder", order)["status"]["id"] == "G"  # Billed: the discount is never shipped
