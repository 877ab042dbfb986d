"""A vendor's world: Amazon's Retail Procurement purchase orders and Direct Fulfillment orders, a pure function of
(seed, vendor account, day), with the changes Amazon makes to some purchase orders after they were placed.

Retail Procurement: Amazon buys from the vendor for its fulfillment centers, a few purchase orders a day, in cases
or eaches at the vendor's net cost (Decimal). About one in four is changed by Amazon a day or so later (a quantity
cut, sometimes an item cancelled to zero); `purchaseOrderChangedDate` tells when. One purchase order in the world
names an item that is not in the catalog (bad input for whoever posts it). Direct Fulfillment: the vendor ships
single customer orders itself, one or two units a line.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate

from amazon_netsuite.sandbox.world.catalog import CATALOG, Product
from amazon_netsuite.sandbox.world.markets import CENT, SHIP_TO
from amazon_netsuite.sandbox.world.orders import _event_time, _midnight, order_id

# What a vendor sells Amazon for, as a share of the catalog's list price (the sandbox's choice).
NET_COST_SHARE = Decimal("0.45")
CASE_SIZES = (6, 12, 24)
# Amazon fulfillment centers a purchase order may ship to: (party id, city, state, postal code).
FULFILLMENT_CENTERS = (
    ("ABE8", "Robbinsville", "NJ", "08691"), ("SEA8", "Kent", "WA", "98032"), ("PHX7", "Phoenix", "AZ", "85043"),
    ("ONT8", "Moreno Valley", "CA", "92551"), ("MDW2", "Joliet", "IL", "60436"),
)
# The one item of the world that no catalog knows: a product the vendor stopped making.
UNKNOWN_ITEM = ("LAMP-RETIRED-01", "B0RETIRED1")
# The day (after the world's first) whose first purchase order carries UNKNOWN_ITEM.
UNKNOWN_ITEM_DAY = 2

_CUM_WEIGHTS = list(accumulate(p.popularity for p in CATALOG))
_PO_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PO_MODULUS = 36**8
_PO_MULTIPLIER = 1_234_567_891  # coprime to 36: distinct numbers give distinct purchase order numbers


@dataclass(frozen=True)
class PurchaseOrderItem:
    sequence: int
    vendor_product_identifier: str  # the vendor's SKU
    amazon_product_identifier: str  # the ASIN
    amount: int  # in `unit`
    unit: str  # Cases or Eaches
    unit_size: int  # eaches per case (1 for Eaches)
    net_cost: Decimal  # per each
    list_price: Decimal
    back_order_allowed: bool

    @property
    def eaches(self) -> int:
        return self.amount * self.unit_size


@dataclass(frozen=True)
class PurchaseOrderChange:
    """What Amazon changed after placing the order: new amounts (in the item's unit) by item sequence."""

    at: datetime
    amounts: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PurchaseOrder:
    number: str
    vendor_code: str
    currency: str
    placed_at: datetime
    order_type: str
    ship_to: tuple[str, str, str, str]
    ship_window: tuple[datetime, datetime]
    delivery_window: tuple[datetime, datetime]
    items: tuple[PurchaseOrderItem, ...]  # as placed
    change: PurchaseOrderChange | None

    def changed_at(self, as_of: datetime) -> datetime | None:
        return self.change.at if self.change is not None and self.change.at <= as_of else None

    def items_as_of(self, as_of: datetime) -> tuple[PurchaseOrderItem, ...]:
        """The items as Amazon shows them at `as_of`: after its change, the changed amounts (0 = cancelled)."""
        if self.changed_at(as_of) is None:
            return self.items
        amounts = dict(self.change.amounts)
        return tuple(replace(i, amount=amounts.get(i.sequence, i.amount)) for i in self.items)


@dataclass(frozen=True)
class DirectFulfillmentItem:
    sequence: int
    vendor_product_identifier: str
    buyer_product_identifier: str
    title: str
    quantity: int  # eaches
    net_price: Decimal  # per each


@dataclass(frozen=True)
class DirectFulfillmentOrder:
    number: str
    customer_order_number: str
    vendor_code: str
    warehouse_id: str
    currency: str
    placed_at: datetime
    required_ship_date: datetime
    promised_delivery_date: datetime
    ship_method: str
    is_priority: bool
    is_gift: bool
    buyer_name: str
    ship_to: tuple[str, str, str]  # city, state, postal code (US)
    items: tuple[DirectFulfillmentItem, ...]


def purchase_order_number(number: int, seed: int) -> str:
    """Eight alphanumeric characters, as Amazon's are: a scrambled counter, so numbers never repeat."""
    n = (number * _PO_MULTIPLIER + seed * 7_919) % _PO_MODULUS
    chars = []
    for _ in range(8):
        n, digit = divmod(n, 36)
        chars.append(_PO_ALPHABET[digit])
    return "".join(reversed(chars))


def _pick_products(rng: random.Random, count: int) -> list[Product]:
    products: list[Product] = []
    while len(products) < count:
        product = CATALOG[bisect_right(_CUM_WEIGHTS, rng.random() * _CUM_WEIGHTS[-1])]
        if product not in products:
            products.append(product)
    return products


def _net_cost(product: Product) -> Decimal:
    return (product.price_usd * NET_COST_SHARE).quantize(CENT)


class VendorWorld:
    """One vendor account's orders: the same seed gives the same purchase orders, changes and DF orders."""

    def __init__(self, key: str, vendor_code: str, currency: str, warehouse_id: str, seed: int, first_day: date,
                 purchase_orders_per_day: int = 4, direct_fulfillment_orders_per_day: int = 6) -> None:
        self.key, self.vendor_code, self.currency, self.warehouse_id = key, vendor_code, currency, warehouse_id
        self.seed, self.first_day = seed, first_day
        self.purchase_orders_per_day = purchase_orders_per_day
        self.direct_fulfillment_orders_per_day = direct_fulfillment_orders_per_day
        self.purchase_orders_for_day = lru_cache(maxsize=1024)(self._purchase_orders)
        self.direct_fulfillment_orders_for_day = lru_cache(maxsize=1024)(self._direct_fulfillment_orders)

    def purchase_orders_placed(self, start: datetime, end: datetime) -> list[PurchaseOrder]:
        """Purchase orders placed in [start, end), oldest first."""
        return [po for day in _days(max(start.date(), self.first_day), end.date())
                for po in self.purchase_orders_for_day(day) if start <= po.placed_at < end]

    def direct_fulfillment_orders_placed(self, start: datetime, end: datetime) -> list[DirectFulfillmentOrder]:
        return [o for day in _days(max(start.date(), self.first_day), end.date())
                for o in self.direct_fulfillment_orders_for_day(day) if start <= o.placed_at < end]

    # --- generation -----------------------------------------------------------------------------------

    def _rng(self, kind: str, day: date) -> random.Random:
        return random.Random(f"vendor|{kind}|{self.seed}|{self.key}|{day.isoformat()}")

    def _purchase_orders(self, day: date) -> tuple[PurchaseOrder, ...]:
        if day < self.first_day:
            return ()
        rng = self._rng("po", day)
        count = round(self.purchase_orders_per_day * rng.uniform(0.5, 1.5))
        seconds = sorted(rng.randint(1, 86399) for _ in range(count))
        orders = [self._purchase_order(rng, day, i, _event_time(_midnight(day), s)) for i, s in enumerate(seconds)]
        if orders and day == self.first_day + timedelta(days=UNKNOWN_ITEM_DAY):
            first = orders[0]
            sku, asin = UNKNOWN_ITEM
            unknown = PurchaseOrderItem(len(first.items) + 1, sku, asin, 12, "Eaches", 1, Decimal("21.50"),
                                        Decimal("49.99"), False)
            orders[0] = replace(first, items=(*first.items, unknown))
        return tuple(orders)

    def _purchase_order(self, rng: random.Random, day: date, index: int, placed: datetime) -> PurchaseOrder:
        items = []
        for sequence, product in enumerate(_pick_products(rng, rng.choices((1, 2, 3, 4, 5), (20, 30, 25, 15, 10))[0]),
                                           start=1):
            if rng.random() < 0.6:
                unit, size, amount = "Cases", rng.choice(CASE_SIZES), rng.randint(1, 10)
            else:
                unit, size, amount = "Eaches", 1, rng.randint(6, 120)
            items.append(PurchaseOrderItem(sequence, product.sku, product.asin, amount, unit, size,
                                           _net_cost(product), product.price_usd, rng.random() < 0.3))
        ship_start = _midnight(day + timedelta(days=rng.randint(2, 4))) + timedelta(hours=7)
        ship_end = ship_start + timedelta(days=rng.randint(3, 5))
        delivery_start = ship_start + timedelta(days=2)
        delivery_end = ship_end + timedelta(days=rng.randint(2, 4))
        change = None
        if rng.random() < 0.25:
            at = placed + timedelta(seconds=rng.randint(20 * 3600, 40 * 3600))
            cut = rng.choice(items)
            amounts = [(cut.sequence, max(1, cut.amount * rng.choice((1, 2, 3)) // 4))]
            others = [i for i in items if i is not cut]
            if others and rng.random() < 0.5:
                amounts.append((rng.choice(others).sequence, 0))
            change = PurchaseOrderChange(at, tuple(sorted(amounts)))
        return PurchaseOrder(
            number=purchase_order_number(day.toordinal() * 100 + index, self.seed), vendor_code=self.vendor_code,
            currency=self.currency, placed_at=placed,
            order_type=rng.choices(("RegularOrder", "RushOrder", "NewProductIntroduction"), (85, 10, 5))[0],
            ship_to=rng.choice(FULFILLMENT_CENTERS), ship_window=(ship_start, ship_end),
            delivery_window=(delivery_start, delivery_end), items=tuple(items), change=change)

    def _direct_fulfillment_orders(self, day: date) -> tuple[DirectFulfillmentOrder, ...]:
        if day < self.first_day:
            return ()
        rng = self._rng("df", day)
        count = round(self.direct_fulfillment_orders_per_day * rng.uniform(0.5, 1.5))
        seconds = sorted(rng.randint(1, 86399) for _ in range(count))
        return tuple(self._direct_fulfillment_order(rng, day, i, _event_time(_midnight(day), s))
                     for i, s in enumerate(seconds))

    def _direct_fulfillment_order(self, rng: random.Random, day: date, index: int,
                                  placed: datetime) -> DirectFulfillmentOrder:
        products = _pick_products(rng, rng.choices((1, 2), (80, 20))[0])
        items = tuple(DirectFulfillmentItem(n, p.sku, p.asin, p.name, rng.choices((1, 2), (85, 15))[0], _net_cost(p))
                      for n, p in enumerate(products, start=1))
        place = rng.choice(SHIP_TO["US"])
        priority = rng.random() < 0.15
        number = day.toordinal() * 100 + index
        return DirectFulfillmentOrder(
            number=purchase_order_number(number + 50, self.seed + 1),
            customer_order_number=order_id("113", number, self.seed),
            vendor_code=self.vendor_code, warehouse_id=self.warehouse_id, currency=self.currency, placed_at=placed,
            required_ship_date=placed + timedelta(days=1 if priority else 2),
            promised_delivery_date=placed + timedelta(days=3 if priority else 6),
            ship_method="UPS_NEXT_DAY" if priority else "UPS_GROUND", is_priority=priority,
            is_gift=rng.random() < 0.05, buyer_name=rng.choice(_BUYERS),
            ship_to=(place.city, place.state, place.postal_code), items=items)


_BUYERS = ("Jordan Miller", "Avery Chen", "Sam Rivera", "Noor Haddad", "Chris O'Neil", "Renée Dubois")


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
