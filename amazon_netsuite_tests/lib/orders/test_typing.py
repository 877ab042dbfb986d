"""Typing report rows into orders and lines: exact money, latest state, and no half order ever loaded."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from amazon_netsuite.lib.orders.schemas import validate_order_lines, validate_orders
from amazon_netsuite.lib.warehouse import fetch_df, replace_partition
from amazon_netsuite_tests.lib.orders.report_builder import (
    DE_ROW,
    demo_settings,
    report_text,
    row,
    type_report,
    type_text,
)

D = Decimal


def test_a_shipped_fba_order_becomes_one_order_and_its_lines():
    typed = type_report([
        row(sku="MUG-BLACK", quantity="2", item_price="29.98", item_tax="2.40", shipping_price="5.99",
            shipping_tax="0.48", item_promotion_discount="-3.00", ship_promotion_discount="-5.99",
            promotion_ids="PROMO-A,FREESHIP"),
        row(sku="TEE-RED-M", quantity="1", item_price="19.99", item_tax="1.60", shipping_price="0.00",
            promotion_ids="FREESHIP"),
    ])
    order = typed.order("111-0000001-0000001")
    assert order["channel"] == "FBA"
    assert order["day"] == date(2026, 11, 20)
    assert order["purchase_date"] == datetime(2026, 11, 20, 10, 0)
    assert order["last_updated_date"] == datetime(2026, 11, 20, 14, 3, 11)
    assert (order["line_count"], order["quantity"]) == (2, 3)
    assert order["item_price"] == D("49.97")
    assert order["item_promotion_discount"] == D("-3.00")
    assert order["promotion_ids"] == "FREESHIP,PROMO-A"
    # Marketplace-facilitator tax is Amazon's to remit: not part of what the buyer owes the seller.
    assert order["marketplace_facilitator_tax"] == D("4.48")
    assert order["seller_collected_tax"] == D("0")
    assert order["order_total"] == D("49.97") + D("5.99") - D("3.00") - D("5.99")

    lines = typed.lines()
    assert lines["line_number"].tolist() == [1, 2]
    assert lines["sku"].tolist() == ["MUG-BLACK", "TEE-RED-M"]
    assert lines["unit_price"].tolist() == [D("14.99"), D("19.99")]
    assert lines["row_number"].tolist() == [1, 2]
    assert typed.counts.orders == 1 and typed.counts.order_lines == 2 and typed.counts.quarantined_rows == 0


def test_unit_price_is_rounded_half_even_to_four_places():
    typed = type_report([
        row(amazon_order_id="111-1", quantity="3", item_price="10.00"),    # 3.33333… → 3.3333
        row(amazon_order_id="111-2", quantity="16", item_price="0.0001"),  # 0.00000625 → 0.0000
        row(amazon_order_id="111-3", quantity="8", item_price="0.0012"),   # 0.00015 → 0.0002 (half to even)
        row(amazon_order_id="111-4", quantity="8", item_price="0.0004"),   # 0.00005 → 0.0000 (half to even)
        row(amazon_order_id="111-5", quantity="2", item_price="0.0003"),   # 0.00015 → 0.0002
    ])
    assert typed.lines()["unit_price"].tolist() == [D("3.3333"), D("0.0000"), D("0.0002"), D("0.0000"), D("0.0002")]


def test_facilitator_tax_and_seller_collected_tax_are_split():
    typed = type_report([
        row(amazon_order_id="111-1", item_tax="1.60", shipping_tax="0.40", gift_wrap_price="2.00",
            gift_wrap_tax="0.16"),
        row(amazon_order_id="111-2", item_tax="1.60", shipping_price="4.99", shipping_tax="0.40",
            tax_collection_model="", tax_collection_responsible_party=""),
    ])
    facilitated, seller = typed.order("111-1"), typed.order("111-2")
    assert (facilitated["marketplace_facilitator_tax"], facilitated["seller_collected_tax"]) == (D("2.16"), D("0"))
    assert facilitated["order_total"] == D("19.99") + D("2.00")
    assert facilitated["has_gift_wrap"] and not seller["has_gift_wrap"]
    assert (seller["marketplace_facilitator_tax"], seller["seller_collected_tax"]) == (D("0"), D("2.00"))
    assert seller["order_total"] == D("19.99") + D("4.99") + D("2.00")
    lines = typed.lines().set_index("amazon_order_id")
    assert lines.loc["111-2", "tax_collection_model"] is pd.NA or pd.isna(lines.loc["111-2", "tax_collection_model"])


def test_vat_inclusive_german_order_totals_to_the_cent():
    typed = type_report(
        [
            row(DE_ROW, sku="MUG", quantity="2", item_price="39.98", item_tax="6.38", shipping_price="4.99",
                shipping_tax="0.80", item_promotion_discount="-4.00"),
            row(DE_ROW, sku="TEE", quantity="1", item_price="24.95", item_tax="3.98", gift_wrap_price="3.50",
                gift_wrap_tax="0.56"),
        ],
        storefront_key="demo-DE",
    )
    order = typed.order("302-0000001-0000001")
    assert order["currency"] == "EUR"
    assert order["seller_collected_tax"] == D("11.72")  # VAT, already inside the prices
    assert order["marketplace_facilitator_tax"] == D("0")
    assert order["order_total"] == D("69.42")  # 39.98 + 24.95 + 4.99 + 3.50 - 4.00, VAT not added again
    assert str(order["order_total"]) == "69.4200"


def test_pending_mfn_order_without_prices_loads_with_null_money():
    typed = type_report([
        row(order_status="Pending", fulfillment_channel="Merchant", item_status="Unshipped", quantity="2",
            currency="", item_price="", item_tax="", shipping_price="", shipping_tax=""),
    ])
    order = typed.order("111-0000001-0000001")
    assert order["channel"] == "MFN" and order["order_status"] == "Pending"
    assert order["currency"] == "USD"
    assert pd.isna(order["item_price"]) and pd.isna(order["order_total"])
    assert pd.isna(typed.lines()["unit_price"].iloc[0])
    assert typed.counts.quarantined_rows == 0


def test_seller_fulfilled_prime_and_the_afn_mfn_spellings():
    typed = type_report([
        row(amazon_order_id="111-1", fulfillment_channel="Merchant", is_prime="true"),
        row(amazon_order_id="111-2", fulfillment_channel="MFN", is_prime="false"),
        row(amazon_order_id="111-3", fulfillment_channel="AFN"),
        row(amazon_order_id="111-4", fulfillment_channel="Merchant"),
    ])
    assert typed.orders().set_index("amazon_order_id")["channel"].to_dict() == {
        "111-1": "SFP", "111-2": "MFN", "111-3": "FBA", "111-4": "MFN",
    }


def test_a_partial_cancellation_keeps_the_order_with_a_cancelled_line():
    typed = type_report([
        row(sku="MUG", quantity="1", item_price="14.99", item_tax="1.20"),
        row(sku="TEE", item_status="Cancelled", quantity="0", item_price="", item_tax="", shipping_price="",
            shipping_tax=""),
    ])
    order = typed.order("111-0000001-0000001")
    assert (order["line_count"], order["quantity"], order["item_price"]) == (2, 1, D("14.99"))
    cancelled = typed.lines().set_index("sku").loc["TEE"]
    assert cancelled["item_status"] == "Cancelled" and cancelled["quantity"] == 0
    assert pd.isna(cancelled["unit_price"]) and pd.isna(cancelled["item_price"])


def test_latest_state_wins_and_older_rows_are_counted():
    typed = type_report([
        row(sku="MUG", order_status="Pending", last_updated_date="2026-11-20T09:00:00+00:00", item_price=""),
        row(sku="MUG", order_status="Shipped", last_updated_date="2026-11-20T18:00:00+00:00"),
        row(sku="TEE", order_status="Pending", last_updated_date="2026-11-20T09:00:00+00:00", item_price="x"),
    ])
    order = typed.order("111-0000001-0000001")
    assert order["order_status"] == "Shipped"
    assert order["last_updated_date"] == datetime(2026, 11, 20, 18, 0)
    assert order["line_count"] == 1
    # The bad price was in a state the order has left: it holds nothing back.
    assert typed.counts.superseded_rows == 2 and typed.counts.quarantined_rows == 0


def test_non_numeric_price_quarantines_the_whole_order():
    typed = type_report([
        row(amazon_order_id="111-1", sku="MUG", item_price="12.3O"),
        row(amazon_order_id="111-1", sku="TEE"),
        row(amazon_order_id="111-2", sku="TEE"),
    ])
    assert typed.orders()["amazon_order_id"].tolist() == ["111-2"]
    assert typed.lines()["amazon_order_id"].tolist() == ["111-2"]
    quarantine = typed.quarantine()
    assert quarantine["reason"].tolist() == [
        "item-price '12.3O' is not a number",
        "order 111-1 held back whole: row 1 (sku MUG) has: item-price '12.3O' is not a number",
    ]
    assert quarantine["storefront"].tolist() == ["demo-US", "demo-US"]
    assert json.loads(quarantine["raw_row"].iloc[0])["item-price"] == "12.3O"
    assert typed.counts.quarantined_rows == 2 and typed.counts.quarantined_orders == 1


def test_every_bad_value_is_named_with_its_column():
    typed = type_report([
        row(amazon_order_id="111-1", quantity="-1"),
        row(amazon_order_id="111-2", quantity="1.5"),
        row(amazon_order_id="111-3", purchase_date="2026-13-45T25:61:00+00:00"),
        row(amazon_order_id="111-4", fulfillment_channel="Drone"),
        row(amazon_order_id="111-5", currency="EUR"),
        row(amazon_order_id="", sku="X"),
        row(amazon_order_id="111-7", sku=""),
        row(amazon_order_id="111-8", shipping_tax="n/a", item_promotion_discount="#VALUE!"),
    ])
    assert typed.orders().empty
    assert typed.quarantine()["reason"].tolist() == [
        "quantity '-1' is not a whole number of 0 or more",
        "quantity '1.5' is not a whole number of 0 or more",
        "purchase-date '2026-13-45T25:61:00+00:00' is not a date",
        "fulfillment-channel 'Drone' is not Amazon/AFN or Merchant/MFN",
        "currency 'EUR' is not the currency of storefront demo-US (USD)",
        "amazon-order-id is empty",
        "sku is empty",
        "shipping-tax 'n/a' is not a number; item-promotion-discount '#VALUE!' is not a number",
    ]


def test_an_order_with_two_identical_rows_is_held_whole_and_never_posted_short():
    """The order report has no line id: two identical rows may be two units bought as two items, or one row sent
    twice. Neither one line (short) nor two (maybe doubled) is safe, so the order waits in the quarantine."""
    line = row(amazon_order_id="111-1", sku="MUG", item_price="14.99")
    typed = type_report([
        line, row(amazon_order_id="111-1", sku="TEE", item_price="19.99"), dict(line),
        row(amazon_order_id="111-1", sku="MUG", item_price="15.99"),
        row(amazon_order_id="111-2", sku="MUG", item_price="14.99"),
    ])
    assert typed.orders()["amazon_order_id"].tolist() == ["111-2"]
    assert typed.lines()["amazon_order_id"].tolist() == ["111-2"]
    held = typed.quarantine()
    reason = ("order 111-1 held back whole: rows 1 and 3 are identical (sku MUG); the report has no line id to "
              "tell two items from one row sent twice")
    assert held[["row_number", "reason"]].values.tolist() == [[1, reason], [2, reason], [3, reason], [4, reason]]
    # Every row's money is in the quarantine: both identical rows, nothing dropped.
    prices = [D(json.loads(raw)["item-price"]) for raw in held["raw_row"]]
    assert sum(prices) == D("14.99") * 2 + D("19.99") + D("15.99")
    assert (typed.counts.duplicate_rows, typed.counts.quarantined_orders, typed.counts.quarantined_rows) == (1, 1, 4)


def test_rows_of_one_order_and_sku_that_differ_in_any_column_are_two_lines():
    typed = type_report([
        row(sku="MUG", item_price="14.99"),
        row(sku="MUG", item_price="14.99", promotion_ids="PROMO-A"),
    ])
    assert typed.lines()["row_number"].tolist() == [1, 2]
    assert typed.order("111-0000001-0000001")["item_price"] == D("29.98")
    assert typed.quarantine().empty and typed.counts.duplicate_rows == 0


def test_a_line_the_parser_could_not_split_holds_its_order_back():
    text = report_text([row(amazon_order_id="111-1", sku="A"), row(amazon_order_id="111-1", sku="B"),
                        row(amazon_order_id="111-2")])
    lines = text.splitlines()
    lines[2] = "\t".join(lines[2].split("\t")[:-2])
    typed = type_text("\n".join(lines) + "\n")
    assert typed.orders()["amazon_order_id"].tolist() == ["111-2"]
    assert typed.quarantine()["reason"].tolist() == [
        "order 111-1 held back whole: row 2 (sku B) has: row has 32 fields, the header has 34",
        "row has 32 fields, the header has 34",
    ]


def test_money_in_comma_locales_is_read_deterministically():
    typed = type_report(
        [
            row(DE_ROW, amazon_order_id="302-1", item_price="1.234,56", item_tax="197,12", shipping_price="4,9"),
            row(DE_ROW, amazon_order_id="302-2", item_price="1,234.56", item_tax="0", shipping_price="95,00"),
            row(DE_ROW, amazon_order_id="302-3", item_price="1,234", item_tax="-6,5", shipping_price="1.234.567,8"),
        ],
        storefront_key="demo-DE",
    )
    lines = typed.lines().set_index("amazon_order_id")
    assert lines.loc["302-1", ["item_price", "item_tax", "shipping_price"]].tolist() == [D("1234.56"), D("197.12"), D("4.9")]
    assert lines.loc["302-2", ["item_price", "shipping_price"]].tolist() == [D("1234.56"), D("95.00")]
    assert lines.loc["302-3", ["item_price", "item_tax", "shipping_price"]].tolist() == [D("1234"), D("-6.5"), D("1234567.8")]


def test_each_day_is_typed_on_its_own():
    typed = type_report([
        row(order_status="Unshipped", last_updated_date="2026-11-20T09:00:00+00:00"),
        row(order_status="Shipped", last_updated_date="2026-11-21T09:00:00+00:00"),
    ])
    orders = typed.orders()
    assert orders[["day", "order_status"]].values.tolist() == [
        [date(2026, 11, 20), "Unshipped"], [date(2026, 11, 21), "Shipped"],
    ]
    assert typed.counts.superseded_rows == 0


def test_typed_tables_fit_the_warehouse_and_pass_the_checks():
    typed = type_report([row(amazon_order_id="111-1"), row(amazon_order_id="111-2", item_price="x")])
    con = typed.con
    for table, source in (("orders", "typed_orders"), ("order_lines", "typed_order_lines"),
                          ("order_report_quarantine", "typed_order_quarantine")):
        replace_partition(con, table, "demo-US", "2026-11-20", f"SELECT * FROM {source}")
    storefront = demo_settings().storefront("demo-US")
    assert validate_orders(fetch_df(con, "SELECT * FROM orders"), storefront) == []
    assert validate_order_lines(fetch_df(con, "SELECT * FROM order_lines"), storefront) == []
    assert con.execute("SELECT count(*) FROM order_report_quarantine").fetchone()[0] == 1


def test_typing_twice_on_one_connection_replaces_the_temp_tables():
    typed = type_report([row(amazon_order_id="111-1")])
    typed.con.execute("CREATE TEMP VIEW again AS SELECT * FROM storefront_rows WHERE false")
    from amazon_netsuite.lib.orders.typing import type_order_rows

    counts = type_order_rows(typed.con, "again", demo_settings().storefront("demo-US"))
    assert counts.rows == 0 and typed.orders().empty and typed.quarantine().empty



def _mixed_report() -> str:
    """Three storefronts and two days: multi-line, superseded, duplicated, bad and VAT-inclusive rows."""
    ca = {**row(), "sales-channel": "Amazon.ca", "currency": "CAD", "ship-country": "CA"}
    copy = row(amazon_order_id="111-3", sku="MUG", item_price="9.99")
    return report_text([
        row(amazon_order_id="111-1", sku="MUG", quantity="2", item_price="29.98", promotion_ids="B,A"),
        row(amazon_order_id="111-1", sku="TEE", promotion_ids="C"),
        row(amazon_order_id="111-2", order_status="Pending", last_updated_date="2026-11-20T09:00:00+00:00"),
        row(amazon_order_id="111-2", order_status="Shipped", last_updated_date="2026-11-20T18:00:00+00:00"),
        copy, dict(copy),
        row(amazon_order_id="111-4", item_price="12.3O"),
        row(amazon_order_id="111-4", sku="TEE", last_updated_date="2026-11-21T08:00:00+00:00"),
        row(ca, amazon_order_id="702-1", item_price="24.99"),
        row(ca, amazon_order_id="702-2", currency="USD"),
        row(DE_ROW, amazon_order_id="302-1", item_price="39.98", item_tax="6.38", shipping_price="4,99"),
        row(DE_ROW, amazon_order_id="302-1", sku="TEE", item_price="24.95", item_tax="3.98"),
    ])


def test_a_whole_report_stored_at_once_equals_typing_each_storefront():
    from amazon_netsuite.lib.orders.typing import store_typed_orders, type_order_rows

    settings = demo_settings()
    text = _mixed_report()
    per_storefront = type_text(text)  # also loads the rows into its warehouse
    con = per_storefront.con
    expected = {"orders": [], "order_lines": [], "order_report_quarantine": []}
    counts = []
    for storefront in settings.storefronts:
        con.execute(f"CREATE OR REPLACE TEMP VIEW one AS SELECT * FROM order_report_rows "
                    f"WHERE storefront = '{storefront.key}'")
        counts.append(type_order_rows(con, "one", storefront))
        for table, typed in (("orders", "typed_orders"), ("order_lines", "typed_order_lines"),
                             ("order_report_quarantine", "typed_order_quarantine")):
            expected[table] += con.execute(f"SELECT * FROM {typed}").fetchall()

    total = store_typed_orders(con, "order_report_rows", settings.storefronts)
    for table, rows in expected.items():
        stored = con.execute(f"SELECT * FROM {table}").fetchall()
        assert sorted(stored, key=str) == sorted(rows, key=str), table
    assert total.orders == sum(c.orders for c in counts) == 5
    assert total.order_lines == sum(c.order_lines for c in counts) == 7
    assert total.quarantined_rows == sum(c.quarantined_rows for c in counts) == 4
    assert (total.superseded_rows, total.duplicate_rows, total.quarantined_orders) == (1, 1, 3)
    assert con.execute("SELECT storefront, count(*) FROM orders GROUP BY ALL ORDER BY 1").fetchall() == [
        ("demo-CA", 1), ("demo-DE", 1), ("demo-US", 3),
    ]


def test_storing_typed_rows_leaves_other_storefronts_alone():
    from amazon_netsuite.lib.orders.typing import store_typed_orders

    typed = type_text(_mixed_report())
    counts = store_typed_orders(typed.con, "order_report_rows", [demo_settings().storefront("demo-DE")])
    assert (counts.rows, counts.orders, counts.order_lines) == (2, 1, 2)
    order = fetch_df(typed.con, "SELECT * FROM orders").iloc[0]
    assert (order["storefront"], order["order_total"]) == ("demo-DE", D("69.92"))
