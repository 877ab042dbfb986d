"""Amazon report files on disk: opening them (plain or gzip, any charset) and telling what they are.

`inspect_report` is what `amazon-netsuite reports inspect FILE` prints. Report types are recognised by their header
line through a small dispatch table (`REPORT_KINDS`): order reports and V2 settlements.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from amazon_netsuite.lib.settings import Settings

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


# --- inspection ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportKind:
    report_type: str
    matches: Callable[[list[str]], bool]
    inspect: Callable[[Path, "Settings | None"], dict[str, Any]]


def _is_order_report(names: list[str]) -> bool:
    return {"amazon-order-id", "last-updated-date", "item-price"} <= set(names)


def _inspect_order_report(path: Path, settings: "Settings | None") -> dict[str, Any]:
    from amazon_netsuite.lib.orders.inspect import inspect_order_report  # orders imports this module

    return inspect_order_report(path, settings)


def _is_settlement_report(names: list[str]) -> bool:
    return {"settlement-id", "total-amount", "amount-description"} <= set(names)


def _inspect_settlement_report(path: Path, settings: "Settings | None") -> dict[str, Any]:
    from amazon_netsuite.lib.settlements.inspect import inspect_settlement  # settlements imports this module

    return inspect_settlement(path)


# First match wins.
REPORT_KINDS: list[ReportKind] = [
    ReportKind("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", _is_order_report, _inspect_order_report),
    ReportKind("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", _is_settlement_report, _inspect_settlement_report),
]


def header_names(path: Path) -> list[str]:
    """The header line of a report file, split on tabs and normalised (lower case, '_' → '-')."""
    stream = open_report_stream(path, path.name)
    line = read_header_bytes(stream, path.name)
    text = line.removeprefix(UTF8_BOM).decode("cp1252", errors="replace")
    return [name.strip().lower().replace("_", "-") for name in text.split("\t")]


def detect_report_type(path: Path) -> ReportKind:
    names = header_names(path)
    for kind in REPORT_KINDS:
        if kind.matches(names):
            return kind
    shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
    known = ", ".join(k.report_type for k in REPORT_KINDS)
    raise ReportFileError(f"{path}: not a report type we know (header starts {shown}); known types: {known}")


def inspect_report(path: str | Path, settings: "Settings | None" = None) -> dict[str, Any]:
    """Summarise a report file as one JSON-ready dict; `settings` routes sales channels to known storefronts."""
    path = Path(path)
    if not path.is_file():
        raise ReportFileError(f"{path}: no such file")
    return detect_report_type(path).inspect(path, settings)


def decimal_text(value: Decimal | None) -> str:
    """An exact decimal as text with at least two places (`12.5000` → `12.50`, `0.1234` stays)."""
    value = Decimal(0) if value is None else value
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, sort_keys=False, ensure_ascii=False)
