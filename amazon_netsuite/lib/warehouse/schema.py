"""Warehouse tables, created with explicit DDL before any asset writes.

Explicit DDL because the DuckDB IO manager infers a DECIMAL's precision from the first write and loads DECIMAL as
float (dagster-facts §7), and because readers of an empty first day must still find the table. Every partitioned
table carries `storefront` and `day` (naive UTC DATE) so a partition is replaced by one DELETE + INSERT.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import duckdb

from amazon_netsuite.lib.amazon.order_report import DOCUMENTED_COLUMNS

# The order report's columns as loaded (header names with '-' → '_'), kept as text: "rows as received". Amazon's
# documented columns first, then the ones real files carry besides.
ORDER_REPORT_TEXT_COLUMNS: tuple[str, ...] = (
    *(c.replace("-", "_") for c in DOCUMENTED_COLUMNS), "tax_collection_model", "tax_collection_responsible_party",
    "is_prime",
)

MONEY = "DECIMAL(18,4)"

_ORDER_REPORT_ROWS = (
    "CREATE TABLE IF NOT EXISTS order_report_rows (\n"
    "  storefront VARCHAR NOT NULL, day DATE NOT NULL, report_id VARCHAR NOT NULL, row_number INTEGER NOT NULL,\n  "
    + ",\n  ".join(f"{c} VARCHAR" for c in ORDER_REPORT_TEXT_COLUMNS)
    + ",\n  extra_columns VARCHAR,  -- JSON object of columns we do not know yet, so nothing received is lost"
    + "\n  parse_error VARCHAR     -- why the line could not be split into the header's fields (then quarantined)\n)"
)

_MONEY_LINE_COLUMNS = (
    "item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price", "gift_wrap_tax",
    "item_promotion_discount", "ship_promotion_discount",
)

DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS amazon_reports (
      report_id VARCHAR PRIMARY KEY,
      seller_account VARCHAR NOT NULL,
      report_type VARCHAR NOT NULL,
      processing_status VARCHAR NOT NULL,
      marketplace_ids VARCHAR,
      data_start_time TIMESTAMP,
      data_end_time TIMESTAMP,
      created_time TIMESTAMP NOT NULL,
      processing_end_time TIMESTAMP,
      report_document_id VARCHAR,
      document_path VARCHAR,      -- the document exactly as downloaded (gzip), under data/reports/
      document_sha256 VARCHAR,
      charset VARCHAR,
      data_rows INTEGER,
      downloaded_at TIMESTAMP
    )
    """,
    _ORDER_REPORT_ROWS,
    f"""
    CREATE TABLE IF NOT EXISTS orders (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                 -- UTC day of last-updated-date: the day this state was reported
      amazon_order_id VARCHAR NOT NULL,
      merchant_order_id VARCHAR,
      purchase_date TIMESTAMP NOT NULL,
      last_updated_date TIMESTAMP NOT NULL,
      order_status VARCHAR NOT NULL,
      channel VARCHAR NOT NULL,          -- FBA | MFN | SFP (seller-fulfilled Prime)
      sales_channel VARCHAR NOT NULL,
      ship_service_level VARCHAR,
      currency VARCHAR NOT NULL,
      is_business_order BOOLEAN NOT NULL,
      purchase_order_number VARCHAR,
      line_count INTEGER NOT NULL,
      quantity INTEGER NOT NULL,
      {", ".join(f"{c} {MONEY}" for c in _MONEY_LINE_COLUMNS)},
      marketplace_facilitator_tax {MONEY},
      seller_collected_tax {MONEY},
      order_total {MONEY},               -- item + shipping + gift wrap + seller-collected tax + discounts
      has_gift_wrap BOOLEAN NOT NULL,
      promotion_ids VARCHAR,
      report_id VARCHAR NOT NULL
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS order_lines (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      amazon_order_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,
      sku VARCHAR NOT NULL,
      asin VARCHAR,
      product_name VARCHAR,
      item_status VARCHAR,
      quantity INTEGER NOT NULL,
      currency VARCHAR NOT NULL,
      unit_price {MONEY},                -- item-price / quantity (item-price is the line aggregate)
      {", ".join(f"{c} {MONEY}" for c in _MONEY_LINE_COLUMNS)},
      tax_collection_model VARCHAR,
      marketplace_facilitator_tax {MONEY},
      seller_collected_tax {MONEY},
      promotion_ids VARCHAR,
      price_designation VARCHAR,
      report_id VARCHAR NOT NULL,
      row_number INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS order_report_quarantine (
      storefront VARCHAR NOT NULL,       -- '' when the row could not be routed to a storefront
      day DATE NOT NULL,
      report_id VARCHAR NOT NULL,
      row_number INTEGER NOT NULL,
      amazon_order_id VARCHAR,
      reason VARCHAR NOT NULL,
      raw_row VARCHAR                    -- the row as received (JSON of header → value, or the raw line)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS order_report_unrouted (
      report_id VARCHAR NOT NULL,        -- rows of a report that belong to no configured storefront-day
      row_number INTEGER NOT NULL,
      reason VARCHAR NOT NULL,
      raw_row VARCHAR
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # The latest known state of each order across partitions (an order is reported again on each day it changes).
    """
    CREATE OR REPLACE VIEW orders_latest AS
    SELECT * EXCLUDE (rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY storefront, amazon_order_id
                                   ORDER BY last_updated_date DESC, day DESC) AS rn
      FROM orders) WHERE rn = 1
    """,
)

_extra_ddl: list[str] = []


def register_ddl(statements: Iterable[str]) -> None:
    """Later flows add their tables here so one call creates the whole warehouse."""
    _extra_ddl.extend(statements)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view that does not exist yet (idempotent, cheap)."""
    for statement in (*DDL, *_extra_ddl, *VIEWS):
        con.execute(statement)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One DuckDB transaction: committed when the block ends, rolled back (and re-raised) when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def replace_partition(
    con: duckdb.DuckDBPyConnection,
    table: str,
    storefront: str,
    day: str,
    relation_sql: str,
    columns: Sequence[str] | None = None,
    params: Sequence[object] | None = None,
) -> int:
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
