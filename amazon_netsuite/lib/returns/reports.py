"""Parsing the two returns reports into typed Arrow tables, malformed rows set aside with the reason.

`GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA` (FBA returns processed at a fulfilment centre, with their disposition)
and `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE` (seller-fulfilled returns by request date); columns in
https://developer-docs.amazon.com/sp-api/docs/returns-reports-attributes. Columns are found by header name; a row
with the wrong number of fields, an empty key or a value that is not its type goes to the quarantine (row number,
every problem found, the row as JSON) while the others are kept. A file lacking a required column cannot be read
at all and raises `ReportFileError`. Dates are read as ISO 8601 (an offset, else UTC) or YYYY-MM-DD and kept as UTC
timestamps; money is `.`-decimal text (the format of Amazon's files is not verified; see the sandbox README).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.documents import codec_for
from amazon_netsuite.lib.amazon.returns_reports import (
    FBA_RETURNS_COLUMNS,
    FBA_RETURNS_REPORT_TYPE,
    MFN_RETURNS_COLUMNS,
    MFN_RETURNS_MAX_DAYS,
    MFN_RETURNS_REPORT_TYPE,
)
from amazon_netsuite.lib.report_files import UTF8_BOM, ReportFileError
from amazon_netsuite.lib.warehouse.sql import sql_literal, utc_session
from amazon_netsuite.lib.warehouse.tables import MONEY

__all__ = [
    "FBA_RETURNS_REPORT_TYPE", "MFN_RETURNS_MAX_DAYS", "MFN_RETURNS_REPORT_TYPE", "QUARANTINE_SCHEMA", "SELLABLE",
    "ReportFileError", "parse_fba_returns", "parse_mfn_returns",
]

SELLABLE = "SELLABLE"  # the FBA disposition of units back in stock; every other one is unsellable
QUARANTINE_SCHEMA = pa.schema([("row_number", pa.int32()), ("reason", pa.string()), ("raw_row", pa.string())])

TEXT, TIMESTAMP, WHOLE, MONEY_TEXT, FLAG = "text", "timestamp", "whole", "money", "flag"
_PROBLEMS = {TIMESTAMP: "is not a date", WHOLE: "is not a whole number above 0", MONEY_TEXT: "is not an amount",
             FLAG: "is not Y or N"}


@dataclass(frozen=True)
class _Column:
    header: str
    name: str
    kind: str = TEXT
    required: bool = False


_FBA = (
    _Column("return-date", "return_date", TIMESTAMP, True), _Column("order-id", "order_id", required=True),
    _Column("sku", "sku", required=True), _Column("asin", "asin"), _Column("fnsku", "fnsku"),
    _Column("product-name", "product_name"), _Column("quantity", "quantity", WHOLE, True),
    _Column("fulfillment-center-id", "fulfillment_center_id"),
    _Column("detailed-disposition", "disposition", required=True), _Column("reason", "reason"),
    _Column("status", "status"), _Column("license-plate-number", "license_plate_number"),
    _Column("customer-comments", "customer_comments"),
)
_MFN = (
    _Column("Order ID", "order_id", required=True), _Column("Order date", "order_date", TIMESTAMP),
    _Column("Return request date", "return_request_date", TIMESTAMP, True),
    _Column("Return request status", "return_request_status"), _Column("Amazon RMA ID", "amazon_rma_id"),
    _Column("Merchant RMA ID", "merchant_rma_id"), _Column("Label type", "label_type"),
    _Column("Label cost", "label_cost", MONEY_TEXT), _Column("Currency code", "currency"),
    _Column("Return carrier", "return_carrier"), _Column("Tracking ID", "tracking_id"),
    _Column("Label to be paid by", "label_paid_by"), _Column("A-to-Z Claim", "a_to_z_claim", FLAG),
    _Column("Is prime", "is_prime", FLAG), _Column("ASIN", "asin"), _Column("Merchant SKU", "sku", required=True),
    _Column("Item Name", "item_name"), _Column("Return quantity", "return_quantity", WHOLE, True),
    _Column("Return Reason", "return_reason"), _Column("In policy", "in_policy", FLAG),
    _Column("Return type", "return_type"), _Column("Resolution", "resolution"),
    _Column("Invoice number", "invoice_number"), _Column("Return delivery date", "return_delivery_date", TIMESTAMP),
    _Column("Order Amount", "order_amount", MONEY_TEXT), _Column("Order quantity", "order_quantity", WHOLE),
    _Column("SafeT Action reason", "safet_action_reason"), _Column("SafeT claim id", "safet_claim_id"),
    _Column("SafeT claim state", "safet_claim_state"),
    _Column("SafeT claim creation time", "safet_claim_created", TIMESTAMP),
    _Column("SafeT claim reimbursement amount", "safet_claim_reimbursement", MONEY_TEXT),
    _Column("Refunded Amount", "refunded_amount", MONEY_TEXT),
)


def _value_sql(column: _Column, text: str) -> str:
    if column.kind == TIMESTAMP:
        return (f"coalesce(try_cast({text} AS TIMESTAMPTZ), try_strptime({text}, '%Y-%m-%d')::TIMESTAMPTZ)"
                " AT TIME ZONE 'UTC'")
    if column.kind == WHOLE:
        return f"CASE WHEN try_cast({text} AS INTEGER) > 0 THEN try_cast({text} AS INTEGER) END"
    if column.kind == MONEY_TEXT:
        return f"try_cast({text} AS {MONEY})"
    if column.kind == FLAG:
        return f"CASE upper({text}) WHEN 'Y' THEN true WHEN 'N' THEN false END"
    return text


def _typing_sql(columns: tuple[_Column, ...]) -> str:
    """Typed columns and `problem` (NULL for a good row) over the text table `raw` (columns named by header)."""
    texts = ", ".join(f'NULLIF(trim("{c.header}"), \'\') AS "t_{c.name}"' for c in columns)
    values = ", ".join(f'{_value_sql(c, f"t_{c.name}")} AS {c.name}' for c in columns)
    checks = []
    for c in columns:
        empty = f"{sql_literal(c.header + ' is empty')}" if c.required else "NULL"
        bad = (f"{sql_literal(c.header + ' ')} || '''' || t_{c.name} || ''' ' || {sql_literal(_PROBLEMS[c.kind])}"
               if c.kind != TEXT else "NULL")
        checks.append(f"CASE WHEN t_{c.name} IS NULL THEN {empty} WHEN {c.name} IS NULL THEN {bad} END")
    return f"""
        SELECT *, NULLIF(concat_ws('; ', {', '.join(checks)}), '') AS problem
        FROM (SELECT *, {values} FROM (SELECT row_number, raw_row, {texts} FROM raw))
        ORDER BY row_number"""


def _parse(data: bytes, charset: str | None, columns: tuple[_Column, ...], report_type: str,
           extra_sql: str = "") -> tuple[pa.Table, pa.Table]:
    text = data.removeprefix(UTF8_BOM).decode(codec_for(charset))
    lines = text.replace("\r\n", "\n").split("\n")
    header = [h.strip() for h in lines[0].split("\t")]
    missing = [c.header for c in columns if c.required and c.header not in header]
    if missing:
        raise ReportFileError(f"{report_type}: the file lacks the columns {', '.join(missing)}")
    kept: dict[str, list] = {"row_number": [], "raw_row": [], **{c.header: [] for c in columns}}
    refused: list[tuple[int, str, str]] = []
    for number, line in enumerate(lines[1:], start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            refused.append((number, f"{len(fields)} fields where the header has {len(header)}", json.dumps(line)))
            continue
        row = dict(zip(header, fields))
        kept["row_number"].append(number)
        kept["raw_row"].append(json.dumps(row, ensure_ascii=False))
        for c in columns:
            kept[c.header].append(row.get(c.header, ""))
    raw = pa.table({k: pa.array(v, pa.int32() if k == "row_number" else pa.string()) for k, v in kept.items()})
    with duckdb.connect() as con, utc_session(con):
        con.register("raw", raw)
        typed = con.sql(_typing_sql(columns)).to_arrow_table()
        con.register("typed", typed)
        names = ", ".join(c.name for c in columns)
        good = con.sql(f"SELECT row_number, {names}{extra_sql} FROM typed WHERE problem IS NULL "
                       "ORDER BY row_number").to_arrow_table()
        bad = con.sql("SELECT row_number, problem AS reason, raw_row FROM typed WHERE problem IS NOT NULL").fetchall()
    quarantine = sorted([*refused, *bad])
    return good, pa.Table.from_pylist([dict(zip(QUARANTINE_SCHEMA.names, q)) for q in quarantine], QUARANTINE_SCHEMA)


def parse_fba_returns(data: bytes, charset: str | None = None) -> tuple[pa.Table, pa.Table]:
    """An FBA customer returns file (bytes after gunzip, `charset` as downloaded; cp1252 when None) → (rows,
    quarantine). Rows: row_number, return_date (UTC timestamp), order_id, sku, asin, fnsku, product_name,
    quantity (int), fulfillment_center_id, disposition, reason, status, license_plate_number, customer_comments,
    return_day (date) and sellable (disposition is SELLABLE)."""
    sellable = f"upper(disposition) = {sql_literal(SELLABLE)}"
    return _parse(data, charset, _FBA, FBA_RETURNS_REPORT_TYPE,
                  f", CAST(return_date AS DATE) AS return_day, {sellable} AS sellable")


def parse_mfn_returns(data: bytes, charset: str | None = None) -> tuple[pa.Table, pa.Table]:
    """An MFN returns file → (rows, quarantine). Rows: row_number, then the 32 columns in file order under
    snake-case names (order_id … refunded_amount; dates as UTC timestamps, money as Decimal, quantities int, Y/N as
    bool), and return_request_day (date)."""
    return _parse(data, charset, _MFN, MFN_RETURNS_REPORT_TYPE,
                  ", CAST(return_request_date AS DATE) AS return_request_day")
