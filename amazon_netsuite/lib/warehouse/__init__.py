"""The DuckDB warehouse: one file, short connections, explicit DDL for every table that holds money."""

from amazon_netsuite.lib.warehouse.connection import connect, fetch_arrow, fetch_df
from amazon_netsuite.lib.warehouse.schema import ensure_schema, replace_partition, transaction

__all__ = ["connect", "ensure_schema", "fetch_arrow", "fetch_df", "replace_partition", "transaction"]
