"""The world's own books: what each shipped order sold and each settlement paid, split the way an accountant reads
it (revenue net of tax, VAT and sales tax collected, tax Amazon withheld, fees, refunds, reserves), computed from the
world's orders and settlement lines and never from the integration's GL mapping or records.

Tests hold NetSuite's trial balance (read back by SuiteQL) against these figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal

from amazon_netsuite.sandbox.world.markets import Market
from amazon_netsuite.sandbox.world.orders import Order, World
from amazon_netsuite.sandbox.world.settlement_lines import SettlementLine, item_code
from amazon_netsuite.sandbox.world.settlements import Settlement, periods_available, settlement, settlement_streams

ZERO = Decimal(0)
_SALE_CHARGES = {"Principal", "Shipping", "GiftWrap"}
_TAX_CHARGES = {"Tax", "ShippingTax", "GiftWrapTax"}
_FEE_DESCRIPTIONS = {"Subscription", "Storage Fee", "StorageRenewalBilling"}
_RESERVE_DESCRIPTIONS = {"Current Reserve Amount", "Previous Reserve Amount Balance"}


@dataclass(frozen=True)
class OrderBooks:
    """One shipped order as the books should carry it: `net` is revenue (items, shipping and gift wrap less
    promotions, without tax); `tax` is what the seller owes the tax office (VAT inside the prices, or sales tax it
    collected itself); `facilitator_tax` is sales tax Amazon collected and remits (never the seller's)."""

    order_id: str
    storefront: str
    channel: str  # FBA, MFN or SFP
    shipped_at: str
    net: Decimal
    tax: Decimal
    facilitator_tax: Decimal

    @property
    def paid(self) -> Decimal:
        """What the seller's record of the order totals: revenue plus the tax it owes."""
        return self.net + self.tax


def order_books(market: Market, order: Order) -> OrderBooks:
    """The books of one shipped order, over the lines Amazon charged (a line cancelled before shipment is not)."""
    net = tax = ZERO
    for i, line in enumerate(order.lines):
        if i == order.cancelled_line:
            continue
        gross = (line.item_price + (line.item_promotion_discount or ZERO) + line.shipping_price
                 + (line.ship_promotion_discount or ZERO) + (line.gift_wrap_price or ZERO))
        line_tax = line.item_tax + line.shipping_tax + (line.gift_wrap_tax or ZERO)
        net += gross - line_tax if market.vat_rate is not None else gross
        tax += line_tax
    facilitator = tax if market.marketplace_facilitator else ZERO
    return OrderBooks(order.amazon_order_id, order.storefront_key, order.channel,
                      order.shipped_at.isoformat() if order.shipped_at else "", net,
                      ZERO if market.marketplace_facilitator else tax, facilitator)


@dataclass
class Refunded:
    """Money given back for one order in a settlement (refund, chargeback, A-to-z claim): `net` revenue reversed
    (positive), `tax` the seller's tax given back, `facilitator_tax` Amazon's."""

    order_id: str
    storefront: str | None  # None: an order the world never had
    net: Decimal = ZERO
    tax: Decimal = ZERO
    facilitator_tax: Decimal = ZERO


@dataclass
class SettlementBooks:
    """One settlement split by what each line is. Sums in the settlement's signs (positive: paid to the seller),
    except `refunds`, `fees` whose amounts are positive for money the seller gave up."""

    settlement_id: str
    currency: str
    storefronts: tuple[str, ...]
    deposit_date: str
    period_start: str
    period_end: str
    total: Decimal
    sold: dict[str, str] = field(default_factory=dict)  # order id → storefront, orders whose sale it pays
    unknown_sale_net: Decimal = ZERO  # sales of orders the world never had, net of tax
    unknown_sale_tax: Decimal = ZERO
    refunds: list[Refunded] = field(default_factory=list)
    fees: Decimal = ZERO  # every fee Amazon charged, refund fees and fee credits netted (positive: a cost)
    reimbursements: Decimal = ZERO
    reserve: Decimal = ZERO  # held (negative) and released (positive)
    tax_collected: Decimal = ZERO  # Tax lines of sales and refunds
    tax_withheld: Decimal = ZERO  # marketplace facilitator tax Amazon kept (negative) or gave back

    def as_json(self) -> dict:
        return _jsonable(asdict(self))


def settlement_books(world: World, found: Settlement, orders: dict[str, Order]) -> SettlementBooks:
    """Split a settlement's lines. `orders` holds the world's orders by id (those the settlement may name)."""
    period = found.period
    books = SettlementBooks(period.settlement_id, period.stream.currency, period.stream.storefront_keys,
                            period.deposit.isoformat(), period.start.isoformat(), period.end.isoformat(), found.total)
    refunds: dict[tuple[str, str], Refunded] = {}
    for line in found.lines:
        order = orders.get(line.order_id) if line.order_id else None
        market = world.markets[order.storefront_key] if order else world.markets[period.stream.storefront_keys[0]]
        if line.amount_type == "ItemFees" or line.transaction_type in ("ServiceFee", "CouponRedemptionFee") \
                or line.amount_description in _FEE_DESCRIPTIONS:
            books.fees -= line.amount
        elif line.amount_type == "FBA Inventory Reimbursement":
            books.reimbursements += line.amount
        elif line.amount_description in _RESERVE_DESCRIPTIONS:
            books.reserve += line.amount
        elif line.amount_type == "ItemWithheldTax":
            books.tax_withheld += line.amount  # a refund's withheld line gives back what its Tax line takes
        elif line.amount_description in _TAX_CHARGES:
            books.tax_collected += line.amount
            if line.transaction_type != "Order":
                refunded = _refunded(refunds, line, order)
                if market.marketplace_facilitator:
                    refunded.facilitator_tax -= line.amount
                else:
                    refunded.tax -= line.amount
        elif line.amount_type in ("ItemPrice", "Promotion") and (line.amount_description in _SALE_CHARGES):
            vat = _vat_of(market, order, line)
            if line.transaction_type == "Order":
                if order is None:
                    books.unknown_sale_net += line.amount - vat
                    books.unknown_sale_tax += vat
                else:
                    books.sold[order.amazon_order_id] = order.storefront_key
            else:
                refunded = _refunded(refunds, line, order)
                refunded.net -= line.amount - vat
                refunded.tax -= vat
        else:
            raise ValueError(f"settlement {period.settlement_id}: the world wrote a line it cannot classify: {line}")
    books.refunds = list(refunds.values())
    return books


def _refunded(refunds: dict, line: SettlementLine, order: Order | None) -> Refunded:
    key = (line.order_id, line.transaction_type)
    if key not in refunds:
        refunds[key] = Refunded(line.order_id, order.storefront_key if order else None)
    return refunds[key]


def _vat_of(market: Market, order: Order | None, line: SettlementLine) -> Decimal:
    """The VAT inside a VAT-inclusive sale or refund line: the order line's own VAT, taken whole by its price line
    (a refund gives back the VAT of what it gives back; promotions are inside the price's VAT already)."""
    if market.vat_rate is None:
        return ZERO
    if order is None:  # an order the world never had: VAT inside its price, as Amazon would have charged it
        return market.tax_on(line.amount, market.places[0])
    index = next(i for i in range(len(order.lines)) if item_code(order.amazon_order_id, i) == line.order_item_code)
    charged = order.lines[index]
    sign = 1 if line.transaction_type == "Order" else -1
    if line.amount_type == "Promotion":
        return ZERO
    tax = {"Principal": charged.item_tax, "Shipping": charged.shipping_tax,
           "GiftWrap": charged.gift_wrap_tax or ZERO}[line.amount_description]
    return sign * tax


def world_orders(world: World, storefronts: Iterable[str], as_of: datetime) -> dict[str, Order]:
    """Every order of the storefronts placed from the world's first day to `as_of`, by id."""
    return {o.amazon_order_id: o for key in storefronts
            for o in world.orders_placed(key, world.first_day, as_of.date()) if o.purchase_date <= as_of}


def shipped_order_books(world: World, orders: dict[str, Order], as_of: datetime) -> list[OrderBooks]:
    """The books of every order shipped by `as_of`, oldest first."""
    shipped = sorted((o for o in orders.values() if o.shipped_at is not None and o.shipped_at <= as_of),
                     key=lambda o: (o.shipped_at, o.amazon_order_id))
    return [order_books(world.markets[o.storefront_key], o) for o in shipped]


def world_books(world: World, storefronts: Iterable[str], as_of: datetime) -> dict:
    """The books of the storefronts at `as_of`: every order shipped, and every settlement whose report exists (of the
    seller accounts and currencies selling there), as JSON-ready dicts."""
    keys = set(storefronts)
    orders = world_orders(world, world.markets, as_of)  # a settlement may name an order of a sibling storefront
    streams = [s for s in settlement_streams(world.settings) if keys & set(s.storefront_keys)]
    settlements = [settlement_books(world, settlement(world, p), orders)
                   for stream in streams for p in periods_available(world, stream, as_of)]
    shipped = [b for b in shipped_order_books(world, orders, as_of) if b.storefront in keys]
    return {"as_of": as_of.isoformat(), "orders": [_jsonable(asdict(b)) for b in shipped],
            "settlements": [b.as_json() for b in sorted(settlements, key=lambda b: (b.deposit_date, b.currency))]}


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


