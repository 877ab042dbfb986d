"""Report documents as Amazon serves them: gzip or not, cp1252, cp932, no declared charset, damaged bytes."""

from __future__ import annotations

import gzip

import pytest

from amazon_netsuite.lib.amazon.documents import charset_of, codec_for, decode_report_document
from amazon_netsuite.lib.amazon.errors import ReportDocumentError

EU_ROW = "amazon-order-id\tproduct-name\titem-price\n302-1234567-1234567\tMüller Tasse – grün\t12,50 €\n"
JP_ROW = "amazon-order-id\tproduct-name\n503-1234567-1234567\t東京タワー ①番\n"


def test_a_gzipped_cp1252_document_is_inflated_and_decoded():
    body = gzip.compress(EU_ROW.encode("cp1252"))
    report = decode_report_document(
        body,
        report_document_id="doc-1",
        report_id="rep-1",
        compression_algorithm="GZIP",
        content_type="text/plain; charset=Cp1252",
    )
    assert report.text == EU_ROW
    assert report.raw == EU_ROW.encode("cp1252")
    assert (report.charset, report.declared_charset) == ("cp1252", "Cp1252")


def test_a_document_without_a_declared_charset_is_read_as_cp1252():
    report = decode_report_document(EU_ROW.encode("cp1252"), report_document_id="doc-2", content_type="text/plain")
    assert report.text == EU_ROW and report.charset == "cp1252" and report.declared_charset is None


def test_japanese_shift_jis_documents_are_read_as_cp932_with_its_windows_characters():
    # ① exists only in cp932, the Windows superset that Amazon JP files actually use.
    report = decode_report_document(
        JP_ROW.encode("cp932"), report_document_id="doc-3", content_type="text/plain;charset=Shift_JIS"
    )
    assert report.text == JP_ROW and report.charset == "cp932"


def test_a_utf8_byte_order_mark_does_not_stick_to_the_first_column():
    report = decode_report_document(
        "\ufeffsku\tqty\n".encode("utf-8"), report_document_id="doc-4", content_type="text/tab-separated-values; charset=UTF-8"
    )
    assert report.text == "sku\tqty\n"


def test_a_truncated_gzip_names_the_report_and_document():
    body = gzip.compress(EU_ROW.encode("cp1252") * 50)[:-30]
    with pytest.raises(ReportDocumentError) as raised:
        decode_report_document(body, report_document_id="doc-5", report_id="rep-5", compression_algorithm="GZIP")
    assert raised.value.report_document_id == "doc-5" and raised.value.report_id == "rep-5"
    assert "doc-5" in str(raised.value) and "rep-5" in str(raised.value) and "truncated" in str(raised.value)


def test_a_body_that_is_not_gzip_at_all_is_an_error():
    with pytest.raises(ReportDocumentError, match="not valid gzip"):
        decode_report_document(b"plain text", report_document_id="doc-6", compression_algorithm="GZIP")


def test_bytes_that_do_not_fit_the_declared_charset_fail_instead_of_being_replaced():
    with pytest.raises(ReportDocumentError) as raised:
        decode_report_document(
            EU_ROW.encode("cp1252"), report_document_id="doc-7", content_type="text/plain; charset=UTF-8"
        )
    assert "doc-7" in str(raised.value) and "utf-8" in str(raised.value) and "offset" in str(raised.value)


def test_a_byte_undefined_in_cp1252_is_an_error_too():
    with pytest.raises(ReportDocumentError, match="cp1252"):
        decode_report_document(b"sku\x81\n", report_document_id="doc-8")


def test_an_unknown_charset_is_an_error():
    with pytest.raises(ReportDocumentError, match="unknown charset"):
        decode_report_document(b"x", report_document_id="doc-9", content_type="text/plain; charset=klingon")


def test_a_download_already_inflated_by_content_encoding_is_not_inflated_twice():
    report = decode_report_document(
        EU_ROW.encode("cp1252"),
        report_document_id="doc-10",
        compression_algorithm="GZIP",
        content_type="text/plain; charset=Cp1252",
        content_encoding="gzip",
    )
    assert report.text == EU_ROW


@pytest.mark.parametrize(
    "declared,codec",
    [(None, "cp1252"), ("Cp1252", "cp1252"), ("windows-1252", "cp1252"), ("ISO-8859-1", "cp1252"),
     ("Shift_JIS", "cp932"), ("windows-31j", "cp932"), ("UTF-8", "utf-8-sig"), ('"utf-8"', "utf-8-sig")],
)
def test_charset_labels_map_to_codecs(declared, codec):
    assert codec_for(declared) == codec


def test_the_charset_parameter_is_read_from_content_type():
    assert charset_of('text/plain; charset="Cp1252"') == "Cp1252"
    assert charset_of("text/plain") is None
    assert charset_of(None) is None


def test_a_utf8_document_labelled_cp1252_is_read_as_utf8_not_mojibake():
    from amazon_netsuite.lib.amazon.documents import decode_report_document

    body = "sku\tproduct-name\nSOCKS-1\tMerino Wool Socks – Grey™ für Kinder\n".encode("utf-8")
    doc = decode_report_document(body, report_document_id="d1", content_type="text/plain; charset=Cp1252")
    assert doc.charset == "utf-8" and doc.declared_charset == "Cp1252"
    assert "Socks – Grey™ für" in doc.text


def test_real_cp1252_stays_cp1252():
    from amazon_netsuite.lib.amazon.documents import decode_report_document

    body = "sku\tproduct-name\nSOCKS-1\tMerino Wool Socks – Grey™ für Kinder\n".encode("cp1252")
    doc = decode_report_document(body, report_document_id="d1", content_type="text/plain; charset=Cp1252")
    assert doc.charset == "cp1252"
    assert "Socks – Grey™ für" in doc.text
