"""The finances flow's tables.

Per storefront-day (the UTC day a transaction posted): `finance_transactions`, the Finances API 2024-06-19
transactions of the storefront's marketplace (DEFERRED ones included), one row per transaction × breakdown leaf (per
item where it has items), the columns of `lib/amazon/finances.TRANSACTIONS_SCHEMA`; and `refunds_posted`, what each
of the day's refunds, chargebacks and A-to-z claims became in NetSuite (the settlement reads it to match them).
"""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

TABLES: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS finance_transactions (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                  -- the UTC day of posted_date
      transaction_id VARCHAR NOT NULL,
      transaction_type VARCHAR,           -- Shipment | Refund | Chargeback | GuaranteeClaim | ServiceFee ...
      transaction_status VARCHAR,         -- DEFERRED | RELEASED | DEFERRED_RELEASED
      description VARCHAR,
      posted_date TIMESTAMPTZ,
      marketplace_id VARCHAR,
      order_id VARCHAR,
      financial_event_group_id VARCHAR,
      settlement_id VARCHAR,              -- NULL until the transaction's settlement exists
      sku VARCHAR,
      quantity INTEGER,
      fulfillment_network VARCHAR,        -- AFN | MFN
      breakdown_path VARCHAR,             -- e.g. ProductCharges/Principal, AmazonFees/Commission
      breakdown_type VARCHAR,             -- the leaf
      amount {MONEY},
      currency VARCHAR,
      deferral_reason VARCHAR,            -- DD7 ...
      maturity_date TIMESTAMPTZ
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS refunds_posted (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      transaction_id VARCHAR NOT NULL,    -- the Amazon transaction (Refund, Chargeback, GuaranteeClaim)
      transaction_type VARCHAR NOT NULL,
      order_id VARCHAR,
      posted_date TIMESTAMPTZ,
      currency VARCHAR,
      refunded {MONEY},                   -- what the buyer got back: the refund record's total
      record_type VARCHAR,                -- cashRefund | creditMemo
      external_id VARCHAR,                -- AMZ-RFD-{{transaction id}}
      internal_id VARCHAR,
      applied {MONEY},                    -- of a credit memo, what it applied to the order's invoice
      paid_out {MONEY},                   -- of a credit memo, what a customer refund paid out of clearing
      status VARCHAR NOT NULL,            -- posted | error | settled (its settlement posted the refund first)
                                          -- | nothing (no money back to the buyer)
      reason VARCHAR
    )
    """,
)

VIEWS: tuple[str, ...] = ()
