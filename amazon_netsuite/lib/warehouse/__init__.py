"""The DuckDB warehouse: one file, short connections, a partition replaced in one transaction.

The tables themselves are declared by their owners (`tables.py` here for the shared ones, `lib/<flow>/tables.py`)
and created by `amazon_netsuite.schema.ensure_schema`.
"""

from amazon_netsuite.lib.warehouse.connection import connect, fetch_arrow, fetch_df, transaction
from amazon_netsuite.lib.warehouse.writes import replace_partition

__all__ = ["connect", "fetch_arrow", "fetch_df", "replace_partition", "transaction"]
