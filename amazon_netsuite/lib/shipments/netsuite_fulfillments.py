"""NetSuite's shipped item fulfillments as the shipments flow reads them, by SuiteQL: one row per fulfillment ×
package, the lines each fulfillment ships, and a mark that moves when a fulfillment changes.

Tables and columns: `transaction` (type `ItemShip`, status `C` = Shipped, `shipmethod` the shipping item), the
mainline's `createdfrom` (the Sales Order) and `previoustransactionlinelink` (`linktype` 'ShipRcpt': Sales Order
line → fulfillment line) are public SuiteQL
(https://softwaresurvivor.com/blog/track-netsuite-item-fulfillments-shipping-packages-suiteql). Packages come from
`itemfulfillmentpackage`, a table that page names; its columns
(`itemfulfillment`, `id`, `packagetrackingnumber`, `packageweight`, `packagedescr`, the REST sublist's field names)
are not verified. The carrier is derived from the ship method's name, as NetSuite Connector does
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162886566009.html).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pyarrow as pa

from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.netsuite.client import SUITEQL_MAX_PAGE

FULFILLMENTS_SCHEMA = pa.schema([
    ("fulfillment_id", pa.string()), ("tran_id", pa.string()), ("sales_order_id", pa.string()),
    ("sales_order_external_id", pa.string()), ("storefront", pa.string()), ("amazon_order_id", pa.string()),
    ("ship_date", pa.date32()), ("ship_method", pa.string()), ("carrier", pa.string()),
    ("package_index", pa.int32()), ("package_count", pa.int32()), ("tracking_number", pa.string()),
    ("package_weight", pa.decimal128(18, 4)), ("package_description", pa.string()),
    ("last_modified", pa.string()),
])
FULFILLMENT_LINES_SCHEMA = pa.schema([
    ("fulfillment_id", pa.string()), ("line_id", pa.string()), ("item_id", pa.string()), ("sku", pa.string()),
    ("quantity", pa.decimal128(18, 4)), ("sales_order_id", pa.string()), ("order_line", pa.string()),
])
# Carriers recognised at the start of a ship method's name (longest first wins); any other name is its own carrier.
CARRIERS = ("Amazon Shipping", "Canada Post", "Deutsche Post", "Japan Post", "La Poste", "Royal Mail", "Colissimo",
            "DHL", "DPD", "Evri", "FedEx", "GLS", "Hermes", "OnTrac", "Parcelforce", "UPS", "USPS", "Yamato")
_TIME = "'YYYY-MM-DD HH24:MI:SS'"
_IN_CHUNK = 500  # ids per IN (...) list
_HEADERS = f"""
    SELECT f.id AS fulfillment_id, f.tranid AS tran_id, TO_CHAR(f.trandate, 'YYYY-MM-DD') AS ship_date,
           TO_CHAR(f.lastmodifieddate, {_TIME}) AS last_modified, so.id AS sales_order_id,
           so.externalid AS sales_order_external_id, so.otherrefnum AS amazon_order_id, sm.itemid AS ship_method
    FROM transaction f
    JOIN transactionline ml ON ml.transaction = f.id AND ml.mainline = 'T'
    JOIN transaction so ON so.id = ml.createdfrom
    LEFT JOIN item sm ON sm.id = f.shipmethod
    WHERE f.type = 'ItemShip' AND f.status = 'C'"""
_PACKAGES = """
    SELECT itemfulfillment AS fulfillment_id, id AS package_index, packagetrackingnumber AS tracking_number,
           packageweight AS package_weight, packagedescr AS package_description
    FROM itemfulfillmentpackage WHERE itemfulfillment IN ({ids}) ORDER BY itemfulfillment, id"""
_LINES = """
    SELECT tl.transaction AS fulfillment_id, tl.id AS line_id, tl.item AS item_id, i.itemid AS sku,
           ABS(tl.quantity) AS quantity, l.previousdoc AS sales_order_id, l.previousline AS order_line
    FROM transactionline tl
    JOIN previoustransactionlinelink l ON l.nextdoc = tl.transaction AND l.nextline = tl.id AND l.linktype = 'ShipRcpt'
    LEFT JOIN item i ON i.id = tl.item
    WHERE tl.mainline = 'F' AND tl.transaction IN ({ids}) ORDER BY tl.transaction, tl.id"""


def carrier_of(ship_method: str | None) -> str | None:
    """The carrier a ship method's name starts with ("UPS Ground" → "UPS"), else the whole name (a local courier);
    None without a ship method."""
    if not ship_method:
        return None
    for carrier in sorted(CARRIERS, key=len, reverse=True):
        if ship_method.lower().startswith(carrier.lower()):
            return carrier
    return ship_method


def _storefront(external_id: str | None, order_id: str | None) -> str | None:
    """`AMZ-{storefront}-{order id}` → the storefront; None for a Sales Order the orders flow did not post."""
    if not external_id or not order_id or not external_id.startswith("AMZ-") \
            or not external_id.endswith(f"-{order_id}"):
        return None
    return external_id[len("AMZ-"):-len(order_id) - 1] or None


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[n:n + _IN_CHUNK] for n in range(0, len(ids), _IN_CHUNK)]


def _by_ids(client: NetSuiteClient, query: str, ids: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in _chunks([str(int(i)) for i in ids]):  # ids inlined as integers: nothing else gets in
        rows += client.suiteql(query.format(ids=", ".join(chunk)))
    return rows


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def read_fulfillments(client: NetSuiteClient, *, modified_after: datetime | None = None,
                      page_size: int = SUITEQL_MAX_PAGE) -> pa.Table:
    """Shipped item fulfillments (FULFILLMENTS_SCHEMA), one row per fulfillment × package in fulfillment id and
    package order; a fulfillment without packages has one row with the package columns null, a package without a
    tracking number a null `tracking_number`. `modified_after` keeps those changed after it (compared in UTC, to
    the second; NetSuite shows `lastmodifieddate` in the account's time zone, which the sandbox's is)."""
    query, params = _HEADERS, []
    if modified_after is not None:
        query += f" AND TO_CHAR(f.lastmodifieddate, {_TIME}) > ?"
        params.append(modified_after.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"))
    headers = list(client.suiteql_by_key(query, params, key="fulfillment_id", page_size=page_size))
    packages: dict[str, list[dict[str, Any]]] = {}
    for row in _by_ids(client, _PACKAGES, [h["fulfillment_id"] for h in headers]):
        packages.setdefault(str(row["fulfillment_id"]), []).append(row)
    rows = []
    for header in headers:
        fid, order_id = str(header["fulfillment_id"]), header.get("amazon_order_id")
        base = {"fulfillment_id": fid, "tran_id": header.get("tran_id"),
                "sales_order_id": str(header["sales_order_id"]),
                "sales_order_external_id": header.get("sales_order_external_id"),
                "storefront": _storefront(header.get("sales_order_external_id"), order_id),
                "amazon_order_id": order_id, "ship_date": date.fromisoformat(str(header["ship_date"])),
                "ship_method": header.get("ship_method"), "carrier": carrier_of(header.get("ship_method")),
                "last_modified": header.get("last_modified")}
        boxes = packages.get(fid, [])
        for package in boxes or [{}]:
            rows.append({**base, "package_index": int(package["package_index"]) if package else None,
                         "package_count": len(boxes), "tracking_number": package.get("tracking_number") or None,
                         "package_weight": _decimal(package.get("package_weight")),
                         "package_description": package.get("package_description")})
    return pa.Table.from_pylist(rows, schema=FULFILLMENTS_SCHEMA)


def read_fulfillment_lines(client: NetSuiteClient, fulfillment_ids: list[str]) -> pa.Table:
    """The lines of these fulfillments (FULFILLMENT_LINES_SCHEMA): item, SKU, the positive quantity shipped and the
    Sales Order line it ships (`order_line`, NetSuite's line id on the Sales Order)."""
    rows = [{"fulfillment_id": str(r["fulfillment_id"]), "line_id": str(r["line_id"]), "item_id": str(r["item_id"]),
             "sku": r.get("sku"), "quantity": _decimal(r["quantity"]), "sales_order_id": str(r["sales_order_id"]),
             "order_line": str(r["order_line"])}
            for r in _by_ids(client, _LINES, list(fulfillment_ids))]
    return pa.Table.from_pylist(rows, schema=FULFILLMENT_LINES_SCHEMA)


def package_contents(lines: list[dict[str, Any]], package_count: int) -> list[list[tuple[dict[str, Any], Decimal]]]:
    """What each of a fulfillment's `package_count` cartons holds: (line, units) per carton. NetSuite's package
    sublist does not say, so the units are packed in line order, as evenly as whole units allow, earlier cartons
    taking the extra (the sandbox's warehouse weighs its cartons the same way); a fractional remainder stays in the
    last carton. No packages: one carton of everything."""
    count = max(package_count, 1)
    total = sum((Decimal(line["quantity"]) for line in lines), Decimal(0))
    whole = int(total)
    sizes = [Decimal(whole // count + (1 if n < whole % count else 0)) for n in range(count)]
    sizes[-1] += total - whole
    cartons: list[list[tuple[dict[str, Any], Decimal]]] = [[] for _ in range(count)]
    box, room = 0, sizes[0]
    for line in lines:
        left = Decimal(line["quantity"])
        while left > 0:
            while room <= 0 and box < count - 1:
                box += 1
                room = sizes[box]
            take = min(left, room) if box < count - 1 else left
            cartons[box].append((line, take))
            left -= take
            room -= take
    return cartons


def changed_ship_days(client: NetSuiteClient, modified_after: datetime) -> tuple[set[tuple[str, date]], str | None]:
    """The (storefront, ship day) of every shipped fulfillment of a posted order changed after `modified_after`, and
    the newest change among them (`YYYY-MM-DD HH:MM:SS`, NetSuite's time), None when nothing changed: the days a
    sensor runs, and where its next look starts."""
    query = _HEADERS + f" AND TO_CHAR(f.lastmodifieddate, {_TIME}) > ?"
    rows = list(client.suiteql_by_key(query, [modified_after.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")],
                                      key="fulfillment_id"))
    days = {(storefront, date.fromisoformat(str(r["ship_date"]))) for r in rows
            if (storefront := _storefront(r.get("sales_order_external_id"), r.get("amazon_order_id")))}
    return days, max((str(r["last_modified"]) for r in rows), default=None)


def last_fulfillment_change(client: NetSuiteClient) -> str | None:
    """A mark that moves when an item fulfillment is created, changed or deleted (the newest `lastmodifieddate`
    and the count), for a sensor; None while NetSuite has none."""
    (row,) = list(client.suiteql(f"SELECT TO_CHAR(MAX(lastmodifieddate), {_TIME}) AS changed, COUNT(*) AS records "
                                 "FROM transaction WHERE type = 'ItemShip'"))
    records = int(row.get("records") or 0)
    return f"fulfillments {row.get('changed')} ({records})" if records else None
