"""Amazon report files on disk: opening them (plain or gzip, any charset) and reading their header line.

Every flow's parser reads its files through these; `amazon-netsuite reports inspect FILE` tells the report types
apart by the header names (`cli.REPORT_KINDS`).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pyarrow as pa

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
_PEEK = 1 << 20  # a header line is well under 1 MiB


class ReportFileError(ValueError):
    """A report file that cannot be used at all; the message names the report and the problem."""


def normalize_charset(charset: str | None, report_id: str) -> str:
    """Python's name for a declared charset (`Cp1252` → `cp1252`, `Shift_JIS` → `shift_jis`); default UTF-8."""
    if not charset:
        return "utf-8"
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        raise ReportFileError(f"report {report_id}: unknown charset {charset!r} declared for the document") from None


def open_report_stream(source: bytes | Path, report_id: str) -> pa.NativeFile:
    """An Arrow stream over a report's bytes, gunzipped when the bytes are gzip (sniffed, not by name)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw: pa.NativeFile = pa.BufferReader(pa.py_buffer(source))
    else:
        try:
            raw = pa.memory_map(str(source))
        except FileNotFoundError:
            raise ReportFileError(f"report {report_id}: file {source} does not exist") from None
        except OSError as exc:
            raise ReportFileError(f"report {report_id}: cannot open {source}: {exc}") from None
    if raw.size() >= 2 and raw.read_at(2, 0) == GZIP_MAGIC:
        raw = pa.CompressedInputStream(raw, "gzip")
    return raw


def header_field_name(name: str, position: int) -> str:
    """A header field as every parser names it: trimmed, lower case, '_' → '-'; a blank one by its position."""
    name = name.strip().lower().replace("_", "-")
    return name or f"column-{position + 1}"


def read_header_bytes(stream: pa.NativeFile, report_id: str) -> bytes:
    """The first line of a freshly opened stream (line ending stripped); errors on an empty file."""
    try:
        head = stream.read(_PEEK)
    except OSError as exc:
        raise ReportFileError(f"report {report_id}: the gzip document is corrupt or truncated ({exc})") from None
    if not head.strip():
        raise ReportFileError(f"report {report_id}: the file is empty (no header line)")
    end = head.find(b"\n")
    return (head if end < 0 else head[:end]).rstrip(b"\r")


def header_names(path: Path) -> list[str]:
    """The header line of a report file, split on tabs and normalised (lower case, '_' → '-')."""
    stream = open_report_stream(path, path.name)
    line = read_header_bytes(stream, path.name)
    text = line.removeprefix(UTF8_BOM).decode("cp1252", errors="replace")
    return [name.strip().lower().replace("_", "-") for name in text.split("\t")]
