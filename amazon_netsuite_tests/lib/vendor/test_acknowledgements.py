"""Acknowledgements built from a Sales Order as approved, without I/O: accepted, backordered and rejected quantities
in the line's own unit, a rejected order, the refusals of quantities Amazon would fail, Direct Fulfillment's fill or
kill."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from amazon_netsuite.lib.settings.vendor import VendorAccount
from amazon_netsuite.lib.vendor.acknowledgements import (
    NotAcknowledgeable,
    acknowledgement,
    approved_lines,
    sales_order_body,
)
from amazon_netsuite.lib.vendor.purchase_orders import DIRECT, RETAIL, OrderLine, VendorOrder

AT = datetime(2026, 11, 20, 12, 0)
ACCOUNT = VendorAccount(key="acme-vendor", vendor_code="ACME", region="na", currency="USD",
                        credentials={"lwa_client_id_env": "A", "lwa_client_secret_env": "B", "refresh_token_env": "C"})


def _order(program: str = RETAIL) -> VendorOrder:
    lines = (OrderLine(1, "1", "MUG-BLUE", "B0MUG", 2, "Cases", 12, 24, Decimal("4.50"), True),
             OrderLine(2, "2", "MUG-RED", "B0RED", 10, "Eaches", 1, 10, Decimal("4.75"), False))
    return VendorOrder("acme-vendor", program, "PO123456", AT.date(), AT, None, "USD", "ACME", "WH1", lines)


def _approved(*lines: dict, status: str = "B") -> dict:
    return {"orderStatus": {"id": status}, "item": {"items": list(lines)}}


def test_a_new_sales_order_waits_for_approval_unless_the_program_acknowledges_automatically():
    refs = [{"externalId": "MUG-BLUE"}, {"externalId": "MUG-RED"}]
    body = sales_order_body(_order(), ACCOUNT, refs)
    assert body["orderStatus"] == {"id": "A"} and body["entity"] == {"externalId": "AMZ-VENDOR-acme-vendor"}
    assert body["item"]["items"] == [{"item": refs[0], "quantity": 24, "rate": "4.50"},
                                     {"item": refs[1], "quantity": 10, "rate": "4.75"}]
    assert sales_order_body(_order(DIRECT), ACCOUNT, refs)["orderStatus"] == {"id": "B"}  # DF: auto by default


def test_a_reduced_line_is_backordered_where_amazon_allows_it_and_rejected_with_the_reason_where_not():
    order = _order()
    lines = approved_lines(order, _approved({"line": 1, "quantity": 12, "rate": 4.5},
                                            {"line": 2, "quantity": 4, "rate": "4.75"}))
    ack = acknowledgement(order, lines, AT, ACCOUNT, "SO1")
    first, second = ack["items"]
    assert first["itemAcknowledgements"] == [
        {"acknowledgementCode": "Accepted", "acknowledgedQuantity": {"amount": 1, "unitOfMeasure": "Cases",
                                                                      "unitSize": 12}},
        {"acknowledgementCode": "Backordered", "scheduledShipDate": "2026-11-27T12:00:00Z",
         "acknowledgedQuantity": {"amount": 1, "unitOfMeasure": "Cases", "unitSize": 12}}]
    assert second["itemAcknowledgements"] == [
        {"acknowledgementCode": "Accepted", "acknowledgedQuantity": {"amount": 4, "unitOfMeasure": "Eaches"}},
        {"acknowledgementCode": "Rejected", "rejectionReason": "TemporarilyUnavailable",
         "acknowledgedQuantity": {"amount": 6, "unitOfMeasure": "Eaches"}}]
    assert first["netCost"] == {"currencyCode": "USD", "amount": "4.50"} and ack["sellingParty"] == {"partyId": "ACME"}


def test_an_order_with_nothing_approved_is_rejected_whole():
    order = _order()
    lines = approved_lines(order, _approved({"line": 1, "isClosed": True, "quantity": 24}, {"line": 2, "quantity": 0}))
    ack = acknowledgement(order, lines, AT, ACCOUNT, "SO1")
    assert [[c["acknowledgementCode"] for c in i["itemAcknowledgements"]] for i in ack["items"]] == [["Rejected"]] * 2


@pytest.mark.parametrize(("line", "says"), [
    ({"line": 2, "quantity": 11}, "11 approved but Amazon ordered 10; lower the Sales Order line to at most 10"),
    ({"line": 1, "quantity": 18}, "approve a multiple of 12 (not 18)"),
    ({"line": 2, "quantity": "2.5"}, "2.5 is not a whole number"),
])
def test_a_quantity_amazon_would_refuse_is_never_sent_and_the_error_says_what_to_correct(line, says):
    other = {"line": 3 - line["line"], "quantity": 24 if line["line"] == 2 else 10}
    with pytest.raises(NotAcknowledgeable, match="PO123456") as refused:
        approved_lines(_order(), _approved(line, other))
    assert says in str(refused.value)


def test_direct_fulfillment_ships_all_or_cancels_the_whole_order():
    order = _order(DIRECT)
    full = acknowledgement(order, approved_lines(order, _approved({"line": 1, "quantity": 24},
                                                                  {"line": 2, "quantity": 10})), AT, ACCOUNT, "SO9")
    assert full["acknowledgementStatus"]["code"] == "00" and full["vendorOrderNumber"] == "SO9"
    short = acknowledgement(order, approved_lines(order, _approved({"line": 1, "quantity": 24},
                                                                   {"line": 2, "quantity": 9})), AT, ACCOUNT, "SO9")
    assert short["acknowledgementStatus"] == {"code": "03", "description": "Canceled out of stock"}
    assert [i["acknowledgedQuantity"]["amount"] for i in short["itemAcknowledgements"]] == [24, 10]


def test_a_line_amazon_cancelled_before_posting_is_posted_closed_and_left_out_of_the_acknowledgement():
    order = _order()
    cancelled = VendorOrder(**{**order.__dict__, "lines": (order.lines[0], OrderLine(
        2, "2", "MUG-RED", "B0RED", 0, "Eaches", 1, 0, Decimal("4.75"), False))})
    body = sales_order_body(cancelled, ACCOUNT, [{"externalId": "MUG-BLUE"}, {"externalId": "MUG-RED"}])
    assert body["item"]["items"][1] == {"item": {"externalId": "MUG-RED"}, "quantity": 0, "rate": "4.75",
                                        "isClosed": True}
    lines = approved_lines(cancelled, _approved({"line": 1, "quantity": 24}, {"line": 2, "quantity": 0,
                                                                                "isClosed": True}))
    ack = acknowledgement(cancelled, lines, AT, ACCOUNT, "SO1")
    assert [i["itemSequenceNumber"] for i in ack["items"]] == ["1"]
