"""Available to sell: what each merchant-fulfilled SKU of a storefront may show on Amazon, from NetSuite's stock.

Per SKU over the storefront's locations (FBA locations never count): Σ (on hand − committed), a location split
between storefronts at this storefront's share (floored to whole units), less safety stock, floored at 0. A kit is
min over its members of ⌊member available ÷ member quantity⌋ (member available before safety stock, floored at 0),
less the kit's own safety stock. All in DuckDB DECIMAL, so the units are exact.

Never written: matrix parents (they have no offer) and SKUs in the storefront's FBA snapshot: Amazon owns that stock,
and a DEFAULT quantity pushed to it would turn the offer merchant-fulfilled
(the `fulfillment_availability` rules of the product type definitions; see
https://developer-docs.amazon.com/sp-api/docs/merge-a-listing).
Held back (quantity NULL, with the reason): negative or fractional on hand / committed at one of the locations, a
kit with a missing or held-back member. NetSuite allows both; Amazon takes whole units ≥ 0.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.warehouse import replace_partition


def _shown(column: str) -> str:
    """A DECIMAL as a person writes it in a reason: -2, 1.5 (not -2.0000)."""
    return f"regexp_replace(regexp_replace({column}::VARCHAR, '(\\.\\d*?)0+$', '\\1'), '\\.$', '')"


# $1 storefront, $2 day, $3 computed_at, $4 locations, $5 their shares (text), $6 item SKUs, $7 their safety stock,
# $8 the storefront's safety stock for every other SKU.
_AVAILABLE_SQL = f"""
WITH locs AS (
  SELECT unnest($4::VARCHAR[]) AS location, CAST(unnest($5::VARCHAR[]) AS DECIMAL(18, 6)) AS share
),
safety AS (SELECT unnest($6::VARCHAR[]) AS sku, unnest($7::INTEGER[]) AS units),
snap AS (SELECT * FROM netsuite_inventory_snapshot WHERE storefront = $1 AND day = $2),
kit_rows AS (SELECT * FROM netsuite_kit_members WHERE storefront = $1 AND day = $2),
excluded AS (
  SELECT sku FROM snap WHERE matrix_type = 'PARENT'
  UNION SELECT sku FROM fba_inventory_snapshot WHERE storefront = $1 AND day = $2
),
at_location AS (  -- every row of the snapshot; share is NULL where the storefront does not draw from the location
  SELECT s.sku, s.location, l.share,
         coalesce(s.quantity_on_hand, 0) AS on_hand, coalesce(s.quantity_committed, 0) AS committed
  FROM snap s LEFT JOIN locs l ON l.location = s.location AND NOT s.is_fba_location
),
location_problems AS (
  SELECT sku, location, concat_ws(', ',
           CASE WHEN on_hand < 0 THEN 'negative on hand ' || {_shown('on_hand')} END,
           CASE WHEN on_hand <> floor(on_hand) THEN 'fractional on hand ' || {_shown('on_hand')} END,
           CASE WHEN committed < 0 THEN 'negative committed ' || {_shown('committed')} END,
           CASE WHEN committed <> floor(committed) THEN 'fractional committed ' || {_shown('committed')} END
         ) || ' at ' || location AS problem
  FROM at_location
  WHERE share IS NOT NULL
    AND (on_hand < 0 OR committed < 0 OR on_hand <> floor(on_hand) OR committed <> floor(committed))
),
items AS (  -- every SKU of the snapshot that is not a kit, with its stock summed over the storefront's locations
  SELECT sku,
         coalesce(sum(on_hand * share), 0) AS on_hand,
         coalesce(sum(committed * share), 0) AS committed,
         -- a split location gives whole units only: floor its share of (on hand − committed)
         coalesce(sum(CASE WHEN share = 1 THEN on_hand - committed ELSE floor((on_hand - committed) * share) END),
                  0) AS units
  FROM at_location
  WHERE sku NOT IN (SELECT kit_sku FROM kit_rows)
  GROUP BY sku
),
item_held AS (
  SELECT sku, string_agg(problem, '; ' ORDER BY location) AS reason
  FROM (SELECT sku, location, problem FROM location_problems
        UNION ALL  -- a kit NetSuite lists without members cannot be counted
        SELECT DISTINCT sku, '', 'kit without members in the snapshot' FROM snap
        WHERE item_type = 'Kit' AND sku NOT IN (SELECT kit_sku FROM kit_rows))
  GROUP BY sku
),
members AS (
  SELECT k.kit_sku, k.member_sku, k.member_item_id, k.quantity,
         greatest(coalesce(i.units, 0), 0) AS member_available, h.reason AS member_reason
  FROM kit_rows k LEFT JOIN items i ON i.sku = k.member_sku LEFT JOIN item_held h ON h.sku = k.member_sku
),
kits AS (
  SELECT kit_sku AS sku,
         min(floor(member_available / quantity)) FILTER (WHERE quantity > 0) AS units,
         string_agg(CASE
             WHEN member_sku IS NULL THEN 'member item ' || member_item_id || ' is missing or inactive'
             WHEN quantity <= 0 THEN 'member ' || member_sku || ' has quantity ' || {_shown('quantity')}
             WHEN member_reason IS NOT NULL THEN 'member ' || member_sku || ': ' || member_reason
           END, '; ' ORDER BY member_item_id) AS reason
  FROM members GROUP BY kit_sku
),
computed AS (
  SELECT i.sku, false AS is_kit, i.on_hand, i.committed, i.units, h.reason
  FROM items i LEFT JOIN item_held h USING (sku)
  UNION ALL
  SELECT sku, true, NULL, NULL, coalesce(units, 0), CASE WHEN reason IS NOT NULL THEN 'kit: ' || reason END
  FROM kits
)
SELECT $1 AS storefront, $2::DATE AS day, $3::TIMESTAMP AS computed_at,
       (SELECT max(taken_at) FROM snap) AS snapshot_taken_at,
       c.sku, c.is_kit, c.on_hand, c.committed,
       coalesce(f.units, $8)::INTEGER AS safety_stock,
       CASE WHEN c.reason IS NULL THEN greatest(c.units - coalesce(f.units, $8), 0)::INTEGER END AS quantity,
       c.reason AS held_back_reason
FROM computed c LEFT JOIN safety f USING (sku)
WHERE c.sku NOT IN (SELECT sku FROM excluded)
"""


def compute_available_to_sell(con: duckdb.DuckDBPyConnection, settings: Settings, storefront: str, day: date,
                              computed_at: datetime) -> int:
    """Replace the storefront-day of `available_to_sell` from that day's snapshots; returns the rows written.

    Reads `netsuite_inventory_snapshot`, `netsuite_kit_members` and `fba_inventory_snapshot` of the same partition.
    A location split between storefronts (`inventory.split_locations`) that does not name this storefront gives it
    nothing; any other location of the storefront counts whole.
    """
    if computed_at.tzinfo is not None:
        raise ValueError("computed_at is naive UTC, as every warehouse timestamp")
    inventory = settings.inventory
    locations = settings.storefront_stock(storefront).locations
    shares = [str(inventory.split_locations[loc].get(storefront, 0)) if loc in inventory.split_locations else "1"
              for loc in locations]
    safety = inventory.safety_stock
    # SafetyStock.for_item's precedence: the item's own units, then the storefront's, then the default.
    fallback = safety.storefronts.get(storefront, safety.default)
    params = [storefront, day, computed_at, locations, shares, list(safety.items), list(safety.items.values()),
              fallback]
    return replace_partition(con, "available_to_sell", storefront, day, _AVAILABLE_SQL, params=params)
