"""The settlement flow's warehouse tables, as plain data (`amazon_netsuite/schema.py` creates them in order).

A settlement report's way in: `settlement_report_intake` (each report Amazon lists, `intake.py`) and
`settlement_documents` (the document index, `documents.py`). Each storefront-day (the UTC day of the deposit) is
then stored stage by stage (`store.py`): `settlements`, `settlement_lines` and `settlement_line_quarantine`,
`settlement_line_matches`, `settlement_line_accounts`, `settlement_gl_summary` and `settlement_reconciliation`.
Every partitioned table carries `storefront` and `day` so a partition is replaced by one DELETE + INSERT.
"""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

TABLES: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS settlement_report_intake (
      report_id VARCHAR PRIMARY KEY,
      seller_account VARCHAR NOT NULL,
      created_time TIMESTAMP NOT NULL,    -- Amazon's createdTime, naive UTC
      status VARCHAR NOT NULL,            -- listed | landed | unusable
      problem VARCHAR,                    -- unusable: unreadable | no_storefront | before_first_partition
      reason VARCHAR,                     -- what went wrong and what to do, in words
      storefront VARCHAR,                 -- landed: the partition it feeds ...
      day DATE,                           -- ... and the UTC day of its deposit
      settlement_id VARCHAR,
      attempts INTEGER NOT NULL,          -- documents runs that tried it
      settings_fingerprint VARCHAR,       -- the settings the last attempt read (a change retries no_storefront)
      listed_at TIMESTAMP NOT NULL,
      last_attempt_at TIMESTAMP
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlement_documents (
      report_id VARCHAR PRIMARY KEY,      -- Amazon's report id, or manual-<sha256 prefix> for a loaded file
      seller_account VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,        -- the partition it feeds: storefront ...
      day DATE NOT NULL,                  -- ... and the UTC day of the deposit
      settlement_id VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      total_amount {MONEY} NOT NULL,
      deposit_date TIMESTAMP NOT NULL,    -- naive UTC
      source VARCHAR NOT NULL,            -- amazon | manual
      file_name VARCHAR,                  -- a loaded file's name as given
      document_sha256 VARCHAR NOT NULL,
      registered_at TIMESTAMP NOT NULL,
      replaced_by VARCHAR                 -- a newer document of the same settlement id; NULL: this one is current
    )
    """,
    # Warehouses created before documents could be replaced.
    "ALTER TABLE settlement_documents ADD COLUMN IF NOT EXISTS replaced_by VARCHAR",
    """
    CREATE TABLE IF NOT EXISTS settlement_line_accounts (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      settlement_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,
      gl_account VARCHAR,                 -- NULL: no rule of the GL mapping matches the line
      gl_account_name VARCHAR,
      gl_section VARCHAR,                 -- sales, promotions, refunds, fees, tax, reimbursements, reserves, other
      netsuite_item VARCHAR,
      mapping_rule INTEGER,               -- index of the rule in gl_mapping.yaml's `rules`
      suspense BOOLEAN NOT NULL
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlement_reconciliation (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      settlement_id VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      position INTEGER NOT NULL,          -- order of the sections, gross sales first, deposit last
      section VARCHAR NOT NULL,
      label VARCHAR NOT NULL,             -- fees: the GL account's name
      amount {MONEY} NOT NULL             -- every row but the deposit sums to the deposit
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlements (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                  -- UTC day of the deposit
      report_id VARCHAR NOT NULL,
      settlement_id VARCHAR NOT NULL,
      settlement_start_date TIMESTAMP,    -- naive UTC
      settlement_end_date TIMESTAMP,
      deposit_date TIMESTAMP NOT NULL,
      total_amount {MONEY} NOT NULL,      -- what Amazon pays into the bank (negative: what it takes)
      currency VARCHAR NOT NULL,
      line_count INTEGER NOT NULL,        -- detail lines read (the totals row not counted)
      quarantined_lines INTEGER NOT NULL,
      decimal_mark VARCHAR NOT NULL,      -- how the file writes amounts: '.' or ','
      date_order VARCHAR NOT NULL         -- how it writes slash dates: MDY or DMY
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlement_lines (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      report_id VARCHAR NOT NULL,
      settlement_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,       -- line of the file (header = 1, totals row = 2)
      transaction_type VARCHAR,
      order_id VARCHAR,
      merchant_order_id VARCHAR,
      adjustment_id VARCHAR,
      shipment_id VARCHAR,
      marketplace_name VARCHAR,
      amount_type VARCHAR,
      amount_description VARCHAR,
      amount {MONEY} NOT NULL,
      currency VARCHAR NOT NULL,
      fulfillment_id VARCHAR,
      posted_date DATE,
      posted_date_time TIMESTAMP,         -- naive UTC
      order_item_code VARCHAR,
      merchant_order_item_id VARCHAR,
      merchant_adjustment_item_id VARCHAR,
      sku VARCHAR,
      quantity_purchased INTEGER,
      promotion_id VARCHAR,
      extra_columns VARCHAR               -- JSON of columns we do not know yet, so nothing received is lost
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS settlement_line_quarantine (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      report_id VARCHAR NOT NULL,
      settlement_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,
      reason VARCHAR NOT NULL,
      raw_line VARCHAR                    -- the line exactly as received
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlement_line_matches (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      settlement_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,
      order_id VARCHAR,
      amount {MONEY} NOT NULL,
      match_status VARCHAR NOT NULL,      -- matched | unmatched | not_an_order
      external_id VARCHAR,                -- AMZ-{{storefront}}-{{order id}}
      record_type VARCHAR,
      internal_id VARCHAR,
      reason VARCHAR,
      line_storefront VARCHAR             -- the line's own storefront (its marketplace-name's), else the home one
    )
    """,
    # Warehouses created before a settlement's lines could belong to several storefronts.
    "ALTER TABLE settlement_line_matches ADD COLUMN IF NOT EXISTS line_storefront VARCHAR",
    f"""
    CREATE TABLE IF NOT EXISTS settlement_gl_summary (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      settlement_id VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      gl_account VARCHAR,                 -- NULL: lines no rule maps (the settlement is blocked)
      side VARCHAR NOT NULL,              -- lines | deposit
      debit {MONEY} NOT NULL,
      credit {MONEY} NOT NULL,
      line_count INTEGER NOT NULL
    )
    """,
)

# Views for analysts; created after every table, because two of them read the posting ledger too.
VIEWS: tuple[str, ...] = (
    # For analysts: one row per settlement with its tie-out, what did not match and what NetSuite holds.
    """
    CREATE OR REPLACE VIEW settlement_overview AS
    SELECT s.storefront, s.day AS deposit_day, s.settlement_id, s.report_id, s.currency,
           s.settlement_start_date, s.settlement_end_date, s.total_amount,
           coalesce(l.lines_sum, 0) AS lines_sum, s.total_amount - coalesce(l.lines_sum, 0) AS difference,
           s.total_amount = coalesce(l.lines_sum, 0) AND s.quarantined_lines = 0 AS ties_out,
           s.line_count, s.quarantined_lines,
           coalesce(m.unmatched_lines, 0) AS unmatched_order_lines,
           coalesce(a.unmapped_lines, 0) AS unmapped_lines,
           coalesce(p.records_posted, 0) AS netsuite_records_posted
    FROM settlements AS s
    LEFT JOIN (SELECT storefront, day, report_id, settlement_id, sum(amount) AS lines_sum FROM settlement_lines
               GROUP BY ALL) AS l USING (storefront, day, report_id, settlement_id)
    LEFT JOIN (SELECT storefront, day, settlement_id, count(*) AS unmatched_lines FROM settlement_line_matches
               WHERE match_status = 'unmatched' GROUP BY ALL) AS m USING (storefront, day, settlement_id)
    LEFT JOIN (SELECT storefront, day, settlement_id, count(*) AS unmapped_lines FROM settlement_line_accounts
               WHERE gl_account IS NULL OR suspense GROUP BY ALL) AS a USING (storefront, day, settlement_id)
    LEFT JOIN (SELECT regexp_extract(external_id, '^AMZ-STL-([^-]+)-', 1) AS settlement_id,
                      count(*) FILTER (WHERE status = 'posted') AS records_posted
               FROM netsuite_postings WHERE flow = 'settlements' GROUP BY 1) AS p USING (settlement_id)
    """,
    # Order lines of a settlement that no posted NetSuite record explains, with the reason.
    """
    CREATE OR REPLACE VIEW settlement_unmatched_lines AS
    SELECT m.storefront, m.day AS deposit_day, m.settlement_id, m.line_number, l.transaction_type, m.order_id,
           l.amount_type, l.amount_description, m.amount, l.currency, l.posted_date, m.external_id, m.reason,
           l.marketplace_name, m.line_storefront
    FROM settlement_line_matches AS m
    JOIN settlement_lines AS l USING (storefront, day, settlement_id, line_number)
    WHERE m.match_status = 'unmatched'
    """,
    # What Amazon charged, per settlement, fee account and fee description.
    """
    CREATE OR REPLACE VIEW settlement_fees_by_type AS
    SELECT l.storefront, l.day AS deposit_day, l.settlement_id, l.currency, a.gl_account, a.gl_account_name,
           l.amount_type, l.amount_description, count(*) AS line_count, sum(l.amount) AS amount
    FROM settlement_lines AS l
    JOIN settlement_line_accounts AS a USING (storefront, day, settlement_id, line_number)
    WHERE a.gl_section = 'fees'
    GROUP BY ALL
    """,
    # What the posting asset `settlement_gl_postings` wrote: every NetSuite record of each settlement (journal,
    # deposit or debit; payments, refund records and the fee journal in transactional mode), by deposit day.
    """
    CREATE OR REPLACE VIEW settlement_gl_postings AS
    SELECT s.storefront, s.day AS deposit_day, split_part(p.key, ':', 1) AS settlement_id, p.key, p.record_type,
           p.external_id, p.internal_id, p.status, p.netsuite_account, p.attempts, p.last_attempt, p.last_error
    FROM netsuite_postings AS p
    LEFT JOIN settlements AS s ON s.settlement_id = split_part(p.key, ':', 1)
    WHERE p.flow = 'settlements'
    """,
)
