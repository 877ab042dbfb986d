"""No float anywhere: amounts are Decimal in the store, exact digits in SQLite and in every JSON answer."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import simplejson

from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, create, fetch, sales_order


def _floats(value: object) -> list:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def test_amounts_are_answered_with_their_exact_digits(netsuite):
    # 0.1 + 0.2 and 3 × 19.99 are where binary floats go wrong (0.30000000000000004, 59.97000000000001).
    body = sales_order("AMZ-EXACT-1", ("TSHIRT-RED-M", 3, "19.99"), ("NOTEBOOK-A5-DOT", 1, 0.1),
                       ("NOTEBOOK-A5-GRID", 1, 0.2), shippingCost=4.99)
    order_id = create(netsuite, "salesOrder", body)
    text = netsuite.get(f"{RECORDS}/salesOrder/{order_id}").text
    assert '"amount":59.97' in text and '"total":65.26' in text and '"rate":0.1,' in text
    assert "0000000" not in text and "9999999" not in text
    order = simplejson.loads(text, use_decimal=True)
    assert type(order["total"]) is Decimal and order["total"] == Decimal("65.26")
    assert [line["amount"] for line in order["item"]["items"]] == [Decimal("59.97"), Decimal("0.10"),
                                                                   Decimal("0.20")]


def test_the_store_keeps_decimal_in_memory_and_exact_digits_in_sqlite(netsuite, sandbox):
    order_id = create(netsuite, "salesOrder", sales_order("AMZ-EXACT-2", ("MUG-CAFE-WHITE", 7, "14.99")))
    stored = sandbox.app.state.netsuite.store.get("salesOrder", int(order_id))
    assert not _floats(stored)
    assert type(stored["total"]) is Decimal and stored["total"] == Decimal("104.93")
    with sqlite3.connect(sandbox.state.config.state_dir / "netsuite.sqlite") as db:
        (body,) = db.execute("SELECT body FROM records WHERE id = ?", (int(order_id),)).fetchone()
    assert '"total":104.93' in body and '"rate":14.99' in body


def test_every_seeded_and_posted_record_is_free_of_float(netsuite, sandbox):
    create(netsuite, "journalEntry", {"subsidiary": {"externalId": "SUB-eu"}, "line": {"items": [
        {"account": {"externalId": "ACCT-AMZ-CLEARING"}, "debit": 0.3},
        {"account": {"externalId": "ACCT-SALES"}, "credit": "0.30"}]}})
    store = sandbox.app.state.netsuite.store
    floats = {record_type: _floats(store.all(record_type)) for record_type in ("inventoryItem", "kitItem",
                                                                              "journalEntry", "account")}
    assert floats == {"inventoryItem": [], "kitItem": [], "journalEntry": [], "account": []}
    assert fetch(netsuite, "inventoryItem", "eid:TSHIRT-RED-M")["basePrice"] == Decimal("19.99")
