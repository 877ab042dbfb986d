"""Turning a downloaded report document into text: gunzip when Amazon says GZIP, decode with the declared charset.

Amazon flat files are often `text/plain; charset=Cp1252`, Japanese ones Shift_JIS/cp932, and some declare nothing.
A byte that does not fit the charset is an error naming the document, never a silent replacement character.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass

from amazon_netsuite.lib.amazon.errors import ReportDocumentError

FALLBACK_CHARSET = "cp1252"
GZIP_MAGIC = b"\x1f\x8b"

# Charset labels Amazon uses, mapped to the codec that decodes what it actually sends.
_CODEC_FOR = {
    # Japanese files labelled Shift_JIS carry Windows extensions (NEC/IBM rows); cp932 is the superset.
    "shift_jis": "cp932",
    # As in browsers (WHATWG), files labelled Latin-1 or ASCII are read as Windows-1252, its superset in practice.
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    # A UTF-8 byte-order mark would otherwise end up glued to the first column name.
    "utf-8": "utf-8-sig",
}
_EXTRA_LABELS = {"windows-31j": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932"}


@dataclass(frozen=True)
class DownloadedReport:
    """A report document as text, with the bytes it was decoded from (after gunzip) kept alongside."""

    report_document_id: str
    report_id: str | None
    raw: bytes
    text: str
    charset: str
    declared_charset: str | None
    compression_algorithm: str | None


_SINGLE_BYTE_WESTERN = frozenset({"cp1252", "latin-1", "iso8859-1", "iso8859-15"})


def codec_for(declared: str | None) -> str:
    """The Python codec for a declared charset; cp1252 when none is declared. Unknown labels raise LookupError."""
    if not declared:
        return FALLBACK_CHARSET
    label = declared.strip().strip('"').lower()
    if label in _EXTRA_LABELS:
        return _EXTRA_LABELS[label]
    name = codecs.lookup(label).name
    return _CODEC_FOR.get(name, name)


def charset_of(content_type: str | None) -> str | None:
    """The `charset` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def decode_report_document(
    body: bytes,
    *,
    report_document_id: str,
    report_id: str | None = None,
    compression_algorithm: str | None = None,
    content_type: str | None = None,
    content_encoding: str | None = None,
) -> DownloadedReport:
    """Gunzip (when `compression_algorithm == "GZIP"`) and decode one downloaded document."""
    label = f"report document {report_document_id}" + (f" (report {report_id})" if report_id else "")

    def fail(problem: str) -> ReportDocumentError:
        return ReportDocumentError(f"{label}: {problem}", report_document_id=report_document_id, report_id=report_id)

    raw = body
    if compression_algorithm == "GZIP":
        already_inflated = "gzip" in (content_encoding or "").lower() and not body.startswith(GZIP_MAGIC)
        if not already_inflated:
            try:
                raw = gzip.decompress(body)
            except EOFError:
                raise fail(
                    f"the gzip stream is truncated ({len(body)} bytes received); download the document again"
                ) from None
            except (gzip.BadGzipFile, zlib.error) as exc:
                raise fail(f"the body is not valid gzip although Amazon declared GZIP ({exc})") from None
    elif compression_algorithm is not None:
        raise fail(f"unsupported compressionAlgorithm {compression_algorithm!r} (only GZIP is defined)")

    declared = charset_of(content_type)
    try:
        codec = codec_for(declared)
    except LookupError:
        raise fail(f"the download declares an unknown charset {declared!r} (Content-Type: {content_type})") from None
    if codec in _SINGLE_BYTE_WESTERN and not raw.isascii():
        # Amazon labels flat files Cp1252 that are sometimes UTF-8. Real cp1252 text almost never forms valid
        # multi-byte UTF-8, so a document that decodes as UTF-8 is read as UTF-8 instead of as mojibake.
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:
            return DownloadedReport(
                report_document_id=report_document_id,
                report_id=report_id,
                raw=raw,
                text=text,
                charset="utf-8",
                declared_charset=declared,
                compression_algorithm=compression_algorithm,
            )
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        snippet = raw[max(0, exc.start - 20) : exc.end + 20]
        origin = f"declared charset {declared!r}" if declared else "no declared charset"
        raise fail(
            f"byte {raw[exc.start:exc.end]!r} at offset {exc.start} is not valid {codec} ({origin}); "
            f"context {snippet!r}"
        ) from None
    return DownloadedReport(
        report_document_id=report_document_id,
        report_id=report_id,
        raw=raw,
        text=text,
        charset=codec,
        declared_charset=declared,
        compression_algorithm=compression_algorithm,
    )
