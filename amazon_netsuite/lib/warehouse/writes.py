"""Replacing one storefront-day of a partitioned table: one DELETE + INSERT, in a transaction."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from amazon_netsuite.lib.warehouse.connection import transaction


def replace_partition(con: duckdb.DuckDBPyConnection, table: str, storefront: str, day: str, relation_sql: str,
                      columns: Sequence[str] | None = None, params: Sequence[object] | None = None) -> int:
    """Atomically replace one storefront-day of `table` with the rows of `relation_sql`; returns rows written.

    Inserting BY NAME (never by position) so a reordered select cannot silently swap columns.
    """
    with transaction(con):
        return replace_partition_rows(con, table, storefront, day, relation_sql, columns, params)


def replace_partition_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    storefront: str,
    day: str,
    relation_sql: str,
    columns: Sequence[str] | None = None,
    params: Sequence[object] | None = None,
) -> int:
    """`replace_partition` inside a transaction the caller holds (to replace several tables at once)."""
    cols = f"({', '.join(columns)})" if columns else "BY NAME"
    con.execute(f"DELETE FROM {table} WHERE storefront = ? AND day = ?", [storefront, day])
    con.execute(f"INSERT INTO {table} {cols} {relation_sql}", list(params or []))
    # fetchall, not fetchone: a result left open blocks the connection's next unregister() in DuckDB.
    (written,), = con.execute(f"SELECT count(*) FROM {table} WHERE storefront = ? AND day = ?",
                              [storefront, day]).fetchall()
    return int(written)
