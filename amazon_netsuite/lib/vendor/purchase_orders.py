"""Landing a vendor account's purchase orders: Retail Procurement ones placed in the day or changed by Amazon in it
(getPurchaseOrders by createdAfter/Before, then by changedAfter/Before), and Direct Fulfillment orders placed in the
day, one row per line, as Amazon shows them now. A purchase order Amazon changed after it was placed replaces its
rows, so the table always holds Amazon's latest word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import groupby

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.vendor_orders import DirectFulfillmentOrdersApi, PurchaseOrder, VendorOrdersApi
from amazon_netsuite.lib.postings import utc_now
from amazon_netsuite.lib.report_registry import day_window, naive_utc
from amazon_netsuite.lib.warehouse.connection import transaction

RETAIL, DIRECT = "retail_procurement", "direct_fulfillment"
PROGRAM_NAMES = {RETAIL: "Retail Procurement", DIRECT: "Direct Fulfillment"}


@dataclass(frozen=True)
class Landed:
    retail: int
    direct: int
    changed: int
    lines: int


def _retail_rows(key: str, order: PurchaseOrder, landed_at: datetime) -> list[dict]:
    details = order.order_details
    placed = naive_utc(details.purchase_order_date)
    return [dict(storefront=key, day=placed.date(), program=RETAIL, purchase_order_number=order.purchase_order_number,
                 state=order.purchase_order_state, placed_at=placed, changed_at=naive_utc(details.purchase_order_changed_date),
                 line=n, item_sequence_number=item.item_sequence_number, vendor_sku=item.vendor_product_identifier,
                 asin=item.amazon_product_identifier, ordered_amount=item.ordered_quantity.amount,
                 unit=item.ordered_quantity.unit_of_measure or "Eaches", unit_size=item.ordered_quantity.unit_size or 1,
                 ordered_eaches=item.ordered_quantity.eaches,
                 net_cost=item.net_cost.amount if item.net_cost else None,
                 currency=item.net_cost.currency_code if item.net_cost else None,
                 back_order_allowed=item.is_back_order_allowed,
                 selling_party=details.selling_party.party_id if details.selling_party else None,
                 ship_from_party=None, landed_at=landed_at)
            for n, item in enumerate(details.items, start=1)]


def _direct_rows(key: str, order, landed_at: datetime) -> list[dict]:
    details = order.order_details
    placed = naive_utc(details.order_date)
    return [dict(storefront=key, day=placed.date(), program=DIRECT, purchase_order_number=order.purchase_order_number,
                 state=details.order_status, placed_at=placed, changed_at=None, line=n,
                 item_sequence_number=item.item_sequence_number, vendor_sku=item.vendor_product_identifier,
                 asin=item.buyer_product_identifier, ordered_amount=item.ordered_quantity.amount, unit="Eaches",
                 unit_size=1, ordered_eaches=item.ordered_quantity.amount, net_cost=item.net_price.amount,
                 currency=item.net_price.currency_code, back_order_allowed=False,
                 selling_party=details.selling_party.party_id, ship_from_party=details.ship_from_party.party_id,
                 landed_at=landed_at)
            for n, item in enumerate(details.items, start=1)]


_SCHEMA = pa.schema([("storefront", pa.string()), ("day", pa.date32()), ("program", pa.string()),
                     ("purchase_order_number", pa.string()), ("state", pa.string()), ("placed_at", pa.timestamp("us")),
                     ("changed_at", pa.timestamp("us")), ("line", pa.int32()), ("item_sequence_number", pa.string()),
                     ("vendor_sku", pa.string()), ("asin", pa.string()), ("ordered_amount", pa.int32()),
                     ("unit", pa.string()), ("unit_size", pa.int32()), ("ordered_eaches", pa.int32()),
                     ("net_cost", pa.decimal128(18, 4)), ("currency", pa.string()), ("back_order_allowed", pa.bool_()),
                     ("selling_party", pa.string()), ("ship_from_party", pa.string()),
                     ("landed_at", pa.timestamp("us"))])


def land_purchase_orders(con: duckdb.DuckDBPyConnection, key: str, day: date, retail: VendorOrdersApi | None,
                         direct: DirectFulfillmentOrdersApi | None, *, now: datetime | None = None) -> Landed:
    """Read the day's purchase orders of each enabled program (None: the program is off) and replace their rows."""
    start, end = day_window(day)
    end = min(end, now or datetime.now(timezone.utc))
    landed_at = utc_now()
    rows: list[dict] = []
    counts = {RETAIL: 0, DIRECT: 0, "changed": 0}
    if retail is not None and end > start:
        seen: set[str] = set()
        for window in ("created", "changed"):
            for order in retail.purchase_orders(**{f"{window}_after": start, f"{window}_before": end}):
                if order.purchase_order_number in seen or order.order_details is None:
                    continue
                seen.add(order.purchase_order_number)
                counts[RETAIL if window == "created" else "changed"] += 1
                rows += _retail_rows(key, order, landed_at)
    if direct is not None and end > start:
        for order in direct.orders(start, end):
            if order.order_details is None:
                order = direct.order(order.purchase_order_number)
            counts[DIRECT] += 1
            rows += _direct_rows(key, order, landed_at)
    numbers = sorted({r["purchase_order_number"] for r in rows})
    with transaction(con):
        con.execute("DELETE FROM vendor_purchase_orders WHERE storefront = ? AND purchase_order_number IN "
                    "(SELECT unnest(?::VARCHAR[]))", [key, numbers])
        if rows:
            for row in rows:
                row["net_cost"] = Decimal(row["net_cost"]) if row["net_cost"] is not None else None
            con.register("vendor_batch", pa.Table.from_pylist(rows, schema=_SCHEMA))
            con.execute("INSERT INTO vendor_purchase_orders BY NAME SELECT * FROM vendor_batch")
            con.unregister("vendor_batch")
    return Landed(counts[RETAIL], counts[DIRECT], counts["changed"], len(rows))


@dataclass(frozen=True)
class OrderLine:
    line: int
    item_sequence_number: str
    sku: str
    asin: str | None
    ordered_amount: int
    unit: str
    unit_size: int
    ordered_eaches: int
    net_cost: Decimal
    back_order_allowed: bool


@dataclass(frozen=True)
class VendorOrder:
    """One purchase order as landed: what the Sales Order and the acknowledgement are built from."""

    storefront: str
    program: str
    number: str
    day: date
    placed_at: datetime
    changed_at: datetime | None
    currency: str | None
    selling_party: str | None
    ship_from_party: str | None
    lines: tuple[OrderLine, ...]

    @property
    def key(self) -> str:
        return f"po:{self.number}"


def landed_orders(con: duckdb.DuckDBPyConnection, key: str, *, day: date | None = None,
                  numbers: list[str] | None = None) -> list[VendorOrder]:
    """The landed purchase orders of one vendor account: placed or changed by Amazon on `day`, or those `numbers`,
    or all."""
    where, params = "storefront = ?", [key]
    if day is not None:
        where, params = where + " AND (day = ? OR CAST(changed_at AS DATE) = ?)", [*params, day, day]
    if numbers is not None:
        where, params = where + " AND purchase_order_number IN (SELECT unnest(?::VARCHAR[]))", [*params, numbers]
    rows = con.execute(
        "SELECT program, purchase_order_number, day, placed_at, changed_at, currency, selling_party, ship_from_party, "
        "line, item_sequence_number, vendor_sku, asin, ordered_amount, unit, unit_size, ordered_eaches, net_cost, "
        f"back_order_allowed FROM vendor_purchase_orders WHERE {where} ORDER BY placed_at, purchase_order_number, line",
        params).fetchall()
    orders = []
    for number, group in groupby(rows, key=lambda row: row[1]):
        group = list(group)
        program, _, placed_day, placed, changed, currency, party, ship_from = group[0][:8]
        lines = tuple(OrderLine(line, seq, sku, asin, amount, unit, size, eaches, Decimal(cost), backorder)
                      for *_, line, seq, sku, asin, amount, unit, size, eaches, cost, backorder in group)
        orders.append(VendorOrder(key, program, number, placed_day, placed, changed, currency, party, ship_from, lines))
    return orders
