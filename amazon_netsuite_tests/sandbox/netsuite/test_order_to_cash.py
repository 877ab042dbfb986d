"""Order to cash in the sandbox: fulfil a sales order by `!transform`, bill it, take payments and credits, deposit
the money; statuses and amounts (exact Decimal) follow as NetSuite's do."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    RECORDS,
    create,
    error_detail,
    fetch,
    internal_id,
    sales_order,
    transform,
)


def _order(netsuite, external_id: str, **fields) -> str:
    body = sales_order(external_id, ("TSHIRT-RED-M", 2, "19.99"), ("MUG-CAFE-WHITE", 1, "14.99"),
                       shippingCost="4.99", **fields)
    return create(netsuite, "salesOrder", body)


def test_fulfilling_every_line_ships_it_with_tracking_and_moves_the_order_to_pending_billing(netsuite):
    order_id = _order(netsuite, "AMZ-IF-FULL")
    package = {"items": [{"packageTrackingNumber": "1Z999AA10123456784", "packageWeight": "1.25"}]}
    fulfillment_id = internal_id(transform(netsuite, "salesOrder", order_id, "itemFulfillment",
                                           {"externalId": "IF-FULL", "package": package}))
    fulfillment = fetch(netsuite, "itemFulfillment", fulfillment_id)
    assert fulfillment["createdFrom"]["id"] == order_id and fulfillment["externalId"] == "IF-FULL"
    assert [(line["orderLine"], line["quantity"]) for line in fulfillment["item"]["items"]] == [(1, 2), (2, 1)]
    assert fulfillment["shipStatus"] == fulfillment["status"] == {"id": "C", "refName": "Shipped"}
    assert fulfillment["package"]["items"][0]["packageTrackingNumber"] == "1Z999AA10123456784"
    assert fulfillment["package"]["items"][0]["packageWeight"] == Decimal("1.25")
    order = fetch(netsuite, "salesOrder", order_id)
    assert order["status"] == {"id": "F", "refName": "Pending Billing"}
    assert [line["quantityFulfilled"] for line in order["item"]["items"]] == [2, 1]


def test_a_partial_fulfillment_leaves_the_rest_and_over_fulfilling_is_refused(netsuite):
    order_id = _order(netsuite, "AMZ-IF-PART")
    first = {"item": {"items": [{"orderLine": 1, "quantity": 1}]}, "shipStatus": {"id": "B"}}
    first_id = internal_id(transform(netsuite, "salesOrder", order_id, "itemFulfillment", first, replace="item"))
    assert [line["quantity"] for line in fetch(netsuite, "itemFulfillment", first_id)["item"]["items"]] == [1]
    assert fetch(netsuite, "itemFulfillment", first_id)["status"]["refName"] == "Packed"
    assert fetch(netsuite, "salesOrder", order_id)["status"] == {"id": "E",
                                                                 "refName": "Pending Billing/Partially Fulfilled"}
    too_many = {"item": {"items": [{"orderLine": 1, "quantity": 2}]}}
    detail = error_detail(transform(netsuite, "salesOrder", order_id, "itemFulfillment", too_many))
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("USER_ERROR", "item.items[0].quantity")
    no_such_line = {"item": {"items": [{"orderLine": 9, "quantity": 1}]}}
    detail = error_detail(transform(netsuite, "salesOrder", order_id, "itemFulfillment", no_such_line,
                                    replace="item"))
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_KEY_OR_REF", "item.items[0].orderLine")
    # the rest: by default a transform fulfils everything still open
    rest_id = internal_id(transform(netsuite, "salesOrder", order_id, "itemFulfillment"))
    assert [(l["orderLine"], l["quantity"]) for l in fetch(netsuite, "itemFulfillment", rest_id)["item"]["items"]] \
        == [(1, 1), (2, 1)]
    assert fetch(netsuite, "salesOrder", order_id)["status"]["refName"] == "Pending Billing"
    nothing_left = transform(netsuite, "salesOrder", order_id, "itemFulfillment")
    assert error_detail(nothing_left)["o:errorCode"] == "USER_ERROR"
    # packing slip done: the first fulfillment ships
    assert netsuite.patch(f"{RECORDS}/itemFulfillment/{first_id}", json={"shipStatus": {"id": "C"}}).status_code == 204
    assert fetch(netsuite, "itemFulfillment", first_id)["status"]["refName"] == "Shipped"


def test_an_order_pending_approval_cannot_be_fulfilled_and_an_item_fulfillment_needs_its_order(netsuite):
    order_id = _order(netsuite, "AMZ-IF-APPROVAL", orderStatus={"id": "A"})
    assert fetch(netsuite, "salesOrder", order_id)["status"]["refName"] == "Pending Approval"
    assert error_detail(transform(netsuite, "salesOrder", order_id, "itemFulfillment"))["o:errorCode"] == "USER_ERROR"
    direct = netsuite.post(f"{RECORDS}/itemFulfillment", json={"item": {"items": [{"orderLine": 1}]}})
    assert error_detail(direct)["o:errorPath"] == "createdFrom"


def test_billing_a_fulfilled_order_makes_an_open_invoice_and_the_order_billed(netsuite):
    order_id = _order(netsuite, "AMZ-INV-1")
    not_yet = transform(netsuite, "salesOrder", order_id, "invoice")
    assert "fulfill" in error_detail(not_yet)["detail"]
    internal_id(transform(netsuite, "salesOrder", order_id, "itemFulfillment"))
    invoice_id = internal_id(transform(netsuite, "salesOrder", order_id, "invoice", {"externalId": "INV-1"}))
    invoice = fetch(netsuite, "invoice", invoice_id)
    assert invoice["total"] == Decimal("59.96")  # 2 × 19.99 + 14.99 + 4.99 shipping
    assert (invoice["amountRemaining"], invoice["amountPaid"]) == (Decimal("59.96"), 0)
    assert invoice["status"] == {"id": "A", "refName": "Open"}
    assert [line["orderLine"] for line in invoice["item"]["items"]] == [1, 2]
    assert fetch(netsuite, "salesOrder", order_id)["status"] == {"id": "G", "refName": "Billed"}


def _invoice(netsuite, external_id: str, customer: str = "AMZ-CUSTOMER-demo-US") -> str:
    body = sales_order(external_id, ("YOGAMAT-GREEN", 1, "34.99"), ("NOTEBOOK-A5-DOT", 3, "9.99"), customer=customer)
    return create(netsuite, "invoice", body)  # 34.99 + 29.97 = 64.96


def test_payments_reduce_what_an_invoice_owes_until_it_is_paid_in_full_and_never_beyond(netsuite):
    invoice_id = _invoice(netsuite, "INV-PAY")
    customer = {"externalId": "AMZ-CUSTOMER-demo-US"}
    first = {"customer": customer, "payment": "40.00",
             "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": "40.00"}]}}
    payment_id = create(netsuite, "customerPayment", first)
    payment = fetch(netsuite, "customerPayment", payment_id)
    assert payment["undepFunds"] is True and payment["status"]["refName"] == "Not Deposited"
    assert (payment["applied"], payment["unapplied"]) == (Decimal("40.00"), 0)
    invoice = fetch(netsuite, "invoice", invoice_id)
    assert (invoice["amountRemaining"], invoice["status"]["refName"]) == (Decimal("24.96"), "Open")
    over = {"customer": customer, "payment": "30.00",
            "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": "24.97"}]}}
    detail = error_detail(netsuite.post(f"{RECORDS}/customerPayment", json=over))
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("USER_ERROR", "apply.items[0].amount")
    assert "24.96" in detail["detail"]
    more_than_paid = {"customer": customer, "payment": "10.00",
                      "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": "20.00"}]}}
    assert error_detail(netsuite.post(f"{RECORDS}/customerPayment", json=more_than_paid))["o:errorPath"] == "apply"
    rest_id = internal_id(transform(netsuite, "invoice", invoice_id, "customerPayment"))
    assert fetch(netsuite, "customerPayment", rest_id)["payment"] == Decimal("24.96")
    invoice = fetch(netsuite, "invoice", invoice_id)
    assert (invoice["amountRemaining"], invoice["status"]) == (0, {"id": "B", "refName": "Paid In Full"})
    assert error_detail(transform(netsuite, "invoice", invoice_id, "customerPayment"))["o:errorCode"] == "USER_ERROR"


def test_a_payment_cannot_apply_to_another_customers_invoice_or_a_missing_one(netsuite):
    invoice_id = _invoice(netsuite, "INV-CA", customer="AMZ-CUSTOMER-demo-CA")
    body = {"customer": {"externalId": "AMZ-CUSTOMER-demo-US"}, "payment": "1.00",
            "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": "1.00"}]}}
    assert error_detail(netsuite.post(f"{RECORDS}/customerPayment", json=body))["o:errorPath"] == "apply.items[0].doc"
    body["apply"]["items"][0]["doc"] = {"id": "999999"}
    detail = error_detail(netsuite.post(f"{RECORDS}/customerPayment", json=body))
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_KEY_OR_REF", "apply.items[0].doc")


def test_a_credit_memo_from_an_invoice_credits_it_and_is_fully_applied(netsuite):
    invoice_id = _invoice(netsuite, "INV-CREDIT")
    memo_id = internal_id(transform(netsuite, "invoice", invoice_id, "creditMemo"))
    memo = fetch(netsuite, "creditMemo", memo_id)
    assert (memo["total"], memo["applied"], memo["createdFrom"]["id"]) == (Decimal("64.96"), Decimal("64.96"),
                                                                             invoice_id)
    assert memo["status"] == {"id": "B", "refName": "Fully Applied"}
    assert fetch(netsuite, "invoice", invoice_id)["status"]["refName"] == "Paid In Full"
    # a stand-alone credit memo stays open, and refers only to invoices or cash sales
    open_id = create(netsuite, "creditMemo", sales_order("CM-OPEN", ("TOTE-BLACK", 1, "16.99")))
    assert fetch(netsuite, "creditMemo", open_id)["status"]["refName"] == "Open"
    wrong = sales_order("CM-WRONG", ("TOTE-BLACK", 1, "16.99"), createdFrom={"id": "999999"})
    assert error_detail(netsuite.post(f"{RECORDS}/creditMemo", json=wrong))["o:errorCode"] == "INVALID_KEY_OR_REF"


def test_a_deposit_sums_payments_other_deposits_and_cash_back_into_the_bank(netsuite):
    invoice_id = _invoice(netsuite, "INV-DEP")
    payment_id = internal_id(transform(netsuite, "invoice", invoice_id, "customerPayment"))
    sale_id = create(netsuite, "cashSale", sales_order("CS-DEP", ("SOCKS-GREY-SM", 2, "12.99"),
                                                       location={"externalId": "FBA-na"}))
    deposit = {"externalId": "DEP-1", "account": {"externalId": "ACCT-BANK-USD"},
               "payment": {"items": [{"id": payment_id, "deposit": True}, {"id": sale_id, "deposit": True}]},
               "other": {"items": [{"account": {"externalId": "ACCT-REIMBURSEMENTS"}, "amount": "5.10"}]},
               "cashBack": {"items": [{"account": {"externalId": "ACCT-AMZ-SELLING-FEES"}, "amount": "9.75",
                                       "memo": "referral fees"}]}}
    deposit_id = create(netsuite, "deposit", deposit)
    stored = fetch(netsuite, "deposit", deposit_id)
    assert stored["total"] == Decimal("86.29")  # 64.96 + 25.98 + 5.10 − 9.75
    assert [line["paymentAmount"] for line in stored["payment"]["items"]] == [Decimal("64.96"), Decimal("25.98")]
    assert [line["type"]["id"] for line in stored["payment"]["items"]] == ["CustPymt", "CashSale"]
    assert stored["cashback"]["items"][0]["amount"] == Decimal("9.75")
    assert fetch(netsuite, "customerPayment", payment_id)["status"]["refName"] == "Deposited"
    assert fetch(netsuite, "cashSale", sale_id)["status"]["refName"] == "Deposited"
    again = {"account": {"externalId": "ACCT-BANK-USD"}, "payment": {"items": [{"id": payment_id}]}}
    assert "already deposited" in error_detail(netsuite.post(f"{RECORDS}/deposit", json=again))["detail"]
    not_a_bank = {"account": {"externalId": "ACCT-SALES"}, "other": deposit["other"]}
    assert error_detail(netsuite.post(f"{RECORDS}/deposit", json=not_a_bank))["o:errorPath"] == "account"


def test_a_journal_entry_must_balance_to_the_cent(netsuite):
    lines = [{"account": {"externalId": "ACCT-AMZ-CLEARING"}, "debit": "1000.10", "memo": "settlement 123"},
             {"account": {"externalId": "ACCT-AMZ-FBA-FEES"}, "debit": "0.20"},
             {"account": {"externalId": "ACCT-SALES"}, "credit": "1000.30", "department": {"externalId":
                                                                                            "DEPT-ECOMMERCE"}}]
    body = {"externalId": "JE-1", "subsidiary": {"externalId": "SUB-na"}, "line": {"items": lines}}
    journal = fetch(netsuite, "journalEntry", create(netsuite, "journalEntry", body))
    assert [(l.get("debit"), l.get("credit")) for l in journal["line"]["items"]] == [
        (Decimal("1000.10"), None), (Decimal("0.20"), None), (None, Decimal("1000.30"))]
    assert journal["status"]["refName"] == "Approved for Posting" and journal["currency"]["id"]
    unbalanced = {**body, "externalId": "JE-2", "line": {"items": [*lines[:2], {**lines[2], "credit": "1000.29"}]}}
    detail = error_detail(netsuite.post(f"{RECORDS}/journalEntry", json=unbalanced))
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("USER_ERROR", "line")
    assert "must balance" in detail["detail"] and "0.01" in detail["detail"]
    unknown = {**body, "externalId": "JE-3", "line": {"items": [lines[0], {**lines[1], "account": {"id": "999999"}}]}}
    detail = error_detail(netsuite.post(f"{RECORDS}/journalEntry", json=unknown))
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_KEY_OR_REF", "line.items[1].account")
    both = {**body, "externalId": "JE-4", "line": {"items": [{**lines[0], "credit": "1.00"}, lines[1]]}}
    assert error_detail(netsuite.post(f"{RECORDS}/journalEntry", json=both))["o:errorPath"] == "line.items[0]"
    assert netsuite.get(f"{RECORDS}/journalEntry/eid:JE-2").status_code == 404


def test_sales_orders_keep_class_department_and_every_custom_body_field(netsuite):
    body = sales_order("AMZ-SEGMENTS", ("TSHIRT-RED-M", 1, "19.99"), **{
        "class": {"externalId": "CLASS-AMZ-demo-US"}, "department": {"externalId": "DEPT-MARKETPLACES"},
        "custbody_amz_order_id": "111-1234567-7654321", "custbody_amz_sfp": True})
    order = fetch(netsuite, "salesOrder", create(netsuite, "salesOrder", body))
    assert order["class"]["refName"] == "Amazon : demo-US" and order["department"]["refName"] == "Marketplaces"
    assert (order["custbody_amz_order_id"], order["custbody_amz_sfp"]) == ("111-1234567-7654321", True)
    wrong = netsuite.post(f"{RECORDS}/salesOrder", json={**body, "externalId": "AMZ-SEG-2",
                                                          "class": {"externalId": "CLASS-NONE"}})
    assert (error_detail(wrong)["o:errorCode"], error_detail(wrong)["o:errorPath"]) == ("INVALID_KEY_OR_REF", "class")


def test_only_the_transforms_netsuite_offers_are_accepted(netsuite):
    order_id = _order(netsuite, "AMZ-NO-TRANSFORM")
    detail = error_detail(transform(netsuite, "salesOrder", order_id, "creditMemo"))
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and "itemFulfillment" in detail["detail"]
    assert transform(netsuite, "salesOrder", "999999", "invoice").status_code == 404
