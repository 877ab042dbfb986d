"""The returns flow's warehouse tables, per storefront-day (the day the report covers; a later run replaces it):
the two returns reports as parsed (`lib/returns/reports.py`), and the rows each set aside with the reason
(`…_quarantine`)."""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

TABLES: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS fba_customer_returns (
      storefront VARCHAR NOT NULL, day DATE NOT NULL, report_id VARCHAR NOT NULL, row_number INTEGER NOT NULL,
      return_date TIMESTAMP NOT NULL, order_id VARCHAR NOT NULL, sku VARCHAR NOT NULL, asin VARCHAR, fnsku VARCHAR,
      product_name VARCHAR, quantity INTEGER NOT NULL, fulfillment_center_id VARCHAR, disposition VARCHAR NOT NULL,
      reason VARCHAR, status VARCHAR, license_plate_number VARCHAR, customer_comments VARCHAR,
      return_day DATE NOT NULL, sellable BOOLEAN NOT NULL
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS mfn_returns (
      storefront VARCHAR NOT NULL, day DATE NOT NULL, report_id VARCHAR NOT NULL, row_number INTEGER NOT NULL,
      order_id VARCHAR NOT NULL, order_date TIMESTAMP, return_request_date TIMESTAMP NOT NULL,
      return_request_status VARCHAR, amazon_rma_id VARCHAR, merchant_rma_id VARCHAR, label_type VARCHAR,
      label_cost {MONEY}, currency VARCHAR, return_carrier VARCHAR, tracking_id VARCHAR, label_paid_by VARCHAR,
      a_to_z_claim BOOLEAN, is_prime BOOLEAN, asin VARCHAR, sku VARCHAR NOT NULL, item_name VARCHAR,
      return_quantity INTEGER NOT NULL, return_reason VARCHAR, in_policy BOOLEAN, return_type VARCHAR,
      resolution VARCHAR, invoice_number VARCHAR, return_delivery_date TIMESTAMP, order_amount {MONEY},
      order_quantity INTEGER, safet_action_reason VARCHAR, safet_claim_id VARCHAR, safet_claim_state VARCHAR,
      safet_claim_created TIMESTAMP, safet_claim_reimbursement {MONEY}, refunded_amount {MONEY},
      return_request_day DATE NOT NULL
    )
    """,
    *(f"""
    CREATE TABLE IF NOT EXISTS {table}_quarantine (
      storefront VARCHAR NOT NULL, day DATE NOT NULL, report_id VARCHAR NOT NULL,
      row_number INTEGER NOT NULL, reason VARCHAR NOT NULL, raw_row VARCHAR NOT NULL
    )
    """ for table in ("fba_customer_returns", "mfn_returns")),
)

VIEWS: tuple[str, ...] = (
    # What `return_receipts_posted` wrote: each return's authorization, receipt and write-off, as the ledger has them.
    """
    CREATE OR REPLACE VIEW return_receipts_posted AS
    SELECT storefront, key, record_type, external_id, internal_id, status, attempts, last_attempt, last_error
    FROM netsuite_postings WHERE flow = 'returns'
    """,
)
