"""What the client puts on the wire for a record write, read from the raw request bytes: it asks NetSuite to refuse
a misspelled field, and amounts are exact JSON numbers (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html), whichever form the builder kept."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import simplejson

from amazon_netsuite.lib.netsuite import NetSuiteClient, UserError
from amazon_netsuite.lib.orders.posting import build_order_posting
from amazon_netsuite_tests.lib.netsuite.conftest import connect, short_sleep
from amazon_netsuite_tests.lib.test_posting import SETTINGS, line, order


@pytest.fixture
def wire(sandbox):
    """A client whose record requests are kept as sent: (method, path, headers, body bytes)."""
    sent: list[httpx.Request] = []

    def keep(request: httpx.Request) -> None:
        if "/record/v1/" in request.url.path:
            sent.append(request)

    http = httpx.Client(timeout=10, event_hooks={"request": [keep]})
    with NetSuiteClient(connect(sandbox), http=http, initial_backoff=0.01, sleep=short_sleep) as client:
        yield client, sent
    http.close()


def _order_body(external_id: str, **fields) -> dict:
    return {"externalId": external_id, "entity": {"externalId": "AMZ-CUSTOMER-demo-US"},
            "location": {"externalId": "WH-na"}, **fields}


def test_a_misspelled_field_is_refused_by_netsuite_naming_the_field_and_its_path(wire):
    client, sent = wire
    body = _order_body("AMZ-WIRE-TYPO", item={"items": [{"item": {"externalId": "MUG-CAFE-WHITE"}, "quantity": 1,
                                                         "rate": Decimal("14.99"), "amout": Decimal("14.99")}]})
    with pytest.raises(UserError) as refused:
        client.upsert("salesOrder", "AMZ-WIRE-TYPO", body)
    assert (refused.value.code, refused.value.error_path) == ("NONEXISTENT_FIELD", "item.items[0].amout")
    assert "'amout'" in str(refused.value)
    assert sent[-1].headers["X-NetSuite-PropertyNameValidation"] == "error"

    del body["item"]["items"][0]["amout"]
    client.upsert("salesOrder", "AMZ-WIRE-TYPO", body)
    with pytest.raises(UserError) as typo:
        client.patch("salesOrder", "eid:AMZ-WIRE-TYPO", {"custbody_typo": True})
    assert typo.value.error_path == "custbody_typo"


def test_every_record_write_asks_for_property_name_errors(wire, sandbox):
    client, sent = wire
    order_id = client.create("salesOrder", _order_body("AMZ-WIRE-HDR", item={"items": [
        {"item": {"externalId": "MUG-CAFE-WHITE"}, "quantity": 1, "rate": Decimal("14.99")}]}))
    client.patch("salesOrder", order_id, {"memo": "changed"})
    client.upsert("salesOrder", "AMZ-WIRE-HDR", {"memo": "again"})
    client.transform("salesOrder", order_id, "itemFulfillment", {"shipStatus": {"id": "C"}})
    client.get("salesOrder", order_id)
    writes = [(r.method, r.headers.get("X-NetSuite-PropertyNameValidation")) for r in sent]
    assert writes == [("POST", "error"), ("PATCH", "error"), ("PUT", "error"), ("POST", "error"), ("GET", None)]


def test_amounts_go_on_the_wire_as_exact_json_numbers_never_strings_or_binary_floats(wire):
    client, sent = wire
    # The order builder keeps amounts as exact decimal strings (the ledger hashes them); the wire gets numbers.
    lines = [line(1, "TSHIRT-RED-M", 3, "19.90", shipping_price="4.99", seller_collected_tax="0.10")]
    posting = build_order_posting(order("Unshipped", "MFN", lines), lines, SETTINGS)
    client.upsert(posting.record_type, posting.external_id, posting.body, replace="item")
    raw = sent[-1].content.decode()
    assert '"rate":19.90' in raw and '"amount":59.70' in raw and '"quantity":3' in raw
    assert '"shippingCost":4.99' in raw and '"taxAmount":0.10' in raw and '"taxBasis":59.70' in raw
    assert '"19.90"' not in raw and "19.899" not in raw and "59.7000" not in raw
    assert posting.body["item"]["items"][0]["rate"] == "19.90"  # the caller's body is left as it was

    # Large amounts stay exact to the cent, as Decimal or as text; a string field that looks numeric stays text.
    big = Decimal("98765432109876.54")
    client.upsert("journalEntry", "AMZ-WIRE-BIG", {
        "subsidiary": {"externalId": "SUB-na"}, "memo": "12.50", "line": {"items": [
            {"account": {"externalId": "ACCT-AMZ-CLEARING"}, "debit": big, "memo": "1.10"},
            {"account": {"externalId": "ACCT-SALES"}, "credit": "98765432109876.54"}]}})
    raw = sent[-1].content.decode()
    assert raw.count("98765432109876.54") == 2 and '"debit":98765432109876.54' in raw
    assert '"credit":98765432109876.54' in raw and '"memo":"12.50"' in raw and '"memo":"1.10"' in raw
    stored = client.get("journalEntry", "eid:AMZ-WIRE-BIG")
    assert [l.get("debit") or l.get("credit") for l in stored["line"]["items"]] == [big, big]
    assert simplejson.loads(raw, use_decimal=True)["line"]["items"][0]["debit"] == big


def test_a_float_amount_is_refused_before_anything_is_sent(wire):
    client, sent = wire
    body = _order_body("AMZ-WIRE-FLOAT", item={"items": [{"item": {"externalId": "MUG-CAFE-WHITE"},
                                                           "quantity": 1, "rate": 0.1 + 0.2}]})
    with pytest.raises(ValueError, match=r"item\.items\[0\]\.rate is the float 0\.30000000000000004"):
        client.upsert("salesOrder", "AMZ-WIRE-FLOAT", body)
    assert sent == []
