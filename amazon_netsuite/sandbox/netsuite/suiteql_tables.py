"""The record store as tables named like NetSuite's SuiteQL analytics tables, in an in-memory DuckDB.

Like NetSuite: sales lines carry negative `quantity` and `netamount` (the income side of the posting), each
transaction has one `mainline = 'T'` row besides its item lines, and flags are 'T'/'F'.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa

from amazon_netsuite.sandbox.netsuite.records import CENT, money
from amazon_netsuite.sandbox.netsuite.store import RecordStore

TRANSACTION_TYPE_CODES = {"salesOrder": "SalesOrd", "cashSale": "CashSale"}
ITEM_TYPE_CODES = {"inventoryItem": "InvtPart", "kitItem": "Kit"}
_MONEY, _QTY = pa.decimal128(18, 2), pa.decimal128(18, 4)

SCHEMAS = {
    "transaction": pa.schema([("id", pa.int64()), ("tranid", pa.string()), ("trandate", pa.date32()),
                              ("type", pa.string()), ("status", pa.string()), ("entity", pa.int64()),
                              ("externalid", pa.string()), ("otherrefnum", pa.string()), ("memo", pa.string()),
                              ("subsidiary", pa.int64()), ("currency", pa.int64()), ("location", pa.int64()),
                              ("foreigntotal", _MONEY), ("shippingcost", _MONEY)]),
    "transactionline": pa.schema([("transaction", pa.int64()), ("id", pa.int64()),
                                  ("linesequencenumber", pa.int64()), ("mainline", pa.string()),
                                  ("taxline", pa.string()), ("item", pa.int64()), ("itemtype", pa.string()),
                                  ("quantity", _QTY), ("rate", _MONEY), ("netamount", _MONEY),
                                  ("location", pa.int64()), ("isclosed", pa.string()), ("entity", pa.int64())]),
    "item": pa.schema([("id", pa.int64()), ("itemid", pa.string()), ("displayname", pa.string()),
                       ("itemtype", pa.string()), ("externalid", pa.string()), ("isinactive", pa.string())]),
    "customer": pa.schema([("id", pa.int64()), ("entityid", pa.string()), ("companyname", pa.string()),
                           ("externalid", pa.string()), ("subsidiary", pa.int64()), ("currency", pa.int64()),
                           ("isinactive", pa.string())]),
    "location": pa.schema([("id", pa.int64()), ("name", pa.string()), ("subsidiary", pa.int64()),
                           ("externalid", pa.string()), ("isinactive", pa.string())]),
    "subsidiary": pa.schema([("id", pa.int64()), ("name", pa.string()), ("currency", pa.int64()),
                             ("country", pa.string()), ("externalid", pa.string())]),
    "currency": pa.schema([("id", pa.int64()), ("symbol", pa.string()), ("name", pa.string())]),
}


def _ref(value: object) -> int | None:
    return int(value["id"]) if isinstance(value, dict) and str(value.get("id", "")).isdigit() else None


def _flag(value: object) -> str:
    return "T" if value else "F"


def _dec(value: object, places: Decimal = CENT) -> Decimal | None:
    return None if value is None else money(value).quantize(places)


def _transactions(store: RecordStore) -> tuple[list[dict], list[dict]]:
    headers, lines = [], []
    for record_type, code in TRANSACTION_TYPE_CODES.items():
        for record in store.all(record_type):
            tid, entity = int(record["id"]), _ref(record.get("entity"))
            headers.append(dict(
                id=tid, tranid=record.get("tranId"), trandate=date.fromisoformat(record["tranDate"][:10]),
                type=code, status=record.get("status", {}).get("id"), entity=entity,
                externalid=record.get("externalId"), otherrefnum=record.get("otherRefNum"), memo=record.get("memo"),
                subsidiary=_ref(record.get("subsidiary")), currency=_ref(record.get("currency")),
                location=_ref(record.get("location")), foreigntotal=_dec(record.get("total")),
                shippingcost=_dec(record.get("shippingCost"))))
            lines.append(dict(transaction=tid, id=0, linesequencenumber=0, mainline="T", taxline="F",
                              netamount=_dec(record.get("total")), location=_ref(record.get("location")),
                              isclosed="F", entity=entity))
            for line in record["item"]["items"]:
                item_type = next((ITEM_TYPE_CODES[t] for t in ITEM_TYPE_CODES
                                  if store.get(t, _ref(line.get("item")) or 0)), None)
                lines.append(dict(
                    transaction=tid, id=line["line"], linesequencenumber=line["line"], mainline="F", taxline="F",
                    item=_ref(line.get("item")), itemtype=item_type,
                    quantity=-_dec(line.get("quantity", 0), Decimal("0.0001")), rate=_dec(line.get("rate")),
                    netamount=-_dec(line.get("amount", 0)), location=_ref(line.get("location")) or
                    _ref(record.get("location")), isclosed=_flag(line.get("isClosed")), entity=entity))
    return headers, lines


def _rows(store: RecordStore) -> dict[str, list[dict]]:
    transactions, lines = _transactions(store)
    items = [dict(id=int(r["id"]), itemid=r.get("itemId"), displayname=r.get("displayName"),
                  itemtype=ITEM_TYPE_CODES[t], externalid=r.get("externalId"), isinactive=_flag(r.get("isInactive")))
             for t in ITEM_TYPE_CODES for r in store.all(t)]
    return {
        "transaction": transactions,
        "transactionline": lines,
        "item": items,
        "customer": [dict(id=int(r["id"]), entityid=r.get("entityId"), companyname=r.get("companyName"),
                          externalid=r.get("externalId"), subsidiary=_ref(r.get("subsidiary")),
                          currency=_ref(r.get("currency")), isinactive=_flag(r.get("isInactive")))
                     for r in store.all("customer")],
        "location": [dict(id=int(r["id"]), name=r.get("name"), subsidiary=_ref(r.get("subsidiary")),
                          externalid=r.get("externalId"), isinactive=_flag(r.get("isInactive")))
                     for r in store.all("location")],
        "subsidiary": [dict(id=int(r["id"]), name=r.get("name"), currency=_ref(r.get("currency")),
                            country=(r.get("country") or {}).get("id"), externalid=r.get("externalId"))
                       for r in store.all("subsidiary")],
        "currency": [dict(id=int(r["id"]), symbol=r.get("symbol"), name=r.get("name"))
                     for r in store.all("currency")],
    }


def build_database(store: RecordStore) -> duckdb.DuckDBPyConnection:
    """A fresh DuckDB holding the store's tables, with no file or network access (queries come from clients)."""
    con = duckdb.connect(config={"enable_external_access": False})
    for name, rows in _rows(store).items():
        con.register("arrow_rows", pa.Table.from_pylist(rows, schema=SCHEMAS[name]))
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM arrow_rows')
        con.unregister("arrow_rows")
    # SuiteQL (Oracle dialect) functions that DuckDB spells differently.
    con.execute("CREATE MACRO nvl(a, b) AS coalesce(a, b)")
    con.execute(
        "CREATE MACRO to_char(d, f) AS strftime(d, replace(replace(replace(replace(replace(replace("
        "f, 'YYYY', '%Y'), 'MM', '%m'), 'DD', '%d'), 'HH24', '%H'), 'MI', '%M'), 'SS', '%S'))"
    )
    con.execute("CREATE SCHEMA builtin")
    con.execute("CREATE MACRO builtin.df(x) AS x")  # display value: the sandbox shows the stored value
    return con
