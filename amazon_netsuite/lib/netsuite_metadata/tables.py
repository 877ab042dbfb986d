"""The warehouse table of NetSuite's setup records, replaced whole by each refresh."""

from __future__ import annotations

TABLES: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS netsuite_metadata (
      record_type VARCHAR NOT NULL,   -- SuiteQL table: shipitem, paymentmethod, location, ..., customer (those named)
      internal_id VARCHAR NOT NULL,
      external_id VARCHAR,
      name VARCHAR,                   -- a currency's ISO code (its symbol), which is how the settings name it
      inactive BOOLEAN NOT NULL,
      refreshed_at TIMESTAMP NOT NULL, -- naive UTC
      PRIMARY KEY (record_type, internal_id)
    )
    """,
)
VIEWS: tuple[str, ...] = ()
