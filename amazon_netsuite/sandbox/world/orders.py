"""Orders: a pure function of (seed, storefront, day); their status is a pure function of the order and `as_of`.

Nothing is stored. Each order carries its own timeline (when it becomes Unshipped, Shipped or Cancelled), so
asking for the same order at a later instant shows it further along, exactly as a later report would.
"""

from __future__ import annotations

import hashlib
import random
import zlib
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate

from amazon_netsuite.lib.settings import Settings, Storefront
from amazon_netsuite.sandbox.world.catalog import CATALOG, Product
from amazon_netsuite.sandbox.world.markets import CENT, Market, ShipTo, market_for

FBA = "Amazon"  # fulfillment-channel values as written in the flat file
MFN = "Merchant"

# An order's last event is at most this many days after its purchase (MFN ships within 48 h).
MAX_ORDER_LIFETIME_DAYS = 3

_CUM_WEIGHTS = list(accumulate(p.popularity for p in CATALOG))
_ID_MODULUS = 10**14
# Multipliers coprime to 10 and a digit reversal are bijections mod 10^14: distinct numbers give distinct ids.
_ID_MULTIPLIERS = (7_368_787_345_679, 3_141_592_653_589)


@dataclass(frozen=True)
class OrderLine:
    product: Product
    quantity: int
    item_price: Decimal  # unit price × quantity, as Amazon reports it
    item_tax: Decimal
    shipping_price: Decimal
    shipping_tax: Decimal
    gift_wrap_price: Decimal | None
    gift_wrap_tax: Decimal | None
    item_promotion_discount: Decimal | None  # negative
    ship_promotion_discount: Decimal | None  # negative
    promotion_ids: tuple[str, ...]


@dataclass(frozen=True)
class Order:
    amazon_order_id: str
    storefront_key: str
    purchase_date: datetime
    fulfillment_channel: str  # FBA ("Amazon") or MFN ("Merchant")
    is_prime: bool  # Seller-Fulfilled Prime; only ever true for MFN orders
    ship_service_level: str
    ship_to: ShipTo
    is_business_order: bool
    purchase_order_number: str
    lines: tuple[OrderLine, ...]
    unshipped_at: datetime | None  # payment authorised; FBA orders may skip straight to Shipped
    shipped_at: datetime | None
    cancelled_at: datetime | None
    cancelled_line: int | None  # partial cancellation: index of the line cancelled
    line_cancelled_at: datetime | None

    @property
    def channel(self) -> str:
        """FBA, MFN or SFP (Seller-Fulfilled Prime), the way the seller talks about it."""
        if self.fulfillment_channel == FBA:
            return "FBA"
        return "SFP" if self.is_prime else "MFN"


@dataclass(frozen=True)
class OrderState:
    status: str  # Pending, Unshipped, Shipped, Cancelled
    last_updated: datetime
    item_statuses: tuple[str, ...]  # per line: Unshipped, Shipped, Cancelled
    prices_shown: bool  # Amazon hides prices of pending self-fulfilled orders


def as_utc(at: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already (the warehouse's convention)."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def order_state(order: Order, as_of: datetime) -> OrderState | None:
    """The order as Seller Central shows it at `as_of`; None if it was not placed yet."""
    as_of = as_utc(as_of)
    if as_of < order.purchase_date:
        return None
    n = len(order.lines)
    if order.cancelled_at is not None and as_of >= order.cancelled_at:
        return OrderState("Cancelled", order.cancelled_at, ("Cancelled",) * n, prices_shown=False)
    if order.shipped_at is not None and as_of >= order.shipped_at:
        status, item_status = "Shipped", "Shipped"
    elif order.unshipped_at is not None and as_of >= order.unshipped_at:
        status, item_status = "Unshipped", "Unshipped"
    else:
        status, item_status = "Pending", "Unshipped"
    line_cancelled = order.line_cancelled_at is not None and as_of >= order.line_cancelled_at
    events = (order.purchase_date, order.unshipped_at, order.shipped_at, order.line_cancelled_at)
    last_updated = max(t for t in events if t is not None and t <= as_of)
    statuses = tuple(
        "Cancelled" if line_cancelled and i == order.cancelled_line else item_status for i in range(n)
    )
    hidden = status == "Pending" and order.fulfillment_channel == MFN
    return OrderState(status, last_updated, statuses, prices_shown=not hidden)


def order_item_id(order: Order, line: int) -> str:
    """The 14-digit OrderItemId of one line of the order (Amazon's ids are 14 digits; ours are stable)."""
    digest = hashlib.sha1(f"{order.amazon_order_id}|{line}".encode()).hexdigest()
    return f"{int(digest, 16) % 10**14:014d}"


@dataclass(frozen=True)
class ConfirmedPackage:
    """A package the seller confirmed with confirmShipment: when, and the units per order line."""

    confirmed_at: datetime
    units: tuple[tuple[int, int], ...]  # (line index, quantity)


def confirmed_state(order: Order, as_of: datetime, packages: tuple[ConfirmedPackage, ...] = ()) -> OrderState | None:
    """The order at `as_of` once the seller's confirmations up to then are applied.

    Shipped when every unit of its live lines is confirmed or when the world ships it (whichever comes first);
    PartiallyShipped while only some units are confirmed. A confirmation also moves last-updated-date. A world
    cancellation after the first confirmation does not happen: Amazon does not cancel what has shipped.
    """
    as_of = as_utc(as_of)
    packages = tuple(p for p in packages if p.confirmed_at <= as_of)
    if not packages:
        return order_state(order, as_of)
    first = min(p.confirmed_at for p in packages)
    if order.cancelled_at is not None and order.cancelled_at > first:
        order = replace(order, cancelled_at=None)
    state = order_state(order, as_of)
    if state is None:
        return None
    units = [0] * len(order.lines)
    for package in packages:
        for line, quantity in package.units:
            units[line] += quantity
    items = tuple(
        "Shipped" if status != "Cancelled" and units[i] >= order.lines[i].quantity else status
        for i, status in enumerate(state.item_statuses)
    )
    if state.status != "Shipped":
        done = all(s in ("Shipped", "Cancelled") for s in items)
        status = "Shipped" if done else "PartiallyShipped"
    else:
        status = state.status
    last = max(state.last_updated, max(p.confirmed_at for p in packages))
    return OrderState(status, last, items, prices_shown=True)


def _event_time(purchase: datetime, seconds: int) -> datetime:
    # No event lands exactly on midnight, so a day's window selects the same orders whether its end is
    # given as 23:59:59 or as the next midnight (inclusive).
    at = purchase + timedelta(seconds=seconds)
    return at + timedelta(seconds=1) if at.time() == time(0) else at


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def order_id(prefix: str, number: int, seed: int) -> str:
    """`111-1234567-1234567`: a unique number scrambled so ids look random but never repeat."""
    n = (number * _ID_MULTIPLIERS[0] + seed * 1_234_567_891) % _ID_MODULUS
    n = int(f"{n:014d}"[::-1]) * _ID_MULTIPLIERS[1] % _ID_MODULUS
    return f"{prefix}-{n // 10**7:07d}-{n % 10**7:07d}"


class World:
    """The seller's deterministic world: the same seed gives the same catalog, orders and timelines."""

    def __init__(
        self,
        settings: Settings,
        seed: int = 7,
        orders_per_day: int = 100,
        history_days: int = 14,
        *,
        first_day: date | None = None,
        today: date | None = None,
    ) -> None:
        self.settings = settings
        self.seed = seed
        self.orders_per_day = orders_per_day
        today = today or datetime.now(timezone.utc).date()
        self.first_day = first_day or today - timedelta(days=history_days)
        self.markets: dict[str, Market] = {s.key: market_for(s) for s in settings.storefronts}
        self._orders_for_day = lru_cache(maxsize=4096)(self._generate_day)

    def storefront(self, key: str) -> Storefront:
        return self.settings.storefront(key)

    def orders_for_day(self, storefront_key: str, day: date) -> tuple[Order, ...]:
        """Every order placed in the storefront on that UTC day (whatever the clock says; see order_state)."""
        if storefront_key not in self.markets:
            raise KeyError(f"storefront {storefront_key!r} is not in the settings (known: {', '.join(self.markets)})")
        if day < self.first_day:
            return ()
        return self._orders_for_day(storefront_key, day)

    def orders_placed(self, storefront_key: str, day_from: date, day_to: date) -> list[Order]:
        orders: list[Order] = []
        day = day_from
        while day <= day_to:
            orders.extend(self.orders_for_day(storefront_key, day))
            day += timedelta(days=1)
        return orders

    order_state = staticmethod(order_state)

    # --- generation -----------------------------------------------------------------------------------

    def _generate_day(self, storefront_key: str, day: date) -> tuple[Order, ...]:
        market = self.markets[storefront_key]
        rng = random.Random(f"orders|{self.seed}|{storefront_key}|{day.isoformat()}")
        count = round(self.orders_per_day * rng.uniform(0.8, 1.2))
        seconds = sorted(rng.randint(1, 86399) for _ in range(count))
        storefront_code = zlib.crc32(storefront_key.encode()) % 1000
        base = (day.toordinal() * 1000 + storefront_code) * 100_000
        midnight = _midnight(day)
        return tuple(
            self._generate_order(rng, market, midnight + timedelta(seconds=s), base + i)
            for i, s in enumerate(seconds)
        )

    def _generate_order(self, rng: random.Random, market: Market, purchase: datetime, number: int) -> Order:
        is_fba = rng.random() < 0.55
        is_prime = not is_fba and rng.random() < 1 / 3
        if is_fba:
            level = rng.choice(("Standard", "Standard", "Expedited", "SecondDay"))
        elif is_prime:
            level = rng.choice(("Standard", "NextDay"))
        else:
            level = rng.choice(("Standard", "Standard", "Expedited"))
        place = rng.choice(market.places)
        is_business = rng.random() < 0.06
        po_number = f"PO-{rng.randint(10000, 99999)}" if is_business and rng.random() < 0.7 else ""
        gift = rng.random() < 0.04
        n_lines = rng.choices((1, 2, 3), weights=(75, 18, 7))[0]
        products: list[Product] = []
        while len(products) < n_lines:
            product = CATALOG[bisect_right(_CUM_WEIGHTS, rng.random() * _CUM_WEIGHTS[-1])]
            if product not in products:
                products.append(product)
        lines = tuple(
            self._generate_line(rng, market, place, p, is_fba, is_prime, is_business, gift) for p in products
        )

        # Timeline, in seconds after purchase.
        if is_fba:
            unshipped = rng.randint(120, 7200) if rng.random() < 0.5 else None
            shipped: int | None = rng.randint(7200, 86400)
        else:
            unshipped = rng.randint(120, 7200)
            shipped = rng.randint(43200, 172800)
        cancelled = cancelled_line = line_cancelled = None
        if rng.random() < 0.04:
            cancelled = rng.randint(60, shipped - 60)
            shipped = None
            if unshipped is not None and unshipped >= cancelled:
                unshipped = None
        elif n_lines > 1 and rng.random() < 0.03:
            cancelled_line = rng.randrange(n_lines)
            line_cancelled = rng.randint((unshipped or 60) + 1, shipped - 60)

        def at(offset: int | None) -> datetime | None:
            return None if offset is None else _event_time(purchase, offset)

        return Order(
            amazon_order_id=order_id(rng.choice(market.order_id_prefixes), number, self.seed),
            storefront_key=market.storefront.key,
            purchase_date=purchase,
            fulfillment_channel=FBA if is_fba else MFN,
            is_prime=is_prime,
            ship_service_level=level,
            ship_to=place,
            is_business_order=is_business,
            purchase_order_number=po_number,
            lines=lines,
            unshipped_at=at(unshipped),
            shipped_at=at(shipped),
            cancelled_at=at(cancelled),
            cancelled_line=cancelled_line,
            line_cancelled_at=at(line_cancelled),
        )

    @staticmethod
    def _generate_line(
        rng: random.Random, market: Market, place: ShipTo, product: Product,
        is_fba: bool, is_prime: bool, is_business: bool, gift: bool,
    ) -> OrderLine:
        quantity = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        unit = market.local_price(product.price_usd)
        if is_business:
            unit = (unit * Decimal("0.95")).quantize(CENT)
        item_price = unit * quantity
        promotion_ids: list[str] = []

        item_discount = None
        if rng.random() < 0.12:
            pct = rng.choice((10, 15, 20))
            item_discount = -(item_price * pct / 100).quantize(CENT)
            promotion_ids.append(f"{market.country}-SAVE{pct}-{product.parent_sku or product.sku}")

        shipping, ship_discount = Decimal("0.00"), None
        if is_fba:
            if rng.random() < 0.4:  # shown, then waived for Prime/free-shipping eligible buyers
                shipping = market.local_price(Decimal("5.99"))
                ship_discount = -shipping
        elif not is_prime:
            shipping = market.local_price(Decimal("4.99")) * quantity
            if rng.random() < 0.2:
                ship_discount = -shipping
        if ship_discount is not None:
            promotion_ids.append(f"Core Free Shipping Promotion {market.country}-{rng.randint(1000, 9999)}")

        gift_wrap = market.local_price(Decimal("3.99")) * quantity if gift else None

        # Tax is on what the buyer pays: the VAT inside the discounted gross amount (price discounts are not part of
        # the taxable amount, VAT Directive art. 79(b), https://eur-lex.europa.eu/eli/dir/2006/112/oj), or sales
        # tax added on top of the discounted amount.
        item_tax = market.tax_on(item_price + (item_discount or 0), place)
        shipping_tax = market.tax_on(shipping + (ship_discount or 0), place)
        gift_wrap_tax = market.tax_on(gift_wrap, place) if gift_wrap is not None else None
        return OrderLine(
            product=product,
            quantity=quantity,
            item_price=item_price,
            item_tax=item_tax,
            shipping_price=shipping,
            shipping_tax=shipping_tax,
            gift_wrap_price=gift_wrap,
            gift_wrap_tax=gift_wrap_tax,
            item_promotion_discount=item_discount,
            ship_promotion_discount=ship_discount,
            promotion_ids=tuple(promotion_ids),
        )
