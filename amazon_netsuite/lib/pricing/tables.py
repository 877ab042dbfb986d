"""The pricing flow's tables.

Per storefront-day (the UTC day the prices apply to): `price_list` (every mapped SKU's price from NetSuite, with the
scheduled changes of that day applied, or why it is held back) and `price_feed_submissions` (each price message sent
to Amazon and how Amazon answered). `amazon_listing_prices` is the register of the price Amazon last accepted per
storefront × SKU: a push sends only what differs from it. The view `price_history` says which price was live on
Amazon (as our offer's our_price) from when until when.
"""

from __future__ import annotations

from amazon_netsuite.lib.warehouse.tables import MONEY

TABLES: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS price_list (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      computed_at TIMESTAMP NOT NULL,
      sku VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      price {MONEY},                      -- rounded once to the currency's minor unit; NULL when held back
      source VARCHAR,                     -- 'price level Amazon US', 'scheduled change 12 from 2026-12-04'
      cost {MONEY},                       -- the item's cost when NetSuite keeps it in this currency, for the gate
      held_back_reason VARCHAR
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS price_feed_submissions (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      feed_id VARCHAR NOT NULL,
      submitted_at TIMESTAMP NOT NULL,
      feed_status VARCHAR NOT NULL,       -- DONE | FATAL | CANCELLED
      message_id INTEGER NOT NULL,
      sku VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      price {MONEY} NOT NULL,             -- the our_price the message set
      previous_price {MONEY},             -- what Amazon had last accepted from us (NULL: never pushed)
      minimum_price {MONEY},              -- minimum_seller_allowed_price sent with it
      maximum_price {MONEY},              -- maximum_seller_allowed_price sent with it
      running_sale VARCHAR,               -- a sale Amazon showed before the message (kept: the patch merges)
      outcome VARCHAR NOT NULL,           -- accepted | rejected | read_back | unknown
      issue VARCHAR
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS amazon_listing_prices (
      storefront VARCHAR NOT NULL,
      sku VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      price {MONEY} NOT NULL,             -- the our_price Amazon accepted last (or showed when read back)
      accepted_at TIMESTAMP NOT NULL,
      feed_id VARCHAR,                    -- NULL when read back from the listing
      PRIMARY KEY (storefront, sku)
    )
    """,
)

VIEWS: tuple[str, ...] = (
    # Each price Amazon took from us, live from the message's submission until the next one Amazon took for the SKU.
    """
    CREATE OR REPLACE VIEW price_history AS
    SELECT storefront, sku, currency, price, submitted_at AS live_from,
           lead(submitted_at) OVER (PARTITION BY storefront, sku ORDER BY submitted_at, feed_id, message_id)
             AS live_until,
           previous_price, feed_id, running_sale
    FROM price_feed_submissions WHERE outcome IN ('accepted', 'read_back')
    """,
)
