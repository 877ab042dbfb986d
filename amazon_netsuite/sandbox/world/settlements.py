"""V2 settlements: every 14 days per seller account × currency, consistent with the world's orders.

A settlement is a pure function of (seed, account, currency, period number) and the world's orders; nothing is
stored. Period n covers [first day + 14n, first day + 14(n + 1)) in UTC; the report appears a day after it ends.
It holds, for the storefronts of that currency:

* every order shipped in the period (transaction-type `Order`): ItemPrice (Principal, Shipping, GiftWrap and,
  where tax is added on top, Tax/ShippingTax/GiftWrapTax), Promotion, ItemFees (Commission, FBA fees,
  VariableClosingFee, ShippingChargeback) and, where Amazon is the marketplace facilitator (US), the tax it
  withholds (ItemWithheldTax, MarketplaceFacilitatorTax-*). In VAT-inclusive storefronts the VAT is inside
  Principal, as it is inside the order report's item-price;
* refunds posted in the period, one chargeback and one A-to-z claim (world/refunds.py);
* account-level lines: Subscription (on the 1st), Storage Fee (on the 10th), advertising, coupon fees, FBA
  inventory reimbursements, Current/Previous Reserve Amount;
* an order and a refund whose order ids the world never had (`unknown_order_ids`).

Every fourth period of a stream (which one depends on the seed) is made negative by a long-term storage charge
larger than the period's proceeds (`designed_negative`); Amazon then holds no reserve.
"""

from __future__ import annotations

import random
import threading
import uuid
import weakref
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.sandbox.world.catalog import CATALOG
from amazon_netsuite.sandbox.world.orders import MAX_ORDER_LIFETIME_DAYS, Order, World, order_id
from amazon_netsuite.sandbox.world.refunds import MAX_REFUND_DAYS, REFUND, adjustment_id, period_claims, refund_of
from amazon_netsuite.sandbox.world.settlement_fees import (
    COUPON_REDEMPTION_USD,
    fee_profile,
    in_minor_units,
    local_fee,
    referral_fee,
    refund_admin_fee,
    subscription_fee,
)
from amazon_netsuite.sandbox.world.settlement_lines import SettlementLine, item_code, order_lines, refund_lines

SETTLEMENT_REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
PERIOD_DAYS = 14
RESERVE_DAYS = 3  # Amazon holds back the proceeds of orders shipped in the period's last days
NEGATIVE_EVERY = 4

OTHER = "other-transaction"
_SETTLEMENT_ID_BASE, _REPORT_ID_BASE, _ID_MODULUS = 10_000_000_000, 40_000_000_000, 10**10
_UNKNOWN_ORDER_NUMBERS = 99_500_000_000_000  # above any number the world gives its orders (see order_id)
_DOCUMENT_NAMESPACE = uuid.UUID("6f1d7c0e-3c55-4d0b-9f4b-5e7a2d8c1b90")


@dataclass(frozen=True)
class SettlementStream:
    """The settlements of one seller account in one currency (all its storefronts selling in that currency)."""

    index: int
    account: str
    region: str
    currency: str
    storefront_keys: tuple[str, ...]
    marketplace_ids: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.account}/{self.currency}"


@dataclass(frozen=True)
class SettlementPeriod:
    stream: SettlementStream
    number: int  # 0 is the world's first 14 days
    start: datetime
    end: datetime
    created: datetime  # the report's createdTime and processingStartTime
    available: datetime  # processingEndTime: from then on getReports lists it
    deposit: datetime
    settlement_id: str
    report_id: str
    report_document_id: str


@dataclass(frozen=True)
class Settlement:
    period: SettlementPeriod
    lines: tuple[SettlementLine, ...]
    total: Decimal  # the exact sum of the lines: the totals row's total-amount
    designed_negative: bool
    unknown_order_ids: tuple[str, ...]

    @property
    def negative(self) -> bool:
        return self.total < 0


def settlement_streams(settings: Settings) -> list[SettlementStream]:
    """One stream per seller account × currency, in settings order."""
    streams: list[SettlementStream] = []
    for account in settings.seller_accounts:
        for currency in dict.fromkeys(s.currency for s in account.storefronts):
            storefronts = [s for s in account.storefronts if s.currency == currency]
            streams.append(SettlementStream(
                len(streams), account.key, account.region, currency,
                tuple(s.key for s in storefronts), tuple(s.marketplace_id for s in storefronts),
            ))
    return streams


def _scrambled(base: int, n: int, multiplier: int, seed: int) -> str:
    # An affine map with a multiplier coprime to 10 is a bijection mod 10^10: distinct n, distinct ids.
    return str(base + (n * multiplier + seed * 982_451_653) % _ID_MODULUS)


def designed_negative(seed: int, stream: SettlementStream, number: int) -> bool:
    """Whether the period is made negative: one period in four per stream, which one set by the seed."""
    offset = zlib.crc32(f"negative|{seed}|{stream.key}".encode()) % NEGATIVE_EVERY
    return (number + offset) % NEGATIVE_EVERY == NEGATIVE_EVERY - 1


def settlement_period(world: World, stream: SettlementStream, number: int) -> SettlementPeriod:
    """Period `number` of the stream: its window, report timing and ids (cheap: no lines are generated)."""
    start = datetime.combine(world.first_day, time(0), tzinfo=timezone.utc) + timedelta(days=PERIOD_DAYS * number)
    end = start + timedelta(days=PERIOD_DAYS)
    rng = random.Random(f"settlement-period|{world.seed}|{stream.key}|{number}")
    created = end + timedelta(days=1, minutes=rng.randint(3, 50), seconds=rng.randint(0, 59))
    n = number * 64 + stream.index
    report_id = _scrambled(_REPORT_ID_BASE, n, 3_041_197, world.seed)
    fingerprint = f"{world.seed}|{world.orders_per_day}|{world.first_day}|{report_id}"
    return SettlementPeriod(
        stream=stream,
        number=number,
        start=start,
        end=end,
        created=created,
        available=created + timedelta(seconds=rng.randint(20, 300)),
        deposit=end + timedelta(days=1, hours=rng.randint(6, 20), minutes=rng.randint(0, 59)),
        settlement_id=_scrambled(_SETTLEMENT_ID_BASE, n, 7_368_787, world.seed),
        report_id=report_id,
        report_document_id=f"amzn1.spdoc.1.4.{stream.region}.{uuid.uuid5(_DOCUMENT_NAMESPACE, fingerprint)}",
    )


def periods_available(world: World, stream: SettlementStream, as_of: datetime) -> list[SettlementPeriod]:
    """The stream's settlements whose reports exist at `as_of`, oldest first."""
    found = []
    number = 0
    while (period := settlement_period(world, stream, number)).available <= as_of:
        found.append(period)
        number += 1
    return found


def _shipped(world: World, stream: SettlementStream, since: datetime, until: datetime) -> list[Order]:
    """The stream's orders shipped in [since, until)."""
    first = since.date() - timedelta(days=MAX_ORDER_LIFETIME_DAYS)
    last = (until - timedelta(microseconds=1)).date()
    return [
        order
        for key in stream.storefront_keys
        for order in world.orders_placed(key, first, last)
        if order.shipped_at is not None and since <= order.shipped_at < until
    ]


def reserve_held(world: World, period: SettlementPeriod) -> Decimal:
    """Current Reserve Amount (positive): the proceeds of orders shipped in the period's last days, none in a
    designed-negative period."""
    if period.number < 0 or designed_negative(world.seed, period.stream, period.number):
        return Decimal(0)
    orders = _shipped(world, period.stream, period.end - timedelta(days=RESERVE_DAYS), period.end)
    proceeds = sum((ln.amount for o in orders for ln in order_lines(world.markets[o.storefront_key], o)), Decimal(0))
    return max(proceeds, Decimal(0))


class _Other:
    """Builds account-level lines of one settlement (no order id) at seeded instants inside the period."""

    def __init__(self, period: SettlementPeriod, rng: random.Random) -> None:
        self.period, self.rng, self.lines = period, rng, []

    def instant(self, earliest: datetime | None = None) -> datetime:
        start = max(earliest or self.period.start, self.period.start)
        span = int((self.period.end - start).total_seconds()) - 1
        return start + timedelta(seconds=self.rng.randint(0, max(span, 0)))

    def add(self, description: str, amount: Decimal, posted: datetime, *, transaction_type: str = OTHER,
            amount_type: str = OTHER, marketplace: str = "", sku: str = "", quantity: int | None = None) -> None:
        if amount:
            self.lines.append(SettlementLine(transaction_type, "", "", "", marketplace, amount_type, description,
                                             amount, "", posted, "", sku, quantity, ""))


def _month_day_in(period: SettlementPeriod, day: int) -> datetime | None:
    """The first midnight on `day` of a month inside the period, if any."""
    at = period.start
    while at < period.end:
        if at.day == day:
            return at
        at += timedelta(days=1)
    return None


def _unknown_orders(
    world: World, period: SettlementPeriod, rng: random.Random
) -> tuple[list[SettlementLine], list[str]]:
    """An order and a refund for order ids the world never had (placed before its history, or elsewhere)."""
    stream = period.stream
    market = world.markets[stream.storefront_keys[0]]
    lines: list[SettlementLine] = []
    ids = []
    for j, kind in enumerate(("Order", REFUND)):
        number = _UNKNOWN_ORDER_NUMBERS + (period.number * 64 + stream.index) * 4 + j
        oid = order_id(rng.choice(market.order_id_prefixes), number, world.seed)
        product = rng.choice(CATALOG)
        price = market.local_price(product.price_usd)
        commission = referral_fee(fee_profile(product), price, 1, market.currency)
        sign = 1 if kind == "Order" else -1
        posted = period.start + timedelta(seconds=rng.randint(0, PERIOD_DAYS * 86400 - 1))
        adjustment = adjustment_id(world.seed, oid, kind) if kind == REFUND else ""
        rows = [("ItemPrice", "Principal", sign * price), ("ItemFees", "Commission", -sign * commission)]
        if kind == REFUND:
            rows.append(("ItemFees", "RefundCommission", -refund_admin_fee(commission, 1, market.currency)))
        lines.extend(
            SettlementLine(kind, oid, adjustment, "", market.storefront.sales_channel, amount_type, description,
                           amount, "AFN", posted, item_code(oid, 0), product.sku, 1 if kind == "Order" else None, "")
            for amount_type, description, amount in rows
        )
        ids.append(oid)
    return lines, ids


def _account_fees(world: World, other: _Other, sales: Decimal) -> None:
    """Subscription, storage, advertising, coupon fees and FBA inventory reimbursements of the period."""
    period, rng = other.period, other.rng
    currency, market = period.stream.currency, world.markets[period.stream.storefront_keys[0]]
    first_of_month = _month_day_in(period, 1)
    if first_of_month is not None:
        posted = first_of_month + timedelta(hours=2, minutes=rng.randint(0, 59))
        other.add("Subscription", -subscription_fee(currency), posted)
    tenth = _month_day_in(period, 10)
    if tenth is not None:
        # Storage is billed for the month before; October–December rates are about three times higher.
        peak = Decimal(3) if (tenth - timedelta(days=15)).month in (10, 11, 12) else Decimal(1)
        usd = Decimal(max(world.orders_per_day, 10)) * Decimal("0.45") * peak * Decimal(rng.randint(90, 110)) / 100
        other.add("Storage Fee", -local_fee(usd, currency), tenth + timedelta(hours=6, minutes=rng.randint(0, 59)))
    for _ in range(2 if sales else 0):
        share = Decimal(rng.randint(150, 300)) / 10_000
        other.add("TransactionTotalAmount", -in_minor_units(sales * share, currency), other.instant(),
                  transaction_type="ServiceFee", amount_type="Cost of Advertising",
                  marketplace=market.storefront.sales_channel)
    for _ in range(rng.randint(3, 8)):
        other.add("Coupon Redemption Fee", -local_fee(COUPON_REDEMPTION_USD, currency), other.instant(),
                  transaction_type="CouponRedemptionFee", amount_type="CouponRedemptionFee")
    for kind in ("WAREHOUSE_DAMAGE", "WAREHOUSE_LOST" if period.number % 2 == 0 else "REVERSAL_REIMBURSEMENT"):
        product, quantity = rng.choice(CATALOG), rng.randint(1, 3)
        value = in_minor_units(market.local_price(product.price_usd) * Decimal("0.55"), currency) * quantity
        other.add(kind, -value if kind == "REVERSAL_REIMBURSEMENT" else value, other.instant(),
                  amount_type="FBA Inventory Reimbursement", sku=product.sku, quantity=quantity)


def _reserves(world: World, other: _Other, negative: bool, so_far: Decimal) -> None:
    """Release the previous reserve; hold a new one, or, in a designed-negative period, charge long-term storage
    beyond the proceeds (`so_far` is the sum of the order-related lines)."""
    period, rng = other.period, other.rng
    if period.number > 0:
        previous = settlement_period(world, period.stream, period.number - 1)
        other.add("Previous Reserve Amount Balance", reserve_held(world, previous), period.start)
    if not negative:
        other.add("Current Reserve Amount", -reserve_held(world, period), period.end - timedelta(seconds=1))
        return
    before = so_far + sum((ln.amount for ln in other.lines), Decimal(0))
    shortfall = local_fee(Decimal(rng.randint(2500, 40000)) / 100, period.stream.currency)
    modest = local_fee(Decimal(rng.randint(500, 5000)) / 100, period.stream.currency)
    charge = before + shortfall if before + shortfall > 0 else modest
    other.add("StorageRenewalBilling", -charge, other.instant(period.start + timedelta(days=PERIOD_DAYS // 2)))


def generate_settlement(world: World, period: SettlementPeriod) -> Settlement:
    """Build the settlement from the world (pure; `settlement()` is the cached way in)."""
    stream, seed, currency = period.stream, world.seed, period.stream.currency
    rng = random.Random(f"settlement|{seed}|{stream.key}|{period.number}")
    lines: list[SettlementLine] = []

    recent = _shipped(world, stream, period.start - timedelta(days=MAX_REFUND_DAYS), period.end)
    for order in recent:
        market = world.markets[order.storefront_key]
        if order.shipped_at >= period.start:
            lines.extend(order_lines(market, order))
        refund = refund_of(seed, order)
        if refund is not None and period.start <= refund.posted < period.end:
            lines.extend(refund_lines(market, refund))
    for claim in period_claims(seed, stream.key, period.number, period.start, period.end, recent):
        lines.extend(refund_lines(world.markets[claim.order.storefront_key], claim))
    unknown, unknown_ids = _unknown_orders(world, period, rng)
    lines.extend(unknown)

    sales = sum((ln.amount for ln in lines if ln.transaction_type == "Order" and ln.amount_description == "Principal"
                 and ln.amount_type == "ItemPrice"), Decimal(0))
    other = _Other(period, rng)
    _account_fees(world, other, sales)
    negative = designed_negative(seed, stream, period.number)
    _reserves(world, other, negative, so_far=sum((ln.amount for ln in lines), Decimal(0)))
    lines.extend(other.lines)

    lines.sort(key=lambda ln: (ln.posted, ln.order_id, ln.transaction_type))
    total = sum((ln.amount for ln in lines), Decimal(0))
    return Settlement(period, tuple(lines), in_minor_units(total, currency), negative, tuple(unknown_ids))


# --- a small cache per world: the report endpoints and the truth endpoint ask for the same settlements ----------

_CACHES: "weakref.WeakKeyDictionary[World, OrderedDict]" = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 6  # ~4.5 MB per settlement at 100 orders a day; rebuilding one from cached orders takes ~40 ms


def settlement(world: World, period: SettlementPeriod) -> Settlement:
    """The period's settlement, generated once per world (a few recent ones are kept)."""
    with _CACHE_LOCK:
        cache = _CACHES.setdefault(world, OrderedDict())
        key = (period.stream.index, period.number)
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        # Generated under the lock: two requests for the same settlement must not build it twice.
        built = generate_settlement(world, period)
        cache[key] = built
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
        return built


def settlement_summary(found: Settlement) -> dict:
    """The sandbox's truth about one settlement, amounts as exact decimal strings."""
    period = found.period
    by_description: dict[str, Decimal] = {}
    by_type: dict[tuple[str, str, str], list] = {}
    for ln in found.lines:
        by_description[ln.amount_description] = by_description.get(ln.amount_description, Decimal(0)) + ln.amount
        entry = by_type.setdefault((ln.transaction_type, ln.amount_type, ln.amount_description), [Decimal(0), 0])
        entry[0] += ln.amount
        entry[1] += 1
    return {
        "settlement_id": period.settlement_id,
        "report_id": period.report_id,
        "report_document_id": period.report_document_id,
        "account": period.stream.account,
        "currency": period.stream.currency,
        "storefronts": list(period.stream.storefront_keys),
        "marketplace_ids": list(period.stream.marketplace_ids),
        "period_number": period.number,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "deposit_date": period.deposit.isoformat(),
        "created_time": period.created.isoformat(),
        "total": str(found.total),
        "line_count": len(found.lines),
        "negative": found.negative,
        "designed_negative": found.designed_negative,
        "unknown_order_ids": list(found.unknown_order_ids),
        "by_description": {k: str(v) for k, v in sorted(by_description.items())},
        "by_type": [
            {"transaction_type": t, "amount_type": a, "amount_description": d, "amount": str(v[0]), "lines": v[1]}
            for (t, a, d), v in sorted(by_type.items())
        ],
    }
