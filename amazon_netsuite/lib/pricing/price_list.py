"""A storefront-day's price list: the price of every mapped SKU, from NetSuite, with effective-dated changes.

Per SKU, in this order: the newest scheduled change for the storefront's price level and currency in effect on the
day (start date on or before it, end date after it or none), else the item's price at that level in that currency,
else its Base Price in that currency, else no price (held back with the reason). Prices are rounded once, to the
currency's minor unit (ISO 4217: JPY and KRW have none), half away from zero, so the price Amazon shows is the one
finance set, never off by a cent from a second rounding.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.settings.pricing import BASE_PRICE

# ISO 4217 minor units of the currencies Amazon's marketplaces sell in; two for any other.
MINOR_UNITS: dict[str, int] = {"JPY": 0, "KRW": 0, "CLP": 0, "HUF": 2, "TRY": 2}


_SQL = """
WITH skus AS (
  SELECT DISTINCT sku FROM prices
), scheduled AS (
  SELECT sku, price, 'scheduled change ' || change_id || ' from ' || strftime(start_date, '%Y-%m-%d') AS source
  FROM changes
  WHERE price_level = $level AND currency = $currency AND start_date <= $day
    AND (end_date IS NULL OR end_date > $day)
  QUALIFY row_number() OVER (PARTITION BY sku ORDER BY start_date DESC, change_id DESC) = 1
), at_level AS (
  SELECT sku, price, 'price level ' || price_level AS source FROM prices
  WHERE price_level = $level AND currency = $currency
), base AS (
  SELECT sku, price, 'price level ' || price_level AS source FROM prices
  WHERE price_level = $base AND currency = $currency
)
SELECT sku, $currency AS currency, CASE WHEN held_back_reason IS NULL THEN price END AS price, source,
       held_back_reason
FROM (
  SELECT s.sku, round(coalesce(c.price, l.price, b.price), $minor)::DECIMAL(18, 4) AS price,
         coalesce(c.source, l.source, b.source) AS source,
         CASE WHEN coalesce(c.price, l.price, b.price) IS NULL
                THEN 'no price in ' || $currency || ' at ' || $level || ' or ' || $base
              WHEN round(coalesce(c.price, l.price, b.price), $minor) <= 0
                THEN 'the price rounds to zero or less' END AS held_back_reason
  FROM skus s
  LEFT JOIN scheduled c USING (sku) LEFT JOIN at_level l USING (sku) LEFT JOIN base b USING (sku)
)
ORDER BY sku
"""


def price_list(prices: pa.Table, changes: pa.Table, *, price_level: str, currency: str, day: date) -> pa.Table:
    """sku, currency, price (rounded to the currency; NULL when held back), source, held_back_reason, from
    `netsuite_prices.read_prices` (the level's prices and the Base Price ones) and `read_price_changes`."""
    with duckdb.connect() as con:
        con.register("prices", prices)
        con.register("changes", changes)
        return con.sql(_SQL, params={"level": price_level, "currency": currency, "day": day, "base": BASE_PRICE,
                                     "minor": MINOR_UNITS.get(currency, 2)}).to_arrow_table()
