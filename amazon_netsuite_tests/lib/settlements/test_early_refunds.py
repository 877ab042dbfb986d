"""Refunds posted as they happen (`early_refunds.post_refunds`, the finances flow's refunds_posted) through the
NetSuite sandbox over HTTP, then the settlement that follows matching them instead of posting a second refund, and
still tying out: clearing nets to zero over both flows' records (NetSuite's own GL impact)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER
from amazon_netsuite.lib.settlements.early_refunds import post_refunds
from amazon_netsuite_tests.lib.settlements.settlement_builder import fee, line, settlement_text
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import SETTINGS
from amazon_netsuite_tests.lib.settlements.test_posting_transactional import (
    _gl,
    _post,
    _posted,
    _receivable,
    _transactions,
    mapping,  # noqa: F401 (fixture)
)

D = Decimal
STOREFRONT = "demo-US"
DAY = date(2026, 9, 25)


def _transaction(warehouse, tid: str, kind: str, order_id: str, sku: str, *parts: tuple[str, str]) -> None:
    """One Finances API transaction of DAY in finance_transactions, a row per breakdown leaf (path, amount)."""
    with warehouse.connect() as con:
        for path, amount in parts:
            con.execute(
                "INSERT INTO finance_transactions (storefront, day, transaction_id, transaction_type, "
                "transaction_status, posted_date, marketplace_id, order_id, sku, breakdown_path, breakdown_type, "
                "amount, currency) VALUES (?, ?, ?, ?, 'RELEASED', ?, 'ATVPDKIKX0DER', ?, ?, ?, ?, ?, 'USD')",
                [STOREFRONT, DAY, tid, kind, datetime(2026, 9, 25, 14, 0, tzinfo=timezone.utc), order_id, sku, path,
                 path.rsplit("/", 1)[-1], D(amount)])


def _refunds(warehouse, client, mapping):
    return {o.transaction_id: o for o in post_refunds(warehouse.connect, client, SETTINGS, mapping, STOREFRONT, DAY)}


def test_an_fba_refund_before_its_settlement_is_a_cash_refund_once_and_the_settlement_posts_no_second_one(
        warehouse, client, mapping):
    order = "114-7000001-0000001"
    cash_sale = _posted(client, warehouse, CASH_SALE, order, "KIT-SOCKS-3PK", 1, "34.99")
    _transaction(warehouse, "T-FBA-1", "Refund", order, "KIT-SOCKS-3PK", ("ProductCharges/Principal", "-34.99"),
                 ("AmazonFees/Commission", "5.25"), ("AmazonFees/RefundCommission", "-1.05"))

    outcome = _refunds(warehouse, client, mapping)["T-FBA-1"]

    assert (outcome.status, outcome.record_type, outcome.external_id, outcome.refunded) == (
        "posted", "cashRefund", "AMZ-RFD-T-FBA-1", D("34.99"))
    refund = _transactions(client, "AMZ-RFD-T-FBA-1")["AMZ-RFD-T-FBA-1"]
    assert (refund["type"], D(refund["foreigntotal"])) == ("CashRfnd", D("34.99"))
    assert client.rows("SELECT createdfrom FROM transactionline l JOIN transaction t ON t.id = l.transaction "
                       "WHERE t.externalid = 'AMZ-RFD-T-FBA-1' AND l.mainline = 'T'") == [{"createdfrom": cash_sale}]
    # On the refund item, out of clearing: no unit back in stock. The fees are the settlement's to book.
    assert _gl(client, "AMZ-RFD-T-FBA-%") == {"ACCT-REFUNDS": D("-34.99"), "ACCT-AMZ-CLEARING": D("34.99")}
    assert warehouse.rows("SELECT transaction_id, status, refunded, external_id FROM refunds_posted") == [
        ("T-FBA-1", "posted", D("34.99"), "AMZ-RFD-T-FBA-1")]

    writes = sum(client.writes.values())
    again = _refunds(warehouse, client, mapping)["T-FBA-1"]
    assert sum(client.writes.values()) == writes and again.status == "posted"

    warehouse.store(settlement_text([
        line(order_id=order, amount=D("-34.99"), transaction_type="Refund", sku="KIT-SOCKS-3PK",
             adjustment_id="amzn1.adj.1"),
        fee("Commission", "5.25", transaction_type="Refund", order_id=order, adjustment_id="amzn1.adj.1"),
        fee("RefundCommission", "-1.05", transaction_type="Refund", order_id=order, adjustment_id="amzn1.adj.1"),
        line(order_id="114-7000001-0000002", amount=D("50.00"))], settlement_id="80000000101"))
    result = _post(warehouse, client, "80000000101", mapping)

    assert "cashRefund" not in result.posted and result.variances == []
    assert not any("-CR-" in k for k in _transactions(client, "AMZ-STL-80000000101-%"))
    # The deposit is the bank amount; clearing, filled by the refund and the fee journal, nets to zero.
    assert result.deposit_amount == D("19.21")
    assert D(_transactions(client, "AMZ-STL-80000000101-DEP")["AMZ-STL-80000000101-DEP"]["foreigntotal"]) == D(
        "19.21")
    clearing = [_gl(client, like).get("ACCT-AMZ-CLEARING", D(0))
                for like in ("AMZ-RFD-T-FBA-%", "AMZ-STL-80000000101-%")]
    assert clearing == [D("34.99"), D("-34.99")]
    gl = _gl(client, "AMZ-STL-80000000101-%")
    assert gl["ACCT-BANK-USD"] == D("-19.21") and "ACCT-REFUNDS" not in gl
    assert warehouse.rows("SELECT key FROM integration_errors WHERE flow IN ('settlements', 'refunds')") == []


def test_an_mfn_refund_before_its_settlement_bills_the_order_credits_its_invoice_and_the_settlement_pays_the_rest(
        warehouse, client, mapping):
    order = "114-7000002-0000001"
    _posted(client, warehouse, SALES_ORDER, order, "MUG-CAFE-WHITE", 2, "14.99", shippingCost="4.99",
                 fulfil=True)
    _transaction(warehouse, "T-MFN-1", "Refund", order, "MUG-CAFE-WHITE", ("ProductCharges/Principal", "-14.99"))

    outcome = _refunds(warehouse, client, mapping)["T-MFN-1"]

    assert (outcome.status, outcome.record_type, outcome.applied, outcome.paid_out) == (
        "posted", "creditMemo", D("14.99"), D("0"))
    records = _transactions(client, "AMZ-RFD-T-MFN-1%")
    assert {k: (v["type"], D(v["foreigntotal"])) for k, v in records.items()} == {
        "AMZ-RFD-T-MFN-1-INV": ("CustInvc", D("34.97")), "AMZ-RFD-T-MFN-1": ("CustCred", D("14.99"))}
    invoice = records["AMZ-RFD-T-MFN-1-INV"]
    assert D(client.rows("SELECT foreignamountremaining FROM transaction WHERE id = ?",
                         [invoice["id"]])[0]["foreignamountremaining"]) == D("19.98")

    writes = sum(client.writes.values())
    _refunds(warehouse, client, mapping)
    assert sum(client.writes.values()) == writes

    def mfn(amount, **kw):
        return line(order_id=order, amount=D(amount), fulfillment_id="MFN", sku="MUG-CAFE-WHITE", **kw)

    warehouse.store(settlement_text([
        mfn("29.98"), mfn("4.99", amount_description="Shipping"), fee("Commission", "-4.50", order_id=order),
        mfn("-14.99", transaction_type="Refund", adjustment_id="amzn1.adj.2")], settlement_id="80000000102"))
    result = _post(warehouse, client, "80000000102", mapping)

    stl = _transactions(client, "AMZ-STL-80000000102-%")
    assert sorted(stl) == ["AMZ-STL-80000000102-DEP", "AMZ-STL-80000000102-FEES",
                           "AMZ-STL-80000000102-PAY-" + order]
    assert D(stl["AMZ-STL-80000000102-PAY-" + order]["foreigntotal"]) == D("19.98")  # what the invoice still owed
    assert result.variances == [] and result.unmatched == []
    assert _receivable(client, [invoice["id"], records["AMZ-RFD-T-MFN-1"]["id"],
                                stl["AMZ-STL-80000000102-PAY-" + order]["id"]]) == 0
    clearing = sum(_gl(client, like).get("ACCT-AMZ-CLEARING", D(0)) for like in ("AMZ-RFD-T-MFN-1%",
                                                                                 "AMZ-STL-80000000102-%"))
    assert clearing == 0
    assert _gl(client, "AMZ-STL-80000000102-%")["ACCT-BANK-USD"] == D("-15.48")


def test_a_chargeback_and_an_a_to_z_claim_each_become_their_refund_record(warehouse, client, mapping):
    cash, invoiced = "114-7000003-0000001", "114-7000003-0000002"
    _posted(client, warehouse, CASH_SALE, cash, "TSHIRT-RED-M", 1, "19.99")
    _posted(client, warehouse, SALES_ORDER, invoiced, "HOODIE-GREY-L", 1, "44.99", fulfil=True, bill=True)
    _transaction(warehouse, "T-CB-1", "Chargeback", cash, "TSHIRT-RED-M", ("ProductCharges/Principal", "-19.99"))
    _transaction(warehouse, "T-AZ-1", "GuaranteeClaim", invoiced, "HOODIE-GREY-L",
                 ("ProductCharges/Principal", "-44.99"))

    outcomes = _refunds(warehouse, client, mapping)

    assert {t: (o.status, o.record_type) for t, o in outcomes.items()} == {
        "T-CB-1": ("posted", "cashRefund"), "T-AZ-1": ("posted", "creditMemo")}
    records = {**_transactions(client, "AMZ-RFD-T-CB-%"), **_transactions(client, "AMZ-RFD-T-AZ-%")}
    assert {k: (v["type"], D(v["foreigntotal"])) for k, v in records.items()} == {
        "AMZ-RFD-T-CB-1": ("CashRfnd", D("19.99")), "AMZ-RFD-T-AZ-1": ("CustCred", D("44.99"))}
    memo = client.rows("SELECT memo FROM transaction WHERE externalid = 'AMZ-RFD-T-AZ-1'")[0]["memo"]
    assert "A-to-z Guarantee Claim" in memo


def test_a_refund_of_an_order_not_in_netsuite_goes_to_integration_errors_and_the_others_still_post(
        warehouse, client, mapping):
    posted = "114-7000004-0000001"
    _posted(client, warehouse, CASH_SALE, posted, "TSHIRT-RED-M", 1, "19.99")
    _transaction(warehouse, "T-NONE-1", "Refund", "114-7000004-0009999", "TSHIRT-RED-M",
                 ("ProductCharges/Principal", "-19.99"))
    _transaction(warehouse, "T-OK-1", "Refund", posted, "TSHIRT-RED-M", ("ProductCharges/Principal", "-19.99"))

    outcomes = _refunds(warehouse, client, mapping)

    assert (outcomes["T-OK-1"].status, outcomes["T-NONE-1"].status) == ("posted", "error")
    errors = warehouse.rows("SELECT key, error_class, message FROM integration_errors WHERE flow = 'refunds'")
    assert [e[:2] for e in errors] == [("T-NONE-1:refund:114-7000004-0009999", "validation")]
    assert "is not in NetSuite" in errors[0][2]

    # Once the order is posted, the next run refunds it and closes the error.
    _posted(client, warehouse, CASH_SALE, "114-7000004-0009999", "TSHIRT-RED-M", 1, "19.99")
    again = _refunds(warehouse, client, mapping)
    assert (again["T-NONE-1"].status, again["T-NONE-1"].record_type) == ("posted", "cashRefund")
    assert warehouse.rows("SELECT count(*) FROM integration_errors WHERE flow = 'refunds' AND resolved IS NULL") == [
        (0,)]
    assert warehouse.rows("SELECT transaction_id, status FROM refunds_posted ORDER BY 1") == [
        ("T-NONE-1", "posted"), ("T-OK-1", "posted")]


def test_a_settlement_refunding_another_amount_than_the_refund_posted_earlier_queues_both_rather_than_a_double(
        warehouse, client, mapping):
    order = "114-7000005-0000001"
    _posted(client, warehouse, CASH_SALE, order, "KIT-SOCKS-3PK", 1, "34.99")
    _transaction(warehouse, "T-DIFF-1", "Refund", order, "KIT-SOCKS-3PK", ("ProductCharges/Principal", "-30.00"))
    _refunds(warehouse, client, mapping)
    warehouse.store(settlement_text([
        line(order_id=order, amount=D("-34.99"), transaction_type="Refund", sku="KIT-SOCKS-3PK",
             adjustment_id="amzn1.adj.5"), line(order_id="114-7000005-0000002", amount=D("50.00"))],
        settlement_id="80000000105"))

    result = _post(warehouse, client, "80000000105", mapping)

    assert "cashRefund" not in result.posted
    errors = warehouse.rows("SELECT key, message FROM integration_errors WHERE flow = 'settlements' AND "
                            "key LIKE '%cash-refund%'")
    assert len(errors) == 1 and "AMZ-RFD-T-DIFF-1" in errors[0][1] and f"AMZ-STL-80000000105-CR-{order}" in errors[0][1]
    assert [(u.order_id, u.amount) for u in result.unmatched if u.order_id == order] == [(order, D("-34.99"))]
