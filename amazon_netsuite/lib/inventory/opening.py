"""NetSuite's FBA location at go-live: one opening adjustment per SKU, computed once per FBA location.

The ledger moves NetSuite's FBA location from the first day loaded on; the stock Amazon held before that, and every
movement no loaded ledger has, is not in NetSuite. Once a storefront's FBA and NetSuite snapshots fall inside a landed
ledger report, each SKU's opening is what makes NetSuite equal Amazon at that snapshot:

    opening = Amazon's fulfillable + reserved units at the FBA snapshot
            − NetSuite's on hand at the FBA location at the NetSuite snapshot
            − pending: the sellable movements before the FBA snapshot that NetSuite did not have at its snapshot

A movement is pending when it is in a known ledger row and the NetSuite record that moves it (the row's inventory
adjustment, or the Cash Sale of a loaded FBA order for a shipment) first posted after the NetSuite snapshot or not
yet: that record still moves NetSuite when it posts. Everything else before the FBA snapshot is in the opening, so a
ledger row loaded later with an earlier time adjusts nothing (`ledger.INCLUDED_IN_OPENING`). The same pending rule
explains `fba_stock_differences` (`tables.pending_sql`). Only SKUs Amazon holds at FBA get an opening, as only they
are compared: NetSuite units at the FBA location of a SKU Amazon never stocked are the seller's to look into.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_REPORT_TYPE
from amazon_netsuite.lib.amazon.marketplaces import country_of
from amazon_netsuite.lib.inventory.fba_adjustments import adjustment_payload
from amazon_netsuite.lib.inventory.fba_run import FLOW, Adjustment, Connection, upsert_adjustments
from amazon_netsuite.lib.inventory.ledger import classify_ledger_rows, parse_ledger_report
from amazon_netsuite.lib.inventory.tables import pending_sql
from amazon_netsuite.lib.postings import ledger_entries, utc_now
from amazon_netsuite.lib.report_registry import RegisteredReport, get_registered, read_landed_document
from amazon_netsuite.lib.settings import Settings

OPENING_EVENT = "Opening balance"

def opening_key(fba_location: str, sku: str) -> str:
    return f"opening|{fba_location}|{sku}"


def opening_of(con: duckdb.DuckDBPyConnection, fba_location: str) -> tuple[datetime | None, list[str]]:
    """The FBA snapshot time of the location's opening (None: none yet) and the ledger keys it left to post."""
    at, keys = con.execute("SELECT max(amazon_taken_at), flatten(list(pending_keys)) FROM fba_opening_balances "
                           "WHERE fba_location = ?", [fba_location]).fetchall()[0]
    return at, keys or []


@dataclass
class OpeningResult:
    computed: bool = False  # this run computed the location's opening
    waiting: str | None = None  # why it could not be computed yet
    skus: int = 0  # SKUs whose opening moves NetSuite
    units: int = 0  # Σ of their openings
    posted: int = 0
    unchanged: int = 0
    failed: int = 0


def _snapshot_covered(con: duckdb.DuckDBPyConnection, storefront: str, seller_account: str
                      ) -> tuple[date, datetime, datetime, RegisteredReport] | None:
    """The storefront's newest snapshot pair that a landed ledger report of the account covers: (day, FBA
    snapshot time, NetSuite snapshot time, the report). A report covers the FBA snapshot when it reaches the last
    time Amazon changed any of its quantities (`lastUpdatedTime`, "the date and time that any quantity was last
    updated": https://developer-docs.amazon.com/sp-api/docs/fba-inventory-api-v1-reference), so it holds every
    movement the snapshot shows."""
    row = con.execute(
        """
        WITH snaps AS (
          SELECT f.day, max(f.taken_at) AS amazon_at, coalesce(max(f.last_updated), max(f.taken_at)) AS changed_at,
                 (SELECT max(n.taken_at) FROM netsuite_inventory_snapshot n
                  WHERE n.storefront = f.storefront AND n.day = f.day) AS netsuite_at
          FROM fba_inventory_snapshot f WHERE f.storefront = ? GROUP BY f.storefront, f.day
        )
        SELECT s.day, s.amazon_at, s.netsuite_at, r.report_id
        FROM snaps s JOIN amazon_reports r
          ON r.seller_account = ? AND r.report_type = ? AND r.data_start_time <= s.changed_at
         AND r.data_end_time >= s.changed_at
         AND (r.document_path IS NOT NULL OR r.processing_status = 'CANCELLED')
        WHERE s.netsuite_at IS NOT NULL
        ORDER BY s.day DESC, r.created_time DESC LIMIT 1
        """, [storefront, seller_account, LEDGER_REPORT_TYPE]).fetchall()
    if not row:
        return None
    row = row[0]
    return row[0], row[1], row[2], get_registered(con, row[3])


def _report_rows(settings: Settings, storefronts: list[str], report: RegisteredReport) -> pa.Table | None:
    """The report's rows, each with the storefront of its country, classified as that storefront's run would."""
    if report.processing_status == "CANCELLED" or not report.document_path:
        return None
    table = parse_ledger_report(read_landed_document(report), report.charset)
    parts = []
    with duckdb.connect() as con:
        for key in storefronts:
            country = country_of(settings.storefront(key).marketplace_id) or ""
            con.register("report_rows", table)
            mine = con.sql("SELECT * FROM report_rows WHERE country = ?", params=[country]).to_arrow_table()
            classified = classify_ledger_rows(mine, orders_posted=settings.orders_posted(key))
            parts.append(classified.add_column(0, "storefront", pa.array([key] * classified.num_rows, pa.string())))
    return pa.concat_tables(parts) if parts else None


_OPENING_SQL = """
WITH known AS (
  SELECT storefront, ledger_key, event_date, event_time, sku, event_type, reference_id, quantity, adjusts_netsuite,
         not_adjusted_reason
  FROM fba_inventory_ledger WHERE list_contains($storefronts, storefront)
  UNION ALL BY NAME
  SELECT storefront, ledger_key, event_date, event_time, sku, event_type, reference_id, quantity, adjusts_netsuite,
         not_adjusted_reason
  FROM opening_report_rows r
  WHERE NOT EXISTS (SELECT 1 FROM fba_inventory_ledger l WHERE l.storefront = r.storefront
                    AND l.ledger_key = r.ledger_key)
), pending AS (
  SELECT sku, sum(quantity) AS units, list(ledger_key ORDER BY ledger_key) AS keys
  FROM ({pending}) GROUP BY sku
), amazon AS (
  SELECT sku, fulfillable + reserved AS units FROM fba_inventory_snapshot WHERE storefront = $storefront AND day = $day
), netsuite AS (
  SELECT sku, sum(quantity_on_hand) AS units FROM netsuite_inventory_snapshot
  WHERE storefront = $storefront AND day = $day AND is_fba_location AND location = $location AND item_type = 'InvtPart'
  GROUP BY sku
)
SELECT $location AS fba_location, sku, $storefront AS storefront, $day::DATE AS snapshot_day,
       $amazon_at::TIMESTAMP AS amazon_taken_at, $netsuite_at::TIMESTAMP AS netsuite_taken_at,
       coalesce(a.units, 0)::INTEGER AS amazon_quantity, coalesce(n.units, 0) AS netsuite_quantity,
       coalesce(p.units, 0)::INTEGER AS pending_quantity,
       coalesce(a.units, 0) - coalesce(n.units, 0) - coalesce(p.units, 0) AS quantity,
       coalesce(p.keys, []) AS pending_keys,
       $computed_at::TIMESTAMP AS computed_at
FROM amazon a LEFT JOIN netsuite n USING (sku) LEFT JOIN pending p USING (sku)
"""


def compute_opening(con: duckdb.DuckDBPyConnection, settings: Settings, storefront: str, now: datetime
                    ) -> tuple[int, str | None]:
    """Write the opening of the storefront's FBA location to `fba_opening_balances` if it has none and a landed
    ledger covers one of the storefront's snapshots; (rows written, why not when none were)."""
    location = settings.storefront_posting(storefront).fba_location
    if con.execute("SELECT count(*) FROM fba_opening_balances WHERE fba_location = ?", [location]).fetchall()[0][0]:
        return 0, None
    account = settings.account_of(storefront)
    covered = _snapshot_covered(con, storefront, account.key)
    if covered is None:
        return 0, "waiting for a snapshot of this storefront that a landed FBA ledger report covers"
    day, amazon_at, netsuite_at, report = covered
    storefronts = [s.key for s in account.storefronts
                   if settings.storefront_posting(s.key).fba_location == location]
    rows = _report_rows(settings, storefronts, report)
    if rows is None:  # a CANCELLED report: Amazon had no movements in its window
        rows = con.sql("SELECT * FROM fba_inventory_ledger LIMIT 0").to_arrow_table()
    con.register("opening_report_rows", rows)
    try:
        sql = _OPENING_SQL.format(pending=pending_sql("known", "$amazon_at::TIMESTAMP", "$netsuite_at::TIMESTAMP"))
        con.execute(f"INSERT INTO fba_opening_balances BY NAME {sql}", {
            "storefronts": storefronts, "storefront": storefront, "day": day, "location": location,
            "amazon_at": amazon_at, "netsuite_at": netsuite_at, "computed_at": now})
    finally:
        con.unregister("opening_report_rows")
    written = con.execute("SELECT count(*) FROM fba_opening_balances WHERE fba_location = ?", [location]).fetchall()[0][0]
    return written, None if written else "neither Amazon nor NetSuite holds any stock at the FBA location"


def post_fba_opening(connect: Connection, client, settings: Settings, storefront: str, *, account: str,
                     log=None) -> OpeningResult:
    """Compute the opening of the storefront's FBA location if it has none, then post every SKU's opening not yet
    in NetSuite as an inventory adjustment (external id from `opening|{location}|{sku}`, so never twice); a SKU
    NetSuite refuses (no item) waits in `integration_errors` and is tried again on the next run."""
    result = OpeningResult()
    posting = settings.storefront_posting(storefront)
    location = posting.fba_location
    with connect() as con:
        written, result.waiting = compute_opening(con, settings, storefront, utc_now())
        result.computed = written > 0
        rows = con.execute(
            "SELECT storefront, sku, snapshot_day, quantity FROM fba_opening_balances "
            "WHERE fba_location = ? AND quantity <> 0 ORDER BY sku", [location]).fetchall()
        keys = {}
        for owner, sku, _, _ in rows:
            keys.setdefault(owner, []).append(opening_key(location, sku))
        entries = {k: e for owner, ks in keys.items()
                   for k, e in ledger_entries(con, FLOW, owner, ks, account=account).items()}
    result.skus, result.units = len(rows), int(sum(q for *_, q in rows))
    adjustments = []
    for owner, sku, day, quantity in rows:
        key = opening_key(location, sku)
        quantity = int(quantity) if quantity == int(quantity) else quantity
        row = {"ledger_key": key, "event_date": day, "event_type": OPENING_EVENT, "reference_id": None,
               "sku": sku, "quantity": quantity, "fulfillment_center": None, "reason": None}
        body = adjustment_payload(row, subsidiary=posting.subsidiary, fba_location=location,
                                  account=settings.inventory.fba_adjustment_account)
        adjustments.append(Adjustment(owner, key, body, f"FBA opening balance of {quantity:+} × {sku} at {location}"))
    result.unchanged, classes = upsert_adjustments(connect, client, adjustments, entries, account=account)
    result.posted = sum(1 for c in classes if c is None)
    result.failed = len(classes) - result.posted
    if log:
        log.info(f"FBA opening at {location}: {result.skus} SKUs, {result.units:+} units; {result.posted} posted, "
                 f"{result.unchanged} unchanged, {result.failed} failed"
                 + (f" ({result.waiting})" if result.waiting else ""))
    return result
