"""One storefront-day of shipment confirmations: NetSuite's item fulfillments shipped that day → Orders v0
`confirmShipment`, one call per package
(https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#confirmshipment).

Each package carries Amazon's carrier code for the fulfillment's ship method (`carrier_code`: a listed code, else
"Other" + the carrier's name), its tracking number, the ship day, and the order items it holds: NetSuite's lines
packed into the cartons by `package_contents`, each SKU matched to Amazon's order item id (getOrderItems, cached in
`amazon_order_items`: the order report carries no order item id). `shipment_confirmations` is the ledger: a package
Amazon took is never sent again; one it refused, or that failed, or was held, is tried again by the next run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.errors import QuotaExceeded, SpApiError, Unauthorized
from amazon_netsuite.lib.amazon.shipments import Package, ShipmentRefused, carrier_code
from amazon_netsuite.lib.postings import QueuedError, queue_errors
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.warehouse import fetch_arrow, replace_partition
from amazon_netsuite.lib.shipments.netsuite_fulfillments import (
    package_contents,
    read_fulfillment_lines,
    read_fulfillments,
)

FLOW = "shipments"
CONFIRMED, HELD, REFUSED, FAILED = "confirmed", "held_no_tracking", "refused", "failed"
AMAZON_LABEL = "amazon_label"  # a Buy Shipping label: Amazon confirmed it when it was bought; never sent
DONE = (CONFIRMED, AMAZON_LABEL)
MAX_PACKAGES = 999  # cartons per fulfillment the package reference id has room for
Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def error_key(order_id: str, reference: str) -> str:
    return f"shipment:{order_id}:{reference}"


def package_reference_id(fulfillment_id: str, position: int) -> str:
    """Amazon wants a positive number unique within the order, the same on every re-run (a re-sent id edits the
    package instead of adding one). NetSuite's fulfillment internal id is a positive integer unique in the account
    and never reused, and a carton's position (1…n in package line order) is fixed once the fulfillment is
    packed, so `id × 1000 + position` is both."""
    if not 1 <= position <= MAX_PACKAGES:
        raise ValueError(f"fulfillment {fulfillment_id}: package {position} is beyond {MAX_PACKAGES} cartons")
    return str(int(fulfillment_id) * 1000 + position)


def ship_moment(day: date, purchase_date: datetime | None) -> datetime:
    """The shipDate sent (aware UTC): NetSuite's trandate has no time, so the start of the ship day, or the purchase
    time when the order was placed that day (Amazon refuses a ship date before the purchase)."""
    start = datetime.combine(day, time.min, timezone.utc)
    if purchase_date is None:
        return start
    purchased = purchase_date if purchase_date.tzinfo else purchase_date.replace(tzinfo=timezone.utc)
    return max(start, purchased)


def _error_class(exc: BaseException) -> str:
    if isinstance(exc, Unauthorized):
        return "auth"
    if isinstance(exc, QuotaExceeded):
        return "rate_limit"
    return "transient"


def order_items(connect: Connection, orders_api, storefront: str, order_id: str, now: datetime) -> list[dict]:
    """Amazon's order items of an order (order_item_id, sku, quantity_ordered), from `amazon_order_items`, else from
    getOrderItems once and stored: an order's item ids never change."""
    sql = ("SELECT order_item_id, sku, quantity_ordered FROM amazon_order_items WHERE storefront = ? "
           "AND amazon_order_id = ? ORDER BY order_item_id")
    with connect() as con:
        cached = con.execute(sql, [storefront, order_id]).fetchall()
    if cached:
        return [dict(order_item_id=i, sku=s, quantity_ordered=q) for i, s, q in cached]
    items = [dict(order_item_id=str(i["OrderItemId"]), sku=str(i.get("SellerSKU") or ""),
                  quantity_ordered=int(i.get("QuantityOrdered") or 0)) for i in orders_api.order_items(order_id)]
    with connect() as con:
        con.executemany("INSERT INTO amazon_order_items VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        [[storefront, order_id, i["order_item_id"], i["sku"], i["quantity_ordered"],
                          now.replace(tzinfo=None)] for i in items])
    return sorted(items, key=lambda i: i["order_item_id"])


def allocate(contents: list[tuple[dict, Decimal]], items: list[dict], used: Counter) -> list[dict]:
    """The package's order items: each carton line's SKU matched to Amazon's order items of that SKU, filling each
    up to its ordered quantity less what earlier packages took (`used`, updated); units beyond go to the SKU's last
    item, for Amazon to refuse. Raises LookupError for a SKU that is not on the Amazon order, ValueError for a
    fractional quantity."""
    chosen: dict[str, dict] = {}
    for line, units in contents:
        if units != units.to_integral_value():
            raise ValueError(f"SKU {line['sku']}: {units} units is not a whole number")
        left = int(units)
        same = [i for i in items if i["sku"] == line["sku"]]
        if not same:
            raise LookupError(f"SKU {line['sku']} is not an item of the Amazon order")
        for n, item in enumerate(same):
            room = max(item["quantity_ordered"] - used[item["order_item_id"]], 0)
            take = left if n == len(same) - 1 else min(left, room)
            if take:
                entry = chosen.setdefault(item["order_item_id"], {"orderItemId": item["order_item_id"],
                                                                  "sku": item["sku"], "quantity": 0})
                entry["quantity"] += take
                used[item["order_item_id"]] += take
                left -= take
            if not left:
                break
    return list(chosen.values())


@dataclass
class ShipmentResult:
    statuses: Counter = field(default_factory=Counter)  # by status (confirmed, amazon_label, held_no_tracking, ...)
    already_confirmed: int = 0  # confirmed, or an Amazon label, on an earlier run
    fba_skipped: int = 0
    reasons: list[str] = field(default_factory=list)


PACKAGES_SCHEMA = pa.schema([
    ("storefront", pa.string()), ("day", pa.date32()), ("read_at", pa.timestamp("us")),
    ("fulfillment_id", pa.string()), ("tran_id", pa.string()), ("amazon_order_id", pa.string()),
    ("ship_method", pa.string()), ("carrier", pa.string()), ("position", pa.int32()), ("package_count", pa.int32()),
    ("tracking_number", pa.string()), ("package_weight", pa.decimal128(18, 4)), ("contents", pa.string()),
])
_ROW_SCHEMA = pa.schema([
    ("storefront", pa.string()), ("day", pa.date32()), ("amazon_order_id", pa.string()),
    ("fulfillment_id", pa.string()), ("package_reference_id", pa.string()), ("carrier_code", pa.string()),
    ("carrier_name", pa.string()), ("ship_method", pa.string()), ("tracking_number", pa.string()),
    ("ship_date", pa.timestamp("us")), ("items", pa.string()), ("units", pa.int32()), ("status", pa.string()),
    ("reason", pa.string()), ("sent_at", pa.timestamp("us")),
])


def _record(con: duckdb.DuckDBPyConnection, storefront: str, rows: list[dict], now: datetime) -> None:
    """Upsert the packages' latest attempts and open or resolve their errors, in the order's one write."""
    con.register("_shipment_rows", pa.Table.from_pylist(rows, schema=_ROW_SCHEMA))
    try:
        con.execute("INSERT OR REPLACE INTO shipment_confirmations BY NAME SELECT * FROM _shipment_rows")
    finally:
        con.unregister("_shipment_rows")
    errors = [QueuedError(error_key(r["amazon_order_id"], r["package_reference_id"]), r["_class"],
                          r["reason"], {"order": r["amazon_order_id"], "package": r["package_reference_id"],
                                        "fulfillment": r["fulfillment_id"], "items": json.loads(r["items"])})
              for r in rows if r["status"] not in DONE]
    queue_errors(con, FLOW, storefront, errors, now,
                 settled=[error_key(r["amazon_order_id"], r["package_reference_id"]) for r in rows
                          if r["status"] in DONE])


def load_shipped_packages(con: duckdb.DuckDBPyConnection, netsuite, storefront: str, day: date,
                          now: datetime) -> pa.Table:
    """Read the storefront's fulfillments shipped on `day` from NetSuite and write them to `shipped_packages`
    (replacing the partition), one row per carton with what it holds; returns what was written."""
    packages = [r for r in read_fulfillments(netsuite).to_pylist()
                if r["storefront"] == storefront and r["ship_date"] == day]
    lines: dict[str, list[dict]] = {}
    if packages:
        for line in read_fulfillment_lines(netsuite, sorted({p["fulfillment_id"] for p in packages})).to_pylist():
            lines.setdefault(line["fulfillment_id"], []).append(line)
    rows, seen, cartons = [], Counter(), {}
    for package in packages:  # in fulfillment and package line order
        fid = package["fulfillment_id"]
        seen[fid] += 1
        if fid not in cartons:
            cartons[fid] = package_contents(lines.get(fid, []), package["package_count"])
        contents = cartons[fid][seen[fid] - 1]
        rows.append(dict(storefront=storefront, day=day, read_at=now.replace(tzinfo=None), fulfillment_id=fid,
                         tran_id=package["tran_id"], amazon_order_id=package["amazon_order_id"],
                         ship_method=package["ship_method"], carrier=package["carrier"], position=seen[fid],
                         package_count=package["package_count"], tracking_number=package["tracking_number"],
                         package_weight=package["package_weight"],
                         contents=json.dumps([{"sku": line["sku"], "quantity": str(units),
                                               "order_line": line["order_line"]} for line, units in contents])))
    table = pa.Table.from_pylist(rows, schema=PACKAGES_SCHEMA)
    con.register("_shipped_packages", table)
    try:
        replace_partition(con, "shipped_packages", storefront, str(day), "SELECT * FROM _shipped_packages")
    finally:
        con.unregister("_shipped_packages")
    return table


def confirm_shipments(connect: Connection, orders_api, settings: Settings, storefront: str, day: date,
                      now: datetime, log=None) -> ShipmentResult:
    """Confirm to Amazon every package of `shipped_packages` of the storefront-day that Amazon has not taken yet;
    each attempt lands in `shipment_confirmations`, and what was not confirmed in `integration_errors`."""
    options = settings.shipments
    marketplace_id = settings.storefront(storefront).marketplace_id
    amazon_labels = {m.casefold() for m in options.amazon_label_ship_methods}
    result = ShipmentResult()
    with connect() as con:
        packages = fetch_arrow(con, "SELECT * FROM shipped_packages WHERE storefront = ? AND day = ? "
                               "ORDER BY fulfillment_id, position", [storefront, day]).to_pylist()
    if not packages:
        return result
    order_ids = sorted({p["amazon_order_id"] for p in packages})
    with connect() as con:
        orders = {o: (channel, purchased) for o, channel, purchased in con.execute(
            "SELECT amazon_order_id, channel, purchase_date FROM orders_latest WHERE storefront = ? "
            "AND amazon_order_id IN (SELECT unnest(?::VARCHAR[]))", [storefront, order_ids]).fetchall()}
        ledger = con.execute(
            "SELECT amazon_order_id, package_reference_id, status, items FROM shipment_confirmations "
            "WHERE storefront = ? AND amazon_order_id IN (SELECT unnest(?::VARCHAR[]))",
            [storefront, order_ids]).fetchall()
    done = {(o, ref) for o, ref, status, _ in ledger if status in DONE}
    used: dict[str, Counter] = {}
    for o, _, status, items in ledger:  # units Amazon already took, per order item
        if status == CONFIRMED:
            for item in json.loads(items):
                used.setdefault(o, Counter())[item["orderItemId"]] += item["quantity"]
    by_order: dict[str, list[dict]] = {}
    for package in packages:
        by_order.setdefault(package["amazon_order_id"], []).append(package)
    for order_id, boxes in by_order.items():
        channel, purchased = orders.get(order_id, (None, None))
        if channel == "FBA":  # Amazon ships FBA orders; their Sales Orders are never fulfilled, but guard anyway
            result.fba_skipped += len(boxes)
            continue
        rows = []
        items: list[dict] | None = None
        for package in boxes:
            fid = package["fulfillment_id"]
            reference = package_reference_id(fid, package["position"])
            if (order_id, reference) in done:
                result.already_confirmed += 1
                continue
            carrier = package["carrier"] or package["ship_method"]
            code, name = carrier_code(carrier, marketplace_id) if carrier else (None, None)
            row = dict(storefront=storefront, day=day, amazon_order_id=order_id, fulfillment_id=fid,
                       package_reference_id=reference, carrier_code=code, carrier_name=name,
                       ship_method=package["ship_method"], tracking_number=package["tracking_number"],
                       ship_date=ship_moment(day, purchased).replace(tzinfo=None), items="[]", units=0,
                       status=CONFIRMED, reason=None, sent_at=now.replace(tzinfo=None), _class=None)
            rows.append(row)
            if (package["ship_method"] or "").casefold() in amazon_labels:
                units = sum(Decimal(c["quantity"]) for c in json.loads(package["contents"]))
                row.update(status=AMAZON_LABEL, units=int(units), reason=None)
                continue
            if channel is None:
                row.update(status=FAILED, _class="mapping", reason=f"order {order_id} is not in the warehouse's "
                           "orders: run the orders flow for its day first")
                continue
            if code is None:
                row.update(status=FAILED, _class="mapping", reason=f"fulfillment {package['tran_id']} of order "
                           f"{order_id} has no ship method: Amazon needs a carrier")
                continue
            try:
                if items is None:
                    items = order_items(connect, orders_api, storefront, order_id, now)
                contents = [(c, Decimal(c["quantity"])) for c in json.loads(package["contents"])]
                chosen = allocate(contents, items, used.setdefault(order_id, Counter()))
            except (LookupError, ValueError) as exc:
                row.update(status=FAILED, _class="mapping", reason=f"order {order_id} package {reference}: {exc}")
                continue
            except SpApiError as exc:
                row.update(status=FAILED, _class=_error_class(exc),
                           reason=f"getOrderItems of order {order_id} failed: {exc}")
                continue
            row.update(items=json.dumps(chosen), units=sum(i["quantity"] for i in chosen))
            tracking = package["tracking_number"]
            if not tracking:
                if not options.confirm_without_tracking:
                    row.update(status=HELD, _class="validation", reason=(
                        f"order {order_id} package {reference} ({package['ship_method']}, fulfillment "
                        f"{package['tran_id']}) has no tracking number: held. Add it in NetSuite, or set "
                        "shipments.confirm_without_tracking to confirm it untracked"))
                    continue
                # Amazon requires trackingNumber; the fulfillment's number is the only reference there is.
                tracking = package["tran_id"] or fid
                row["tracking_number"] = tracking
            sent = Package(reference, code, tracking, ship_moment(day, purchased),
                           {i["orderItemId"]: i["quantity"] for i in chosen}, carrier_name=name,
                           shipping_method=package["ship_method"])
            try:
                orders_api.confirm_shipment(order_id, marketplace_id, sent)
            except ShipmentRefused as exc:
                row.update(status=REFUSED, _class="validation", reason=f"Amazon refused it: {exc}")
            except (SpApiError, OSError) as exc:
                row.update(status=FAILED, _class=_error_class(exc), reason=f"confirmShipment of order {order_id} "
                           f"package {reference} failed: {exc}")
        for row in rows:  # units Amazon did not take stay free for the order's other packages
            if row["status"] != CONFIRMED:
                for item in json.loads(row["items"]):
                    used[order_id][item["orderItemId"]] -= item["quantity"]
        if rows:
            with connect() as con:  # per order, so a killed run keeps what Amazon already took
                _record(con, storefront, rows, now)
            for row in rows:
                result.statuses[row["status"]] += 1
                if row["reason"]:
                    result.reasons.append(row["reason"])
            if log:
                log.info(f"order {order_id}: " + ", ".join(f"{r['package_reference_id']} {r['status']}" for r in rows))
    return result
