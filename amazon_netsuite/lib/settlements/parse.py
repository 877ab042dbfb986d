"""Reading `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2` files: the settlement's totals and its typed detail lines.

Columns are found by header NAME (reordered and extra columns are fine; extras are kept as JSON); a file missing a
required column, without a totals row or in a charset it does not decode in raises `ReportFileError`. Every other
problem stays with its line: a detail line with the wrong number of fields, an amount or date that does not read,
or a line of another settlement is quarantined with the reason and the line as received, and the rest loads.
`line_number` is the line of the file (header = 1, totals row = 2), so an operator can open the file at it.

Charset: a UTF-8 BOM means UTF-8; otherwise the declared charset (Amazon's `Cp1252`, `Shift_JIS` → cp932) is used,
except that a document which is valid UTF-8 is read as UTF-8 (Amazon mislabels); with nothing declared, UTF-8 when
the bytes decode as UTF-8, else cp932 for Amazon.co.jp files, else cp1252. CRLF and LF both end a line.

Speed (BENCHMARKS.md, settlement_reconcile): a file whose detail lines all have the header's width (the usual case)
is split by pyarrow's multi-threaded CSV reader where its bytes lie; any other file is first indexed line by line
with numpy, so each line keeps its number. Conversions are set-based DuckDB SQL (`formats.py`), the number and date
formats are decided once per file, and each distinct date text is read once.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from amazon_netsuite.lib.amazon.documents import codec_for
from amazon_netsuite.lib.report_files import UTF8_BOM, ReportFileError, header_field_name, open_report_stream
from amazon_netsuite.lib.settlements.columns import (
    DETAIL_TEXT_COLUMNS,
    DOCUMENTED_COLUMNS,
    LINE_COLUMNS,
    QUARANTINE_COLUMNS,
    REPORT_TYPE,
    REQUIRED_COLUMNS,
    column_name,
)
from amazon_netsuite.lib.settlements.formats import (
    NumberFormat,
    amount_problem_sql,
    amount_sql,
    decide_format,
    timestamp_sql,
)
from amazon_netsuite.lib.warehouse.sql import sql_literal, utc_session

__all__ = ["ParsedSettlement", "ReportFileError", "SettlementTotals", "parse_settlement"]

LINES_SCHEMA = pa.schema(
    [
        ("report_id", pa.string()), ("settlement_id", pa.string()), ("line_number", pa.int32()),
        *((column_name(c), pa.string()) for c in DETAIL_TEXT_COLUMNS[:8]),
        ("amount", pa.decimal128(18, 4)), ("currency", pa.string()),
        ("fulfillment_id", pa.string()), ("posted_date", pa.date32()), ("posted_date_time", pa.timestamp("us")),
        *((column_name(c), pa.string()) for c in DETAIL_TEXT_COLUMNS[9:13]),
        ("quantity_purchased", pa.int32()), ("promotion_id", pa.string()), ("extra_columns", pa.string()),
    ]
)
assert tuple(LINES_SCHEMA.names) == LINE_COLUMNS
QUARANTINE_SCHEMA = pa.schema(
    [("report_id", pa.string()), ("settlement_id", pa.string()), ("line_number", pa.int32()),
     ("reason", pa.string()), ("raw_line", pa.string())]
)
assert tuple(QUARANTINE_SCHEMA.names) == QUARANTINE_COLUMNS


@dataclass(frozen=True)
class SettlementTotals:
    """The totals row: what Amazon says it pays (`total_amount`, in `currency`) and when."""

    settlement_id: str
    settlement_start_date: datetime | None  # naive UTC
    settlement_end_date: datetime | None
    deposit_date: datetime
    total_amount: Decimal
    currency: str
    line_number: int

    @property
    def day(self) -> date:
        """The partition day: the UTC day of the deposit."""
        return self.deposit_date.date()


@dataclass(frozen=True)
class ParsedSettlement:
    """One settlement file: its totals, typed detail `lines` (LINE_COLUMNS) and `quarantine`d lines with reasons."""

    report_id: str
    header: list[str]
    totals: SettlementTotals
    lines: pa.Table
    quarantine: pa.Table
    charset: str
    number_format: NumberFormat
    marketplace_name: str | None
    blank_lines: int = 0
    extra_column_names: list[str] = field(default_factory=list)

    report_type = REPORT_TYPE

    @property
    def detail_line_count(self) -> int:
        """Detail lines in the file (loaded + quarantined); the totals row and blank lines not counted."""
        return self.lines.num_rows + self.quarantine.num_rows


def parse_settlement(
    source: str | bytes | Path, *, report_id: str | None = None, charset: str | None = None
) -> ParsedSettlement:
    """Parse a settlement given as text, raw bytes or a file path (plain or gzip).

    `charset` is the one declared for the document (the report download's Content-Type), if any.
    """
    if isinstance(source, str):
        report_id = report_id or "settlement"
        data, charset = source.encode("utf-8"), "utf-8"
    elif isinstance(source, (bytes, bytearray, memoryview)):
        report_id = report_id or "settlement"
        data = bytes(open_report_stream(bytes(source), report_id).read())
    else:
        path = Path(source)
        report_id = report_id or path.name
        try:
            data = open_report_stream(path, report_id).read()
        except OSError as exc:
            raise ReportFileError(f"report {report_id}: the gzip document is corrupt or truncated ({exc})") from None
    data, charset = _as_utf8(data, charset, report_id)
    return _Parse(data, charset, report_id).run()


def _as_utf8(data: bytes, declared: str | None, report_id: str) -> tuple[bytes, str]:
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


def _line_at(data: bytes, start: int) -> tuple[int, int]:
    """(end of the line's text without CR/LF, start of the next line) for the line starting at `start`."""
    newline = data.find(b"\n", start)
    if newline < 0:
        return len(data), len(data)
    end = newline - 1 if newline > start and data[newline - 1] == 0x0D else newline
    return end, newline + 1


@dataclass
class _Fields:
    """The detail lines split into text fields (`c0`… in header order, NULL for empty) and what was set aside."""

    table: pa.Table
    line_numbers: np.ndarray
    wrong_width: list[tuple[int, str, str]] = field(default_factory=list)  # (line number, reason, line)
    blank_lines: int = 0


class _Parse:
    """One file's parse; `run` returns the ParsedSettlement."""

    def __init__(self, data: bytes, charset: str, report_id: str) -> None:
        self.data, self.charset, self.report_id = data, charset, report_id

    def run(self) -> ParsedSettlement:
        data = self.data
        header_end, start = _line_at(data, 0)
        header = data[:header_end].decode("utf-8").split("\t")
        names = [header_field_name(n, i) for i, n in enumerate(header)]
        self._check_header(names)

        # The totals row is the first line after the header that is not blank.
        line_number, blank_before = 2, 0
        while True:
            if start >= len(data):
                raise ReportFileError(f"report {self.report_id}: the file has a header but no totals row")
            end, following = _line_at(data, start)
            if data[start:end].strip():
                break
            line_number, blank_before, start = line_number + 1, blank_before + 1, following
        totals_fields = self._totals_fields(data[start:end].decode("utf-8"), line_number, names)

        fields = self._read_clean(following, len(names), line_number + 1)
        if fields is None:
            fields = self._read_line_by_line(following, len(names), line_number + 1)
        fields.blank_lines += blank_before
        con = duckdb.connect()
        try:
            with utc_session(con):
                return self._typed(con, header, names, fields, totals_fields, line_number)
        finally:
            con.close()

    def _check_header(self, names: list[str]) -> None:
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ReportFileError(f"report {self.report_id}: the header repeats column(s) {', '.join(dupes)}")
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            shown = ", ".join(names[:30]) + (", ..." if len(names) > 30 else "")
            raise ReportFileError(
                f"report {self.report_id}: required column(s) {', '.join(missing)} missing from the header "
                f"(it has: {shown}); is this a {REPORT_TYPE} file?"
            )

    def _totals_fields(self, text: str, line_number: int, names: list[str]) -> dict[str, str]:
        values = text.split("\t")
        if len(values) > len(names):
            raise ReportFileError(
                f"report {self.report_id}: the totals row (line {line_number}) has {len(values)} fields, "
                f"the header has {len(names)}"
            )
        # Some tools drop the empty detail fields after `currency`; the totals row is read without them.
        fields = dict(zip(names, [v.strip() for v in values] + [""] * (len(names) - len(values))))
        detail = {c: fields.get(c, "") for c in ("transaction-type", "amount-type", "amount-description", "amount")}
        if not fields["total-amount"] or any(detail.values()):
            shown = ", ".join(f"{k} {v!r}" for k, v in detail.items() if v) or "no total-amount"
            raise ReportFileError(
                f"report {self.report_id}: line {line_number} should be the settlement's totals row (settlement-id, "
                f"dates, total-amount and currency, no transaction) but has {shown}; is the first row missing?"
            )
        return fields

    def _csv(self, body: pa.Buffer, width: int, on_invalid=None) -> pa.Table:
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

    def _read_clean(self, body_start: int, width: int, first_line: int) -> _Fields | None:
        """The usual file, every detail line with the header's width: one multi-threaded read of the bytes where
        they are. None when any line is not like that (blank, wrong width, a stray carriage return)."""
        data = self.data
        body = np.frombuffer(data, dtype=np.uint8)[body_start:]
        if np.count_nonzero(body == 0x0D) and data.count(b"\r", body_start) != data.count(b"\r\n", body_start):
            return None  # the reader would end a line at a lone carriage return
        lines = int(np.count_nonzero(body == 0x0A)) + (0 if data.endswith(b"\n") or not len(body) else 1)
        invalid: list[int] = []

        def note(row: pacsv.InvalidRow) -> str:
            invalid.append(1)
            return "skip"

        try:
            table = self._csv(pa.py_buffer(data).slice(body_start), width, note)
        except pa.ArrowInvalid:
            return None
        if invalid or table.num_rows != lines:
            return None
        return _Fields(table, np.arange(first_line, first_line + lines, dtype=np.int32))

    def _read_line_by_line(self, body_start: int, width: int, first_line: int) -> _Fields:
        """Any file: lines found with numpy, tabs counted per line; lines of the header's width are read, blank
        lines skipped, the others set aside with the reason."""
        buf = np.frombuffer(self.data, dtype=np.uint8)[body_start:]
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
        table = self._csv(pa.py_buffer(buf[np.repeat(good, lengths)].tobytes()), width)
        if table.num_rows != int(good.sum()):
            raise ReportFileError(
                f"report {self.report_id}: read {table.num_rows} lines where {int(good.sum())} were expected; "
                "the file has line breaks the reader does not agree on"
            )
        return _Fields(table, (np.flatnonzero(good) + first_line).astype(np.int32), wrong_width, int(blank.sum()))

    def _typed(
        self,
        con: duckdb.DuckDBPyConnection,
        header: list[str],
        names: list[str],
        fields: _Fields,
        totals_fields: dict[str, str],
        totals_line: int,
    ) -> ParsedSettlement:
        raw = fields.table
        position = {name: i for i, name in enumerate(names)}

        def col(header_name: str) -> str:
            return f"c{position[header_name]}" if header_name in position else "CAST(NULL AS VARCHAR)"

        def column(header_name: str) -> pa.ChunkedArray | pa.Array:
            return raw.column(position[header_name]) if header_name in position else pa.nulls(raw.num_rows,
                                                                                             pa.string())

        con.register("_raw", raw)
        marketplace = con.execute(f"SELECT mode({col('marketplace-name')}) FROM _raw").fetchall()[0][0]
        fmt = decide_format(
            con,
            f"SELECT {col('amount')} AS t FROM _raw UNION ALL SELECT {sql_literal(totals_fields['total-amount'])}",
            f"SELECT DISTINCT {col('posted-date')} AS t FROM _raw UNION ALL "
            + " UNION ALL ".join(
                f"SELECT {sql_literal(totals_fields.get(c, ''))}"
                for c in ("settlement-start-date", "settlement-end-date", "deposit-date")
            ),
            marketplace,
            totals_fields["currency"],
        )
        con.unregister("_raw")
        totals = self._totals(con, totals_fields, totals_line, fmt)

        # Dates repeat (a settlement spans two weeks): each distinct text is read once, then put in its places.
        posted_date = self._dates(con, column("posted-date"), fmt, as_date=True)
        posted_date_time = self._dates(con, column("posted-date-time"), fmt, as_date=False)
        con.register("_raw", raw.append_column("line_number", pa.array(fields.line_numbers))
                     .append_column("_posted_date", posted_date).append_column("_posted_date_time", posted_date_time))
        extras = [(header[i].strip() or names[i], f"c{i}") for i, n in enumerate(names) if n not in DOCUMENTED_COLUMNS]
        typed = con.sql(self._typing_sql(col, fmt, totals, extras, len(names))).to_arrow_table()
        con.unregister("_raw")

        columns = {
            "report_id": pa.repeat(pa.scalar(self.report_id), raw.num_rows),
            "settlement_id": pc.fill_null(column("settlement-id"), totals.settlement_id),
            "line_number": pa.array(fields.line_numbers),
            **{column_name(c): column(c) for c in DETAIL_TEXT_COLUMNS[:8]},
            "amount": typed.column("amount"),
            "currency": pc.fill_null(pc.utf8_upper(column("currency")), totals.currency),
            "fulfillment_id": column("fulfillment-id"),
            "posted_date": posted_date,
            "posted_date_time": posted_date_time,
            **{column_name(c): column(c) for c in DETAIL_TEXT_COLUMNS[9:13]},
            "quantity_purchased": typed.column("quantity_purchased"),
            "promotion_id": column("promotion-id"),
            "extra_columns": typed.column("extra_columns"),
        }
        lines = pa.table(columns).cast(LINES_SCHEMA)
        problem = typed.column("problem")
        quarantined = QUARANTINE_SCHEMA.empty_table()
        if problem.null_count != len(problem):
            is_bad = pc.is_valid(problem)
            bad_numbers = lines.column("line_number").filter(is_bad)
            quarantined = pa.table(
                {
                    "report_id": pa.repeat(pa.scalar(self.report_id), len(bad_numbers)),
                    "settlement_id": pa.repeat(pa.scalar(totals.settlement_id), len(bad_numbers)),
                    "line_number": bad_numbers,
                    "reason": problem.filter(is_bad),
                    "raw_line": typed.column("raw_line").filter(is_bad),
                },
                schema=QUARANTINE_SCHEMA,
            )
            lines = lines.filter(pc.invert(is_bad))
        if fields.wrong_width:
            numbers, reasons, texts = zip(*fields.wrong_width)
            quarantined = pa.concat_tables([quarantined, pa.table(
                {
                    "report_id": [self.report_id] * len(numbers),
                    "settlement_id": [totals.settlement_id] * len(numbers),
                    "line_number": pa.array(numbers, pa.int32()),
                    "reason": list(reasons),
                    "raw_line": list(texts),
                },
                schema=QUARANTINE_SCHEMA,
            )]).sort_by("line_number")
        return ParsedSettlement(
            report_id=self.report_id,
            header=header,
            totals=totals,
            lines=lines,
            quarantine=quarantined,
            charset=self.charset,
            number_format=fmt,
            marketplace_name=marketplace,
            blank_lines=fields.blank_lines,
            extra_column_names=[name for name, _ in extras],
        )

    def _totals(
        self, con: duckdb.DuckDBPyConnection, fields: dict[str, str], line_number: int, fmt: NumberFormat
    ) -> SettlementTotals:
        values = {c: fields.get(c, "") for c in ("settlement-id", "settlement-start-date", "settlement-end-date",
                                                  "deposit-date", "total-amount", "currency")}
        total, total_problem, start, end, deposit = con.execute(
            f"""
            SELECT {amount_sql('a', fmt)}, {amount_problem_sql('a', 'total-amount', fmt)},
                   {timestamp_sql('s', fmt)}, {timestamp_sql('e', fmt)}, {timestamp_sql('d', fmt)}
            FROM (SELECT ? AS a, ? AS s, ? AS e, ? AS d)
            """,
            [values["total-amount"], values["settlement-start-date"], values["settlement-end-date"],
             values["deposit-date"]],
        ).fetchall()[0]
        problems = []
        if not values["settlement-id"]:
            problems.append("settlement-id is empty")
        if total is None:
            problems.append(total_problem)
        if not (len(values["currency"]) == 3 and values["currency"].isalpha()):
            problems.append(f"currency {values['currency']!r} is not a currency code")
        for column, parsed in (("deposit-date", deposit), ("settlement-start-date", start),
                               ("settlement-end-date", end)):
            if parsed is None and (values[column] or column == "deposit-date"):
                problems.append(f"{column} {values[column]!r} is not a date" if values[column]
                                else f"{column} is empty")
        if problems:
            raise ReportFileError(
                f"report {self.report_id}: the totals row (line {line_number}): {'; '.join(problems)}"
            )
        return SettlementTotals(
            settlement_id=values["settlement-id"],
            settlement_start_date=start,
            settlement_end_date=end,
            deposit_date=deposit,
            total_amount=total,
            currency=values["currency"].upper(),
            line_number=line_number,
        )

    @staticmethod
    def _dates(con: duckdb.DuckDBPyConnection, column: pa.ChunkedArray | pa.Array, fmt: NumberFormat,
               as_date: bool) -> pa.Array:
        """A date text column read once per distinct value (`timestamp_sql`), in the column's order."""
        kind = pa.date32() if as_date else pa.timestamp("us")
        if column.null_count == len(column):
            return pa.nulls(len(column), kind)
        encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
        con.register("_date_texts", pa.table({"t": encoded.dictionary}))
        value = timestamp_sql("t", fmt)
        parsed = con.sql(
            f"SELECT {f'CAST({value} AS DATE)' if as_date else value} AS v FROM _date_texts"
        ).to_arrow_table().column("v").combine_chunks().cast(kind)
        con.unregister("_date_texts")
        return pc.take(parsed, encoded.indices)

    def _typing_sql(self, col, fmt: NumberFormat, totals: SettlementTotals, extras: list[tuple[str, str]],
                    width: int) -> str:
        """Amount, quantity and extras typed; for a line with a problem, every problem in words and the line."""
        text = {c: col(c) for c in DOCUMENTED_COLUMNS}
        settlement = sql_literal(totals.settlement_id)

        def quoted(sql: str) -> str:
            return f"'''' || {sql} || ''''"

        quantity = (
            f"CASE WHEN regexp_full_match({text['quantity-purchased']}, '[+-]?[0-9]{{1,9}}') "
            f"THEN CAST({text['quantity-purchased']} AS INTEGER) END"
        )
        extras_sql = (
            "CAST(json_object(" + ", ".join(f"{sql_literal(name)}, coalesce({c}, '')" for name, c in extras)
            + ") AS VARCHAR)" if extras else "CAST(NULL AS VARCHAR)"
        )
        is_bad = (
            f"amount IS NULL OR quantity_purchased IS NULL AND {text['quantity-purchased']} IS NOT NULL "
            f"OR _posted_date IS NULL AND {text['posted-date']} IS NOT NULL "
            f"OR _posted_date_time IS NULL AND {text['posted-date-time']} IS NOT NULL "
            f"OR {text['settlement-id']} <> {settlement}"
        )
        problems = ", ".join(
            [
                f"CASE WHEN {text['transaction-type']} IS NULL AND {text['amount-type']} IS NULL "
                f"AND {text['total-amount']} IS NOT NULL THEN 'a second totals row (total-amount ' || "
                f"{quoted(text['total-amount'])} || '): a file holds one settlement' END",
                f"CASE WHEN {text['settlement-id']} <> {settlement} THEN 'belongs to settlement ' || "
                f"{quoted(text['settlement-id'])} || ', the file''s totals row is settlement ' || "
                f"{quoted(settlement)} END",
                f"CASE WHEN amount IS NULL THEN {amount_problem_sql(col('amount'), 'amount', fmt)} END",
                f"CASE WHEN _posted_date IS NULL AND {text['posted-date']} IS NOT NULL "
                f"THEN 'posted-date ' || {quoted(text['posted-date'])} || ' is not a date' END",
                f"CASE WHEN _posted_date_time IS NULL AND {text['posted-date-time']} IS NOT NULL "
                f"THEN 'posted-date-time ' || {quoted(text['posted-date-time'])} || ' is not a date' END",
                f"CASE WHEN quantity_purchased IS NULL AND {text['quantity-purchased']} IS NOT NULL "
                f"THEN 'quantity-purchased ' || {quoted(text['quantity-purchased'])} || ' is not a whole number' END",
            ]
        )
        every_field = ", ".join(f"coalesce(c{i}, '')" for i in range(width))
        return f"""
        WITH t AS (
            SELECT *, {amount_sql(col('amount'), fmt)} AS amount, {quantity} AS quantity_purchased FROM _raw
        )
        SELECT amount, quantity_purchased, {extras_sql} AS extra_columns,
               CASE WHEN {is_bad} THEN NULLIF(concat_ws('; ', {problems}), '') END AS problem,
               CASE WHEN {is_bad} THEN concat_ws(chr(9), {every_field}) END AS raw_line
        FROM t
        """


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
