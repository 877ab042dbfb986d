"""Reading `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2` files: the settlement's totals and its typed detail lines.

Columns are found by header NAME (reordered and extra columns are fine; extras are kept as JSON); a file missing a
required column, without a totals row or in a charset it does not decode in raises `ReportFileError`. Every other
problem stays with its line: a detail line with the wrong number of fields, an amount or date that does not read,
or a line of another settlement is quarantined with the reason and the line as received, and the rest loads.
`line_number` is the line of the file (header = 1, totals row = 2), so an operator can open the file at it.

The steps, each in its module: the bytes decoded to UTF-8 (`charsets.py`); the header and the totals row read here;
the detail lines split into text fields (`detail_fields.py`); the number and date formats decided once per file
(`formats.py`); the lines typed in set-based DuckDB SQL, each distinct date text read once (`line_typing.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from amazon_netsuite.lib.report_files import ReportFileError, header_field_name, open_report_stream
from amazon_netsuite.lib.settlements.charsets import as_utf8
from amazon_netsuite.lib.settlements.columns import (
    DETAIL_TEXT_COLUMNS,
    DOCUMENTED_COLUMNS,
    LINE_COLUMNS,
    QUARANTINE_COLUMNS,
    REPORT_TYPE,
    REQUIRED_COLUMNS,
    column_name,
)
from amazon_netsuite.lib.settlements.detail_fields import DetailFields, line_at, read_clean, read_line_by_line
from amazon_netsuite.lib.settlements.formats import (
    NumberFormat,
    amount_problem_sql,
    amount_sql,
    decide_format,
    timestamp_sql,
)
from amazon_netsuite.lib.settlements.line_typing import read_dates, typing_sql
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
    data, charset = as_utf8(data, charset, report_id)
    return _Parse(data, charset, report_id).run()




class _Parse:
    """One file's parse; `run` returns the ParsedSettlement."""

    def __init__(self, data: bytes, charset: str, report_id: str) -> None:
        self.data, self.charset, self.report_id = data, charset, report_id

    def run(self) -> ParsedSettlement:
        data = self.data
        header_end, start = line_at(data, 0)
        header = data[:header_end].decode("utf-8").split("\t")
        names = [header_field_name(n, i) for i, n in enumerate(header)]
        self._check_header(names)

        # The totals row is the first line after the header that is not blank.
        line_number, blank_before = 2, 0
        while True:
            if start >= len(data):
                raise ReportFileError(f"report {self.report_id}: the file has a header but no totals row")
            end, following = line_at(data, start)
            if data[start:end].strip():
                break
            line_number, blank_before, start = line_number + 1, blank_before + 1, following
        totals_fields = self._totals_fields(data[start:end].decode("utf-8"), line_number, names)

        fields = read_clean(data, following, len(names), line_number + 1)
        if fields is None:
            fields = read_line_by_line(data, self.report_id, following, len(names), line_number + 1)
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

    def _typed(
        self,
        con: duckdb.DuckDBPyConnection,
        header: list[str],
        names: list[str],
        fields: DetailFields,
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
        posted_date = read_dates(con, column("posted-date"), fmt, as_date=True)
        posted_date_time = read_dates(con, column("posted-date-time"), fmt, as_date=False)
        con.register("_raw", raw.append_column("line_number", pa.array(fields.line_numbers))
                     .append_column("_posted_date", posted_date).append_column("_posted_date_time", posted_date_time))
        extras = [(header[i].strip() or names[i], f"c{i}") for i, n in enumerate(names) if n not in DOCUMENTED_COLUMNS]
        typed = con.sql(typing_sql(col, fmt, totals.settlement_id, extras, len(names))).to_arrow_table()
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
