"""The warehouse tables every flow shares, as plain data: the report registry and the posting ledger.

Explicit DDL because the DuckDB IO manager infers a DECIMAL's precision from the first write and loads DECIMAL as
float (seen with dagster-duckdb-pandas 0.29.27), and because readers of an empty first day must still find the
table. Every partitioned
table carries `storefront` and `day` (naive UTC DATE) so a partition is replaced by one DELETE + INSERT. A flow
declares its own tables beside its code (`lib/<flow>/tables.py`); `amazon_netsuite/schema.py` creates them all.
"""

from __future__ import annotations

MONEY = "DECIMAL(18,4)"

# Every report Amazon lists, and where its document landed (`lib/report_registry.py`).
REPORT_REGISTRY: tuple[str, ...] = (
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
)

# The posting ledger and the error queue (`lib/postings.py` says how they are used).
LEDGER: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS netsuite_postings (
      flow VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,
      key VARCHAR NOT NULL,             -- the source record's id, e.g. the Amazon order id
      record_type VARCHAR NOT NULL,
      external_id VARCHAR NOT NULL,
      internal_id VARCHAR,              -- NetSuite's id once posted
      payload_hash VARCHAR NOT NULL,    -- sha256 of the record last attempted (whole, even when a PATCH sent less)
      status VARCHAR NOT NULL,          -- posted | failed: how the last attempt ended
      attempts INTEGER NOT NULL,
      first_attempt TIMESTAMP NOT NULL, -- naive UTC
      last_attempt TIMESTAMP NOT NULL,
      last_error VARCHAR,
      PRIMARY KEY (flow, storefront, key)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS integration_errors (
      flow VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,
      key VARCHAR NOT NULL,
      error_class VARCHAR NOT NULL,     -- mapping | validation | auth | rate_limit | transient
      message VARCHAR NOT NULL,         -- what happened, to which record, and what to do
      payload VARCHAR,                  -- the body that was refused (JSON)
      created TIMESTAMP NOT NULL,       -- naive UTC
      resolved TIMESTAMP                -- set when a later attempt posts the record
    )
    """,
    # Columns added with updates to posted records; ADD COLUMN IF NOT EXISTS upgrades an older warehouse in place.
    # source_updated: the source state's last-updated time (naive UTC) of the last attempt; older states are skipped.
    "ALTER TABLE netsuite_postings ADD COLUMN IF NOT EXISTS source_updated TIMESTAMP",
    # posted_body: JSON of the record as our last successful write left it, what a later change is compared with.
    "ALTER TABLE netsuite_postings ADD COLUMN IF NOT EXISTS posted_body VARCHAR",
    # posted_line_keys: JSON list naming the source line of each item line of posted_body.
    "ALTER TABLE netsuite_postings ADD COLUMN IF NOT EXISTS posted_line_keys VARCHAR",
    # complete: nothing more for the integration to do (Cash Sales, SFP Sales Orders, fully closed Sales Orders).
    "ALTER TABLE netsuite_postings ADD COLUMN IF NOT EXISTS complete BOOLEAN DEFAULT false",
    # netsuite_account: the account the record was last written to (realm, or 'sandbox'). NULL on rows written
    # before the ledger recorded it; the first run after the upgrade claims them for its account (ledger_entries).
    "ALTER TABLE netsuite_postings ADD COLUMN IF NOT EXISTS netsuite_account VARCHAR",
    # first_posted: when NetSuite first held the record (naive UTC), so a stock read can be matched with the records
    # it already reflects. NULL while it never posted, and on rows posted before the column existed.
    "ALTER TABLE netsuite_postings ADD COLUMN IF NOT EXISTS first_posted TIMESTAMP",
    # resolution: how an error was resolved (posted, or no longer needed, e.g. cancelled on Amazon first).
    "ALTER TABLE integration_errors ADD COLUMN IF NOT EXISTS resolution VARCHAR",
)

TABLES: tuple[str, ...] = (*REPORT_REGISTRY, *LEDGER)
