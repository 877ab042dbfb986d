"""Transactional posting (NetSuite Connector / Celigo style) through the NetSuite sandbox over HTTP: the orders are
posted to the sandbox first, then a settlement pays the invoiced Sales Order, bills and pays the fulfilled one,
deposits the Cash Sale, refunds a Cash Sale by a cash refund and an invoice by a credit memo and customer refund out
of clearing, books fees on one journal and deposits the bank amount; orders that cannot be settled wait in suspense
with their reason and are settled by a later run."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER
from amazon_netsuite.lib.gl_mapping import gl_mapping_from_dict
from amazon_netsuite.lib.settlements.posting_run import post_settlement
from amazon_netsuite_tests.lib.settlements.settlement_builder import fee, line, period, settlement_text
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import (
    DEFAULT_MAPPING,
    SETTINGS,
    SUMMARY_SETTINGS,
)

D = Decimal
STOREFRONT = "demo-US"


@pytest.fixture(scope="module")
def mapping():
    return gl_mapping_from_dict({**yaml.safe_load(DEFAULT_MAPPING.read_text()), "suspense_account": "ACCT-SUSPENSE"})


def _with_refund_item(item: str | None):
    """The transactional test mapping with the refund rules' item replaced (None: removed)."""
    raw = {**yaml.safe_load(DEFAULT_MAPPING.read_text()), "suspense_account": "ACCT-SUSPENSE"}
    rules = []
    for rule in raw["rules"]:
        if rule.get("item") == "AMZ-REFUND":
            rule = {k: v for k, v in rule.items() if k != "item"} | ({"item": item} if item else {})
        rules.append(rule)
    return gl_mapping_from_dict({**raw, "rules": rules})


def _order(order_id: str, sku: str, quantity: int, rate: str, **header) -> dict:
    """An Amazon order's record as the orders flow posts it (Custom price level, the storefront's customer)."""
    return {"externalId": f"AMZ-{STOREFRONT}-{order_id}", "tranDate": "2026-09-20", "otherRefNum": order_id,
            "entity": {"externalId": f"AMZ-CUSTOMER-{STOREFRONT}"}, "subsidiary": {"externalId": "SUB-na"},
            "currency": {"externalId": "USD"},
            "item": {"items": [{"item": {"externalId": sku}, "quantity": quantity, "rate": rate,
                                "price": {"id": "-1"}}]}, **header}


def _posted(client, warehouse, record_type: str, order_id: str, *line, fulfil=False, bill=False, **header) -> str:
    """Post an order to the sandbox and to the orders ledger; optionally fulfil and invoice it there."""
    location = {"externalId": "FBA-na" if record_type == CASH_SALE else "WH-na"}
    extra = {"orderStatus": {"id": "B"}} if record_type == SALES_ORDER else {}
    internal_id = client.upsert(record_type, f"AMZ-{STOREFRONT}-{order_id}",
                                _order(order_id, *line, location=location, **extra, **header))
    warehouse.record_order(STOREFRONT, order_id, record_type, internal_id)
    if fulfil:
        client.transform("salesOrder", internal_id, "itemFulfillment")
    if bill:
        client.transform("salesOrder", internal_id, "invoice")
    return internal_id


def _ids(prefix: str) -> dict[str, str]:
    letters = "ABCDEF"
    return {letter: f"{prefix}-{i:07d}-{i:07d}" for i, letter in enumerate(letters, start=1)}


def _lines(o: dict[str, str]) -> list[dict]:
    """A: FBA sale (Cash Sale, facilitator tax omitted from it); B: MFN sale invoiced in NetSuite; C: MFN sale
    fulfilled, not billed; D: MFN sale not fulfilled; E: refund of an FBA sale of an earlier settlement;
    F: an order the integration never posted; then fees of no order."""
    def sale(order, amount, **kw):
        return line(order_id=o[order], amount=D(amount), **kw)

    return [
        sale("A", "19.99"), sale("A", "1.60", amount_description="Tax"),
        sale("A", "-1.60", amount_type="ItemWithheldTax", amount_description="MarketplaceFacilitatorTax-Principal"),
        fee("Commission", "-3.00", order_id=o["A"]), fee("FBAPerUnitFulfillmentFee", "-3.22", order_id=o["A"]),
        sale("B", "29.98", sku="MUG-CAFE-WHITE", fulfillment_id="MFN"),
        sale("B", "4.99", amount_description="Shipping", sku="MUG-CAFE-WHITE", fulfillment_id="MFN"),
        fee("Commission", "-4.50", order_id=o["B"]),
        sale("C", "44.99", sku="HOODIE-GREY-L", fulfillment_id="MFN"), fee("Commission", "-6.75", order_id=o["C"]),
        sale("D", "24.50", sku="TSHIRT-BLACK-S", fulfillment_id="MFN"), fee("Commission", "-3.68", order_id=o["D"]),
        sale("E", "-34.99", transaction_type="Refund", sku="KIT-SOCKS-3PK", adjustment_id="amzn1.adj.9"),
        fee("Commission", "5.25", transaction_type="Refund", order_id=o["E"], adjustment_id="amzn1.adj.9"),
        fee("RefundCommission", "-1.05", transaction_type="Refund", order_id=o["E"], adjustment_id="amzn1.adj.9"),
        sale("F", "9.99"), fee("Commission", "-1.50", order_id=o["F"]),
        period("other-transaction", "other-transaction", "Storage Fee", "-12.34"),
        period("other-transaction", "other-transaction", "Subscription", "-39.99"),
        period("other-transaction", "other-transaction", "Previous Reserve Amount Balance", "40.00"),
        period("other-transaction", "other-transaction", "Current Reserve Amount", "-50.00"),
        period("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", "8.63"),
    ]


def _setup(client, warehouse, prefix: str, settlement_id: str) -> tuple[dict[str, str], dict[str, str]]:
    o = _ids(prefix)
    ids = {
        "A": _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99"),
        "B": _posted(client, warehouse, SALES_ORDER, o["B"], "MUG-CAFE-WHITE", 2, "14.99", shippingCost="4.99",
                     fulfil=True, bill=True),
        "C": _posted(client, warehouse, SALES_ORDER, o["C"], "HOODIE-GREY-L", 1, "44.99", fulfil=True),
        "D": _posted(client, warehouse, SALES_ORDER, o["D"], "TSHIRT-BLACK-S", 1, "24.50"),
        "E": _posted(client, warehouse, CASH_SALE, o["E"], "KIT-SOCKS-3PK", 1, "34.99"),
    }
    warehouse.store(settlement_text(_lines(o), settlement_id=settlement_id))
    return o, ids


def _post(warehouse, client, settlement_id, mapping):
    return post_settlement(warehouse.connect, client, settlement_id, mapping=mapping, settings=SETTINGS)


def _gl(client, like: str) -> dict[str, Decimal]:
    rows = client.rows("""
        SELECT acc.externalid AS account, SUM(NVL(a.debit, 0)) AS debit, SUM(NVL(a.credit, 0)) AS credit
        FROM transactionaccountingline a JOIN transaction t ON t.id = a.transaction
        JOIN account acc ON acc.id = a.account
        WHERE t.externalid LIKE ? GROUP BY acc.externalid""", [like])
    return {r["account"]: D(r["credit"]) - D(r["debit"]) for r in rows if D(r["credit"]) != D(r["debit"])}


def _transactions(client, like: str) -> dict[str, dict]:
    return {r["externalid"]: r for r in client.rows(
        "SELECT id, externalid, type, status, entity, foreigntotal, foreignamountremaining FROM transaction "
        "WHERE externalid LIKE ?", [like])}


def test_a_settlement_pays_invoices_deposits_cash_sales_refunds_a_cash_sale_from_clearing_and_books_fees(
        warehouse, client, mapping):
    o, ids = _setup(client, warehouse, "112", "80000000001")

    result = _post(warehouse, client, "80000000001", mapping)

    assert result.mode == "transactional"
    assert result.posted == {"invoice": 1, "customerPayment": 2, "cashRefund": 1, "journalEntry": 1, "deposit": 1}
    assert result.failed == {"customerPayment": 1} and result.errors_by_class == {"validation": 1}
    assert result.deposit_amount == D("27.30")
    stl = _transactions(client, "AMZ-STL-80000000001-%")
    assert sorted(stl) == sorted([
        "AMZ-STL-80000000001-INV-" + o["C"], "AMZ-STL-80000000001-PAY-" + o["B"],
        "AMZ-STL-80000000001-PAY-" + o["C"], "AMZ-STL-80000000001-CR-" + o["E"], "AMZ-STL-80000000001-FEES",
        "AMZ-STL-80000000001-DEP"])
    # The deposit is the bank amount: the Cash Sale (19.99) and both payments (34.97, 44.99) less clearing's 72.65.
    assert D(stl["AMZ-STL-80000000001-DEP"]["foreigntotal"]) == D("27.30")
    deposited = client.rows("""
        SELECT t.externalid FROM previoustransactionlinelink l JOIN transaction t ON t.id = l.previousdoc
        JOIN transaction d ON d.id = l.nextdoc
        WHERE l.linktype = 'Deposit' AND d.externalid = 'AMZ-STL-80000000001-DEP' ORDER BY t.externalid""")
    assert [r["externalid"] for r in deposited] == sorted([
        f"AMZ-{STOREFRONT}-{o['A']}", "AMZ-STL-80000000001-PAY-" + o["B"], "AMZ-STL-80000000001-PAY-" + o["C"]])
    # Both invoices are paid in full; the Cash Sale is deposited; E's refund is a cash refund of 34.99 from its Cash
    # Sale.
    paid = client.rows("""
        SELECT t.status, t.foreignamountremaining FROM previoustransactionlinelink l
        JOIN transaction t ON t.id = l.nextdoc
        WHERE l.linktype = 'OrdBill' AND l.previousdoc IN (?, ?) GROUP BY t.id, t.status, t.foreignamountremaining""",
                       [ids["B"], ids["C"]])
    assert paid == [{"status": "B", "foreignamountremaining": "0"}] * 2
    assert client.rows("SELECT status FROM transaction WHERE id = ?", [ids["A"]]) == [{"status": "C"}]
    refund = stl["AMZ-STL-80000000001-CR-" + o["E"]]
    assert (refund["type"], D(refund["foreigntotal"])) == ("CashRfnd", D("34.99"))
    assert client.rows("SELECT createdfrom FROM transactionline l JOIN transaction t ON t.id = l.transaction "
                       "WHERE t.externalid = ? AND l.mainline = 'T'", ["AMZ-STL-80000000001-CR-" + o["E"]]) == [
        {"createdfrom": ids["E"]}]
    assert _gl(client, "AMZ-STL-80000000001-CR-%") == {"ACCT-REFUNDS": D("-34.99"), "ACCT-AMZ-CLEARING": D("34.99")}
    # What the settlement's own records post, per account: fees as mapped, D and F in suspense, the refund against
    # refunds paid out of clearing with no unit back in stock (no Inventory Asset or COGS), clearing netting to zero
    # (emptied into the bank).
    assert _gl(client, "AMZ-STL-80000000001-%") == {
        "ACCT-AMZ-SELLING-FEES": D("-15.23"), "ACCT-AMZ-FBA-FEES": D("-3.22"), "ACCT-AMZ-STORAGE-FEES": D("-12.34"),
        "ACCT-AMZ-SUBSCRIPTION": D("-39.99"), "ACCT-AMZ-RESERVE": D("-10.00"), "ACCT-REIMBURSEMENTS": D("8.63"),
        "ACCT-SUSPENSE": D("34.49"),  # D's 24.50 and F's 9.99 wait here
        "ACCT-SALES": D("44.99"),  # C's invoice (billed by this run)
        "ACCT-REFUNDS": D("-34.99"),  # E's cash refund
        "ACCT-BANK-USD": D("-27.30"),
        "ACCT-UNDEPOSITED-FUNDS": D("19.99"),  # the Cash Sale left Undeposited Funds (the payments net to 0)
        "ACCT-AR": D("34.97"),  # B's payment (its invoice came before); C's invoice and payment net 0
    }
    # Orders no record carries are listed with their reasons; D's is queued as a validation error.
    assert [(u.order_id, u.amount, u.account) for u in result.unmatched] == [
        (o["D"], D("24.50"), "ACCT-SUSPENSE"), (o["F"], D("9.99"), "ACCT-SUSPENSE")]
    assert "is Pending Fulfillment in NetSuite and has no invoice to pay" in result.unmatched[0].reason
    assert "the orders flow never posted it" in result.unmatched[1].reason
    assert result.variances == []
    errors = warehouse.rows("SELECT key, error_class, message FROM integration_errors WHERE flow = 'settlements'")
    assert len(errors) == 1
    assert errors[0][:2] == (f"80000000001:payment:{o['D']}", "validation")
    assert f"Sales Order AMZ-{STOREFRONT}-{o['D']} is Pending Fulfillment and has no invoice to pay" in errors[0][2]


def test_running_it_again_sends_no_write(warehouse, client, mapping):
    _setup(client, warehouse, "113", "80000000002")
    first = _post(warehouse, client, "80000000002", mapping)
    writes = sum(client.writes.values())

    again = _post(warehouse, client, "80000000002", mapping)

    assert sum(client.writes.values()) == writes
    assert not again.posted
    assert again.unchanged == {"invoice": 1, "customerPayment": 2, "cashRefund": 1, "journalEntry": 1, "deposit": 1}
    assert again.records == first.records
    assert again.failed == {"customerPayment": 1}  # D still waits for its fulfilment, as before
    assert warehouse.rows("SELECT count(*) FROM integration_errors WHERE flow = 'settlements'") == [(1,)]


def test_an_order_fulfilled_later_is_billed_paid_and_moved_out_of_suspense_by_the_next_run(warehouse, client,
                                                                                           mapping):
    o, ids = _setup(client, warehouse, "114", "80000000003")
    _post(warehouse, client, "80000000003", mapping)
    client.transform("salesOrder", ids["D"], "itemFulfillment")

    result = _post(warehouse, client, "80000000003", mapping)

    assert result.posted == {"invoice": 1, "customerPayment": 1, "journalEntry": 1, "deposit": 1}
    assert result.updated == {"journalEntry": 1, "deposit": 1}
    assert not result.failed and [u.order_id for u in result.unmatched] == [o["F"]]
    stl = _transactions(client, "AMZ-STL-80000000003-%")
    assert D(stl["AMZ-STL-80000000003-DEP"]["foreigntotal"]) == D("27.30")  # still the bank amount
    gl = _gl(client, "AMZ-STL-80000000003-%")
    assert gl["ACCT-SUSPENSE"] == D("9.99") and gl["ACCT-BANK-USD"] == D("-27.30")
    assert warehouse.rows("SELECT resolution FROM integration_errors WHERE flow = 'settlements'") == [("posted",)]


def test_netsuite_refusing_a_cash_refund_queues_the_reason_and_its_amount_waits_in_suspense(warehouse, client,
                                                                                            mapping):
    # The refund rules name an item NetSuite does not have, so NetSuite refuses the cash refund.
    missing_item = _with_refund_item("AMZ-REFUND-MISSING")
    o = _ids("115")
    _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99")
    _posted(client, warehouse, CASH_SALE, o["E"], "TSHIRT-BLUE-M", 1, "19.99")
    lines = [line(order_id=o["A"]), fee("Commission", "-3.00", order_id=o["A"]),
             line(order_id=o["E"], transaction_type="Refund", amount=D("-19.99"), sku="TSHIRT-BLUE-M")]
    warehouse.store(settlement_text(lines, settlement_id="80000000004"), mapping=missing_item)

    result = _post(warehouse, client, "80000000004", missing_item)

    assert result.failed == {"cashRefund": 1} and result.errors_by_class == {"mapping": 1}
    assert result.posted == {"journalEntry": 2, "deposit": 1}  # the fee journal, the debit journal, the deposit
    (key, error_class, message), = warehouse.rows(
        "SELECT key, error_class, message FROM integration_errors WHERE flow = 'settlements'")
    assert (key, error_class) == (f"80000000004:cash-refund:{o['E']}", "mapping")
    assert "AMZ-REFUND-MISSING" in message and f"AMZ-STL-80000000004-CR-{o['E']}" in message
    assert [(u.order_id, u.amount) for u in result.unmatched] == [(o["E"], D("-19.99"))]
    # Total -3.00: the Cash Sale (19.99) goes in a deposit of 0 with 19.99 cash back from clearing, and Amazon's
    # negative 3.00 is owed to Amazon (the Amazon balance account), not taken from the bank.
    assert _gl(client, "AMZ-STL-80000000004-%") == {
        "ACCT-AMZ-SELLING-FEES": D("-3.00"), "ACCT-SUSPENSE": D("-19.99"), "ACCT-UNDEPOSITED-FUNDS": D("19.99"),
        "ACCT-AMZ-BALANCE": D("3.00")}
    stl = _transactions(client, "AMZ-STL-80000000004-%")
    assert D(stl["AMZ-STL-80000000004-DEP"]["foreigntotal"]) == 0 and "AMZ-STL-80000000004-DEBIT" in stl


def test_a_refund_rule_without_an_item_is_a_mapping_error_and_never_puts_the_skus_unit_back_into_stock(
        warehouse, client, mapping):
    no_item = _with_refund_item(None)
    o = _ids("118")
    _posted(client, warehouse, CASH_SALE, o["E"], "TSHIRT-BLUE-M", 1, "19.99")
    warehouse.store(settlement_text([line(order_id=o["E"], transaction_type="Refund", amount=D("-19.99"),
                                          sku="TSHIRT-BLUE-M")], settlement_id="80000000007"), mapping=no_item)

    result = _post(warehouse, client, "80000000007", no_item)

    assert not result.posted.get("cashRefund") and result.errors_by_class == {"mapping": 1}
    (message,) = warehouse.rows("SELECT message FROM integration_errors WHERE key = ?",
                                [f"80000000007:cash-refund:{o['E']}"])[0]
    assert "maps to a GL rule without an item" in message and "item: AMZ-REFUND" in message
    assert [(u.order_id, u.amount) for u in result.unmatched] == [(o["E"], D("-19.99"))]


def _receivable(client, transaction_ids: list[str]) -> Decimal:
    marks = ", ".join("?" for _ in transaction_ids)
    (row,) = client.rows(f"""
        SELECT SUM(NVL(a.debit, 0)) AS debit, SUM(NVL(a.credit, 0)) AS credit FROM transactionaccountingline a
        JOIN account acc ON acc.id = a.account WHERE acc.externalid = 'ACCT-AR' AND a.transaction IN ({marks})""",
                         transaction_ids)
    return D(row["debit"]) - D(row["credit"])


def test_a_refunded_invoice_gets_a_credit_memo_applied_to_it_and_a_customer_refund_so_its_receivable_is_zero(
        warehouse, client, mapping):
    """G: sold and refunded whole in this settlement; H: sold, partly refunded in it; I: paid before (outside
    the settlement), refunded in it; J: a Sales Order not fulfilled, refunded: waits in suspense."""
    o = {letter: f"119-{i:07d}-{i:07d}" for i, letter in enumerate("GHIJ", start=1)}
    so = {
        "G": _posted(client, warehouse, SALES_ORDER, o["G"], "MUG-CAFE-WHITE", 2, "14.99", fulfil=True, bill=True),
        "H": _posted(client, warehouse, SALES_ORDER, o["H"], "HOODIE-GREY-L", 1, "44.99", fulfil=True, bill=True),
        "I": _posted(client, warehouse, SALES_ORDER, o["I"], "TSHIRT-BLACK-S", 1, "24.50", fulfil=True),
        "J": _posted(client, warehouse, SALES_ORDER, o["J"], "TSHIRT-RED-M", 1, "19.99"),
    }
    invoice_i = client.transform("salesOrder", so["I"], "invoice")
    paid_before = client.transform("invoice", invoice_i, "customerPayment")
    inventory = client.rows("SELECT SUM(tal.amount) AS amount FROM transactionaccountingline tal "
                            "JOIN account a ON a.id = tal.account WHERE a.externalid = 'ACCT-INVENTORY'")

    def mfn(order, amount, **kw):
        return line(order_id=o[order], amount=D(amount), fulfillment_id="MFN", **kw)

    lines = [mfn("G", "29.98", sku="MUG-CAFE-WHITE"),
             mfn("G", "-29.98", sku="MUG-CAFE-WHITE", transaction_type="Refund", adjustment_id="amzn1.adj.g"),
             mfn("H", "44.99", sku="HOODIE-GREY-L"), fee("Commission", "-3.00", order_id=o["H"]),
             mfn("H", "-10.00", sku="HOODIE-GREY-L", transaction_type="Refund", adjustment_id="amzn1.adj.h"),
             mfn("I", "-24.50", sku="TSHIRT-BLACK-S", transaction_type="Refund", adjustment_id="amzn1.adj.i"),
             mfn("J", "-5.00", sku="TSHIRT-RED-M", transaction_type="Refund", adjustment_id="amzn1.adj.j")]
    warehouse.store(settlement_text(lines, settlement_id="80000000008"))
    stl = "AMZ-STL-80000000008-"

    result = _post(warehouse, client, "80000000008", mapping)

    assert result.posted == {"customerPayment": 1, "creditMemo": 3, "customerRefund": 1, "journalEntry": 1,
                             "deposit": 1}
    records = _transactions(client, stl + "%")
    assert sorted(records) == sorted([stl + "PAY-" + o["H"], stl + "CM-" + o["G"], stl + "CM-" + o["H"],
                                      stl + "CM-" + o["I"], stl + "REF-" + o["I"], stl + "FEES", stl + "DEP"])
    # G's memo takes the whole invoice back (no payment); H's takes 10.00 and the payment the other 34.99;
    # I's invoice was paid, so its memo is paid out to the buyer from clearing.
    assert {k: (v["type"], D(v["foreigntotal"]), v.get("status")) for k, v in records.items() if "-CM-" in k or
            "-REF-" in k or "-PAY-" in k} == {
        stl + "CM-" + o["G"]: ("CustCred", D("29.98"), "B"), stl + "CM-" + o["H"]: ("CustCred", D("10.00"), "B"),
        stl + "CM-" + o["I"]: ("CustCred", D("24.50"), "B"), stl + "REF-" + o["I"]: ("CustRfnd", D("24.50"), None),
        stl + "PAY-" + o["H"]: ("CustPymt", D("34.99"), "C")}
    invoices = {r["previousdoc"]: r["nextdoc"] for r in client.rows(
        "SELECT previousdoc, nextdoc FROM previoustransactionlinelink WHERE linktype = 'OrdBill' "
        "AND previousdoc IN (?, ?, ?) GROUP BY previousdoc, nextdoc", [so["G"], so["H"], so["I"]])}
    for order in "GHI":  # each order's receivable: its invoice, payments, credit memo and customer refund
        ours = [records[k]["id"] for k in records if k.endswith("-" + o[order])]
        extra = [paid_before] if order == "I" else []
        assert _receivable(client, [invoices[so[order]], *ours, *extra]) == 0, order
    assert {r["status"] for r in client.rows("SELECT status FROM transaction WHERE id IN (?, ?, ?)",
                                             list(invoices.values()))} == {"B"}  # paid in full
    # Refunds against refunds, paid out of clearing, which nets to zero over the settlement's records; no unit
    # went back into stock (no Inventory Asset or COGS movement).
    assert _gl(client, stl + "%") == {
        "ACCT-REFUNDS": D("-64.48"), "ACCT-AR": D("74.97"),  # G's and H's invoices (29.98 + 44.99) settled
        "ACCT-AMZ-SELLING-FEES": D("-3.00"), "ACCT-SUSPENSE": D("-5.00"),  # J's refund waits
        "ACCT-BANK-USD": D("-2.49")}
    assert client.rows("SELECT SUM(tal.amount) AS amount FROM transactionaccountingline tal "
                       "JOIN account a ON a.id = tal.account WHERE a.externalid = 'ACCT-INVENTORY'") == inventory
    assert [(u.order_id, u.amount) for u in result.unmatched] == [(o["J"], D("-5.00"))]
    assert "has no invoice to credit the refund to" in result.unmatched[0].reason and result.variances == []
    assert warehouse.rows("SELECT key, error_class FROM integration_errors WHERE flow = 'settlements' AND "
                          "starts_with(key, '80000000008:')") == [(f"80000000008:credit-memo:{o['J']}", "validation")]

    writes = sum(client.writes.values())
    again = _post(warehouse, client, "80000000008", mapping)

    assert sum(client.writes.values()) == writes and not again.posted
    assert again.unchanged == result.posted


def test_a_refused_credit_memo_leaves_its_invoice_open_by_the_refund_and_the_smaller_payment_still_posts(
        warehouse, client):
    """Sold 29.98 and refunded 10.00 in one settlement: the payment is 19.98 either way; with the memo refused the
    invoice keeps 10.00 open until it posts, and nothing needs suspense (Amazon paid 19.98)."""
    missing_item = _with_refund_item("AMZ-REFUND-MISSING")
    o = _ids("122")
    order = _posted(client, warehouse, SALES_ORDER, o["A"], "MUG-CAFE-WHITE", 2, "14.99", fulfil=True, bill=True)
    warehouse.store(settlement_text([
        line(order_id=o["A"], amount=D("29.98"), sku="MUG-CAFE-WHITE", fulfillment_id="MFN"),
        line(order_id=o["A"], amount=D("-10.00"), transaction_type="Refund", sku="MUG-CAFE-WHITE",
             fulfillment_id="MFN")], settlement_id="80000000011"), mapping=missing_item)

    result = _post(warehouse, client, "80000000011", missing_item)

    assert result.posted == {"customerPayment": 1, "deposit": 1} and result.failed == {"creditMemo": 1}
    assert not result.unmatched and not result.variances
    assert warehouse.rows("SELECT key FROM integration_errors WHERE starts_with(key, '80000000011:')") == [
        (f"80000000011:credit-memo:{o['A']}",)]
    stl = _transactions(client, "AMZ-STL-80000000011-%")
    assert D(stl["AMZ-STL-80000000011-PAY-" + o["A"]]["foreigntotal"]) == D("19.98")
    invoice = client.rows("SELECT t.foreignamountremaining FROM previoustransactionlinelink l JOIN transaction t "
                          "ON t.id = l.nextdoc WHERE l.linktype = 'OrdBill' AND l.previousdoc = ? "
                          "GROUP BY t.id, t.foreignamountremaining", [order])
    assert invoice == [{"foreignamountremaining": "10"}]


def test_a_cash_refund_of_a_sale_that_carried_tax_and_shipping_carries_only_what_was_refunded_and_gives_the_tax_back(
        warehouse, client, mapping):
    """The transform copies the sale's shipping and tax; the refund lines replace its items, the header amounts are
    set to 0 and its SuiteTax lines are the tax Amazon gave back, so the cash refund is exactly the refund and the
    tax payable the sale credited is debited back (the fee journal books no tax)."""
    o = _ids("120")
    tax = {"taxDetailsReference": "AMZ-1", "taxType": {"externalId": "TAXTYPE-SALES-TAX"},
           "taxCode": {"externalId": "TAXCODE-SALES-TAX"}, "taxBasis": "19.99", "taxRate": "8.00", "taxAmount": "1.60"}
    _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99", shippingCost="3.99",
            taxDetailsOverride=True, taxDetails={"items": [tax]},
            item={"items": [{"item": {"externalId": "TSHIRT-RED-M"}, "quantity": 1, "rate": "19.99",
                             "price": {"id": "-1"}, "taxDetailsReference": "AMZ-1"}]})
    lines = [line(order_id=o["A"], transaction_type="Refund", amount=D("-19.99")),
             line(order_id=o["A"], transaction_type="Refund", amount_description="Shipping", amount=D("-3.99")),
             line(order_id=o["A"], transaction_type="Refund", amount_description="Tax", amount=D("-1.60"))]
    warehouse.store(settlement_text(lines, settlement_id="80000000009"))

    result = _post(warehouse, client, "80000000009", mapping)

    assert result.posted == {"cashRefund": 1, "journalEntry": 1} and not result.unmatched  # and the debit journal
    refund = "AMZ-STL-80000000009-CR-" + o["A"]
    assert D(_transactions(client, refund)[refund]["foreigntotal"]) == D("25.58")
    assert _gl(client, refund) == {"ACCT-REFUNDS": D("-23.98"), "ACCT-SALES-TAX-PAYABLE": D("-1.60"),
                                   "ACCT-AMZ-CLEARING": D("25.58")}
    assert _gl(client, "AMZ-STL-80000000009-FEES") == {}


def test_a_clearing_account_that_is_not_a_bank_account_gets_the_customer_refund_refused_and_it_waits_in_suspense(
        warehouse, client, mapping):
    not_bank = gl_mapping_from_dict({**yaml.safe_load(DEFAULT_MAPPING.read_text()),
                                     "suspense_account": "ACCT-SUSPENSE", "clearing_account": "ACCT-AMZ-RESERVE"})
    o = _ids("121")
    order = _posted(client, warehouse, SALES_ORDER, o["A"], "TSHIRT-BLACK-S", 1, "24.50",
                    fulfil=True, bill=True)
    invoice = client.rows("SELECT nextdoc FROM previoustransactionlinelink WHERE linktype = 'OrdBill' AND "
                          "previousdoc = ? GROUP BY nextdoc", [order])[0]["nextdoc"]
    client.transform("invoice", invoice, "customerPayment")  # paid before this settlement
    warehouse.store(settlement_text([line(order_id=o["A"], amount=D("-24.50"), transaction_type="Refund",
                                          sku="TSHIRT-BLACK-S", fulfillment_id="MFN")], settlement_id="80000000010"),
                    mapping=not_bank)

    result = _post(warehouse, client, "80000000010", not_bank)

    assert result.posted == {"creditMemo": 1, "journalEntry": 2} and result.failed == {"customerRefund": 1}
    (key, message), = warehouse.rows("SELECT key, message FROM integration_errors WHERE starts_with(key, "
                                     "'80000000010:')")
    assert key == f"80000000010:customer-refund:{o['A']}" and "bank account" in message
    assert [(u.order_id, u.amount) for u in result.unmatched] == [(o["A"], D("-24.50"))]
    assert "its customer refund AMZ-STL-80000000010-REF-" in result.unmatched[0].reason
    assert _gl(client, "AMZ-STL-80000000010-%") == {"ACCT-REFUNDS": D("-24.50"), "ACCT-AR": D("24.50"),
                                                    "ACCT-SUSPENSE": D("-24.50"),
                                                    "ACCT-AMZ-BALANCE": D("24.50")}  # a negative settlement: owed


def test_a_settlement_of_one_cash_refund_posted_transactionally_is_refused_in_summary_mode(warehouse, client,
                                                                                           mapping):
    from amazon_netsuite.lib.settlements.posting import SettlementNotPostable

    o = _ids("123")
    _posted(client, warehouse, CASH_SALE, o["E"], "TSHIRT-BLUE-M", 1, "19.99")
    warehouse.store(settlement_text([line(order_id=o["E"], transaction_type="Refund", amount=D("-19.99"))],
                                    settlement_id="80000000012"))
    assert _post(warehouse, client, "80000000012", mapping).posted == {"cashRefund": 1, "journalEntry": 1}
    writes = sum(client.writes.values())

    with pytest.raises(SettlementNotPostable, match="settlement 80000000012 was posted in transactional mode "
                                                    f"\\(AMZ-STL-80000000012-CR-{o['E']}\\)"):
        post_settlement(warehouse.connect, client, "80000000012", mapping=mapping, settings=SUMMARY_SETTINGS)
    assert sum(client.writes.values()) == writes


def test_netsuite_refusing_the_fee_journal_holds_the_deposit_back_and_the_cash_sale_stays_undeposited(
        warehouse, client):
    """The deposit takes clearing's net (here 15.34 cash back) that only the fee journal puts there."""
    from amazon_netsuite_tests.lib.settlements.test_posting import create_account, with_unknown_storage_account

    unknown_account = with_unknown_storage_account("ACCT-STORAGE-TRANSACTIONAL",
                                                   suspense_account="ACCT-SUSPENSE")
    o = _ids("116")
    cash_sale = _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99")
    lines = [line(order_id=o["A"]), fee("Commission", "-3.00", order_id=o["A"]),
             period("other-transaction", "other-transaction", "Storage Fee", "-12.34")]
    warehouse.store(settlement_text(lines, settlement_id="80000000005"), mapping=unknown_account)
    fees, dep = "AMZ-STL-80000000005-FEES", "AMZ-STL-80000000005-DEP"

    result = _post(warehouse, client, "80000000005", unknown_account)

    assert set(_transactions(client, "AMZ-STL-80000000005-%")) == set()
    assert result.failed == {"journalEntry": 1} and result.waiting == {"deposit": 1} and not result.posted
    assert client.rows("SELECT status FROM transaction WHERE id = ?", [cash_sale]) == [{"status": "B"}]
    errors = dict(warehouse.rows("SELECT key, message FROM integration_errors WHERE flow = 'settlements' "
                                 "AND resolved IS NULL AND starts_with(key, '80000000005:')"))
    assert set(errors) == {"80000000005:fees", "80000000005:deposit"}
    assert errors["80000000005:deposit"].startswith(f"deposit {dep} (storefront {STOREFRONT}) waits for fee journal "
                                                    f"{fees}, which is not in NetSuite")

    create_account(client, "ACCT-STORAGE-TRANSACTIONAL")
    retried = _post(warehouse, client, "80000000005", unknown_account)

    assert retried.posted == {"journalEntry": 1, "deposit": 1} and not retried.failed and not retried.waiting
    stl = _transactions(client, "AMZ-STL-80000000005-%")
    assert set(stl) == {fees, dep} and D(stl[dep]["foreigntotal"]) == D("4.65")
    assert client.rows("SELECT status FROM transaction WHERE id = ?", [cash_sale]) == [{"status": "C"}]
    assert _gl(client, "AMZ-STL-80000000005-%") == {
        "ACCT-AMZ-SELLING-FEES": D("-3.00"), "ACCT-STORAGE-TRANSACTIONAL": D("-12.34"),
        "ACCT-UNDEPOSITED-FUNDS": D("19.99"), "ACCT-BANK-USD": D("-4.65")}


def test_an_error_of_a_record_the_settlement_no_longer_needs_is_resolved_rather_than_retried_forever(
        warehouse, client, mapping):
    """The retry runs a storefront-day again while one of its settlement errors is open: an error of a record that
    no run will send again must not stay open."""
    o, _ = _setup(client, warehouse, "117", "80000000006")
    _post(warehouse, client, "80000000006", mapping)
    waiting = f"80000000006:payment:{o['D']}"
    assert warehouse.rows("SELECT key FROM integration_errors WHERE resolved IS NULL AND starts_with(key, "
                          "'80000000006:')") == [(waiting,)]
    # D's record is no longer the orders flow's (its ledger row was removed, say): its lines are unmatched now.
    with warehouse.connect() as con:
        con.execute("UPDATE settlement_line_matches SET match_status = 'unmatched', record_type = NULL, "
                    "internal_id = NULL, reason = 'order ' || order_id || ' has no posted NetSuite record' "
                    "WHERE settlement_id = '80000000006' AND order_id = ?", [o["D"]])

    result = _post(warehouse, client, "80000000006", mapping)

    assert warehouse.rows("SELECT resolved IS NOT NULL, resolution FROM integration_errors WHERE key = ?",
                          [waiting]) == [(True, "no longer part of the settlement's posting: nothing to send")]
    assert not result.failed and result.errors_resolved_without_posting == 1
    assert [u.order_id for u in result.unmatched] == [o["D"], o["F"]]  # D's 24.50 still waits in suspense


# --- payloads, without NetSuite ------------------------------------------------------------------------------------


def _mapped(lines: list[dict], mapping) -> list:
    from amazon_netsuite.lib.gl_mapping import map_lines
    from amazon_netsuite.lib.settlements.parse import parse_settlement
    from amazon_netsuite.lib.settlements.posting import Line

    return [Line.from_row(row, mapping) for row in map_lines(parse_settlement(settlement_text(lines)).lines,
                                                             mapping).to_pylist()]


def test_an_orders_lines_are_split_into_sale_tax_refund_and_fees_and_the_record_covers_tax_only_if_it_posted_it(
        mapping):
    from amazon_netsuite.lib.settlements.posting import covered_by_record, order_lines

    lines = _mapped([line(), line(amount_description="Tax", amount=D("1.60")),
                     line(amount_type="ItemWithheldTax", amount_description="MarketplaceFacilitatorTax-Principal",
                          amount=D("-1.60")),
                     fee("Commission", "-3.00"), line(amount_type="Promotion", amount=D("-2.00")),
                     line(transaction_type="Refund", amount=D("-19.99")),
                     line(transaction_type="Refund", amount_description="Tax", amount=D("-1.60")),
                     period("other-transaction", "other-transaction", "Subscription", "-39.99")], mapping)
    orders, no_order = order_lines(lines)
    (order,) = orders.values()
    assert [x.line_number for x in order.sale] == [3, 7]  # Principal, its promotion
    assert [x.line_number for x in order.buyer_tax] == [4]
    assert [x.line_number for x in order.refund] == [8]
    assert [x.line_number for x in order.refund_tax] == [9]  # on the refund record if the sale's carried tax
    assert [x.line_number for x in order.other] == [5, 6]
    assert [x.line_number for x in no_order] == [10]
    assert (order.sold(), order.refunded()) == (D("17.99"), D("19.99"))
    # facilitator tax omitted from the record: it covers the sale; seller-collected tax posted: it covers both
    assert covered_by_record(order, D("17.99")) == (D("17.99"), [])
    assert covered_by_record(order, D("19.59")) == (D("19.59"), order.buyer_tax)


def test_the_fee_journal_balances_against_clearing_and_the_deposit_takes_what_clearing_holds(mapping):
    from datetime import datetime

    from amazon_netsuite.lib.settlements.posting import (
        Deposited,
        Settlement,
        Unsettled,
        bank_transfer,
        fee_journals,
    )

    settlement = Settlement("9", STOREFRONT, "USD", D("5.00"), datetime(2026, 10, 4))
    fees = _mapped([fee("Commission", "-3.00"),
                    period("other-transaction", "other-transaction", "Subscription", "-39.99")], mapping)
    (journal,) = fee_journals(settlement, mapping, "SUB-na", fees,
                          [Unsettled("111-1", D("9.99"), "never posted", "ACCT-SUSPENSE")],
                          [Unsettled("111-2", D("0.50"), "Amazon paid more", "ACCT-SUSPENSE")])
    items = journal.body["line"]["items"]
    # Refunds are no journal line: their cash refunds and customer refunds pay them out of clearing themselves.
    assert [(i["account"]["externalId"], i.get("debit"), i.get("credit")) for i in items] == [
        ("ACCT-AMZ-SELLING-FEES", "3.00", None), ("ACCT-AMZ-SUBSCRIPTION", "39.99", None),
        ("ACCT-SUSPENSE", None, "9.99"), ("ACCT-SUSPENSE", None, "0.50"), ("ACCT-AMZ-CLEARING", None, "32.50")]
    assert items[2]["memo"] == "order 111-1: never posted"
    # 49.50 of payments and cash sales in Undeposited Funds; the bank gets 5.00, so 44.50 comes back out of clearing
    (deposit,) = bank_transfer(settlement, mapping, "SUB-na", [Deposited("1", D("30.00"), "a"),
                                                               Deposited("2", D("19.50"), "b")])
    assert deposit.body["payment"]["items"] == [{"id": "1", "deposit": True}, {"id": "2", "deposit": True}]
    assert deposit.body["cashback"]["items"][0]["amount"] == "44.50" and deposit.body["other"]["items"] == []
    negative = Settlement("10", STOREFRONT, "USD", D("-7.25"), datetime(2026, 10, 4))
    deposit, debit = bank_transfer(negative, mapping, "SUB-na", [Deposited("1", D("30.00"), "a")])
    assert deposit.body["cashback"]["items"][0]["amount"] == "30.00"  # a deposit of 0 empties Undeposited Funds
    assert [(i["account"]["externalId"], i.get("debit"), i.get("credit")) for i in debit.body["line"]["items"]] == [
        ("ACCT-AMZ-CLEARING", "7.25", None), ("ACCT-AMZ-BALANCE", None, "7.25")]  # owed to Amazon, not the bank


def test_an_mfn_order_shipped_on_30_june_and_paid_in_july_is_invoiced_and_earns_its_revenue_on_30_june(
        warehouse, client, mapping):
    o = _ids("118")
    order = _posted(client, warehouse, SALES_ORDER, o["A"], "MUG-CAFE-WHITE", 2, "14.99", tranDate="2026-06-27")
    # The seller's warehouse ships one mug on 28 June and the other on 30 June: the order shipped on 30 June.
    for day in ("2026-06-28", "2026-06-30"):
        client.transform("salesOrder", order, "itemFulfillment",
                         {"tranDate": day, "shipStatus": {"id": "C"},
                          "item": {"items": [{"orderLine": 1, "quantity": 1}]}})
    warehouse.store(settlement_text([line(order_id=o["A"], amount=D("29.98"), sku="MUG-CAFE-WHITE",
                                          fulfillment_id="MFN"), fee("Commission", "-4.50", order_id=o["A"])],
                                    settlement_id="80000000007", start="2026-06-25 00:00:00 UTC",
                                    end="2026-07-09 00:00:00 UTC", deposit="2026-07-11 00:00:00 UTC"))

    result = _post(warehouse, client, "80000000007", mapping)

    assert result.posted["invoice"] == 1
    revenue = client.rows("""
        SELECT t.type, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS day, SUM(NVL(a.credit, 0)) - SUM(NVL(a.debit, 0)) AS net
        FROM transactionaccountingline a JOIN transaction t ON t.id = a.transaction
        JOIN account acc ON acc.id = a.account
        WHERE acc.externalid = 'ACCT-SALES' AND t.externalid = ? GROUP BY t.type, t.trandate""",
                          ["AMZ-STL-80000000007-INV-" + o["A"]])
    assert [(r["type"], r["day"], D(r["net"])) for r in revenue] == [("CustInvc", "2026-06-30", D("29.98"))]


def test_a_cash_sale_carrying_seller_collected_tax_as_suitetax_lines_is_deposited_whole_and_its_tax_booked_once(
        warehouse, client, mapping):
    """A Canadian-style sale: the order posted its tax as a SuiteTax line, so the Cash Sale's total (21.59) covers
    Amazon's Principal and Tax lines and the fee journal books no tax of its own."""
    o = _ids("126")
    tax = {"taxDetailsReference": "AMZ-1", "taxType": {"externalId": "TAXTYPE-SALES-TAX"},
           "taxCode": {"externalId": "TAXCODE-SALES-TAX"}, "taxBasis": "19.99", "taxRate": "8.00", "taxAmount": "1.60"}
    _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99", taxDetailsOverride=True,
            taxDetails={"items": [tax]},
            item={"items": [{"item": {"externalId": "TSHIRT-RED-M"}, "quantity": 1, "rate": "19.99",
                             "price": {"id": "-1"}, "taxDetailsReference": "AMZ-1"}]})
    warehouse.store(settlement_text([line(order_id=o["A"], amount=D("19.99")),
                                     line(order_id=o["A"], amount_description="Tax", amount=D("1.60")),
                                     fee("Commission", "-3.00", order_id=o["A"])], settlement_id="80000000026"))

    result = _post(warehouse, client, "80000000026", mapping)

    assert result.deposit_amount == D("18.59") and result.unmatched == [] and result.variances == []
    books = _gl(client, f"AMZ-{STOREFRONT}-{o['A']}")
    for account, amount in _gl(client, "AMZ-STL-80000000026-%").items():
        books[account] = books.get(account, D(0)) + amount
    assert {a: v for a, v in books.items() if v} == {
        "ACCT-SALES-TAX-PAYABLE": D("1.60"), "ACCT-SALES": D("19.99"), "ACCT-AMZ-SELLING-FEES": D("-3.00"),
        "ACCT-BANK-USD": D("-18.59"), "ACCT-INVENTORY": D("8.00"), "ACCT-COGS": D("-8.00")}


def test_an_order_the_order_reports_never_had_posts_as_mapped_and_one_not_posted_yet_waits_in_suspense(
        warehouse, client, mapping):
    """Revenue once, and never lost: an order no loaded order report has, though one covers the day it was paid,
    was placed before this integration (or elsewhere) and no record will ever carry it, so its sale books as the GL
    mapping maps it; an order whose day no loaded report covers yet may still be posted, so it waits in suspense."""
    o = _ids("127")
    with warehouse.connect() as con:  # an order report of 1–3 October is in the warehouse
        con.execute("INSERT INTO amazon_reports (report_id, seller_account, report_type, processing_status, "
                    "data_start_time, data_end_time, created_time, downloaded_at) VALUES ('R-127', 'demo-na', "
                    "'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL', 'DONE', '2026-10-01', '2026-10-04', "
                    "'2026-10-04', '2026-10-04')")
    later = {"posted_date": "10/09/26", "posted_date_time": "2026-10-09 10:11:12 UTC"}
    warehouse.store(settlement_text([line(order_id=o["A"], amount=D("19.99")),
                                     fee("Commission", "-3.00", order_id=o["A"]),
                                     line(order_id=o["B"], amount=D("9.99"), **later)], settlement_id="80000000027"))

    result = _post(warehouse, client, "80000000027", mapping)

    assert [(u.order_id, u.amount) for u in result.unmatched] == [(o["B"], D("9.99"))]
    assert _gl(client, "AMZ-STL-80000000027-FEES") == {"ACCT-SALES": D("19.99"), "ACCT-AMZ-SELLING-FEES": D("-3.00"),
                                                       "ACCT-SUSPENSE": D("9.99"), "ACCT-AMZ-CLEARING": D("-26.98")}


def test_a_chargeback_and_an_a_to_z_claim_reverse_their_sale_on_a_refund_record_as_a_refund_does(
        warehouse, client, mapping):
    o = _ids("128")
    _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-BLUE-M", 1, "19.99")
    _posted(client, warehouse, CASH_SALE, o["B"], "MUG-CAFE-WHITE", 1, "14.99")
    warehouse.store(settlement_text([
        line(order_id=o["A"], transaction_type="Chargeback Refund", amount=D("-19.99")),
        line(order_id=o["B"], transaction_type="A-to-z Guarantee Claim", amount=D("-14.99"))],
        settlement_id="80000000028"))

    result = _post(warehouse, client, "80000000028", mapping)

    assert result.posted["cashRefund"] == 2 and not result.unmatched
    assert _gl(client, f"AMZ-STL-80000000028-CR-{o['A']}") == {"ACCT-REFUNDS": D("-19.99"),
                                                               "ACCT-AMZ-CLEARING": D("19.99")}
    assert _gl(client, f"AMZ-STL-80000000028-CR-{o['B']}") == {"ACCT-REFUNDS": D("-14.99"),
                                                               "ACCT-AMZ-CLEARING": D("14.99")}
    assert "ACCT-REFUNDS" not in _gl(client, "AMZ-STL-80000000028-FEES")
