"""The orders flow's warehouse tables, as plain data (`amazon_netsuite/schema.py` creates them in order).

`order_report_rows` keeps the order report as received; `orders` and `order_lines` are its typed rows per
storefront-day, `order_report_quarantine` and `order_report_unrouted` the rows that are not. Partitioned tables
carry `storefront` and `day` (naive UTC DATE) so a partition is replaced by one DELETE + INSERT.
"""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

from amazon_netsuite.lib.amazon.order_report import DOCUMENTED_COLUMNS

# The order report's columns as loaded (header names with '-' → '_'), kept as text: "rows as received". Amazon's
# documented columns first, then the ones real files carry besides.
ORDER_REPORT_TEXT_COLUMNS: tuple[str, ...] = (
    *(c.replace("-", "_") for c in DOCUMENTED_COLUMNS), "tax_collection_model", "tax_collection_responsible_party",
    "is_prime",
)

_ORDER_REPORT_ROWS = (
    "CREATE TABLE IF NOT EXISTS order_report_rows (\n"
    "  storefront VARCHAR NOT NULL, day DATE NOT NULL, report_id VARCHAR NOT NULL, row_number INTEGER NOT NULL,\n  "
    + ",\n  ".join(f"{c} VARCHAR" for c in ORDER_REPORT_TEXT_COLUMNS)
    + ",\n  extra_columns VARCHAR,  -- JSON object of columns we do not know yet, so nothing received is lost"
    + "\n  parse_error VARCHAR     -- why the line could not be split into the header's fields (then quarantined)\n)"
)

_MONEY_LINE_COLUMNS = (
    "item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price", "gift_wrap_tax",
    "item_promotion_discount", "ship_promotion_discount",
)

TABLES: tuple[str, ...] = (
    _ORDER_REPORT_ROWS,
    f"""
    CREATE TABLE IF NOT EXISTS orders (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                 -- UTC day of last-updated-date: the day this state was reported
      amazon_order_id VARCHAR NOT NULL,
      merchant_order_id VARCHAR,
      purchase_date TIMESTAMP NOT NULL,
      last_updated_date TIMESTAMP NOT NULL,
      order_status VARCHAR NOT NULL,
      channel VARCHAR NOT NULL,          -- FBA | MFN | SFP (seller-fulfilled Prime)
      sales_channel VARCHAR NOT NULL,
      ship_service_level VARCHAR,
      currency VARCHAR NOT NULL,
      is_business_order BOOLEAN NOT NULL,
      purchase_order_number VARCHAR,
      line_count INTEGER NOT NULL,
      quantity INTEGER NOT NULL,
      {", ".join(f"{c} {MONEY}" for c in _MONEY_LINE_COLUMNS)},
      marketplace_facilitator_tax {MONEY},
      seller_collected_tax {MONEY},
      order_total {MONEY},               -- item + shipping + gift wrap + seller-collected tax + discounts
      has_gift_wrap BOOLEAN NOT NULL,
      promotion_ids VARCHAR,
      report_id VARCHAR NOT NULL
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS order_lines (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      amazon_order_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,
      sku VARCHAR NOT NULL,
      asin VARCHAR,
      product_name VARCHAR,
      item_status VARCHAR,
      quantity INTEGER NOT NULL,
      currency VARCHAR NOT NULL,
      unit_price {MONEY},                -- item-price / quantity (item-price is the line aggregate)
      {", ".join(f"{c} {MONEY}" for c in _MONEY_LINE_COLUMNS)},
      tax_collection_model VARCHAR,
      marketplace_facilitator_tax {MONEY},
      seller_collected_tax {MONEY},
      promotion_ids VARCHAR,
      price_designation VARCHAR,
      report_id VARCHAR NOT NULL,
      row_number INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS order_report_quarantine (
      storefront VARCHAR NOT NULL,       -- '' when the row could not be routed to a storefront
      day DATE NOT NULL,
      report_id VARCHAR NOT NULL,
      row_number INTEGER NOT NULL,
      amazon_order_id VARCHAR,
      reason VARCHAR NOT NULL,
      raw_row VARCHAR                    -- the row as received (JSON of header → value, or the raw line)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS order_report_unrouted (
      report_id VARCHAR NOT NULL,        -- rows of a report that belong to no configured storefront-day
      row_number INTEGER NOT NULL,
      reason VARCHAR NOT NULL,
      raw_row VARCHAR
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # The latest known state of each order across partitions (an order is reported again on each day it changes).
    """
    CREATE OR REPLACE VIEW orders_latest AS
    SELECT * EXCLUDE (rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY storefront, amazon_order_id
                                   ORDER BY last_updated_date DESC, day DESC) AS rn
      FROM orders) WHERE rn = 1
    """,
    # `sales_orders_to_confirm_shipment` (posted Sales Orders whose shipment Amazon still needs) is the shipments
    # flow's: lib/shipments/tables.py.
    # What the posting assets `sales_orders_posted` and `cash_sales_posted` wrote: the ledger rows of their record
    # type, on the day of the order's latest state (the partition that posted it last).
    *(f"""
    CREATE OR REPLACE VIEW {view} AS
    SELECT p.storefront, o.day, p.key AS amazon_order_id, p.external_id, p.internal_id, p.status, p.netsuite_account,
           p.attempts, p.last_attempt, p.last_error, p.complete
    FROM netsuite_postings AS p
    LEFT JOIN orders_latest AS o ON o.storefront = p.storefront AND o.amazon_order_id = p.key
    WHERE p.flow = 'orders' AND p.record_type = '{record_type}'
    """ for view, record_type in (("sales_orders_posted", "salesOrder"), ("cash_sales_posted", "cashSale"))),
)
