"""`inspect_report`: what an order report file holds, counted the way the pipeline loads it."""

from __future__ import annotations

import gzip
import json

import pytest

from amazon_netsuite.cli import inspect_report, to_json
from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite_tests.lib.orders.report_builder import DE_ROW, demo_settings, report_text, row


def _known_file(tmp_path):
    rows = [
        row(amazon_order_id="111-1", sku="MUG", quantity="2", item_price="29.98"),
        row(amazon_order_id="111-1", sku="TEE", item_price="19.99"),
        row(amazon_order_id="111-2", fulfillment_channel="Merchant", order_status="Pending", item_price="",
            item_tax="", shipping_price="", shipping_tax="", currency=""),
        row(amazon_order_id="702-1", sales_channel="Amazon.ca", currency="CAD", item_price="24.99"),
        row(DE_ROW, amazon_order_id="302-1", fulfillment_channel="Merchant", is_prime="true", item_price="39.98",
            product_name="Kaffeebecher „Schwarz“ – 0,3 l"),
        row(amazon_order_id="111-3", item_price="abc"),
        row(amazon_order_id="111-4"),
        row(amazon_order_id="702-1", sales_channel="Amazon.ca", currency="CAD", item_price="24.99"),
        row(DE_ROW, amazon_order_id="403-1", sales_channel="Amazon.fr", item_price="15.00"),
    ]
    lines = report_text(rows).splitlines()
    lines[7] = "\t".join(lines[7].split("\t")[:20])  # row 7 is cut short
    path = tmp_path / "orders.tsv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("cp1252")))
    return path


EXPECTED = {
    "report_type": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "row_count": 9,
    "order_count": 4,
    # 111-3 (bad price), 111-4 (cut short) and both identical rows of 702-1, whose order is held whole.
    "quarantined": 4,
    "by_fulfillment_channel": {"Amazon": 2, "Merchant": 2},
    "totals_by_currency": {"EUR": "54.98", "USD": "49.97"},
}


def test_inspect_reports_exactly_what_would_load(tmp_path):
    summary = inspect_report(_known_file(tmp_path))
    assert summary == EXPECTED
    assert json.loads(to_json(summary)) == EXPECTED
    assert list(summary) == list(EXPECTED)


def test_configured_storefronts_give_the_same_summary(tmp_path):
    assert inspect_report(_known_file(tmp_path), demo_settings()) == EXPECTED


def test_a_header_only_file(tmp_path):
    path = tmp_path / "empty.tsv"
    path.write_text(report_text([]), encoding="cp1252")
    assert inspect_report(path) == {
        **EXPECTED, "row_count": 0, "order_count": 0, "quarantined": 0,
        "by_fulfillment_channel": {}, "totals_by_currency": {},
    }


def test_unreadable_or_unknown_files_are_refused_clearly(tmp_path):
    with pytest.raises(ReportFileError, match="no such file"):
        inspect_report(tmp_path / "missing.tsv")
    other = tmp_path / "settlement.tsv"
    other.write_text("settlement-id\tsettlement-start-date\ttotal-amount\n1\t2026-11-01\t10.00\n")
    with pytest.raises(ReportFileError, match="not a report type we know .header starts settlement-id"):
        inspect_report(other)
    cut = tmp_path / "cut.tsv.gz"
    cut.write_bytes(_known_file(tmp_path).read_bytes()[:60])
    with pytest.raises(ReportFileError, match="corrupt or truncated"):
        inspect_report(cut)
