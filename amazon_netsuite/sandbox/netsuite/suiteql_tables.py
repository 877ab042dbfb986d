"""The record store as tables named like NetSuite's SuiteQL analytics tables, in an in-memory DuckDB.

Custom fields become columns: every `custitem_*` any item carries is a column of `item`, every `custbody_*` any
transaction carries a column of `transaction` (NULL where unset), as SuiteQL exposes them.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from amazon_netsuite.sandbox.netsuite.product_master import PRODUCT_FIELDS
from amazon_netsuite.sandbox.netsuite.store import PRICE_CHANGE, RecordStore
from amazon_netsuite.sandbox.netsuite.suiteql_rows import (
    ITEM_TYPE_CODES,
    TRANSACTION_TYPE_CODES,
    custom_text,
    dec,
    flag,
    inventory_rows,
    kit_member_rows,
    package_rows,
    price_change_rows,
    pricing_rows,
    timestamp,
    transaction_rows,
)
from amazon_netsuite.sandbox.netsuite.record_parts import ref_id

__all__ = ["ITEM_TYPE_CODES", "SCHEMAS", "TRANSACTION_TYPE_CODES", "build_database"]

_MONEY, _QTY = pa.decimal128(18, 2), pa.decimal128(18, 4)
_ID, _TEXT = pa.int64(), pa.string()


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(list(columns))


SCHEMAS = {
    "transaction": _schema(
        ("id", _ID), ("tranid", _TEXT), ("trandate", pa.date32()), ("type", _TEXT), ("status", _TEXT),
        ("entity", _ID), ("externalid", _TEXT), ("otherrefnum", _TEXT), ("memo", _TEXT), ("subsidiary", _ID),
        ("currency", _ID), ("location", _ID), ("foreigntotal", _MONEY), ("shippingcost", _MONEY),
        ("handlingcost", _MONEY), ("taxtotal", _MONEY), ("foreignamountpaid", _MONEY),
        ("foreignamountremaining", _MONEY), ("posting", _TEXT), ("class", _ID), ("department", _ID),
        ("shipmethod", _ID), ("trackingnumberlist", _TEXT), ("createddate", pa.timestamp("s")),
        ("lastmodifieddate", pa.timestamp("s"))),
    "transactionline": _schema(
        ("transaction", _ID), ("id", _ID), ("linesequencenumber", _ID), ("mainline", _TEXT), ("taxline", _TEXT),
        ("item", _ID), ("itemtype", _TEXT), ("quantity", _QTY), ("rate", _MONEY), ("netamount", _MONEY),
        ("location", _ID), ("isclosed", _TEXT), ("entity", _ID), ("account", _ID), ("debitforeignamount", _MONEY),
        ("creditforeignamount", _MONEY), ("memo", _TEXT), ("class", _ID), ("department", _ID),
        ("createdfrom", _ID), ("quantityshiprecv", _QTY), ("quantitybilled", _QTY)),
    "transactionaccountingline": _schema(
        ("transaction", _ID), ("transactionline", _ID), ("accountingbook", _ID), ("account", _ID),
        ("posting", _TEXT), ("debit", _MONEY), ("credit", _MONEY), ("amount", _MONEY)),
    "previoustransactionlinelink": _schema(
        ("previousdoc", _ID), ("previousline", _ID), ("nextdoc", _ID), ("nextline", _ID), ("linktype", _TEXT),
        ("foreignamount", _MONEY)),
    "item": _schema(
        ("id", _ID), ("itemid", _TEXT), ("displayname", _TEXT), ("itemtype", _TEXT), ("externalid", _TEXT),
        ("isinactive", _TEXT), ("baseprice", _MONEY), ("incomeaccount", _ID),
        ("assetaccount", _ID), ("expenseaccount", _ID), ("cost", _MONEY), ("parent", _ID), ("matrixtype", _TEXT),
        ("upccode", _TEXT), ("manufacturer", _TEXT), ("mpn", _TEXT), ("storedisplayname", _TEXT),
        ("storedescription", _TEXT), ("salesdescription", _TEXT), ("lastmodifieddate", pa.timestamp("s"))),
    "customer": _schema(
        ("id", _ID), ("entityid", _TEXT), ("companyname", _TEXT), ("externalid", _TEXT), ("subsidiary", _ID),
        ("currency", _ID), ("isinactive", _TEXT)),
    "location": _schema(("id", _ID), ("name", _TEXT), ("subsidiary", _ID), ("externalid", _TEXT),
                        ("isinactive", _TEXT)),
    "subsidiary": _schema(("id", _ID), ("name", _TEXT), ("currency", _ID), ("country", _TEXT), ("externalid", _TEXT),
                          ("isinactive", _TEXT)),
    # Ship methods (REST record shipItem) on their own, as `netsuite refresh-metadata` reads them; also in `item`.
    "shipitem": _schema(("id", _ID), ("itemid", _TEXT), ("displayname", _TEXT), ("externalid", _TEXT),
                        ("isinactive", _TEXT)),
    "paymentmethod": _schema(("id", _ID), ("name", _TEXT), ("externalid", _TEXT), ("isinactive", _TEXT)),
    "currency": _schema(("id", _ID), ("symbol", _TEXT), ("name", _TEXT), ("currencyprecision", _ID),
                        ("isinactive", _TEXT)),
    "pricelevel": _schema(("id", _ID), ("name", _TEXT), ("discountpct", _MONEY), ("isinactive", _TEXT),
                          ("isonline", _TEXT), ("externalid", _TEXT), ("lastmodifieddate", pa.timestamp("s"))),
    # `currency` on pricing is not verified (README "Prices").
    "pricing": _schema(("item", _ID), ("pricelevel", _ID), ("currency", _ID), ("quantity", _QTY),
                       ("unitprice", _MONEY)),
    PRICE_CHANGE: _schema(
        ("id", _ID), ("name", _TEXT), ("externalid", _TEXT), ("isinactive", _TEXT), ("custrecord_apc_item", _ID),
        ("custrecord_apc_price_level", _ID), ("custrecord_apc_currency", _ID), ("custrecord_apc_price", _MONEY),
        ("custrecord_apc_start_date", pa.date32()), ("custrecord_apc_end_date", pa.date32()),
        ("custrecord_apc_memo", _TEXT), ("created", pa.timestamp("s")), ("lastmodified", pa.timestamp("s"))),
    "account": _schema(
        ("id", _ID), ("acctnumber", _TEXT), ("accountsearchdisplayname", _TEXT), ("fullname", _TEXT),
        ("accttype", _TEXT), ("externalid", _TEXT), ("isinactive", _TEXT), ("parent", _ID), ("currency", _ID)),
    "classification": _schema(("id", _ID), ("name", _TEXT), ("externalid", _TEXT), ("isinactive", _TEXT),
                              ("parent", _ID)),
    "department": _schema(("id", _ID), ("name", _TEXT), ("externalid", _TEXT), ("isinactive", _TEXT),
                          ("parent", _ID)),
    "inventoryitemlocations": _schema(
        ("item", _ID), ("location", _ID), ("quantityonhand", _QTY), ("quantitycommitted", _QTY),
        ("quantityavailable", _QTY), ("quantitybackordered", _QTY), ("quantityonorder", _QTY),
        ("quantityintransit", _QTY), ("preferredstocklevel", _QTY), ("reorderpoint", _QTY),
        ("lastquantityavailablechange", pa.timestamp("s"))),
    # Packages of item fulfillments, a table named by
    # https://softwaresurvivor.com/blog/track-netsuite-item-fulfillments-shipping-packages-suiteql; its columns (the
    # package sublist's field names) are not verified.
    "itemfulfillmentpackage": _schema(
        ("itemfulfillment", _ID), ("id", _ID), ("packagetrackingnumber", _TEXT), ("packageweight", _QTY),
        ("packagedescr", _TEXT), ("lastmodifieddate", pa.timestamp("s"))),
    "trackingnumber": _schema(("id", _ID), ("trackingnumber", _TEXT)),
    "trackingnumbermap": _schema(("transaction", _ID), ("trackingnumber", _ID)),
    "kititemmember": _schema(("parentitem", _ID), ("item", _ID), ("quantity", _QTY), ("linenumber", _ID)),
}
_ITEM_TEXT = ("upcCode", "manufacturer", "mpn", "storeDisplayName", "storeDescription", "salesDescription")
_CUSTOM_PREFIX = {"item": "custitem_", "transaction": "custbody_"}
# Custom fields defined in the sandbox account even before any record sets them, so a lookup by them works on a
# fresh sandbox (SuiteQL knows a defined field whether or not a record carries a value).
DEFINED_CUSTOM_FIELDS = {"item": ("custitem_amz_sku", *PRODUCT_FIELDS), "transaction": ()}


def _segment_rows(store: RecordStore, record_type: str) -> list[dict]:
    return [dict(id=int(r["id"]), name=r.get("name"), externalid=r.get("externalId"),
                 isinactive=flag(r.get("isInactive")), parent=ref_id(r.get("parent")))
            for r in store.all(record_type)]


def _rows(store: RecordStore) -> dict[str, list[dict]]:
    accounts = {int(r["id"]): r for r in store.all("account")}

    def full_name(account: dict) -> str:
        parent = accounts.get(ref_id(account.get("parent")) or 0)
        return f"{full_name(parent)} : {account.get('acctName')}" if parent else str(account.get("acctName"))

    items = [dict(id=int(r["id"]), itemid=r.get("itemId"), displayname=r.get("displayName"),
                  itemtype=ITEM_TYPE_CODES[t], externalid=r.get("externalId"), isinactive=flag(r.get("isInactive")),
                  baseprice=dec(r.get("basePrice")), incomeaccount=ref_id(r.get("incomeAccount")),
                  assetaccount=ref_id(r.get("assetAccount")), expenseaccount=ref_id(r.get("cogsAccount")),
                  cost=dec(r.get("cost")), parent=ref_id(r.get("parent")),
                  matrixtype=custom_text(r.get("matrixType")),
                  **{k.lower(): r.get(k) for k in _ITEM_TEXT}, lastmodifieddate=timestamp(r.get("lastModifiedDate")),
                  **{k: custom_text(v) for k, v in r.items() if k.startswith("custitem_")})
             for t in ITEM_TYPE_CODES for r in store.all(t)]
    # Shipping items are items too (itemtype 'ShipItem', the REST itemType enum's ShipItem; not verified in SuiteQL).
    items += [dict(id=int(r["id"]), itemid=r.get("itemId"), displayname=r.get("displayName"), itemtype="ShipItem",
                   externalid=r.get("externalId"), isinactive=flag(r.get("isInactive")),
                   lastmodifieddate=timestamp(r.get("lastModifiedDate")))
              for r in store.all("shipItem")]
    return {
        **transaction_rows(store),
        **package_rows(store),
        "item": items,
        "customer": [dict(id=int(r["id"]), entityid=r.get("entityId"), companyname=r.get("companyName"),
                          externalid=r.get("externalId"), subsidiary=ref_id(r.get("subsidiary")),
                          currency=ref_id(r.get("currency")), isinactive=flag(r.get("isInactive")))
                     for r in store.all("customer")],
        "location": [dict(id=int(r["id"]), name=r.get("name"), subsidiary=ref_id(r.get("subsidiary")),
                          externalid=r.get("externalId"), isinactive=flag(r.get("isInactive")))
                     for r in store.all("location")],
        "subsidiary": [dict(id=int(r["id"]), name=r.get("name"), currency=ref_id(r.get("currency")),
                            country=(r.get("country") or {}).get("id"), externalid=r.get("externalId"),
                            isinactive=flag(r.get("isInactive")))
                       for r in store.all("subsidiary")],
        "shipitem": [dict(id=int(r["id"]), itemid=r.get("itemId"), displayname=r.get("displayName"),
                          externalid=r.get("externalId"), isinactive=flag(r.get("isInactive")))
                     for r in store.all("shipItem")],
        "paymentmethod": [dict(id=int(r["id"]), name=r.get("name"), externalid=r.get("externalId"),
                               isinactive=flag(r.get("isInactive"))) for r in store.all("paymentMethod")],
        "currency": [dict(id=int(r["id"]), symbol=r.get("symbol"), name=r.get("name"),
                          currencyprecision=r.get("currencyPrecision", 2), isinactive=flag(r.get("isInactive")))
                     for r in store.all("currency")],
        "pricelevel": [dict(id=int(r["id"]), name=r.get("name"), discountpct=dec(r.get("discountPct")),
                            isinactive=flag(r.get("isInactive")), isonline=flag(r.get("isOnline")),
                            externalid=r.get("externalId"), lastmodifieddate=timestamp(r.get("lastModifiedDate")))
                       for r in store.all("priceLevel")],
        "pricing": pricing_rows(store),
        PRICE_CHANGE: price_change_rows(store),
        "account": [dict(id=i, acctnumber=r.get("acctNumber"),
                         accountsearchdisplayname=f"{r.get('acctNumber')} {r.get('acctName')}".strip(),
                         fullname=full_name(r), accttype=(r.get("acctType") or {}).get("id"),
                         externalid=r.get("externalId"), isinactive=flag(r.get("isInactive")),
                         parent=ref_id(r.get("parent")), currency=ref_id(r.get("currency")))
                    for i, r in accounts.items()],
        "classification": _segment_rows(store, "classification"),
        "department": _segment_rows(store, "department"),
        "inventoryitemlocations": inventory_rows(store),
        "kititemmember": kit_member_rows(store),
    }


def _table(name: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[name]
    prefix = _CUSTOM_PREFIX.get(name)
    if prefix:
        custom = sorted({k for row in rows for k in row if k.startswith(prefix)} | set(DEFINED_CUSTOM_FIELDS[name]))
        schema = pa.schema([*schema, *(pa.field(k.lower(), _TEXT) for k in custom)])
        rows = [{k.lower(): v for k, v in row.items()} for row in rows]
    return pa.Table.from_pylist(rows, schema=schema)


def build_database(store: RecordStore) -> duckdb.DuckDBPyConnection:
    """A fresh DuckDB holding the store's tables, with no file or network access (queries come from clients)."""
    con = duckdb.connect(config={"enable_external_access": False})
    for name, rows in _rows(store).items():
        con.register("arrow_rows", _table(name, rows))
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM arrow_rows')
        con.unregister("arrow_rows")
    con.execute("CREATE VIEW aggregateitemlocation AS SELECT item, location, quantityonhand, quantityavailable, "
                "quantitycommitted, quantitybackordered, quantityonorder, quantityintransit, "
                "lastquantityavailablechange FROM inventoryitemlocations")
    con.execute("CREATE VIEW itemmember AS SELECT * FROM kititemmember")
    # SuiteQL (Oracle dialect) functions that DuckDB spells differently.
    con.execute("CREATE MACRO nvl(a, b) AS coalesce(a, b)")
    con.execute(
        "CREATE MACRO to_char(d, f) AS strftime(d, replace(replace(replace(replace(replace(replace("
        "f, 'YYYY', '%Y'), 'MM', '%m'), 'DD', '%d'), 'HH24', '%H'), 'MI', '%M'), 'SS', '%S'))"
    )
    # TO_DATE in the one format our queries use (DuckDB's strptime needs a constant format).
    con.execute("CREATE MACRO to_date(s, f) AS CASE WHEN f = 'YYYY-MM-DD' THEN CAST(s AS DATE) "
                "ELSE error('the sandbox reads TO_DATE in YYYY-MM-DD only') END")
    con.execute("CREATE SCHEMA builtin")
    con.execute("CREATE MACRO builtin.df(x) AS x")  # display value: the sandbox shows the stored value
    return con
