"""Reading order report files: by header name, nothing received lost, bad lines set aside, unusable files refused."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from amazon_netsuite.lib.orders.report_file import ReportFileError, parse_order_report, route_order_rows
from amazon_netsuite.lib.orders.tables import ORDER_REPORT_TEXT_COLUMNS
from amazon_netsuite_tests.lib.orders.report_builder import COLUMNS, DE_ROW, DEFAULT_ROW, demo_settings, report_text, row


def test_values_are_read_by_header_name_whatever_the_column_order():
    columns = list(reversed(COLUMNS))
    parsed = parse_order_report(report_text([row(item_price="12.34", sku="SKU-1")], columns), report_id="R-1")

    first = parsed.rows.to_pylist()[0]
    assert first["sku"] == "SKU-1"
    assert first["item_price"] == "12.34"
    assert first["report_id"] == "R-1"
    assert first["row_number"] == 1
    assert parsed.rows.column_names == ["report_id", "row_number", *ORDER_REPORT_TEXT_COLUMNS, "extra_columns"]
    assert parsed.header == columns


def test_values_stay_text_exactly_as_received():
    parsed = parse_order_report(report_text([row(item_price="0019.990", quantity="01", item_tax="")]), report_id="R")
    first = parsed.rows.to_pylist()[0]
    assert (first["item_price"], first["quantity"], first["item_tax"]) == ("0019.990", "01", "")


def test_extra_columns_are_kept_as_json():
    columns = [*COLUMNS, "url", "is-iba"]
    rows = [row(url="https://example.com/a?b=\"c\"", is_iba="false"), row(url="", is_iba="true")]
    parsed = parse_order_report(report_text(rows, columns), report_id="R")

    extras = [json.loads(v) for v in parsed.rows["extra_columns"].to_pylist()]
    assert extras == [{"url": 'https://example.com/a?b="c"', "is-iba": "false"}, {"url": "", "is-iba": "true"}]
    assert parsed.extra_column_names == ["url", "is-iba"]


def test_optional_columns_missing_from_the_file_are_null():
    columns = [c for c in COLUMNS if c not in ("tax-collection-model", "is-prime", "price-designation")]
    parsed = parse_order_report(report_text([row()], columns), report_id="R")
    first = parsed.rows.to_pylist()[0]
    assert first["tax_collection_model"] is None and first["is_prime"] is None and first["price_designation"] is None
    assert first["extra_columns"] is None


def test_missing_required_columns_are_named():
    columns = [c for c in COLUMNS if c not in ("sku", "item-price")]
    with pytest.raises(ReportFileError, match=r"report R-9: required column\(s\) sku, item-price missing"):
        parse_order_report(report_text([row()], columns), report_id="R-9")


def test_a_row_with_missing_or_extra_fields_is_rejected_and_the_others_load():
    good = report_text([row(sku="A"), row(sku="B"), row(sku="C"), row(sku="D")]).splitlines()
    good[2] = "\t".join(good[2].split("\t")[:-3])  # row 2 truncated
    good[4] = good[4] + "\tsurplus"  # row 4 has one field too many
    parsed = parse_order_report("\n".join(good) + "\n", report_id="R")

    assert parsed.data_rows == 4
    assert parsed.rows["sku"].to_pylist() == ["A", "C"]
    assert parsed.rows["row_number"].to_pylist() == [1, 3]
    rejected = parsed.rejected.to_pylist()
    assert [(r["row_number"], r["reason"]) for r in rejected] == [
        (2, f"row has {len(COLUMNS) - 3} fields, the header has {len(COLUMNS)}"),
        (4, f"row has {len(COLUMNS) + 1} fields, the header has {len(COLUMNS)}"),
    ]
    assert rejected[1]["raw_row"].endswith("\tsurplus")
    assert all(r["report_id"] == "R" for r in rejected)


@pytest.mark.parametrize("bad_name", ["Plain mug", "Café Crème – Mug™"])
def test_a_cp1252_report_with_a_bad_line_keeps_text_and_row_numbers(bad_name):
    rows = [row(sku="A", product_name="Tasse „Grün“"), row(sku="B", product_name=bad_name), row(sku="C")]
    lines = report_text(rows).splitlines()
    lines[2] = "\t".join(lines[2].split("\t")[:12])
    parsed = parse_order_report(("\n".join(lines) + "\n").encode("cp1252"), report_id="R", charset="cp1252")

    assert parsed.rows["product_name"].to_pylist() == ["Tasse „Grün“", DEFAULT_ROW["product-name"]]
    assert parsed.rows["row_number"].to_pylist() == [1, 3]
    (rejected,) = parsed.rejected.to_pylist()
    assert rejected["row_number"] == 2 and bad_name in rejected["raw_row"]


def test_a_header_only_report_is_empty_not_an_error():
    parsed = parse_order_report("\t".join(COLUMNS) + "\n", report_id="R")
    assert parsed.data_rows == 0
    assert parsed.rows.num_rows == 0 and parsed.rejected.num_rows == 0


@pytest.mark.parametrize("content", [b"", b"\n", b"  \r\n"])
def test_a_file_without_header_is_refused(content, tmp_path):
    path = tmp_path / "empty.tsv"
    path.write_bytes(content)
    with pytest.raises(ReportFileError, match="report R-0: the file is empty"):
        parse_order_report(path, report_id="R-0")


def test_cp1252_bytes_are_decoded_with_the_declared_charset(tmp_path):
    name = "Café Crème Mug™ – “Black” €"
    data = report_text([row(product_name=name)]).encode("cp1252")
    for source in (data, _write(tmp_path / "r.tsv", data), _write(tmp_path / "r.tsv.gz", gzip.compress(data))):
        parsed = parse_order_report(source, report_id="R", charset="Cp1252")
        assert parsed.rows["product_name"].to_pylist() == [name]
        assert parsed.charset == "cp1252"


def test_without_a_declared_charset_utf8_is_tried_then_cp1252():
    name = "Café – €"
    assert parse_order_report(report_text([row(product_name=name)]).encode("utf-8"), report_id="R").charset == "utf-8"
    parsed = parse_order_report(report_text([row(product_name=name)]).encode("cp1252"), report_id="R")
    assert parsed.charset == "cp1252"
    assert parsed.rows["product_name"].to_pylist() == [name]


def test_cp932_japanese_report():
    name = "コーヒーマグ 黒"
    data = report_text([row(product_name=name, sales_channel="Amazon.co.jp", currency="JPY")]).encode("cp932")
    parsed = parse_order_report(data, report_id="R", charset="Shift_JIS")
    assert parsed.rows["product_name"].to_pylist() == [name]


def test_bytes_undecodable_in_the_declared_charset_are_refused():
    data = report_text([row(product_name="Café")]).encode("cp1252")
    with pytest.raises(ReportFileError, match="report R-5: the document is not valid utf-8 as declared"):
        parse_order_report(data, report_id="R-5", charset="UTF-8")
    bad_cp1252 = report_text([row(product_name="x")]).encode("cp1252").replace(b"\tx\t", b"\t\x81\t")
    with pytest.raises(ReportFileError, match="report R-6: the document is not valid cp1252 as declared"):
        parse_order_report(bad_cp1252, report_id="R-6", charset="cp1252")


def test_an_unknown_charset_is_refused():
    with pytest.raises(ReportFileError, match="report R: unknown charset 'klingon'"):
        parse_order_report(b"x", report_id="R", charset="klingon")


def test_truncated_gzip_is_refused(tmp_path):
    data = gzip.compress(report_text([row(amazon_order_id=f"111-{i:07d}-0000001") for i in range(2000)]).encode())
    path = _write(tmp_path / "cut.tsv.gz", data[: len(data) // 2])
    with pytest.raises(ReportFileError, match="report R-7: the gzip document is corrupt or truncated"):
        parse_order_report(path, report_id="R-7", charset="cp1252")
    with pytest.raises(ReportFileError, match="report R-8: the gzip document is corrupt or truncated"):
        parse_order_report(data[:40], report_id="R-8")


def test_windows_line_ends_and_a_byte_order_mark_are_tolerated():
    text = "\ufeff" + report_text([row(sku="A"), row(sku="B")]).replace("\n", "\r\n")
    parsed = parse_order_report(text, report_id="R")
    assert parsed.rows["sku"].to_pylist() == ["A", "B"]
    assert parsed.rows["is_prime"].to_pylist() == ["false", "false"]


def test_quotes_are_ordinary_characters():
    parsed = parse_order_report(report_text([row(product_name='12" Vinyl "Blue')]), report_id="R")
    assert parsed.rows["product_name"].to_pylist() == ['12" Vinyl "Blue']


# --- routing ------------------------------------------------------------------------------------------------


def test_rows_are_routed_by_sales_channel_and_the_utc_day_of_last_update():
    rows = [
        row(amazon_order_id="111-1", sales_channel="Amazon.com", last_updated_date="2026-11-20T23:30:00-02:00"),
        row(amazon_order_id="702-1", sales_channel="amazon.CA", currency="CAD"),
        row(DE_ROW, amazon_order_id="302-1", last_updated_date="2026-11-20T00:30:00+01:00"),
        row(amazon_order_id="111-2", last_updated_date="2026-11-20T14:03:11Z"),
        row(amazon_order_id="111-3", last_updated_date="2026-11-20T14:03:11"),
    ]
    routed = route_order_rows(parse_order_report(report_text(rows), report_id="R"), demo_settings())

    got = {(r["amazon_order_id"], r["storefront"], r["day"]) for r in routed.rows.to_pylist()}
    assert got == {
        ("111-1", "demo-US", date(2026, 11, 21)),
        ("702-1", "demo-CA", date(2026, 11, 20)),
        ("302-1", "demo-DE", date(2026, 11, 19)),
        ("111-2", "demo-US", date(2026, 11, 20)),
        ("111-3", "demo-US", date(2026, 11, 20)),
    }
    assert routed.unroutable.num_rows == 0
    assert routed.partitions == [
        ("demo-CA", date(2026, 11, 20), 1),
        ("demo-DE", date(2026, 11, 19), 1),
        ("demo-US", date(2026, 11, 20), 2),
        ("demo-US", date(2026, 11, 21), 1),
    ]
    assert routed.rows.column_names[:4] == ["storefront", "day", "report_id", "row_number"]
    assert routed.rows.column_names[-2:] == ["extra_columns", "parse_error"]
    assert routed.rows_of("demo-US", date(2026, 11, 21))["amazon_order_id"].to_pylist() == ["111-1"]


def test_rows_of_unknown_sales_channels_or_unreadable_dates_are_unroutable():
    rows = [
        row(amazon_order_id="111-1"),
        row(amazon_order_id="403-1", sales_channel="Amazon.it", currency="EUR"),
        row(amazon_order_id="111-2", last_updated_date="yesterday"),
        row(amazon_order_id="111-3", last_updated_date=""),
        row(amazon_order_id="111-4", sales_channel="Non-Amazon"),
    ]
    routed = route_order_rows(parse_order_report(report_text(rows), report_id="R"), demo_settings())

    assert routed.rows["amazon_order_id"].to_pylist() == ["111-1"]
    lost = routed.unroutable.to_pylist()
    assert [(r["row_number"], r["reason"]) for r in lost] == [
        (2, "sales-channel 'Amazon.it' is not a storefront in the settings "
            "(configured: Amazon.com, Amazon.ca, Amazon.de, Amazon.fr)"),
        (3, "last-updated-date 'yesterday' is not a date"),
        (4, "last-updated-date is empty"),
        (5, "sales-channel 'Non-Amazon' is not a storefront in the settings "
            "(configured: Amazon.com, Amazon.ca, Amazon.de, Amazon.fr)"),
    ]
    assert json.loads(lost[0]["raw_row"])["amazon-order-id"] == "403-1"


def test_lines_with_the_wrong_number_of_fields_are_routed_with_their_parse_error():
    lines = report_text([row(amazon_order_id="111-1", sku="A"), row(amazon_order_id="111-1", sku="B")]).splitlines()
    lines[2] = "\t".join(lines[2].split("\t")[:-3])
    routed = route_order_rows(parse_order_report("\n".join(lines) + "\n", report_id="R"), demo_settings())

    by_sku = {r["sku"]: r for r in routed.rows.to_pylist()}
    assert by_sku["A"]["parse_error"] is None
    assert by_sku["B"]["parse_error"] == f"row has {len(COLUMNS) - 3} fields, the header has {len(COLUMNS)}"
    assert (by_sku["B"]["storefront"], by_sku["B"]["row_number"]) == ("demo-US", 2)
    assert json.loads(by_sku["B"]["extra_columns"])["raw_line"] == lines[2]


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
