"""The sandbox as a SuiteTax account: legacy tax fields refused as REST refuses them, tax lines kept as sent with
taxDetailsOverride, each posting to its tax type's payables account, read back by SuiteQL."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.tax import LEGACY_TAX_DETAIL
from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    RECORDS,
    create,
    error_detail,
    fetch,
    internal_id,
    sales_order,
    suiteql_rows,
    taxed,
    transform,
)

IGNORE = {"X-NetSuite-PropertyNameValidation": "Ignore"}


def _gl(netsuite, transaction: str) -> dict[str, tuple[str, str]]:
    """(debit, credit) per account external id of a transaction's posting lines, summed by SuiteQL."""
    rows = suiteql_rows(netsuite, """
        SELECT a.externalid, SUM(tal.debit) AS debit, SUM(tal.credit) AS credit FROM transactionaccountingline tal
        JOIN account a ON a.id = tal.account
        WHERE tal.transaction = ? AND tal.posting = 'T' AND tal.accountingbook = 1
        GROUP BY a.externalid ORDER BY a.externalid""", [transaction])
    return {row["externalid"]: (row.get("debit", ""), row.get("credit", "")) for row in rows}


def _totals(netsuite, transaction: str) -> dict:
    return suiteql_rows(netsuite, "SELECT foreigntotal, taxtotal FROM transaction WHERE id = ?", [transaction])[0]


def _de_sale(external_id: str) -> dict:
    """A DE cash sale of 2 shirts sold at 29.99 gross (VAT 19 %: 9.58 of 59.98), posted net with the VAT."""
    return taxed(sales_order(external_id, ("TSHIRT-RED-M", 2, "25.20"), customer="AMZ-CUSTOMER-demo-DE",
                             location={"externalId": "FBA-eu"}),
                 (1, "50.40", "19", "9.58"), tax_type="TAXTYPE-VAT")


def test_a_legacy_tax_field_is_refused_with_its_path_even_when_unknown_fields_are_ignored(netsuite):
    body = sales_order("AMZ-TAX-LEGACY", ("MUG-CAFE-WHITE", 1, "14.99"), taxTotal="1.05")
    refused = error_detail(netsuite.post(f"{RECORDS}/cashSale", json=body, headers=IGNORE))
    assert refused == {"detail": LEGACY_TAX_DETAIL, "o:errorCode": "USER_ERROR", "o:errorPath": "taxTotal"}
    body = sales_order("AMZ-TAX-LEGACY", ("MUG-CAFE-WHITE", 1, "14.99"))
    body["item"]["items"][0]["taxCode"] = {"id": "5"}
    assert error_detail(netsuite.post(f"{RECORDS}/salesOrder", json=body, headers=IGNORE))["o:errorPath"] == \
        "item.items[0].taxCode"
    sale = create(netsuite, "cashSale", sales_order("AMZ-TAX-LEGACY", ("MUG-CAFE-WHITE", 1, "14.99")))
    for name in ("isTaxable", "taxItem", "shippingTaxCode"):
        patched = netsuite.patch(f"{RECORDS}/cashSale/{sale}", json={name: True}, headers=IGNORE)
        assert error_detail(patched)["o:errorPath"] == name
    refund = transform(netsuite, "cashSale", sale, "cashRefund", {"item": {"items": [{"tax1Amt": "1.05"}]}})
    assert error_detail(refund)["o:errorPath"] == "item.items[0].tax1Amt"
    # taxTotal stays readable: a total NetSuite computes
    assert fetch(netsuite, "cashSale", sale)["taxTotal"] == 0


def test_an_overridden_de_cash_sale_posts_net_income_vat_payable_and_gross_undeposited_funds(netsuite):
    sale = create(netsuite, "cashSale", _de_sale("AMZ-TAX-DE"))
    assert _gl(netsuite, sale) == {"ACCT-COGS": ("16", ""), "ACCT-INVENTORY": ("", "16"),
                                   "ACCT-SALES": ("", "50.4"), "ACCT-UNDEPOSITED-FUNDS": ("59.98", ""),
                                   "ACCT-VAT-PAYABLE": ("", "9.58")}
    assert _totals(netsuite, sale) == {"foreigntotal": "59.98", "taxtotal": "9.58"}
    stored = fetch(netsuite, "cashSale", sale)["taxDetails"]["items"]
    assert [(line["taxDetailsReference"], line["taxCode"]["refName"], line["taxAmount"]) for line in stored] == [
        ("L1", "TAXCODE-VAT-STANDARD", Decimal("9.58"))]


def test_a_ca_sales_gst_hst_lands_on_the_payable_as_amazon_charged_it(netsuite):
    body = taxed(sales_order("AMZ-TAX-CA", ("MUG-CAFE-WHITE", 1, "19.99"), ("TSHIRT-RED-M", 1, "24.99"),
                             customer="AMZ-CUSTOMER-demo-CA", location={"externalId": "FBA-na"}, shippingCost="5.99"),
                 (1, "19.99", "13", "2.60"), (2, "24.99", "13", "3.25"), (2, "5.99", "13", "0.78"))
    sale = create(netsuite, "cashSale", body)
    gl = _gl(netsuite, sale)
    assert gl["ACCT-SALES-TAX-PAYABLE"] == ("", "6.63") and gl["ACCT-UNDEPOSITED-FUNDS"] == ("57.6", "")
    assert (gl["ACCT-SALES"], gl["ACCT-SHIPPING-INCOME"]) == (("", "44.98"), ("", "5.99"))
    assert _totals(netsuite, sale) == {"foreigntotal": "57.6", "taxtotal": "6.63"}


def test_a_us_facilitator_order_has_no_tax_line_and_touches_no_payable(netsuite):
    sale = create(netsuite, "cashSale", sales_order("AMZ-TAX-US", ("MUG-CAFE-WHITE", 1, "14.99"),
                                                    location={"externalId": "FBA-na"}))
    assert set(_gl(netsuite, sale)) == {"ACCT-COGS", "ACCT-INVENTORY", "ACCT-SALES", "ACCT-UNDEPOSITED-FUNDS"}
    assert _totals(netsuite, sale) == {"foreigntotal": "14.99", "taxtotal": "0"}
    # Without the override the engine computes the tax; the sandbox models no nexus rates, so it computes none.
    body = taxed(sales_order("AMZ-TAX-US-2", ("MUG-CAFE-WHITE", 1, "14.99")), (1, "14.99", "7", "1.05"))
    engine = create(netsuite, "cashSale", {**body, "taxDetailsOverride": False})
    assert _totals(netsuite, engine)["taxtotal"] == "0" and "ACCT-SALES-TAX-PAYABLE" not in _gl(netsuite, engine)


def test_a_cash_refund_made_by_transform_reverses_the_tax_and_a_partial_one_takes_the_tax_lines_it_sends(netsuite):
    sale = create(netsuite, "cashSale", _de_sale("AMZ-TAX-DE-RF"))
    refund = internal_id(transform(netsuite, "cashSale", sale, "cashRefund"))
    assert _gl(netsuite, refund) == {"ACCT-SALES": ("50.4", ""), "ACCT-UNDEPOSITED-FUNDS": ("", "59.98"),
                                     "ACCT-VAT-PAYABLE": ("9.58", ""),  # and the inventory items back in stock
                                     "ACCT-INVENTORY": ("16", ""), "ACCT-COGS": ("", "16")}
    one = internal_id(transform(netsuite, "cashSale", sale, "cashRefund", {
        "item": {"items": [{"item": {"externalId": "TSHIRT-RED-M"}, "quantity": 1, "rate": "25.20",
                            "taxDetailsReference": "R1"}]},
        "taxDetails": {"items": [{"taxDetailsReference": "R1", "taxType": {"externalId": "TAXTYPE-VAT"},
                                  "taxCode": {"externalId": "TAXCODE-VAT-STANDARD"}, "taxBasis": "25.20",
                                  "taxRate": "19", "taxAmount": "4.79"}]}}, replace="item"))
    assert _gl(netsuite, one) == {"ACCT-SALES": ("25.2", ""), "ACCT-UNDEPOSITED-FUNDS": ("", "29.99"),
                                  "ACCT-VAT-PAYABLE": ("4.79", ""), "ACCT-INVENTORY": ("8", ""), "ACCT-COGS": ("", "8")}


def test_an_order_bills_its_tax_on_the_first_invoice_and_a_credit_memo_carries_it_back(netsuite):
    order = create(netsuite, "salesOrder", taxed(sales_order(
        "AMZ-TAX-SO", ("MUG-CAFE-WHITE", 1, "19.99"), customer="AMZ-CUSTOMER-demo-CA"), (1, "19.99", "13", "2.60")))
    internal_id(transform(netsuite, "salesOrder", order, "itemFulfillment"))
    invoice = internal_id(transform(netsuite, "salesOrder", order, "invoice"))
    assert _gl(netsuite, invoice) == {"ACCT-AR": ("22.59", ""), "ACCT-SALES": ("", "19.99"),
                                      "ACCT-SALES-TAX-PAYABLE": ("", "2.6")}
    memo = internal_id(transform(netsuite, "invoice", invoice, "creditMemo"))
    assert _gl(netsuite, memo) == {"ACCT-AR": ("", "22.59"), "ACCT-SALES": ("19.99", ""),
                                   "ACCT-SALES-TAX-PAYABLE": ("2.6", ""),  # and the mug back in stock
                                   "ACCT-INVENTORY": ("6", ""), "ACCT-COGS": ("", "6")}
    assert fetch(netsuite, "invoice", invoice)["amountRemaining"] == 0


def test_a_tax_line_whose_reference_names_no_item_line_or_lacks_a_field_is_refused(netsuite):
    body = _de_sale("AMZ-TAX-BAD")
    body["taxDetails"]["items"][0]["taxDetailsReference"] = "L9"
    refused = error_detail(netsuite.post(f"{RECORDS}/cashSale", json=body))
    assert (refused["o:errorCode"], refused["o:errorPath"]) == ("USER_ERROR",
                                                                 "taxDetails.items[0].taxDetailsReference")
    body = _de_sale("AMZ-TAX-BAD")
    del body["taxDetails"]["items"][0]["taxBasis"]
    assert error_detail(netsuite.post(f"{RECORDS}/cashSale", json=body))["o:errorPath"] == \
        "taxDetails.items[0].taxBasis"
    body = _de_sale("AMZ-TAX-BAD")
    body["taxDetails"]["items"][0]["taxCode"] = {"externalId": "TAXCODE-SALES-TAX"}  # a code of another tax type
    refused = error_detail(netsuite.post(f"{RECORDS}/cashSale", json=body))
    assert refused["o:errorPath"] == "taxDetails.items[0].taxCode"
    assert suiteql_rows(netsuite, "SELECT id FROM transaction WHERE externalid = 'AMZ-TAX-BAD'") == []
