"""Order → NetSuite body (pure), and the posting ledger and error queue over an in-memory DuckDB."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import duckdb

from amazon_netsuite.lib.netsuite.errors import InvalidKeyOrRef, UserError
from amazon_netsuite.lib.orders.posting import (
    CASH_SALE,
    PROMOTION_ITEM,
    SALES_ORDER,
    NotPostable,
    build_order_posting,
    posted_total,
)
from amazon_netsuite.lib.postings import (
    PostingAttempt,
    is_posted_unchanged,
    ledger_entries,
    record_attempt,
)
from amazon_netsuite.lib.warehouse import ensure_schema
from amazon_netsuite.lib.settings import load_settings
from amazon_netsuite_tests.conftest import DEMO_SETTINGS

SETTINGS = load_settings(DEMO_SETTINGS)


def line(n: int, sku: str, qty: int, unit: str, item_price: str | None = None, **money) -> dict:
    values = {c: None for c in ("shipping_price", "gift_wrap_price", "item_promotion_discount",
                                 "ship_promotion_discount", "seller_collected_tax", "marketplace_facilitator_tax")}
    values.update({k: D(v) for k, v in money.items()})
    return dict(line_number=n, sku=sku, quantity=qty, unit_price=D(unit),
                item_price=D(item_price) if item_price else D(unit) * qty,
                promotion_ids=None, **values)


def order(status: str, channel: str, lines: list[dict], storefront: str = "demo-US", currency: str = "USD",
          vat_inclusive: bool = False) -> dict:
    def total(c):
        return sum((l[c] or D(0) for l in lines), D(0))

    order_total = sum(total(c) for c in ("item_price", "shipping_price", "gift_wrap_price",
                                         "item_promotion_discount", "ship_promotion_discount"))
    if not vat_inclusive:
        order_total += total("seller_collected_tax")
    return dict(storefront=storefront, day=date(2026, 11, 20), amazon_order_id="111-0000001-0000001",
                purchase_date=datetime(2026, 11, 19, 22, 5), order_status=status, channel=channel,
                sales_channel="Amazon.com", currency=currency, order_total=order_total)


def test_a_paid_mfn_order_is_a_pending_fulfillment_sales_order_that_ties_to_the_cent():
    lines = [
        line(1, "MUG-WHITE", 3, "3.3333", "10.00", shipping_price="14.97", ship_promotion_discount="-14.97",
             item_promotion_discount="-1.50", seller_collected_tax="0.71", gift_wrap_price="3.99"),
        line(2, "TSHIRT-BLACK-S", 1, "19.99", shipping_price="4.99", seller_collected_tax="1.60"),
    ]
    lines[0]["promotion_ids"] = "US-SAVE10-MUG"
    o = order("Unshipped", "MFN", lines)
    posting = build_order_posting(o, lines, SETTINGS)

    assert posting.record_type == SALES_ORDER
    body = posting.body
    assert posting.external_id == body["externalId"] == "AMZ-demo-US-111-0000001-0000001"
    assert body["otherRefNum"] == "111-0000001-0000001"
    assert body["tranDate"] == "2026-11-19"
    assert body["orderStatus"] == {"id": "B"}
    assert body["entity"] == {"externalId": "AMZ-CUSTOMER-demo-US"}
    assert body["subsidiary"] == {"externalId": "SUB-na"}
    assert body["currency"] == {"externalId": "USD"}
    assert body["location"] == {"externalId": "WH-na"}
    items = body["item"]["items"]
    assert [(i["item"]["externalId"], i.get("quantity"), i.get("rate"), i["amount"]) for i in items] == [
        ("MUG-WHITE", 3, "3.3333", "10.00"),  # amount is Amazon's item-price, not rate × qty
        (PROMOTION_ITEM, None, None, "-1.50"),
        ("TSHIRT-BLACK-S", 1, "19.99", "19.99"),
    ]
    assert items[0]["price"] == {"id": "-1"}
    assert "US-SAVE10-MUG" in items[1]["description"]
    assert (body["shippingCost"], body["handlingCost"], body["taxTotal"]) == ("4.99", "3.99", "2.31")
    assert posted_total(body) == o["order_total"] == D("39.78")


def test_lines_amazon_cancelled_are_not_posted():
    lines = [line(1, "MUG-WHITE", 1, "8.00"),
             dict(line(2, "SOCKS-GREY-SM", 1, "5.00"), quantity=0, unit_price=None, item_price=None)]
    posting = build_order_posting(order("Unshipped", "SFP", lines[:1]), lines, SETTINGS)
    assert [i["item"]["externalId"] for i in posting.body["item"]["items"]] == ["MUG-WHITE"]


def test_a_shipped_fba_order_is_a_cash_sale_at_the_fba_location_and_vat_stays_inside_the_prices():
    lines = [line(1, "MUG-WHITE", 2, "11.90", seller_collected_tax="3.80")]
    o = order("Shipped", "FBA", lines, storefront="demo-DE", currency="EUR", vat_inclusive=True)
    posting = build_order_posting(o, lines, SETTINGS)
    assert posting.record_type == CASH_SALE
    body = posting.body
    assert body["location"] == {"externalId": "FBA-eu"}
    assert body["subsidiary"] == {"externalId": "SUB-eu"}
    assert body["currency"] == {"externalId": "EUR"}
    assert "orderStatus" not in body and "taxTotal" not in body
    assert posted_total(body) == o["order_total"] == D("23.80")


def test_marketplace_facilitator_tax_is_omitted():
    lines = [line(1, "MUG-WHITE", 1, "10.00", marketplace_facilitator_tax="0.80")]
    o = order("Shipped", "FBA", lines)
    body = build_order_posting(o, lines, SETTINGS).body
    assert "taxTotal" not in body
    assert posted_total(body) == o["order_total"] == D("10.00")


def test_orders_not_yet_postable_are_skipped_with_a_reason():
    lines = [line(1, "MUG-WHITE", 1, "10.00")]
    reasons = {
        (status, channel): build_order_posting(order(status, channel, lines), lines, SETTINGS)
        for status, channel in (("Pending", "MFN"), ("Cancelled", "MFN"), ("Unshipped", "FBA"), ("Pending", "FBA"))
    }
    assert all(isinstance(r, NotPostable) for r in reasons.values())
    assert "awaiting payment" in reasons[("Pending", "MFN")].reason
    assert "cancelled" in reasons[("Cancelled", "MFN")].reason
    assert "once Amazon ships it" in reasons[("Unshipped", "FBA")].reason


def _attempt(payload: dict, error=None, internal_id="42") -> PostingAttempt:
    return PostingAttempt(flow="orders", storefront="demo-US", key="111-0000001-0000001", record_type=SALES_ORDER,
                          external_id="AMZ-demo-US-111-0000001-0000001", payload=payload, at=datetime(2026, 11, 20),
                          internal_id=None if error else internal_id, error=error,
                          record_label="order 111-0000001-0000001")


def test_an_unmapped_sku_is_a_mapping_error_naming_sku_storefront_and_order_until_a_retry_posts_it():
    lines = [line(1, "MUG-WHITE", 1, "10.00"), line(2, "CAP-OLIVE", 1, "12.00")]
    body = build_order_posting(order("Unshipped", "MFN", lines), lines, SETTINGS).body
    refused = InvalidKeyOrRef(400, "INVALID_KEY_OR_REF", "Invalid item reference key CAP-OLIVE.",
                              "item.items[1].item")
    with duckdb.connect() as con:
        ensure_schema(con)
        assert record_attempt(con, _attempt(body, refused)) == "mapping"
        assert record_attempt(con, _attempt(body, refused)) == "mapping"  # a second failure refreshes, not piles up
        (error_class, message, resolved), = con.execute(
            "SELECT error_class, message, resolved FROM integration_errors").fetchall()
        assert error_class == "mapping" and resolved is None
        assert "SKU `CAP-OLIVE`" in message and "demo-US" in message and "111-0000001-0000001" in message
        assert "create the item with external id `CAP-OLIVE`" in message
        entry = ledger_entries(con, "orders", "demo-US", ["111-0000001-0000001"])["111-0000001-0000001"]
        assert (entry.status, entry.attempts) == ("failed", 2)
        assert not is_posted_unchanged(entry, body)

        record_attempt(con, _attempt(body))
        entry = ledger_entries(con, "orders", "demo-US", ["111-0000001-0000001"])["111-0000001-0000001"]
        assert (entry.status, entry.attempts, entry.internal_id) == ("posted", 3, "42")
        assert is_posted_unchanged(entry, body)
        assert not is_posted_unchanged(entry, {**body, "memo": "edited"})
        assert con.execute("SELECT count(*) FROM integration_errors WHERE resolved IS NULL").fetchone()[0] == 0


def test_a_refused_record_is_a_validation_error():
    with duckdb.connect() as con:
        ensure_schema(con)
        error = UserError(400, "USER_ERROR", "Please enter value(s) for: Customer", "entity")
        assert record_attempt(con, _attempt({"item": {"items": []}}, error)) == "validation"
