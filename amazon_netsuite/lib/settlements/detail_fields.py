"""The detail lines of a settlement file split into text fields, each with its line number.

Speed (BENCHMARKS.md, settlement_reconcile): a file whose detail lines all have the header's width (the usual case)
is split by pyarrow's multi-threaded CSV reader where its bytes lie (`read_clean`); any other file is first indexed
line by line with numpy, so each line keeps its number (`read_line_by_line`). CRLF and LF both end a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from amazon_netsuite.lib.report_files import ReportFileError


def line_at(data: bytes, start: int) -> tuple[int, int]:
    """(end of the line's text without CR/LF, start of the next line) for the line starting at `start`."""
    newline = data.find(b"\n", start)
    if newline < 0:
        return len(data), len(data)
    end = newline - 1 if newline > start and data[newline - 1] == 0x0D else newline
    return end, newline + 1


@dataclass
class DetailFields:
    """The detail lines split into text fields (`c0`… in header order, NULL for empty) and what was set aside."""

    table: pa.Table
    line_numbers: np.ndarray
    wrong_width: list[tuple[int, str, str]] = field(default_factory=list)  # (line number, reason, line)
    blank_lines: int = 0


def _csv(body: pa.Buffer, width: int, on_invalid=None) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    if body.size == 0:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=names, block_size=4 << 20),
        # Amazon flat files are not quoted: a `"` is just a character. An empty field is NULL.
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, ignore_empty_lines=False,
                                         invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, check_utf8=False,
                                             strings_can_be_null=True, null_values=[""]),
    )


def read_clean(data: bytes, body_start: int, width: int, first_line: int) -> DetailFields | None:
    """The usual file, every detail line with the header's width: one multi-threaded read of the bytes where
    they are. None when any line is not like that (blank, wrong width, a stray carriage return)."""
    body = np.frombuffer(data, dtype=np.uint8)[body_start:]
    if np.count_nonzero(body == 0x0D) and data.count(b"\r", body_start) != data.count(b"\r\n", body_start):
        return None  # the reader would end a line at a lone carriage return
    lines = int(np.count_nonzero(body == 0x0A)) + (0 if data.endswith(b"\n") or not len(body) else 1)
    invalid: list[int] = []

    def note(row: pacsv.InvalidRow) -> str:
        invalid.append(1)
        return "skip"

    try:
        table = _csv(pa.py_buffer(data).slice(body_start), width, note)
    except pa.ArrowInvalid:
        return None
    if invalid or table.num_rows != lines:
        return None
    return DetailFields(table, np.arange(first_line, first_line + lines, dtype=np.int32))


def read_line_by_line(data: bytes, report_id: str, body_start: int, width: int, first_line: int) -> DetailFields:
    """Any file: lines found with numpy, tabs counted per line; lines of the header's width are read, blank
    lines skipped, the others set aside with the reason."""
    buf = np.frombuffer(data, dtype=np.uint8)[body_start:]
    newlines = np.flatnonzero(buf == 0x0A)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(buf)]))
    if starts[-1] == len(buf):  # the file ends with a newline
        starts, ends = starts[:-1], ends[:-1]
    carriage = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 0x0D)
    ends = ends - carriage
    tabs = _tabs_per_line(buf, starts)
    lone_cr = np.zeros(len(starts), dtype=bool)
    if int(np.count_nonzero(buf == 0x0D)) > int(carriage.sum()):
        positions = np.flatnonzero(buf == 0x0D)
        owner = np.searchsorted(starts, positions, side="right") - 1
        lone_cr[owner[positions != ends[owner]]] = True

    def text(i: int) -> str:
        return bytes(buf[starts[i]:ends[i]]).decode("utf-8", errors="replace")

    blank = ends == starts
    for i in np.flatnonzero(~blank & (tabs == 0)):
        blank[i] = not text(int(i)).strip()
    good = ~blank & (tabs == width - 1) & ~lone_cr
    wrong_width = [
        (first_line + int(i),
         "the line has a carriage return inside a field" if lone_cr[i]
         else f"the line has {int(tabs[i]) + 1} fields, the header has {width}",
         text(int(i)))
        for i in np.flatnonzero(~blank & ~good)
    ]
    lengths = np.diff(np.append(starts, len(buf)))
    table = _csv(pa.py_buffer(buf[np.repeat(good, lengths)].tobytes()), width)
    if table.num_rows != int(good.sum()):
        raise ReportFileError(
            f"report {report_id}: read {table.num_rows} lines where {int(good.sum())} were expected; "
            "the file has line breaks the reader does not agree on"
        )
    return DetailFields(table, (np.flatnonzero(good) + first_line).astype(np.int32), wrong_width, int(blank.sum()))


def _tabs_per_line(buf: np.ndarray, starts: np.ndarray, chunk: int = 1 << 24) -> np.ndarray:
    """How many tabs each line holds: tab positions counted between line starts, a 16 MiB chunk at a time so a
    large file never holds all its tab positions at once."""
    edges = np.append(starts, len(buf))
    before = np.empty(len(edges), dtype=np.int64)  # tabs before each edge
    running = done = 0
    for low in range(0, len(buf), chunk):
        high = min(low + chunk, len(buf))
        positions = np.flatnonzero(buf[low:high] == 0x09)
        upto = int(np.searchsorted(edges, high, side="left"))
        before[done:upto] = running + np.searchsorted(positions, edges[done:upto] - low)
        running += len(positions)
        done = upto
    before[done:] = running
    return np.diff(before).astype(np.int32)
