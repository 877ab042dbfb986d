"""Reading `GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL` files into Arrow, and routing rows to storefronts.

Columns are found by header NAME (Amazon adds and reorders columns); every value stays text here, exactly as
received, and columns we do not know go to `extra_columns` as JSON so nothing is lost. Rows with the wrong number
of fields are set aside with the reason while the others load; a file that cannot be read at all raises
`ReportFileError`. The parse is pyarrow's multi-threaded CSV reader over the raw bytes; a cp1252 file is split as
bytes and only its non-ASCII columns are decoded (BENCHMARKS.md: ~1M rows/s, ~8× a row-by-row Python reader).
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from amazon_netsuite.lib.orders.columns import (
    KNOWN_COLUMNS,
    ORDER_REPORT_ROW_COLUMNS,
    REQUIRED_COLUMNS,
    raw_row_json_sql,
    utc_timestamp_sql,
)
from amazon_netsuite.lib.report_files import (
    UTF8_BOM,
    ReportFileError,
    header_field_name,
    normalize_charset,
    open_report_stream,
    read_header_bytes,
)
from amazon_netsuite.lib.settings import SellerAccount, Settings
from amazon_netsuite.lib.orders.tables import ORDER_REPORT_TEXT_COLUMNS
from amazon_netsuite.lib.warehouse.sql import sql_literal, utc_session

__all__ = ["ParsedOrderReport", "ReportFileError", "RoutedRows", "parse_order_report", "route_order_rows"]

REJECTED_SCHEMA = pa.schema(
    [("report_id", pa.string()), ("row_number", pa.int32()), ("reason", pa.string()), ("raw_row", pa.string())]
)


@dataclass(frozen=True)
class ParsedOrderReport:
    """One report file as text columns: `rows` (loadable), `rejected` (with reason), counts and header."""

    report_id: str
    header: list[str]
    rows: pa.Table
    rejected: pa.Table
    data_rows: int
    charset: str
    columns: list[str] = field(default_factory=list)  # header names normalised: lower case, '_' → '-'
    extra_column_names: list[str] = field(default_factory=list)


class _NotUtf8(Exception):
    """Raised inside the parse when UTF-8 was assumed (no charset declared) and the bytes are not UTF-8."""


def parse_order_report(
    source: str | bytes | Path, *, report_id: str, charset: str | None = None
) -> ParsedOrderReport:
    """Parse an order report given as decoded text, raw bytes or a file path (plain or gzip).

    `charset` is the one declared for the document (e.g. `Cp1252` from the HTTP response); for bytes and paths
    without one, UTF-8 is tried and cp1252 (Amazon's usual flat-file encoding) is the fallback.
    """
    if isinstance(source, str):
        data = source.encode("utf-8")
        return _parse(lambda: open_report_stream(data, report_id), "utf-8", report_id, declared=True)
    if not isinstance(source, (bytes, bytearray, memoryview)):
        source = Path(source)
    opener = lambda: open_report_stream(source, report_id)  # noqa: E731
    if charset is not None:
        return _parse(opener, normalize_charset(charset, report_id), report_id, declared=True)
    try:
        return _parse(opener, _sniff_charset(opener), report_id, declared=False)
    except _NotUtf8:  # the start looked like UTF-8, a later line did not
        return _parse(opener, "cp1252", report_id, declared=False)


def _sniff_charset(open_stream: Callable[[], pa.NativeFile]) -> str:
    """UTF-8 if the first MiB decodes as UTF-8, else cp1252 (what Amazon's flat files usually are)."""
    try:
        head = open_stream().read(1 << 20)
    except OSError:
        return "utf-8"  # the parse itself reports the broken stream
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _parse(
    open_stream: Callable[[], pa.NativeFile], charset: str, report_id: str, *, declared: bool
) -> ParsedOrderReport:
    header = _read_header(open_stream(), charset, report_id, declared)
    names = [header_field_name(name, i) for i, name in enumerate(header)]
    _check_header(names, report_id)

    rejected: list[tuple[int | None, int, str]] = []
    expected = len(names)

    def set_aside(row: pacsv.InvalidRow) -> str:
        rejected.append((row.number, row.actual_columns, row.text))
        return "skip"

    read = _Reader(open_stream, charset, expected, set_aside, rejected, report_id, declared)
    table = read(threads=True)
    if any(number is None for number, _, _ in rejected):
        # The threaded reader does not know line numbers; the few files with bad rows are re-read in order.
        rejected.clear()
        table = read(threads=False)

    n_ok = table.num_rows
    bad_numbers = np.array([number - 1 for number, _, _ in rejected], dtype=np.int64)  # header is line 1
    all_numbers = np.arange(1, n_ok + len(rejected) + 1, dtype=np.int64)
    row_numbers = np.setdiff1d(all_numbers, bad_numbers, assume_unique=True) if len(rejected) else all_numbers

    columns: dict[str, pa.ChunkedArray | pa.Array] = {
        "report_id": pa.repeat(pa.scalar(report_id, pa.string()), n_ok),
        "row_number": pa.array(row_numbers.astype(np.int32)),
    }
    by_name = dict(zip(names, table.columns))
    for column in ORDER_REPORT_TEXT_COLUMNS:
        header_name = column.replace("_", "-")
        columns[column] = by_name.get(header_name, pa.nulls(n_ok, pa.string()))
    extras = [(header[i].strip() or names[i], table.column(i)) for i, n in enumerate(names) if n not in KNOWN_COLUMNS]
    columns["extra_columns"] = _extras_as_json(extras, n_ok)

    return ParsedOrderReport(
        report_id=report_id,
        header=header,
        rows=pa.table(columns),
        rejected=pa.table(
            {
                "report_id": [report_id] * len(rejected),
                "row_number": [int(n) for n in bad_numbers],
                "reason": [f"row has {got} fields, the header has {expected}" for _, got, _ in rejected],
                "raw_row": [text for _, _, text in rejected],
            },
            schema=REJECTED_SCHEMA,
        ),
        data_rows=n_ok + len(rejected),
        charset=charset,
        columns=names,
        extra_column_names=[name for name, _ in extras],
    )


def _read_header(stream: pa.NativeFile, charset: str, report_id: str, declared: bool) -> list[str]:
    line = read_header_bytes(stream, report_id)
    try:
        text = line.removeprefix(UTF8_BOM).decode(charset) if charset == "utf-8" else line.decode(charset)
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, charset, report_id, declared) from None
    return text.split("\t")


def _check_header(names: list[str], report_id: str) -> None:
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ReportFileError(f"report {report_id}: the header repeats column(s) {', '.join(dupes)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ReportFileError(
            f"report {report_id}: required column(s) {', '.join(missing)} missing from the header "
            f"(it has: {', '.join(names)}); is this a GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL file?"
        )


# Charsets whose bytes below 0x80 are plain ASCII and that keep no state across fields: their files can be split
# as bytes, and only the values that are not ASCII need decoding. pyarrow's transcoding stream decodes the whole
# file in Python and is the slowest part of reading a cp1252 report.
_SPLIT_AS_BYTES = ("cp125", "iso8859", "latin_1", "cp932", "shift_jis", "euc_jp")


class _RowNotText(Exception):
    """A bad row whose bytes are not UTF-8: pyarrow cannot hand it to the handler, so read with transcoding."""


@contextmanager
def _quiet_about_rows_not_text(handler: Callable) -> Iterator[None]:
    """pyarrow reports a bad row it cannot decode for `handler` as an 'unraisable' exception before failing the
    read, which we then retry with transcoding; keep that one expected message off stderr."""
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if not (unraisable.object is handler and issubclass(unraisable.exc_type, UnicodeDecodeError)):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


@dataclass
class _Reader:
    open_stream: Callable[[], pa.NativeFile]
    charset: str
    n_columns: int
    on_invalid: Callable[[pacsv.InvalidRow], str]
    rejected: list
    report_id: str
    declared: bool

    def __call__(self, *, threads: bool) -> pa.Table:
        if self.charset != "utf-8" and self.charset.startswith(_SPLIT_AS_BYTES):
            try:
                with _quiet_about_rows_not_text(self.on_invalid):
                    raw = self._read("utf8", pa.binary(), threads)
                return self._decode(raw)
            except _RowNotText:
                self.rejected.clear()
        encoding = "utf8" if self.charset == "utf-8" else self.charset
        return self._read(encoding, pa.string(), threads)

    def _read(self, encoding: str, column_type: pa.DataType, threads: bool) -> pa.Table:
        names = [f"c{i}" for i in range(self.n_columns)]
        try:
            return pacsv.read_csv(
                self.open_stream(),
                read_options=pacsv.ReadOptions(
                    use_threads=threads, column_names=names, skip_rows=1, encoding=encoding, block_size=4 << 20
                ),
                # Amazon flat files are not quoted: a `"` in a product name is just a character.
                parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, invalid_row_handler=self.on_invalid),
                convert_options=pacsv.ConvertOptions(column_types={n: column_type for n in names}),
            )
        except UnicodeDecodeError as exc:
            raise self._undecodable(exc) from None
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "invalid UTF8" in message:
                raise self._undecodable(exc) from None
            if "CSV parse error" in message:
                # Our handler sets every bad row aside; pyarrow only gets here when it could not decode the row.
                if column_type == pa.binary():
                    raise _RowNotText() from None
                raise self._undecodable(exc) from None
            if "Empty CSV file" in message:
                return pa.table({n: pa.array([], column_type) for n in names})
            raise ReportFileError(f"report {self.report_id}: cannot read the rows: {exc}") from None
        except OSError as exc:
            raise ReportFileError(
                f"report {self.report_id}: the gzip document is corrupt or truncated ({exc})"
            ) from None

    def _decode(self, raw: pa.Table) -> pa.Table:
        """Byte columns → text: ASCII columns as they are (no copy), the others through their distinct values."""
        columns = []
        for column in raw.columns:
            text = pc.cast(column, options=pc.CastOptions(target_type=pa.string(), allow_invalid_utf8=True))
            if not _is_ascii(column):
                encoded = pc.dictionary_encode(column.combine_chunks())
                try:
                    values = [v.decode(self.charset) for v in encoded.dictionary.to_pylist()]
                except UnicodeDecodeError as exc:
                    raise self._undecodable(exc) from None
                text = pc.take(pa.array(values, pa.string()), encoded.indices)
            columns.append(text)
        return pa.table(columns, names=raw.column_names)

    def _undecodable(self, exc: Exception) -> Exception:
        return _undecodable(exc, self.charset, self.report_id, self.declared)


def _is_ascii(column: pa.ChunkedArray) -> bool:
    """No byte ≥ 0x80 in the column's values: one vectorised max over each chunk's bytes."""
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        _, offsets, data = chunk.buffers()
        ends = np.frombuffer(offsets, dtype=np.int32)
        start, end = ends[chunk.offset], ends[chunk.offset + len(chunk)]
        if end > start and np.frombuffer(data, dtype=np.uint8)[start:end].max() >= 0x80:
            return False
    return True


def _undecodable(exc: Exception, charset: str, report_id: str, declared: bool) -> Exception:
    if charset == "utf-8" and not declared:
        return _NotUtf8()
    return ReportFileError(
        f"report {report_id}: the document is not valid {charset} as declared ({exc}); "
        "check the charset of the report document response"
    )


def _extras_as_json(extras: list[tuple[str, pa.ChunkedArray]], n_rows: int) -> pa.ChunkedArray | pa.Array:
    if not extras:
        return pa.nulls(n_rows, pa.string())
    con = duckdb.connect()
    try:
        con.register("extras", pa.table({f"e{i}": col for i, (_, col) in enumerate(extras)}))
        pairs = ", ".join(f"{sql_literal(name)}, e{i}" for i, (name, _) in enumerate(extras))
        return con.sql(f"SELECT CAST(json_object({pairs}) AS VARCHAR) AS j FROM extras").to_arrow_table().column(0)
    finally:
        con.close()


# --- routing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutedRows:
    """Rows with their `storefront` and `day` (the `order_report_rows` columns), and those that fit nowhere."""

    rows: pa.Table
    unroutable: pa.Table

    @property
    def partitions(self) -> list[tuple[str, date, int]]:
        """(storefront, day, rows) for each partition this report touches, sorted."""
        counts = self.rows.group_by(["storefront", "day"]).aggregate([("row_number", "count")])
        return sorted(zip(*(counts.column(c).to_pylist() for c in ("storefront", "day", "row_number_count"))))

    def rows_of(self, storefront: str, day: date) -> pa.Table:
        mask = pc.and_(pc.equal(self.rows["storefront"], storefront), pc.equal(self.rows["day"], day))
        return self.rows.filter(mask)


def route_order_rows(parsed: ParsedOrderReport, settings: Settings, account: SellerAccount | None = None) -> RoutedRows:
    """Give each row its storefront (by `sales-channel`; the report ignores marketplaceIds) and its day (UTC date
    of `last-updated-date`); rows of unknown sales channels or with unreadable dates are `unroutable`. With the
    seller `account` whose report it is, only its storefronts: two accounts may sell on one marketplace.

    Lines the parser set aside (wrong number of fields) are routed too, by the fields they do have, and carry
    `parse_error`; typing quarantines them together with their whole order.
    """
    table = parsed.rows.append_column("parse_error", pa.nulls(parsed.rows.num_rows, pa.string()))
    if parsed.rejected.num_rows:
        table = pa.concat_tables([table, _rejected_as_rows(parsed)])
        table = table.take(pc.sort_indices(table["row_number"]))
    known = ({sf.sales_channel.lower(): sf for sf in account.storefronts} if account
             else settings.storefront_by_sales_channel)
    configured = ", ".join(sf.sales_channel for sf in known.values())
    channels = pc.dictionary_encode(table["sales_channel"]).combine_chunks()
    keys = [known.get((v or "").strip().lower()) for v in channels.dictionary.to_pylist()]
    storefront = pc.take(pa.array([k.key if k else None for k in keys], pa.string()), channels.indices)
    con = duckdb.connect()
    try:
        con.register("rows", table.select(["last_updated_date"]))
        with utc_session(con):
            day = con.sql(f"SELECT CAST({utc_timestamp_sql('last_updated_date')} AS DATE) FROM rows").to_arrow_table()
        table = table.append_column("storefront", storefront).append_column("day", day.column(0))
        table = table.select(list(ORDER_REPORT_ROW_COLUMNS))
        ok = pc.and_(pc.is_valid(table["storefront"]), pc.is_valid(table["day"]))
        if pc.all(ok).as_py() is not False:
            return RoutedRows(rows=table, unroutable=REJECTED_SCHEMA.empty_table())
        con.register("lost", table.filter(pc.invert(ok)))
        unroutable = con.sql(
            f"""
            SELECT report_id, row_number,
                   coalesce(parse_error || '; ', '') ||
                   CASE WHEN storefront IS NULL
                        THEN 'sales-channel ' || coalesce('''' || NULLIF(sales_channel, '') || '''', '(empty)')
                             || ' is not a storefront in the settings (configured: ' || {sql_literal(configured)} || ')'
                        WHEN NULLIF(last_updated_date, '') IS NULL THEN 'last-updated-date is empty'
                        ELSE 'last-updated-date ''' || last_updated_date || ''' is not a date'
                   END AS reason,
                   {raw_row_json_sql()} AS raw_row
            FROM lost ORDER BY row_number
            """
        ).to_arrow_table().cast(REJECTED_SCHEMA)
        return RoutedRows(rows=table.filter(ok), unroutable=unroutable)
    finally:
        con.close()


def _rejected_as_rows(parsed: ParsedOrderReport) -> pa.Table:
    """Set-aside lines in the shape of `rows`: fields by position as far as they go, the whole line kept as JSON."""
    rejected = parsed.rejected.to_pylist()
    values: dict[str, list[str | None]] = {c: [] for c in ORDER_REPORT_TEXT_COLUMNS}
    for row in rejected:
        fields = dict(zip(parsed.columns, row["raw_row"].split("\t")))
        for column in ORDER_REPORT_TEXT_COLUMNS:
            values[column].append(fields.get(column.replace("_", "-")))
    return pa.table(
        {
            "report_id": pa.array([r["report_id"] for r in rejected], pa.string()),
            "row_number": pa.array([r["row_number"] for r in rejected], pa.int32()),
            **{c: pa.array(v, pa.string()) for c, v in values.items()},
            "extra_columns": pa.array([json.dumps({"raw_line": r["raw_row"]}) for r in rejected], pa.string()),
            "parse_error": pa.array([r["reason"] for r in rejected], pa.string()),
        }
    )


def partition_rows(routed: pa.Table, storefront: str, day: date) -> pa.Table:
    """The routed rows of one storefront-day."""
    mask = pc.and_(pc.equal(routed["storefront"], storefront), pc.equal(routed["day"], pa.scalar(day, pa.date32())))
    return routed.filter(mask)
