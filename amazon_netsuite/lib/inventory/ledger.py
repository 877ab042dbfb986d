"""The FBA inventory ledger (`GET_LEDGER_DETAIL_VIEW_DATA`): parsing the file, and which rows move NetSuite.

Amazon documents no unique key for a ledger row
(https://developer-docs.amazon.com/sp-api/docs/fba-inventory-reports-attributes), so a row's key is
date|fnsku|event type|reference id|fulfillment center|disposition|reason, with `|2`, `|3`… added when a file
repeats a key: the same file read twice gives the same keys, so adjustments built from them are idempotent.
NetSuite's FBA location holds sellable units, so only SELLABLE rows can move it; shipments move it only
when the storefront's orders do not post (its Cash Sales already take shipped units out of that location). Once the
FBA location has its opening balance (lib/inventory/opening.py), a row from before it moves NetSuite only if the
opening counted it as still to post.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from amazon_netsuite.lib.amazon.documents import codec_for
from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_COLUMNS

SELLABLE = "SELLABLE"
SHIPMENTS = "Shipments"
# The columns of fba_inventory_ledger (lib/inventory/tables.py) from ledger_key to country.
LEDGER_ROW_COLUMNS: tuple[str, ...] = (
    "ledger_key", "event_date", "event_time", "fnsku", "asin", "sku", "event_type", "reference_id", "quantity",
    "fulfillment_center", "disposition", "reason", "country",
)
NOT_SELLABLE = "not sellable stock ({disposition}): NetSuite's FBA location holds sellable units only"
MOVED_BY_CASH_SALE = "the storefront's orders post: their Cash Sales take shipped units out of the FBA location"
# With the returns flow on, a sellable customer return comes back into the FBA location by its return
# authorization's item receipt (lib/returns/run.py), which also reverses its COGS; adjusting for the ledger row too
# would count the units twice.
MOVED_BY_RETURN_RECEIPT = "the returns flow is on: the return's item receipt puts the units back in the FBA location"
CUSTOMER_RETURNS = "CustomerReturns"
NO_UNITS = "no units moved"
INCLUDED_IN_OPENING = "before the FBA location's opening balance, which includes it"

_PARSE_SQL = """
WITH typed AS (
  SELECT
    row_number() OVER () AS row_no,
    COALESCE(TRY_STRPTIME("Date", '%m/%d/%Y'), TRY_STRPTIME("Date", '%Y-%m-%d'))::DATE AS event_date,
    TRY_CAST(NULLIF("Date and Time", '') AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS event_time,
    "FNSKU" AS fnsku, "ASIN" AS asin, "MSKU" AS sku, "Event Type" AS event_type, "Reference ID" AS reference_id,
    TRY_CAST("Quantity" AS INTEGER) AS quantity, "Fulfillment Center" AS fulfillment_center,
    "Disposition" AS disposition, "Reason" AS reason, "Country" AS country
  FROM ledger
), keyed AS (
  SELECT *, concat_ws('|', strftime(event_date, '%Y-%m-%d'), fnsku, event_type, reference_id, fulfillment_center,
                      disposition, reason) AS base_key
  FROM typed
)
SELECT
  base_key || CASE WHEN seq > 1 THEN '|' || seq ELSE '' END AS ledger_key,
  event_date, event_time, NULLIF(fnsku, '') AS fnsku, NULLIF(asin, '') AS asin, sku, event_type,
  NULLIF(reference_id, '') AS reference_id, quantity, NULLIF(fulfillment_center, '') AS fulfillment_center,
  NULLIF(disposition, '') AS disposition, NULLIF(reason, '') AS reason, NULLIF(country, '') AS country
FROM (SELECT *, row_number() OVER (PARTITION BY base_key ORDER BY row_no) AS seq FROM keyed)
ORDER BY row_no
"""


class LedgerReportError(ValueError):
    """A ledger file that cannot be read: missing columns, or a date or quantity that is not one."""


def parse_ledger_report(data: bytes, charset: str | None) -> pa.Table:
    """The file's rows with the columns of `fba_inventory_ledger` from `ledger_key` to `country`."""
    text = data.decode(codec_for(charset))
    header = text.split("\n", 1)[0].rstrip("\r").split("\t")
    missing = [c for c in LEDGER_COLUMNS[:12] if c not in header]
    if missing:
        raise LedgerReportError(f"the ledger file lacks the columns {', '.join(missing)}")
    raw = pacsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                             strings_can_be_null=False),
    )
    if "Date and Time" not in header:
        raw = raw.append_column("Date and Time", pa.array([""] * raw.num_rows, pa.string()))
    with duckdb.connect() as con:
        con.register("ledger", raw)
        table = con.sql(_PARSE_SQL).to_arrow_table()
    bad = table.filter(pc.or_(pc.is_null(table["event_date"]), pc.is_null(table["quantity"])))
    if bad.num_rows:
        raise LedgerReportError(f"{bad.num_rows} ledger rows have no readable Date or Quantity "
                                f"(first: {bad['ledger_key'][0].as_py()!r})")
    return table.select(list(LEDGER_ROW_COLUMNS))


def classify_ledger_rows(table: pa.Table, *, orders_posted: bool, opened_at: datetime | None = None,
                         pending_keys: Sequence[str] = (), returns_received: bool = False) -> pa.Table:
    """The rows with `adjusts_netsuite` and `not_adjusted_reason` (NULL when the row adjusts NetSuite); `opened_at`
    is the FBA snapshot of the location's opening balance, `pending_keys` the rows it left to post."""
    with duckdb.connect() as con:
        con.register("ledger_rows", table)
        con.register("pending_keys", pa.table({"ledger_key": pa.array(list(pending_keys), pa.string())}))
        return con.sql(
            """
            SELECT * EXCLUDE (reason_), reason_ IS NULL AS adjusts_netsuite, reason_ AS not_adjusted_reason
            FROM (
              SELECT *,
                CASE WHEN quantity = 0 THEN $no_units
                     WHEN disposition IS DISTINCT FROM $sellable
                       THEN replace($not_sellable, '{disposition}', coalesce(disposition, 'none'))
                     WHEN $opened_at::TIMESTAMP IS NOT NULL
                          AND coalesce(event_time <= $opened_at::TIMESTAMP,
                                       event_date < CAST($opened_at::TIMESTAMP AS DATE))
                          AND ledger_key NOT IN (SELECT ledger_key FROM pending_keys) THEN $included
                     WHEN event_type = $shipments AND $orders_posted THEN $moved_by_cash_sale
                     WHEN event_type = $customer_returns AND $returns_received THEN $moved_by_receipt
                END AS reason_
              FROM ledger_rows
            )
            """,
            params={"no_units": NO_UNITS, "sellable": SELLABLE, "not_sellable": NOT_SELLABLE,
                    "shipments": SHIPMENTS, "orders_posted": orders_posted, "moved_by_cash_sale": MOVED_BY_CASH_SALE,
                    "customer_returns": CUSTOMER_RETURNS, "returns_received": returns_received,
                    "moved_by_receipt": MOVED_BY_RETURN_RECEIPT,
                    "opened_at": opened_at, "included": INCLUDED_IN_OPENING},
        ).to_arrow_table()
