"""The accruals flow's table: `daily_accrual`, per storefront-day (the UTC day Amazon posted the transactions), the
money of Finances API transactions no posted settlement carries yet, per GL account (the settlement's own mapping),
deferred (DD7) money apart. It reads `finance_transactions` (the finances flow's). The view `month_end_accruals`
lists the accrual journals posted (the posting ledger's rows of flow `accruals`)."""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

# Stand-in for the finances flow's table (built in parallel, issue 13): the columns of
# lib/amazon/finances.TRANSACTIONS_SCHEMA plus storefront and the UTC day posted. Drop it here once that flow's
# tables.py declares it.
FINANCE_TRANSACTIONS = f"""
    CREATE TABLE IF NOT EXISTS finance_transactions (
      transaction_id VARCHAR, transaction_type VARCHAR, transaction_status VARCHAR, description VARCHAR,
      posted_date TIMESTAMPTZ, marketplace_id VARCHAR, order_id VARCHAR, financial_event_group_id VARCHAR,
      settlement_id VARCHAR, sku VARCHAR, quantity INTEGER, fulfillment_network VARCHAR, breakdown_path VARCHAR,
      breakdown_type VARCHAR, amount {MONEY}, currency VARCHAR, deferral_reason VARCHAR, maturity_date TIMESTAMPTZ,
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL
    )
"""

TABLES: tuple[str, ...] = (
    FINANCE_TRANSACTIONS,
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
