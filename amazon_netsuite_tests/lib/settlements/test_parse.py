"""Reading V2 settlement files: totals row and typed lines, every number and date format Amazon writes, the charsets
and line endings it uses, columns by name, bad lines set aside with their line number, unusable files refused."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.settlements.columns import LINE_COLUMNS
from amazon_netsuite.lib.settlements.parse import parse_settlement
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    COLUMNS,
    SETTLEMENT_ID,
    US_ORDER,
    fee,
    line,
    period,
    settlement_text,
    us_settlement_lines,
    write_settlement,
)


def _amounts(parsed) -> list[Decimal]:
    return parsed.lines.column("amount").to_pylist()


def test_the_totals_row_is_the_settlement_and_the_other_lines_are_its_lines():
    lines = us_settlement_lines()
    parsed = parse_settlement(settlement_text(lines), report_id="R-1")

    totals = parsed.totals
    assert totals.settlement_id == SETTLEMENT_ID
    assert totals.total_amount == Decimal("54.97")
    assert totals.currency == "USD"
    assert totals.settlement_start_date == datetime(2026, 9, 18)
    assert totals.settlement_end_date == datetime(2026, 10, 2)
    assert totals.deposit_date == datetime(2026, 10, 4)
    assert totals.day == date(2026, 10, 4)
    assert totals.line_number == 2
    # The totals row is not a line; the lines keep the file's line numbers (header 1, totals row 2).
    assert parsed.lines.num_rows == parsed.detail_line_count == len(lines)
    assert parsed.lines.column("line_number").to_pylist() == list(range(3, 3 + len(lines)))
    assert parsed.lines.column_names == list(LINE_COLUMNS)
    assert sum(_amounts(parsed)) == Decimal("54.97")
    assert parsed.quarantine.num_rows == 0

    first = parsed.lines.to_pylist()[0]
    assert first == {
        "report_id": "R-1", "settlement_id": SETTLEMENT_ID, "line_number": 3, "transaction_type": "Order",
        "order_id": US_ORDER, "merchant_order_id": None, "adjustment_id": None, "shipment_id": "DgK3bVhRN",
        "marketplace_name": "Amazon.com", "amount_type": "ItemPrice", "amount_description": "Principal",
        "amount": Decimal("19.99"), "currency": "USD", "fulfillment_id": "AFN", "posted_date": date(2026, 10, 2),
        "posted_date_time": datetime(2026, 10, 2, 10, 11, 12), "order_item_code": "52986411826454",
        "merchant_order_item_id": None, "merchant_adjustment_item_id": None, "sku": "TSHIRT-RED-M",
        "quantity_purchased": 1, "promotion_id": None, "extra_columns": None,
    }
    period_line = parsed.lines.to_pylist()[11]
    assert (period_line["amount_description"], period_line["order_id"], period_line["quantity_purchased"]) == (
        "Storage Fee", None, None)


@pytest.mark.parametrize(
    ("written", "decimal_comma", "expected"),
    [
        ("1234.56", False, "1234.56"),
        ("-1234.56", False, "-1234.56"),
        ("1,234.56", False, "1234.56"),
        ("-1,234,567.89", False, "-1234567.89"),
        ("0.05", False, "0.05"),
        ("1.234,56", True, "1234.56"),
        ("95,00", True, "95.00"),
        ("-0,50", True, "-0.50"),
        ("-1.234.567,89", True, "-1234567.89"),
    ],
)
def test_amounts_are_read_exactly_in_the_files_format(written, decimal_comma, expected):
    # A second line with unambiguous decimals tells the file's format, as a real settlement's many lines do.
    marker = "12,50" if decimal_comma else "12.50"
    text = settlement_text(
        [line(amount=written), line(amount_type="ItemFees", amount_description="Commission", amount=marker)],
        total=written, decimal_comma=decimal_comma, currency="EUR" if decimal_comma else "USD",
    )
    parsed = parse_settlement(text)

    assert parsed.quarantine.num_rows == 0
    assert _amounts(parsed)[0] == Decimal(expected)
    assert str(_amounts(parsed)[0]) == str(Decimal(expected).quantize(Decimal("0.0001")))
    assert parsed.totals.total_amount == Decimal(expected)
    assert parsed.number_format.decimal_mark == ("," if decimal_comma else ".")


@pytest.mark.parametrize(
    ("posted_date", "posted_date_time", "expected_date", "expected_time"),
    [
        ("2026-10-02", "2026-10-02 10:11:12 UTC", date(2026, 10, 2), datetime(2026, 10, 2, 10, 11, 12)),
        ("02.10.2026", "02.10.2026 10:11:12 UTC", date(2026, 10, 2), datetime(2026, 10, 2, 10, 11, 12)),
        ("10/02/26", "2026-10-02T10:11:12+00:00", date(2026, 10, 2), datetime(2026, 10, 2, 10, 11, 12)),
        ("10/02/26", "2026-10-02T12:11:12+02:00", date(2026, 10, 2), datetime(2026, 10, 2, 10, 11, 12)),
        ("2026-10-02", "2026-10-01T23:30:00-07:00", date(2026, 10, 2), datetime(2026, 10, 2, 6, 30)),
        ("2026/10/02", "2026/10/02 10:11:12 UTC", date(2026, 10, 2), datetime(2026, 10, 2, 10, 11, 12)),
        ("2026-10-02", "2026-10-02T10:11:12Z", date(2026, 10, 2), datetime(2026, 10, 2, 10, 11, 12)),
    ],
)
def test_dates_are_read_in_every_shape_amazon_writes_as_utc(posted_date, posted_date_time, expected_date,
                                                            expected_time):
    parsed = parse_settlement(settlement_text([line(posted_date=posted_date, posted_date_time=posted_date_time)]))

    assert parsed.quarantine.num_rows == 0
    first = parsed.lines.to_pylist()[0]
    assert (first["posted_date"], first["posted_date_time"]) == (expected_date, expected_time)


def test_totals_dates_read_in_the_eu_shape():
    text = settlement_text([line(amount=Decimal("95"))], currency="EUR", decimal_comma=True,
                           start="18.09.2026 00:00:00 UTC", end="02.10.2026 00:00:00 UTC", deposit="04.10.2026")
    totals = parse_settlement(text).totals
    assert (totals.settlement_start_date, totals.settlement_end_date, totals.deposit_date) == (
        datetime(2026, 9, 18), datetime(2026, 10, 2), datetime(2026, 10, 4))


def test_a_german_settlement_with_decimal_commas_and_dotted_dates(tmp_path):
    lines = [
        line(marketplace_name="Amazon.de", amount=Decimal("1234.56"), posted_date="02.10.2026",
             posted_date_time="02.10.2026 10:11:12 UTC", order_id="302-0000001-0000001"),
        fee("Commission", "-185.18", marketplace_name="Amazon.de", posted_date="02.10.2026",
            posted_date_time="02.10.2026 10:11:12 UTC", order_id="302-0000001-0000001"),
        period("other-transaction", "other-transaction", "Storage Fee", "-0.50", marketplace_name="Amazon.de",
               posted_date="03.10.2026", posted_date_time="03.10.2026 00:00:00 UTC"),
    ]
    path = write_settlement(tmp_path / "de.txt", lines, currency="EUR", decimal_comma=True, grouping=True,
                            deposit="04.10.2026 00:00:00 UTC", encoding="cp1252")
    assert b"1.234,56" in path.read_bytes() and b"-0,50" in path.read_bytes()

    parsed = parse_settlement(path)
    assert _amounts(parsed) == [Decimal("1234.56"), Decimal("-185.18"), Decimal("-0.50")]
    assert parsed.totals.total_amount == Decimal("1048.88")
    assert parsed.lines.column("posted_date").to_pylist() == [date(2026, 10, 2)] * 2 + [date(2026, 10, 3)]
    assert parsed.number_format.decimal_mark == ","
    assert "decimal comma" in parsed.number_format.decided_by


def test_without_decimals_to_tell_the_marketplace_decides():
    # `1.234` means one thousand two hundred thirty-four on Amazon.de and one point two three four on Amazon.com.
    de = parse_settlement(settlement_text([line(marketplace_name="Amazon.de", amount="1.234")], total="1.234",
                                          currency="EUR"))
    us = parse_settlement(settlement_text([line(amount="1.234")], total="1.234"))
    assert _amounts(de) == [Decimal("1234")] and de.number_format.decimal_mark == ","
    assert "marketplace Amazon.de" in de.number_format.decided_by
    assert _amounts(us) == [Decimal("1.234")] and us.number_format.decimal_mark == "."


def test_slash_dates_are_month_first_unless_the_file_or_marketplace_says_day_first():
    us = parse_settlement(settlement_text([line(posted_date="03/04/26")]))
    uk = parse_settlement(settlement_text([line(posted_date="03/04/26", marketplace_name="Amazon.co.uk")],
                                          currency="GBP"))
    told = parse_settlement(settlement_text([line(posted_date="03/04/26"), line(posted_date="13/04/26")]))

    assert us.lines.column("posted_date").to_pylist() == [date(2026, 3, 4)]
    assert us.number_format.date_order == "MDY"
    assert uk.lines.column("posted_date").to_pylist() == [date(2026, 4, 3)]
    assert told.lines.column("posted_date").to_pylist() == [date(2026, 4, 3), date(2026, 4, 13)]
    assert told.number_format.date_order == "DMY"


def test_an_amount_in_another_format_than_the_files_is_quarantined_not_guessed():
    lines = [line(amount=Decimal("95")), line(amount=Decimal("12.5")), line(amount="12.50")]
    parsed = parse_settlement(settlement_text(lines, currency="EUR", decimal_comma=True, total="107,50"))

    assert _amounts(parsed) == [Decimal("95"), Decimal("12.5")]
    (bad,) = parsed.quarantine.to_pylist()
    assert bad["line_number"] == 5
    assert bad["reason"] == "amount '12.50' is not an amount in this file's format (decimal comma, e.g. 1.234,56)"


def test_utf8_with_bom_and_crlf(tmp_path):
    lines = [line(sku="TASSE-GRÜN"), period("other-transaction", "other-transaction", "Storage Fee", "-1.00")]
    path = write_settlement(tmp_path / "s.txt", lines, bom=True, newline="\r\n")
    parsed = parse_settlement(path)

    assert parsed.charset == "utf-8"
    assert parsed.totals.settlement_id == SETTLEMENT_ID  # no BOM glued to the first column name
    assert parsed.lines.column("sku").to_pylist() == ["TASSE-GRÜN", None]
    assert parsed.lines.column("line_number").to_pylist() == [3, 4]
    assert parsed.lines.column("promotion_id").to_pylist() == [None, None]  # no `\r` left on the last field
    assert _amounts(parsed) == [Decimal("19.99"), Decimal("-1.00")]


def test_cp1252_as_amazon_declares_it_and_when_nothing_is_declared(tmp_path):
    lines = [line(amount_description="Gebühr für Versand – Sonderposten", amount=Decimal("-2.00"))]
    path = write_settlement(tmp_path / "s.txt", lines, encoding="cp1252", newline="\r\n")

    for declared in ("Cp1252", None):
        parsed = parse_settlement(path, charset=declared)
        assert parsed.charset == "cp1252"
        assert parsed.lines.column("amount_description").to_pylist() == ["Gebühr für Versand – Sonderposten"]


def test_japanese_settlements_in_shift_jis(tmp_path):
    lines = [line(marketplace_name="Amazon.co.jp", amount=Decimal("1500"), sku="マグカップ-黒",
                  posted_date="2026/10/02", posted_date_time="2026/10/02 10:11:12 UTC")]
    path = write_settlement(tmp_path / "jp.txt", lines, currency="JPY", encoding="cp932")
    for declared in ("Shift_JIS", None):
        parsed = parse_settlement(path, charset=declared)
        assert parsed.lines.column("sku").to_pylist() == ["マグカップ-黒"]
        assert _amounts(parsed) == [Decimal("1500")]


def test_a_gzip_file_is_read_like_the_plain_one(tmp_path):
    path = tmp_path / "s.txt.gz"
    path.write_bytes(gzip.compress(settlement_text(us_settlement_lines()).encode()))
    assert parse_settlement(path).totals.total_amount == Decimal("54.97")


def test_columns_are_found_by_name_whatever_their_order_and_unknown_ones_are_kept():
    columns = [*reversed(COLUMNS), "shipment-fee-amount"]
    parsed = parse_settlement(settlement_text([line(sku="MUG", **{"shipment-fee-amount": "1.00"})], columns=columns))

    first = parsed.lines.to_pylist()[0]
    assert (first["sku"], first["amount"], first["order_id"]) == ("MUG", Decimal("19.99"), US_ORDER)
    assert json.loads(first["extra_columns"]) == {"shipment-fee-amount": "1.00"}
    assert parsed.extra_column_names == ["shipment-fee-amount"]
    assert parsed.totals.total_amount == Decimal("19.99")


def test_optional_columns_may_be_missing():
    columns = [c for c in COLUMNS if c not in ("promotion-id", "posted-date-time", "merchant-order-id")]
    parsed = parse_settlement(settlement_text([line()], columns=columns))
    first = parsed.lines.to_pylist()[0]
    assert first["posted_date_time"] is None and first["promotion_id"] is None
    assert first["posted_date"] == date(2026, 10, 2)


def test_a_missing_required_column_is_named():
    columns = [c for c in COLUMNS if c not in ("amount", "total-amount")]
    with pytest.raises(ReportFileError, match=r"report R-9: required column\(s\) total-amount, amount missing"):
        parse_settlement(settlement_text([line()], columns=columns), report_id="R-9")


def test_bad_lines_are_quarantined_with_their_line_number_and_reason_and_the_rest_loads():
    lines = [
        line(),                                                   # 3
        line(amount="abc"),                                       # 4
        line(posted_date="31/31/26"),                             # 5
        line(quantity_purchased="two"),                           # 6
        line(settlement_id="99999999999"),                        # 7
        line(amount="1.23456"),                                   # 8
        line(),                                                   # 9: cut short below
        line(posted_date_time="yesterday"),                       # 10
        fee("Commission", "-3.00"),                               # 11
    ]
    text_lines = settlement_text(lines, total="16.99").splitlines()
    text_lines[8] = "\t".join(text_lines[8].split("\t")[:10])
    parsed = parse_settlement("\n".join(text_lines) + "\n", report_id="R-2")

    assert parsed.lines.column("line_number").to_pylist() == [3, 11]
    assert sum(_amounts(parsed)) == Decimal("16.99")
    quarantined = parsed.quarantine.to_pylist()
    assert [(q["line_number"], q["reason"]) for q in quarantined] == [
        (4, "amount 'abc' is not an amount in this file's format (decimal point, e.g. 1,234.56)"),
        (5, "posted-date '31/31/26' is not a date"),
        (6, "quantity-purchased 'two' is not a whole number"),
        (7, f"belongs to settlement '99999999999', the file's totals row is settlement '{SETTLEMENT_ID}'"),
        (8, "amount '1.23456' has more than 4 decimal places"),
        (9, "the line has 10 fields, the header has 24"),
        (10, "posted-date-time 'yesterday' is not a date"),
    ]
    assert {q["report_id"] for q in quarantined} == {"R-2"}
    assert {q["settlement_id"] for q in quarantined} == {SETTLEMENT_ID}
    # Kept exactly as received, so the operator sees the line as Amazon sent it.
    assert [q["raw_line"] for q in quarantined] == [text_lines[i - 1] for i in (4, 5, 6, 7, 8, 9, 10)]
    assert parsed.detail_line_count == 9


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_file():
    text_lines = settlement_text([line(), fee("Commission", "-3.00")]).splitlines()
    text = "\n".join([*text_lines[:3], "", "   ", text_lines[3], ""]) + "\n\n"
    parsed = parse_settlement(text)
    assert parsed.lines.column("line_number").to_pylist() == [3, 6]
    assert parsed.quarantine.num_rows == 0 and parsed.blank_lines == 4


def test_a_totals_row_cut_after_currency_is_read():
    text_lines = settlement_text([line()]).splitlines()
    text_lines[1] = "\t".join(text_lines[1].split("\t")[:6])
    parsed = parse_settlement("\n".join(text_lines))  # and no newline at the end
    assert parsed.totals.total_amount == Decimal("19.99")
    assert parsed.lines.num_rows == 1


def test_a_second_totals_row_is_quarantined():
    text_lines = settlement_text([line(), line()]).splitlines()
    text_lines[3] = text_lines[1]
    parsed = parse_settlement("\n".join(text_lines) + "\n")
    (bad,) = parsed.quarantine.to_pylist()
    assert bad["line_number"] == 4
    assert bad["reason"].startswith("a second totals row (total-amount '39.98')")


def test_a_file_without_its_totals_row_is_refused():
    text_lines = settlement_text([line(), line()]).splitlines()
    del text_lines[1]
    with pytest.raises(ReportFileError, match=r"line 2 should be the settlement's totals row .* 'Order'"):
        parse_settlement("\n".join(text_lines), report_id="R-3")


@pytest.mark.parametrize(
    ("deposit", "total", "currency", "message"),
    [
        ("someday", "10.00", "USD", "deposit-date 'someday' is not a date"),
        ("", "10.00", "USD", "deposit-date is empty"),
        ("2026-10-04", "ten", "USD", "total-amount 'ten' is not an amount"),
        ("2026-10-04", "10.00", "US", "currency 'US' is not a currency code"),
    ],
)
def test_an_unreadable_totals_row_is_refused_with_the_reason(deposit, total, currency, message):
    with pytest.raises(ReportFileError, match=rf"the totals row \(line 2\): .*{message}"):
        parse_settlement(settlement_text([line()], deposit=deposit, total=total, currency=currency))


def test_unreadable_files_are_refused_with_a_message(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    header_only = tmp_path / "header.txt"
    header_only.write_text("\t".join(COLUMNS) + "\n")
    not_utf8 = tmp_path / "latin.txt"
    not_utf8.write_bytes(settlement_text([line(sku="GRÜN")]).encode("cp1252"))
    broken_gzip = tmp_path / "broken.txt.gz"
    broken_gzip.write_bytes(gzip.compress(settlement_text([line()]).encode())[:40])

    with pytest.raises(ReportFileError, match="the file is empty"):
        parse_settlement(empty)
    with pytest.raises(ReportFileError, match="no totals row"):
        parse_settlement(header_only)
    with pytest.raises(ReportFileError, match=r"line 3 is not valid utf-8 as declared"):
        parse_settlement(not_utf8, charset="UTF-8")
    with pytest.raises(ReportFileError, match="unknown charset 'klingon'"):
        parse_settlement(not_utf8, charset="klingon")
    with pytest.raises(ReportFileError, match="gzip"):
        parse_settlement(broken_gzip)
    with pytest.raises(ReportFileError, match="does not exist"):
        parse_settlement(tmp_path / "missing.txt")


def test_a_carriage_return_inside_a_field_sets_only_that_line_aside():
    text_lines = settlement_text([line(), line(sku="MUG\rBLACK"), fee("Commission", "-3.00")]).split("\n")
    parsed = parse_settlement("\r\n".join(text_lines))
    assert parsed.lines.column("line_number").to_pylist() == [3, 5]
    (bad,) = parsed.quarantine.to_pylist()
    assert (bad["line_number"], bad["reason"]) == (4, "the line has a carriage return inside a field")
