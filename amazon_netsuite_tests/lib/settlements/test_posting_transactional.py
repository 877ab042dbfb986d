"""Transactional posting (NetSuite Connector / Celigo style) through the NetSuite sandbox over HTTP: the orders are
posted to the sandbox first, then a settlement pays the invoiced Sales Order, bills and pays the fulfilled one,
deposits the Cash Sale, credits the refund, books fees on one journal and deposits the bank amount; orders that
cannot be settled wait in suspense with their reason and are settled by a later run."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER
from amazon_netsuite.lib.settlements.gl_mapping import gl_mapping_from_dict
from amazon_netsuite.lib.settlements.posting_run import post_settlement
from amazon_netsuite_tests.lib.settlements.settlement_builder import fee, line, period, settlement_text
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import (
    DEFAULT_MAPPING,
    SETTINGS,
)

D = Decimal
STOREFRONT = "demo-US"


@pytest.fixture(scope="module")
def mapping():
    return gl_mapping_from_dict({**yaml.safe_load(DEFAULT_MAPPING.read_text()), "posting_mode": "transactional",
                                 "suspense_account": "ACCT-SUSPENSE"})


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
        "SELECT externalid, type, status, entity, foreigntotal, foreignamountremaining FROM transaction "
        "WHERE externalid LIKE ?", [like])}


def test_a_settlement_pays_invoices_deposits_cash_sales_credits_refunds_and_books_fees(warehouse, client,
                                                                                       mapping):
    o, ids = _setup(client, warehouse, "112", "80000000001")

    result = _post(warehouse, client, "80000000001", mapping)

    assert result.mode == "transactional"
    assert result.posted == {"invoice": 1, "customerPayment": 2, "creditMemo": 1, "journalEntry": 1, "deposit": 1}
    assert result.failed == {"customerPayment": 1} and result.errors_by_class == {"validation": 1}
    assert result.deposit_amount == D("27.30")
    stl = _transactions(client, "AMZ-STL-80000000001-%")
    assert sorted(stl) == sorted([
        "AMZ-STL-80000000001-INV-" + o["C"], "AMZ-STL-80000000001-PAY-" + o["B"],
        "AMZ-STL-80000000001-PAY-" + o["C"], "AMZ-STL-80000000001-CM-" + o["E"], "AMZ-STL-80000000001-FEES",
        "AMZ-STL-80000000001-DEP"])
    # The deposit is the bank amount: the Cash Sale (19.99) and both payments (34.97, 44.99) less clearing's 72.65.
    assert D(stl["AMZ-STL-80000000001-DEP"]["foreigntotal"]) == D("27.30")
    deposited = client.rows("""
        SELECT t.externalid FROM previoustransactionlinelink l JOIN transaction t ON t.id = l.previousdoc
        JOIN transaction d ON d.id = l.nextdoc
        WHERE l.linktype = 'Deposit' AND d.externalid = 'AMZ-STL-80000000001-DEP' ORDER BY t.externalid""")
    assert [r["externalid"] for r in deposited] == sorted([
        f"AMZ-{STOREFRONT}-{o['A']}", "AMZ-STL-80000000001-PAY-" + o["B"], "AMZ-STL-80000000001-PAY-" + o["C"]])
    # Both invoices are paid in full; the Cash Sale is deposited; the refund is a credit memo of 34.99.
    paid = client.rows("""
        SELECT t.status, t.foreignamountremaining FROM previoustransactionlinelink l
        JOIN transaction t ON t.id = l.nextdoc
        WHERE l.linktype = 'OrdBill' AND l.previousdoc IN (?, ?) GROUP BY t.id, t.status, t.foreignamountremaining""",
                       [ids["B"], ids["C"]])
    assert paid == [{"status": "B", "foreignamountremaining": "0"}] * 2
    assert client.rows("SELECT status FROM transaction WHERE id = ?", [ids["A"]]) == [{"status": "C"}]
    memo = stl["AMZ-STL-80000000001-CM-" + o["E"]]
    assert (memo["type"], D(memo["foreigntotal"])) == ("CustCred", D("34.99"))
    # What the settlement's own records post, per account: fees as mapped, D and F in suspense, refunds through
    # receivables (the credit memo's credit cleared by the fee journal), clearing emptied into the bank.
    assert _gl(client, "AMZ-STL-80000000001-%") == {
        "ACCT-AMZ-SELLING-FEES": D("-15.23"), "ACCT-AMZ-FBA-FEES": D("-3.22"), "ACCT-AMZ-STORAGE-FEES": D("-12.34"),
        "ACCT-AMZ-SUBSCRIPTION": D("-39.99"), "ACCT-AMZ-RESERVE": D("-10.00"), "ACCT-REIMBURSEMENTS": D("8.63"),
        "ACCT-SUSPENSE": D("34.49"),  # D's 24.50 and F's 9.99 wait here
        "ACCT-SALES": D("44.99") - D("34.99"),  # C's invoice (billed by this run) less the refund's credit memo
        "ACCT-BANK-USD": D("-27.30"),
        "ACCT-UNDEPOSITED-FUNDS": D("19.99"),  # the Cash Sale left Undeposited Funds (the payments net to 0)
        "ACCT-AR": D("34.97"),  # B's payment (its invoice came before); C's invoice and payment, E's credit net 0
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
    assert again.unchanged == {"invoice": 1, "customerPayment": 2, "creditMemo": 1, "journalEntry": 1, "deposit": 1}
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


def test_netsuite_refusing_a_credit_memo_queues_the_reason_and_the_rest_posts(warehouse, client, mapping):
    o = _ids("115")
    _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99")
    _posted(client, warehouse, CASH_SALE, o["E"], "TSHIRT-BLUE-M", 1, "19.99")
    lines = [line(order_id=o["A"]), fee("Commission", "-3.00", order_id=o["A"]),
             # the refund names a SKU NetSuite has no item for (left out of the sandbox's catalog on purpose)
             line(order_id=o["E"], transaction_type="Refund", amount=D("-19.99"), sku="CAP-OLIVE")]
    warehouse.store(settlement_text(lines, settlement_id="80000000004"))

    result = _post(warehouse, client, "80000000004", mapping)

    assert result.failed == {"creditMemo": 1} and result.errors_by_class == {"mapping": 1}
    assert result.posted == {"journalEntry": 2, "deposit": 1}  # the fee journal, the debit journal, the deposit
    (key, error_class, message), = warehouse.rows(
        "SELECT key, error_class, message FROM integration_errors WHERE flow = 'settlements'")
    assert (key, error_class) == (f"80000000004:credit-memo:{o['E']}", "mapping")
    assert "CAP-OLIVE" in message and f"AMZ-STL-80000000004-CM-{o['E']}" in message
    assert [(u.order_id, u.amount) for u in result.unmatched] == [(o["E"], D("-19.99"))]
    # Total -3.00: the Cash Sale (19.99) goes in a deposit of 0 with 19.99 cash back from clearing, and Amazon's
    # debit of 3.00 is a journal from the bank.
    assert _gl(client, "AMZ-STL-80000000004-%") == {
        "ACCT-AMZ-SELLING-FEES": D("-3.00"), "ACCT-SUSPENSE": D("-19.99"), "ACCT-UNDEPOSITED-FUNDS": D("19.99"),
        "ACCT-BANK-USD": D("3.00")}
    stl = _transactions(client, "AMZ-STL-80000000004-%")
    assert D(stl["AMZ-STL-80000000004-DEP"]["foreigntotal"]) == 0 and "AMZ-STL-80000000004-DEBIT" in stl


def test_netsuite_refusing_the_fee_journal_holds_the_deposit_back_and_the_cash_sale_stays_undeposited(
        warehouse, client):
    """The deposit takes clearing's net (here 15.34 cash back) that only the fee journal puts there."""
    from amazon_netsuite_tests.lib.settlements.test_posting import create_account, with_unknown_storage_account

    unknown_account = with_unknown_storage_account("ACCT-STORAGE-TRANSACTIONAL", posting_mode="transactional",
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
    from amazon_netsuite.lib.settlements.gl_mapping import map_lines
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
    assert [x.line_number for x in order.refund] == [8]  # the refunded tax is a fee-journal (tax clearing) line
    assert [x.line_number for x in order.other] == [5, 6, 9]
    assert [x.line_number for x in no_order] == [10]
    assert (order.sold(), order.refunded()) == (D("17.99"), D("19.99"))
    # facilitator tax omitted from the record: it covers the sale; seller-collected tax posted: it covers both
    assert covered_by_record(order, D("17.99")) == (D("17.99"), [])
    assert covered_by_record(order, D("19.59")) == (D("19.59"), order.buyer_tax)


def test_the_fee_journal_balances_against_clearing_and_the_deposit_takes_what_clearing_holds(mapping):
    from datetime import datetime

    from amazon_netsuite.lib.settlements.posting import (
        Cleared,
        Deposited,
        Settlement,
        Unsettled,
        bank_transfer,
        fee_journal,
    )

    settlement = Settlement("9", STOREFRONT, "USD", D("5.00"), datetime(2026, 10, 4))
    fees = _mapped([fee("Commission", "-3.00"),
                    period("other-transaction", "other-transaction", "Subscription", "-39.99")], mapping)
    journal = fee_journal(settlement, mapping, "SUB-na", fees,
                          [Unsettled("111-1", D("9.99"), "never posted", "ACCT-SUSPENSE")],
                          [Unsettled("111-2", D("0.50"), "Amazon paid more", "ACCT-SUSPENSE")],
                          [Cleared("111-3", "39", D("12.00"))])
    items = journal.body["line"]["items"]
    assert [(i["account"]["externalId"], i.get("debit"), i.get("credit")) for i in items] == [
        ("ACCT-AMZ-SELLING-FEES", "3.00", None), ("ACCT-AMZ-SUBSCRIPTION", "39.99", None),
        ("ACCT-SUSPENSE", None, "9.99"), ("ACCT-SUSPENSE", None, "0.50"), ("ACCT-AR", "12.00", None),
        ("ACCT-AMZ-CLEARING", None, "44.50")]
    assert items[4]["entity"] == {"id": "39"} and items[2]["memo"] == "order 111-1: never posted"
    # 49.50 of payments and cash sales in Undeposited Funds; the bank gets 5.00, so 44.50 comes back out of clearing
    (deposit,) = bank_transfer(settlement, mapping, "SUB-na", [Deposited("1", D("30.00"), "a"),
                                                               Deposited("2", D("19.50"), "b")])
    assert deposit.body["payment"]["items"] == [{"id": "1", "deposit": True}, {"id": "2", "deposit": True}]
    assert deposit.body["cashback"]["items"][0]["amount"] == "44.50" and deposit.body["other"]["items"] == []
    negative = Settlement("10", STOREFRONT, "USD", D("-7.25"), datetime(2026, 10, 4))
    deposit, debit = bank_transfer(negative, mapping, "SUB-na", [Deposited("1", D("30.00"), "a")])
    assert deposit.body["cashback"]["items"][0]["amount"] == "30.00"  # a deposit of 0 empties Undeposited Funds
    assert [(i["account"]["externalId"], i.get("debit"), i.get("credit")) for i in debit.body["line"]["items"]] == [
        ("ACCT-AMZ-CLEARING", "7.25", None), ("ACCT-BANK-USD", None, "7.25")]


def test_a_cash_sale_carrying_seller_collected_tax_as_suitetax_lines_is_deposited_whole_and_its_tax_booked_once(
        warehouse, client, mapping):
    """A Canadian-style sale: the order posted its tax as a SuiteTax line, so the Cash Sale's total (21.59) covers
    Amazon's Principal and Tax lines and the fee journal books no tax of its own."""
    o = _ids("118")
    tax = {"taxDetailsReference": "AMZ-1", "taxType": {"externalId": "TAXTYPE-SALES-TAX"},
           "taxCode": {"externalId": "TAXCODE-SALES-TAX"}, "taxBasis": "19.99", "taxRate": "8.00", "taxAmount": "1.60"}
    _posted(client, warehouse, CASH_SALE, o["A"], "TSHIRT-RED-M", 1, "19.99", taxDetailsOverride=True,
            taxDetails={"items": [tax]},
            item={"items": [{"item": {"externalId": "TSHIRT-RED-M"}, "quantity": 1, "rate": "19.99",
                             "price": {"id": "-1"}, "taxDetailsReference": "AMZ-1"}]})
    warehouse.store(settlement_text([line(order_id=o["A"], amount=D("19.99")),
                                     line(order_id=o["A"], amount_description="Tax", amount=D("1.60")),
                                     fee("Commission", "-3.00", order_id=o["A"])], settlement_id="80000000008"))

    result = _post(warehouse, client, "80000000008", mapping)

    assert result.deposit_amount == D("18.59") and result.unmatched == [] and result.variances == []
    books = _gl(client, f"AMZ-{STOREFRONT}-{o['A']}")
    for account, amount in _gl(client, "AMZ-STL-80000000008-%").items():
        books[account] = books.get(account, D(0)) + amount
    assert {a: v for a, v in books.items() if v} == {
        "ACCT-SALES-TAX-PAYABLE": D("1.60"), "ACCT-SALES": D("19.99"), "ACCT-AMZ-SELLING-FEES": D("-3.00"),
        "ACCT-BANK-USD": D("-18.59"), "ACCT-INVENTORY": D("8.00"), "ACCT-COGS": D("-8.00")}
