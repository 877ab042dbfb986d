"""The charset of a settlement document, and its bytes as UTF-8.

A UTF-8 BOM means UTF-8; otherwise the declared charset (Amazon's `Cp1252`, `Shift_JIS` → cp932) is used, except
that a document which is valid UTF-8 is read as UTF-8 (Amazon mislabels); with nothing declared, UTF-8 when the bytes
decode as UTF-8, else cp932 for Amazon.co.jp files, else cp1252.
"""

from __future__ import annotations

import codecs

import numpy as np

from amazon_netsuite.lib.amazon.documents import codec_for
from amazon_netsuite.lib.report_files import UTF8_BOM, ReportFileError


def as_utf8(data: bytes, declared: str | None, report_id: str) -> tuple[bytes, str]:
    """The bytes as UTF-8 (BOM removed) and the charset they were read in."""
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM):], "utf-8"
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _transcode(data, codec, report_id, declared=True), codec
    if not data:
        raise ReportFileError(f"report {report_id}: the file is empty (no header line)")
    ascii_only = int(np.frombuffer(data, dtype=np.uint8).max()) < 0x80
    try:
        codec = codec_for(declared).replace("utf-8-sig", "utf-8") if declared else None
    except LookupError:
        raise ReportFileError(f"report {report_id}: unknown charset {declared!r} declared for the document") from None
    if ascii_only and codec in (None, "utf-8", "cp1252", "latin-1", "cp932", "iso8859-15"):
        return data, codec or "utf-8"  # ASCII reads the same in all of them
    if codec in (None, "utf-8", "cp1252", "latin-1", "iso8859-15"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if codec == "utf-8":
                raise _undecodable(exc, data, "utf-8", report_id, declared=True) from None
        else:
            return data, "utf-8"
    if codec is None:
        codec = "cp932" if b"Amazon.co.jp" in data[:1 << 20] or b"JPY" in data[:4096] else "cp1252"
    return _transcode(data, codec, report_id, declared=declared is not None), codec


def _transcode(data: bytes, codec: str, report_id: str, *, declared: bool) -> bytes:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, data, codec, report_id, declared=declared) from None
    return text.removeprefix("\ufeff").encode("utf-8")


def _undecodable(
    exc: UnicodeDecodeError, data: bytes, codec: str, report_id: str, *, declared: bool
) -> ReportFileError:
    line = data.count(b"\n", 0, exc.start) + 1
    origin = "as declared" if declared else "(guessed: no charset declared)"
    return ReportFileError(
        f"report {report_id}: line {line} is not valid {codec} {origin}: byte {data[exc.start:exc.end]!r} "
        f"at offset {exc.start}; check the charset of the report document"
    )
