"""The shipments flow's tables.

`shipped_packages` is NetSuite's shipped item fulfillments of a storefront-day, one row per carton and what it
holds. `shipment_confirmations` is the ledger of every package confirmed (or not) to Amazon: one row per storefront ×
order × package reference id, on the fulfillment's ship day, its latest attempt; a confirmed row is never sent
again.
`sales_orders_billed` holds each Sales Order the flow billed once it was fully shipped (`billing.py`), one row per
order, never billed again.
`amazon_order_items` caches getOrderItems (Amazon's order item ids, which the order report does not carry), fetched
once per order. The view `sales_orders_to_confirm_shipment` lists posted MFN and SFP Sales Orders with units Amazon
has not been told about; it empties as packages are confirmed.
"""

from __future__ import annotations

TABLES: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS shipped_packages (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                  -- the fulfillment's ship date (NetSuite trandate)
      read_at TIMESTAMP NOT NULL,
      fulfillment_id VARCHAR NOT NULL,
      tran_id VARCHAR,
      amazon_order_id VARCHAR NOT NULL,
      ship_method VARCHAR,
      carrier VARCHAR,                    -- the carrier the ship method's name starts with, else the whole name
      position INTEGER NOT NULL,          -- the carton's position in its fulfillment, 1…n
      package_count INTEGER NOT NULL,     -- 0: the fulfillment has no packages (then one carton of everything)
      tracking_number VARCHAR,
      package_weight DECIMAL(18, 4),
      contents VARCHAR NOT NULL           -- JSON [{"sku", "quantity", "order_line"}]: the units packed in this carton
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS shipment_confirmations (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                  -- the fulfillment's ship date (NetSuite trandate)
      amazon_order_id VARCHAR NOT NULL,
      fulfillment_id VARCHAR NOT NULL,    -- NetSuite's internal id of the item fulfillment
      package_reference_id VARCHAR NOT NULL,  -- fulfillment id × 1000 + the carton's position: stable across runs
      carrier_code VARCHAR,
      carrier_name VARCHAR,               -- with carrier_code 'Other'
      ship_method VARCHAR,
      tracking_number VARCHAR,            -- what was (or would be) sent; NULL when NetSuite has none
      ship_date TIMESTAMP,                -- naive UTC, as sent
      items VARCHAR NOT NULL,             -- JSON [{"orderItemId", "sku", "quantity"}] of the package
      units INTEGER NOT NULL,
      status VARCHAR NOT NULL,            -- confirmed | amazon_label | held_no_tracking | refused | failed
      reason VARCHAR,
      sent_at TIMESTAMP NOT NULL,         -- naive UTC of the latest attempt
      PRIMARY KEY (storefront, amazon_order_id, package_reference_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sales_orders_billed (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,                  -- the order's last ship day: the invoice's tranDate
      amazon_order_id VARCHAR NOT NULL,
      sales_order_id VARCHAR NOT NULL,    -- NetSuite's internal id of the Sales Order
      invoice_id VARCHAR NOT NULL,        -- ... of the invoice billed from it
      invoice_external_id VARCHAR NOT NULL,  -- AMZ-{storefront}-{order id}-INV
      tran_date DATE NOT NULL,
      amount DECIMAL(18, 4) NOT NULL,     -- the invoice's total, in the storefront's currency
      billed_at TIMESTAMP NOT NULL,       -- naive UTC
      PRIMARY KEY (storefront, amazon_order_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS amazon_order_items (
      storefront VARCHAR NOT NULL,
      amazon_order_id VARCHAR NOT NULL,
      order_item_id VARCHAR NOT NULL,
      sku VARCHAR NOT NULL,
      quantity_ordered INTEGER NOT NULL,
      fetched_at TIMESTAMP NOT NULL,
      PRIMARY KEY (storefront, amazon_order_id, order_item_id)
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # Posted Sales Orders (MFN, and SFP: complete for the orders flow, not for this one) whose units Amazon has not
    # all been told about; cancelled orders and closed MFN orders drop out.
    """
    CREATE OR REPLACE VIEW sales_orders_to_confirm_shipment AS
    SELECT p.storefront, p.key AS amazon_order_id, p.external_id, p.internal_id, p.source_updated, p.last_attempt,
           o.channel, o.quantity, coalesce(c.units, 0) AS units_confirmed
    FROM netsuite_postings AS p
    LEFT JOIN orders_latest AS o ON o.storefront = p.storefront AND o.amazon_order_id = p.key
    LEFT JOIN (SELECT storefront, amazon_order_id, sum(units) AS units FROM shipment_confirmations
               WHERE status IN ('confirmed', 'amazon_label') GROUP BY storefront, amazon_order_id) AS c
      ON c.storefront = p.storefront AND c.amazon_order_id = p.key
    WHERE p.flow = 'orders' AND p.record_type = 'salesOrder' AND p.posted_body IS NOT NULL
      AND (NOT p.complete OR (o.channel = 'SFP' AND o.order_status <> 'Cancelled'))
      AND coalesce(c.units, 0) < coalesce(o.quantity, 1)
    """,
)
