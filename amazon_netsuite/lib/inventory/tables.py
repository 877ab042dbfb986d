"""The inventory flow's warehouse tables, as plain data (`amazon_netsuite/schema.py` creates them in order).

Per storefront-day (the UTC day of the run; a later run the same day replaces it): `netsuite_inventory_snapshot`
(item × location as NetSuite showed it), `fba_inventory_snapshot` (Amazon's FBA stock), `available_to_sell` (what
each MFN SKU may show), `inventory_feed_submissions` (each message sent, and how Amazon answered) and
`fba_inventory_ledger` (Amazon's FBA movements of the day, each with the NetSuite adjustment it became).
`amazon_listing_quantities` is the register of what Amazon last accepted per storefront × SKU: a push sends only
what differs from it. NetSuite quantities are decimals (NetSuite allows fractions and negatives; the flow refuses
them with a reason), Amazon's are whole units.
"""

from __future__ import annotations

QTY = "DECIMAL(18,4)"

TABLES: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS netsuite_inventory_snapshot (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      taken_at TIMESTAMP NOT NULL,        -- naive UTC: when NetSuite was read
      item_id VARCHAR NOT NULL,           -- NetSuite internal id
      sku VARCHAR NOT NULL,               -- item name / external id: the Amazon SKU
      item_type VARCHAR NOT NULL,         -- InvtPart | Kit | …
      matrix_type VARCHAR,                -- PARENT | CHILD | NULL
      location VARCHAR NOT NULL,          -- location external id (or internal id when it has none)
      is_fba_location BOOLEAN NOT NULL,
      quantity_on_hand {QTY},
      quantity_available {QTY},
      quantity_committed {QTY},
      quantity_on_order {QTY},
      quantity_in_transit {QTY},
      last_quantity_change TIMESTAMP      -- lastquantityavailablechange
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS netsuite_kit_members (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      kit_sku VARCHAR NOT NULL,
      member_sku VARCHAR,                 -- NULL when the member item is missing or inactive
      member_item_id VARCHAR NOT NULL,
      quantity DECIMAL(18,4) NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS fba_inventory_snapshot (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      taken_at TIMESTAMP NOT NULL,
      sku VARCHAR NOT NULL,
      fnsku VARCHAR,
      asin VARCHAR,
      fulfillable INTEGER NOT NULL,
      inbound_working INTEGER NOT NULL,
      inbound_shipped INTEGER NOT NULL,
      inbound_receiving INTEGER NOT NULL,
      reserved INTEGER NOT NULL,
      reserved_pending_customer_order INTEGER NOT NULL,
      unfulfillable INTEGER NOT NULL,
      researching INTEGER NOT NULL,
      total INTEGER NOT NULL,
      last_updated TIMESTAMP
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS available_to_sell (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      computed_at TIMESTAMP NOT NULL,
      snapshot_taken_at TIMESTAMP NOT NULL,
      sku VARCHAR NOT NULL,
      is_kit BOOLEAN NOT NULL,
      on_hand {QTY},                      -- Σ over the storefront's locations (its share of split ones)
      committed {QTY},
      safety_stock INTEGER NOT NULL,
      quantity INTEGER,                   -- what Amazon should show; NULL when held back
      held_back_reason VARCHAR            -- why a SKU is not pushed (negative or fractional stock, missing member)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS inventory_feed_submissions (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      feed_id VARCHAR,                    -- NULL: not sent (held by the gate, or nothing to send)
      submitted_at TIMESTAMP NOT NULL,
      feed_status VARCHAR,                -- DONE | FATAL | CANCELLED | NOT_SENT
      message_id INTEGER NOT NULL,
      sku VARCHAR NOT NULL,
      quantity INTEGER NOT NULL,          -- what the message set
      previous_quantity INTEGER,          -- what Amazon had last accepted (NULL: never pushed)
      outcome VARCHAR NOT NULL,           -- accepted | rejected | read_back | unknown
      issue VARCHAR                       -- the processing report's issues for the message
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS amazon_listing_quantities (
      storefront VARCHAR NOT NULL,
      sku VARCHAR NOT NULL,
      quantity INTEGER NOT NULL,          -- what Amazon accepted last (or showed when read back)
      accepted_at TIMESTAMP NOT NULL,
      feed_id VARCHAR,                    -- the feed it came with; NULL when read back from the listing
      PRIMARY KEY (storefront, sku)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS fba_inventory_ledger (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      report_id VARCHAR NOT NULL,
      ledger_key VARCHAR NOT NULL,        -- date|fnsku|event type|reference id|fulfillment center|disposition|reason
      event_date DATE NOT NULL,
      event_time TIMESTAMP,
      fnsku VARCHAR,
      asin VARCHAR,
      sku VARCHAR NOT NULL,
      event_type VARCHAR NOT NULL,        -- Shipments | CustomerReturns | Receipts | Adjustments | VendorReturns | …
      reference_id VARCHAR,
      quantity INTEGER NOT NULL,
      fulfillment_center VARCHAR,
      disposition VARCHAR,
      reason VARCHAR,
      country VARCHAR,
      adjusts_netsuite BOOLEAN NOT NULL,  -- false: another record moves it (a Cash Sale) or not sellable stock
      not_adjusted_reason VARCHAR
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # What `fba_inventory_adjustments_posted` wrote: the ledger rows of its inventory adjustments.
    """
    CREATE OR REPLACE VIEW fba_inventory_adjustments_posted AS
    SELECT p.storefront, l.day, p.key AS ledger_key, l.event_type, l.sku, l.quantity, p.external_id, p.internal_id,
           p.status, p.netsuite_account, p.attempts, p.last_attempt, p.last_error
    FROM netsuite_postings AS p
    LEFT JOIN fba_inventory_ledger AS l ON l.storefront = p.storefront AND l.ledger_key = p.key
    WHERE p.flow = 'inventory' AND p.record_type = 'inventoryAdjustment'
    """,
    # Every SKU Amazon holds at FBA whose NetSuite FBA quantity differs, from each storefront's newest snapshots.
    # Amazon's side is fulfillable + reserved: NetSuite still holds the units Amazon reserved for orders it has not
    # shipped (their Cash Sales move them when they ship).
    """
    CREATE OR REPLACE VIEW fba_stock_differences AS
    WITH amazon AS (
      SELECT storefront, day, sku, fulfillable, reserved, fulfillable + reserved AS amazon_quantity, taken_at
      FROM fba_inventory_snapshot QUALIFY day = max(day) OVER (PARTITION BY storefront)
    ), netsuite AS (
      SELECT storefront, day, sku, location, quantity_on_hand, taken_at
      FROM netsuite_inventory_snapshot WHERE is_fba_location QUALIFY day = max(day) OVER (PARTITION BY storefront)
    )
    SELECT a.storefront, a.sku, n.location AS netsuite_location, n.quantity_on_hand AS netsuite_quantity,
           a.fulfillable, a.reserved, a.amazon_quantity,
           coalesce(n.quantity_on_hand, 0) - a.amazon_quantity AS difference,
           CASE WHEN n.sku IS NULL THEN 'no NetSuite item at the FBA location' ELSE 'quantities differ' END AS reason,
           a.taken_at AS amazon_taken_at, n.taken_at AS netsuite_taken_at
    FROM amazon AS a LEFT JOIN netsuite AS n ON n.storefront = a.storefront AND n.day = a.day AND n.sku = a.sku
    WHERE coalesce(n.quantity_on_hand, 0) <> a.amazon_quantity
    """,
)
