"""SQL text every flow writes the same way: a quoted literal, and a session that reads dates in UTC."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def utc_session(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run in UTC (Amazon's dates without offset are UTC), then give the connection its time zone back."""
    before = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    con.execute("SET TimeZone = 'UTC'")
    try:
        yield
    finally:
        con.execute(f"SET TimeZone = {sql_literal(before)}")
