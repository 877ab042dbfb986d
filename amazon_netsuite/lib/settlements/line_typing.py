"""Typing a settlement's detail lines in DuckDB: amounts and dates in the file's formats (`formats.py`), quantities,
unknown columns kept as JSON, and for a line that does not read, every problem in words and the line as received.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from amazon_netsuite.lib.warehouse.sql import sql_literal
from amazon_netsuite.lib.settlements.columns import DOCUMENTED_COLUMNS
from amazon_netsuite.lib.settlements.formats import NumberFormat, amount_problem_sql, amount_sql, timestamp_sql


def read_dates(con: duckdb.DuckDBPyConnection, column: pa.ChunkedArray | pa.Array, fmt: NumberFormat,
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


def typing_sql(col, fmt: NumberFormat, settlement_id: str, extras: list[tuple[str, str]], width: int) -> str:
    """Amount, quantity and extras typed; for a line with a problem, every problem in words and the line."""
    text = {c: col(c) for c in DOCUMENTED_COLUMNS}
    settlement = sql_literal(settlement_id)

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
