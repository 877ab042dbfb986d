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

VIEWS: tuple[str, ...] = ()
