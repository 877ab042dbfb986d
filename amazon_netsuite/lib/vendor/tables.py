"""The vendor flow's warehouse tables.

`vendor_purchase_orders`: one row per purchase order line as Amazon last showed it (after any change Amazon made),
for both programs; `day` is the UTC day it was placed, the partition that lands it. `vendor_acknowledgements`: every
acknowledgement sent, with its transaction and what became of it. `vendor_order_status`: one row per purchase order,
its integration status in words (the same text the Sales Order shows in NetSuite).
"""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

TABLES: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS vendor_purchase_orders (
      storefront VARCHAR NOT NULL, day DATE NOT NULL, program VARCHAR NOT NULL, purchase_order_number VARCHAR NOT NULL,
      state VARCHAR, placed_at TIMESTAMP NOT NULL, changed_at TIMESTAMP, line INTEGER NOT NULL,
      item_sequence_number VARCHAR NOT NULL, vendor_sku VARCHAR, asin VARCHAR, ordered_amount INTEGER NOT NULL,
      unit VARCHAR NOT NULL, unit_size INTEGER NOT NULL, ordered_eaches INTEGER NOT NULL, net_cost {MONEY},
      currency VARCHAR, back_order_allowed BOOLEAN NOT NULL, selling_party VARCHAR, ship_from_party VARCHAR,
      landed_at TIMESTAMP NOT NULL,
      PRIMARY KEY (storefront, purchase_order_number, line)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS vendor_acknowledgements (
      storefront VARCHAR NOT NULL, purchase_order_number VARCHAR NOT NULL, program VARCHAR NOT NULL,
      transaction_id VARCHAR, sent_at TIMESTAMP NOT NULL, body VARCHAR NOT NULL, body_hash VARCHAR NOT NULL,
      accepted_eaches INTEGER NOT NULL, backordered_eaches INTEGER NOT NULL, rejected_eaches INTEGER NOT NULL,
      status VARCHAR NOT NULL, reason VARCHAR, checked_at TIMESTAMP
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS vendor_order_status (
      storefront VARCHAR NOT NULL, purchase_order_number VARCHAR NOT NULL, program VARCHAR NOT NULL,
      sales_order_id VARCHAR, status VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL,
      PRIMARY KEY (storefront, purchase_order_number)
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # What `vendor_sales_orders_posted` wrote, as the ledger has it.
    """
    CREATE OR REPLACE VIEW vendor_sales_orders_posted AS
    SELECT storefront, key, external_id, internal_id, status, attempts, last_attempt, last_error
    FROM netsuite_postings WHERE flow = 'vendor'
    """,
)
