"""Columns of `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2` and the warehouse tables the settlement flow fills.

The file (amazon-facts §2b): a header line, then the settlement's totals row (settlement-id, settlement-start-date,
settlement-end-date, deposit-date, total-amount, currency; every detail column empty), then one detail row per
amount (transaction-type … promotion-id; the totals columns empty or repeated). Every table carries `storefront`
and `day` (the UTC day of the deposit) so a partition is replaced by one DELETE + INSERT.
"""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.schema import MONEY, register_ddl

REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

# Amazon's documented attribute list, in file order, plus the `promotion-id` real files end with.
DOCUMENTED_COLUMNS: tuple[str, ...] = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
)
TOTALS_COLUMNS: tuple[str, ...] = DOCUMENTED_COLUMNS[:6]
DETAIL_TEXT_COLUMNS: tuple[str, ...] = (
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "fulfillment-id", "order-item-code", "merchant-order-item-id",
    "merchant-adjustment-item-id", "sku", "promotion-id",
)

# Without these a settlement cannot be read or tied out; a file lacking any of them is refused.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "settlement-id", "deposit-date", "total-amount", "currency", "transaction-type", "amount-type",
    "amount-description", "amount",
)


def column_name(header_name: str) -> str:
    """`amount-description` → `amount_description`."""
    return header_name.replace("-", "_")


# One typed detail line, in this order (`ParsedSettlement.lines`; `settlement_lines` adds storefront and day).
LINE_COLUMNS: tuple[str, ...] = (
    "report_id", "settlement_id", "line_number", "transaction_type", "order_id", "merchant_order_id",
    "adjustment_id", "shipment_id", "marketplace_name", "amount_type", "amount_description", "amount", "currency",
    "fulfillment_id", "posted_date", "posted_date_time", "order_item_code", "merchant_order_item_id",
    "merchant_adjustment_item_id", "sku", "quantity_purchased", "promotion_id", "extra_columns",
)

QUARANTINE_COLUMNS: tuple[str, ...] = ("report_id", "settlement_id", "line_number", "reason", "raw_line")

DDL: tuple[str, ...] = (
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
register_ddl(DDL)
