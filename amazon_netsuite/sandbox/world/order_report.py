"""GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: the rows a report holds, the file it is, and the truth to
check it against (orders per day, item-price totals).

A report over [start, end] (both inclusive) holds one row per order line of every order whose last-updated-date,
as of the report's processing time, falls in the window, for every storefront of the seller account: the real
report ignores marketplaceIds, and `sales-channel` tells the storefronts apart.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Mapping
from pathlib import Path

from amazon_netsuite.lib.amazon.order_report import DOCUMENTED_COLUMNS, ORDER_REPORT_TYPE
from amazon_netsuite.sandbox.world.demo import demo_settings
from amazon_netsuite.sandbox.world.orders import (
    MAX_ORDER_LIFETIME_DAYS,
    ConfirmedPackage,
    Order,
    OrderState,
    World,
    as_utc,
    confirmed_state,
    order_id,
    order_state,
)

# The 31 documented columns in file order, then the extra columns real files carry.
ORDER_REPORT_COLUMNS: list[str] = [
    *DOCUMENTED_COLUMNS, "tax-collection-model", "tax-collection-responsible-party", "is-prime",
]

REPORT_ENCODING = "cp1252"
REPORT_CONTENT_TYPE = "text/plain; charset=Cp1252"

_MONEY_COLUMNS = (
    "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount",
)


def report_timestamp(at: datetime) -> str:
    """`2026-11-20T14:03:11+00:00`, the way order reports write dates."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def order_rows(world: World, order: Order, state: OrderState) -> list[dict[str, str]]:
    """One row per order line, as the report shows the order in `state`."""
    market = world.markets[order.storefront_key]
    facilitator = market.marketplace_facilitator
    common = {
        "amazon-order-id": order.amazon_order_id,
        "merchant-order-id": "",
        "purchase-date": report_timestamp(order.purchase_date),
        "last-updated-date": report_timestamp(state.last_updated),
        "order-status": state.status,
        "fulfillment-channel": order.fulfillment_channel,
        "sales-channel": market.storefront.sales_channel,
        "order-channel": "",
        "ship-service-level": order.ship_service_level,
        "currency": market.currency,
        "ship-city": order.ship_to.city,
        "ship-state": order.ship_to.state,
        "ship-postal-code": order.ship_to.postal_code,
        "ship-country": order.ship_to.country,
        "is-business-order": "true" if order.is_business_order else "false",
        "purchase-order-number": order.purchase_order_number,
        "price-designation": "BusinessPrice" if order.is_business_order else "",
        "tax-collection-model": "MarketplaceFacilitator" if facilitator else "",
        "tax-collection-responsible-party": "Amazon Services, Inc." if facilitator else "",
        "is-prime": "true" if order.is_prime else "false",
    }
    rows = []
    for line, item_status in zip(order.lines, state.item_statuses):
        row = dict(common)
        row.update({"product-name": line.product.name, "sku": line.product.sku, "asin": line.product.asin,
                    "item-status": item_status})
        if item_status == "Cancelled":
            row["quantity"] = "0"
            row.update(dict.fromkeys(_MONEY_COLUMNS, ""))
            row["promotion-ids"] = ""
        else:
            row["quantity"] = str(line.quantity)
            amounts = {
                "item-price": line.item_price, "item-tax": line.item_tax,
                "shipping-price": line.shipping_price, "shipping-tax": line.shipping_tax,
                "gift-wrap-price": line.gift_wrap_price, "gift-wrap-tax": line.gift_wrap_tax,
                "item-promotion-discount": line.item_promotion_discount,
                "ship-promotion-discount": line.ship_promotion_discount,
            }
            for column, amount in amounts.items():
                row[column] = market.money(amount) if amount is not None and state.prices_shown else ""
            row["promotion-ids"] = ",".join(line.promotion_ids)
        rows.append({c: row[c] for c in ORDER_REPORT_COLUMNS})
    return rows


# Confirmed packages by order id (the seller's shipment confirmations, kept by the sandbox outside the world).
Confirmations = Mapping[str, tuple[ConfirmedPackage, ...]]


def _updated_orders(
    world: World, storefront_key: str, start: datetime, end: datetime, as_of: datetime,
    confirmed: Confirmations | None = None, confirmed_days: frozenset[date] = frozenset(),
) -> list[tuple[Order, OrderState]]:
    """Orders of one storefront whose last-updated-date, as of `as_of`, lies in [start, end]; `confirmed_days`
    adds the purchase days of confirmed orders, whose confirmation may come long after their own timeline."""
    start, end, as_of = as_utc(start), as_utc(end), as_utc(as_of)
    last_day = min(end, as_of).date()
    first_day = start.date() - timedelta(days=MAX_ORDER_LIFETIME_DAYS)
    orders = world.orders_placed(storefront_key, first_day, last_day)
    for day in sorted(d for d in confirmed_days if d < first_day):
        orders.extend(world.orders_for_day(storefront_key, day))
    found = []
    for order in orders:
        packages = confirmed.get(order.amazon_order_id, ()) if confirmed else ()
        state = confirmed_state(order, as_of, packages) if packages else order_state(order, as_of)
        if state is not None and start <= state.last_updated <= end:
            found.append((order, state))
    return found


def order_report_rows(
    world: World, seller_account_key: str, start: datetime, end: datetime, as_of: datetime,
    confirmed: Confirmations | None = None, confirmed_days: Mapping[str, frozenset[date]] | None = None,
) -> list[dict[str, str]]:
    """The report's rows for a seller account over [start, end] as processed at `as_of`, oldest purchase first;
    `confirmed` (by order id) and `confirmed_days` (purchase days by storefront) apply shipment confirmations."""
    account = world.settings.account(seller_account_key)
    found = []
    for storefront in account.storefronts:
        days = (confirmed_days or {}).get(storefront.key, frozenset())
        found.extend(_updated_orders(world, storefront.key, start, end, as_of, confirmed, days))
    found.sort(key=lambda pair: (pair[0].purchase_date, pair[0].amazon_order_id))
    return [row for order, state in found for row in order_rows(world, order, state)]


def _day_window(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day_from, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(day_to + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    return start, end - timedelta(microseconds=1)


def order_counts(world: World, storefront_key: str, day_from: date, day_to: date, as_of: datetime,
                 confirmed: Confirmations | None = None, confirmed_days: frozenset[date] = frozenset()
                 ) -> dict[date, int]:
    """Distinct orders whose last-updated-date (as of `as_of`) falls on each day: what a report would contain."""
    start, end = _day_window(day_from, day_to)
    updated = _updated_orders(world, storefront_key, start, end, as_of, confirmed, confirmed_days)
    counts = Counter(state.last_updated.date() for _, state in updated)
    days = (day_from + timedelta(days=i) for i in range((day_to - day_from).days + 1))
    return {day: counts.get(day, 0) for day in days}


def order_summary(world: World, storefront_key: str, day_from: date, day_to: date, as_of: datetime,
                  confirmed: Confirmations | None = None, confirmed_days: frozenset[date] = frozenset()) -> dict:
    """Per day: distinct orders and the item-price total of their rows (prices hidden or cancelled count 0)."""
    start, end = _day_window(day_from, day_to)
    market = world.markets[storefront_key]
    orders: Counter[date] = Counter()
    totals: defaultdict[date, Decimal] = defaultdict(Decimal)
    for order, state in _updated_orders(world, storefront_key, start, end, as_of, confirmed, confirmed_days):
        day = state.last_updated.date()
        orders[day] += 1
        for row in order_rows(world, order, state):
            if row["item-price"]:
                totals[day] += Decimal(row["item-price"])
    days = [day_from + timedelta(days=i) for i in range((day_to - day_from).days + 1)]
    return {
        "storefront": storefront_key,
        "currency": market.currency,
        "as_of": as_utc(as_of).isoformat(),
        "days": [
            {"date": d.isoformat(), "orders": orders.get(d, 0), "item_price_total": market.money(totals[d])}
            for d in days
        ],
        "orders": sum(orders.values()),
        "item_price_total": market.money(sum(totals.values(), Decimal(0))),
    }


# --- the file -------------------------------------------------------------------------------------------------


def _malform(fields: list[str], rng: random.Random) -> str:
    kind = rng.randrange(4)
    price = ORDER_REPORT_COLUMNS.index("item-price")
    if kind == 0:
        fields[price] = rng.choice(("N/A", "12.3O", "#VALUE!"))
    elif kind == 1:
        fields = fields[:-3]  # a truncated line: the trailing fields are missing
    elif kind == 2:
        fields = [*fields, "unexpected"]
    else:
        fields[ORDER_REPORT_COLUMNS.index("purchase-date")] = rng.choice(("2026-13-45T25:61:00+00:00", "yesterday"))
    return "\t".join(fields)


def order_report_text(rows: list[dict[str, str]], malformed_rows: float = 0.0, rng: random.Random | None = None) -> str:
    """The tab-separated file: header row, LF line ends. `malformed_rows` is the share of rows made unparseable."""
    rng = rng or random.Random(0)
    lines = ["\t".join(ORDER_REPORT_COLUMNS)]
    for row in rows:
        fields = [row[c] for c in ORDER_REPORT_COLUMNS]
        lines.append(_malform(fields, rng) if malformed_rows and rng.random() < malformed_rows else "\t".join(fields))
    return "\n".join(lines) + "\n"


# Template for the benchmark file: a month of the demo world, mid-flight at the end so every status appears.
_TEMPLATE_FIRST_DAY = date(2026, 10, 1)
_TEMPLATE_DAYS = 30
_TEMPLATE_AS_OF = datetime(2026, 10, 30, 18, 0, tzinfo=timezone.utc)


@lru_cache(maxsize=4)
def _file_template(seed: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(order-id prefix, each of the order's rows without its order id) for a month of the demo world."""
    world = World(demo_settings(), seed=seed, first_day=_TEMPLATE_FIRST_DAY)
    last_day = _TEMPLATE_FIRST_DAY + timedelta(days=_TEMPLATE_DAYS - 1)
    template = []
    for storefront in world.settings.storefronts:
        for order in world.orders_placed(storefront.key, _TEMPLATE_FIRST_DAY, last_day):
            state = order_state(order, _TEMPLATE_AS_OF)
            if state is not None:
                tails = ("\t" + "\t".join(list(row.values())[1:]) + "\n" for row in order_rows(world, order, state))
                template.append((order.amazon_order_id[:3], tuple(tails)))
    return tuple(template)


def write_order_report_file(path: str | Path, n_rows: int, seed: int = 7, encoding: str = "cp1252") -> int:
    """Write an order report file (header + `n_rows` data rows) of the sandbox format, fast; returns the row count.

    A month of generated orders is the template; it repeats with fresh, unique order ids until `n_rows` are out.
    """
    template = _file_template(seed)
    written, number = 0, 0
    chunk: list[str] = []
    with open(path, "wb") as out:
        out.write(("\t".join(ORDER_REPORT_COLUMNS) + "\n").encode(encoding))
        while written < n_rows and template:
            for prefix, tails in template:
                oid = order_id(prefix, number, seed)
                number += 1
                for tail in tails[: n_rows - written]:
                    chunk.append(oid + tail)
                written = min(n_rows, written + len(tails))
                if len(chunk) >= 20_000:
                    out.write("".join(chunk).encode(encoding))
                    chunk.clear()
                if written >= n_rows:
                    break
        out.write("".join(chunk).encode(encoding))
    return written
