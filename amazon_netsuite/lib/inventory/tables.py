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

from amazon_netsuite.lib.inventory.ledger import MOVED_BY_CASH_SALE

QTY = "DECIMAL(18,4)"

# When NetSuite first held a record of the ledger (rows posted before `first_posted` existed: their first attempt).
_POSTED_AT = "coalesce(p.first_posted, CASE WHEN p.status = 'posted' THEN p.first_attempt END)"


def pending_sql(rows: str, amazon_at: str, netsuite_at: str, opened_at: str = "NULL") -> str:
    """The rows of `rows` (ledger rows with `storefront`) that Amazon's stock at `amazon_at` has and NetSuite's at
    `netsuite_at` has not, with `waiting_for` saying which record still moves them. A shipment waits for its order's
    Cash Sale if the order is loaded, or (its report not loaded yet) if it shipped after the FBA location's opening
    at `opened_at`; before it, the opening holds it. The arguments are SQL expressions (columns of `rows`, or
    parameters)."""
    return f"""
    SELECT r.*, CASE WHEN r.adjusts_netsuite THEN 'inventory adjustment of ' || r.event_type || ' ' ||
                                                   coalesce(r.reference_id, '-')
                     ELSE 'Cash Sale of order ' || r.reference_id END AS waiting_for
    FROM {rows} AS r
    WHERE coalesce(r.event_time <= {amazon_at}, r.event_date < CAST({amazon_at} AS DATE))
      AND ((r.adjusts_netsuite AND NOT EXISTS (
              SELECT 1 FROM netsuite_postings p WHERE p.flow = 'inventory' AND p.storefront = r.storefront
                AND p.key = r.ledger_key AND {_POSTED_AT} <= {netsuite_at}))
           OR (r.not_adjusted_reason = '{MOVED_BY_CASH_SALE.replace("'", "''")}'
               AND (EXISTS (SELECT 1 FROM orders o WHERE o.amazon_order_id = r.reference_id)
                    OR coalesce(r.event_time > {opened_at}, r.event_date > CAST({opened_at} AS DATE)))
               AND NOT EXISTS (
                 SELECT 1 FROM netsuite_postings p WHERE p.flow = 'orders' AND p.key = r.reference_id
                   AND p.record_type = 'cashSale' AND {_POSTED_AT} <= {netsuite_at})))
    """


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
    # Once per FBA location, at go-live (lib/inventory/opening.py): what each SKU's opening adjustment is made of.
    f"""
    CREATE TABLE IF NOT EXISTS fba_opening_balances (
      fba_location VARCHAR NOT NULL,
      sku VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,        -- whose snapshots it was computed from
      snapshot_day DATE NOT NULL,
      amazon_taken_at TIMESTAMP NOT NULL, -- the FBA snapshot: movements up to here are in the opening or pending
      netsuite_taken_at TIMESTAMP NOT NULL,
      amazon_quantity INTEGER NOT NULL,   -- fulfillable + reserved
      netsuite_quantity {QTY} NOT NULL,   -- on hand at the FBA location
      pending_quantity INTEGER NOT NULL,  -- Σ of the pending ledger rows: their records were still to post
      quantity {QTY} NOT NULL,            -- the opening adjustment: amazon − netsuite − pending
      pending_keys VARCHAR[] NOT NULL,    -- those rows' ledger keys
      computed_at TIMESTAMP NOT NULL,
      PRIMARY KEY (fba_location, sku)
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
    # shipped (their Cash Sales move them when they ship). A difference is explained (`unexplained` = 0) when it is
    # the sum of the movements still to post (`pending_units`, `waiting_for` names their records): ledger rows of
    # any storefront sharing the FBA location, and an opening adjustment not yet in NetSuite.
    f"""
    CREATE OR REPLACE VIEW fba_stock_differences AS
    WITH amazon AS (
      SELECT storefront, day, sku, fulfillable, reserved, fulfillable + reserved AS amazon_quantity, taken_at
      FROM fba_inventory_snapshot QUALIFY day = max(day) OVER (PARTITION BY storefront)
    ), netsuite AS (
      SELECT storefront, day, sku, location, quantity_on_hand, taken_at
      FROM netsuite_inventory_snapshot WHERE is_fba_location QUALIFY day = max(day) OVER (PARTITION BY storefront)
    ), viewers AS (
      SELECT a.storefront, max(a.taken_at) AS amazon_at, max(n.taken_at) AS netsuite_at, any_value(n.location) AS location
      FROM amazon a JOIN netsuite n ON n.storefront = a.storefront AND n.day = a.day GROUP BY a.storefront
    ), known AS (
      SELECT v.storefront AS viewer, v.amazon_at, v.netsuite_at,
             (SELECT max(o.amazon_taken_at) FROM fba_opening_balances o WHERE o.fba_location = v.location) AS opened_at,
             l.*
      FROM viewers v
      JOIN (SELECT DISTINCT storefront, location FROM netsuite) s ON s.location = v.location
      JOIN fba_inventory_ledger l ON l.storefront = s.storefront
    ), pending AS (
      SELECT viewer, sku, sum(quantity) AS units, list(waiting_for ORDER BY event_date, ledger_key) AS waiting
      FROM ({pending_sql("known", "r.amazon_at", "r.netsuite_at", "r.opened_at")}) GROUP BY viewer, sku
      UNION ALL
      SELECT v.storefront, o.sku, sum(o.quantity), list('FBA opening balance adjustment')
      FROM viewers v JOIN fba_opening_balances o ON o.fba_location = v.location AND o.amazon_taken_at <= v.amazon_at
      WHERE o.quantity <> 0 AND NOT EXISTS (
        SELECT 1 FROM netsuite_postings p WHERE p.flow = 'inventory' AND p.storefront = o.storefront
          AND p.key = 'opening|' || o.fba_location || '|' || o.sku AND {_POSTED_AT} <= v.netsuite_at)
      GROUP BY ALL
    ), explained AS (
      SELECT viewer, sku, sum(units) AS units, flatten(list(waiting)) AS waiting FROM pending GROUP BY ALL
    )
    SELECT a.storefront, a.sku, n.location AS netsuite_location, n.quantity_on_hand AS netsuite_quantity,
           a.fulfillable, a.reserved, a.amazon_quantity,
           coalesce(n.quantity_on_hand, 0) - a.amazon_quantity AS difference,
           coalesce(e.units, 0)::INTEGER AS pending_units,
           coalesce(n.quantity_on_hand, 0) - a.amazon_quantity + coalesce(e.units, 0) AS unexplained,
           e.waiting[1:20] AS waiting_for,
           CASE WHEN n.sku IS NULL THEN 'no NetSuite item at the FBA location'
                WHEN coalesce(n.quantity_on_hand, 0) - a.amazon_quantity + coalesce(e.units, 0) = 0
                  THEN 'NetSuite records still to post (waiting_for)'
                ELSE 'quantities differ' END AS reason,
           a.taken_at AS amazon_taken_at, n.taken_at AS netsuite_taken_at
    FROM amazon AS a
    LEFT JOIN netsuite AS n ON n.storefront = a.storefront AND n.day = a.day AND n.sku = a.sku
    LEFT JOIN explained AS e ON e.viewer = a.storefront AND e.sku = a.sku
    WHERE coalesce(n.quantity_on_hand, 0) <> a.amazon_quantity OR coalesce(e.units, 0) <> 0
    """,
)
