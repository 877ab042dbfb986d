"""The accruals flow's table: `daily_accrual`, per storefront-day (the UTC day Amazon posted the transactions), the
money of Finances API transactions no posted settlement carries yet, per GL account (the settlement's own mapping),
deferred (DD7) money apart. It reads `finance_transactions` (the finances flow's). The view `month_end_accruals`
lists the accrual journals posted (the posting ledger's rows of flow `accruals`)."""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

TABLES: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS daily_accrual (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      gl_account VARCHAR,                 -- NULL: no rule of data/gl_mapping.yaml maps the line
      section VARCHAR,                    -- sales, fees, tax, refunds ... (the account's section)
      deferred BOOLEAN NOT NULL,          -- held by Amazon (DD7) when the day was computed
      currency VARCHAR NOT NULL,
      amount {MONEY} NOT NULL,            -- settlement signs: > 0 Amazon owes the seller (a credit to the account)
      transactions INTEGER NOT NULL,
      computed_at TIMESTAMP NOT NULL
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # What the posting asset `month_end_accruals` wrote: each month's accrual journal (key YYYYMM).
    """
    CREATE OR REPLACE VIEW month_end_accruals AS
    SELECT storefront, key AS month, record_type, external_id, internal_id, status, netsuite_account, attempts,
           last_attempt, last_error
    FROM netsuite_postings WHERE flow = 'accruals'
    """,
)
