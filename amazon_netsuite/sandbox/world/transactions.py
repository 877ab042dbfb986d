"""Finances API 2024-06-19 transactions, cut from the settlements so both sides carry the same money.

A settlement's detail lines (world/settlements.py) are grouped into transactions: one `Shipment` per shipped order
(its `Order` lines), one per refund, chargeback or A-to-z claim (world/refunds.py), one `ServiceFee` per account-level
fee line (subscription, storage, advertising, coupons) and one `Adjustment` per FBA inventory reimbursement.
Reserve lines are how a settlement holds money back, not transactions, and are left out. Nothing is stored: a
transaction is a pure function of the world and the clock, which decides what has posted, whether a DD7-deferred
order has matured and whether its settlement exists yet (SETTLEMENT_ID).

https://developer-docs.amazon.com/sp-api/docs/finances-api-reference (listTransactions). Type names other than
`Shipment`, the breakdown vocabulary and the ids' formats are not documented by Amazon; see sandbox/README.md.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from amazon_netsuite.sandbox.world.orders import MAX_ORDER_LIFETIME_DAYS, MFN, Order, World
from amazon_netsuite.sandbox.world.refunds import A_TO_Z_CLAIM, CHARGEBACK, REFUND
from amazon_netsuite.sandbox.world.settlement_lines import SettlementLine
from amazon_netsuite.sandbox.world.settlements import (
    OTHER,
    PERIOD_DAYS,
    SettlementPeriod,
    SettlementStream,
    settlement,
    settlement_period,
)

DEFERRED, RELEASED, DEFERRED_RELEASED = "DEFERRED", "RELEASED", "DEFERRED_RELEASED"
DD7 = "DD7"
DD7_PER_100 = 30  # share of MFN orders whose funds Amazon holds until delivery + 7 days
ACCOUNT_TYPE = "Standard Orders"  # seen in public examples; not documented

_TYPES = {  # settlement transaction-type → (transactionType, description)
    "Order": ("Shipment", "Order Payment"),
    REFUND: ("Refund", "Refund Order"),
    CHARGEBACK: ("Chargeback", "Chargeback Refund"),
    A_TO_Z_CLAIM: ("GuaranteeClaim", "A-to-z Guarantee Claim"),
}
_RESERVES = {"Previous Reserve Amount Balance", "Current Reserve Amount"}
_NAMESPACE = uuid.UUID("0b3c7a52-9a51-4b7e-8d0e-4f7a3f1c6e21")


@dataclass(frozen=True)
class Deferral:
    reason: str
    maturity: datetime


@dataclass(frozen=True)
class FinanceTransaction:
    """One listTransactions entry, amounts as the settlement lines it was cut from."""

    transaction_id: str
    transaction_type: str
    description: str
    posted: datetime
    marketplace_id: str
    marketplace_name: str
    currency: str
    order_id: str
    lines: tuple[SettlementLine, ...]
    period: SettlementPeriod
    deferral: Deferral | None

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))

    def status(self, as_of: datetime) -> str:
        if self.deferral is None:
            return RELEASED
        return DEFERRED if as_of < self.deferral.maturity else DEFERRED_RELEASED


def deferral_of(seed: int, order: Order) -> Deferral | None:
    """DD7 for a share of MFN orders: funds held until 7 days after delivery (delivery 2–5 days after shipment)."""
    if order.fulfillment_channel != MFN or order.shipped_at is None:
        return None
    h = zlib.crc32(f"dd7|{seed}|{order.amazon_order_id}".encode())
    if h % 100 >= DD7_PER_100:
        return None
    delivered = order.shipped_at.date() + timedelta(days=2 + h // 100 % 4)
    return Deferral(DD7, datetime.combine(delivered + timedelta(days=7), time(0), tzinfo=order.shipped_at.tzinfo))


def financial_event_group_id(seed: int, period: SettlementPeriod) -> str:
    """The period's financial event group: 43 URL-safe characters, as Amazon's group ids look."""
    digest = hashlib.sha256(f"feg|{seed}|{period.settlement_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _transaction_id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(str(p) for p in parts)))


def period_transactions(world: World, period: SettlementPeriod) -> list[FinanceTransaction]:
    """Every transaction of the period's settlement, in posting order (whatever the clock says)."""
    stream, seed = period.stream, world.seed
    storefronts = [world.markets[k].storefront for k in stream.storefront_keys]
    by_channel, default = {s.sales_channel: s for s in storefronts}, storefronts[0]
    orders: dict[str, Order] = {}
    for key in stream.storefront_keys:
        first = (period.start - timedelta(days=MAX_ORDER_LIFETIME_DAYS)).date()
        for order in world.orders_placed(key, first, period.end.date()):
            orders[order.amazon_order_id] = order
    grouped: dict[tuple, list[SettlementLine]] = {}
    for i, ln in enumerate(settlement(world, period).lines):
        if ln.amount_description in _RESERVES:
            continue
        key = (ln.transaction_type, ln.order_id, ln.adjustment_id) if ln.order_id else ("fee", i)
        grouped.setdefault(key, []).append(ln)
    out = []
    for key, lines in grouped.items():
        first_line = lines[0]
        storefront = by_channel.get(first_line.marketplace_name, default)
        if first_line.order_id:
            kind, description = _TYPES[first_line.transaction_type]
            order = orders.get(first_line.order_id)
            deferral = deferral_of(seed, order) if order is not None and kind == "Shipment" else None
        else:
            kind = "Adjustment" if first_line.amount_type == "FBA Inventory Reimbursement" else "ServiceFee"
            description = _fee_name(first_line)
            deferral = None
        out.append(FinanceTransaction(
            _transaction_id(seed, stream.key, period.number, *key), kind, description, first_line.posted,
            storefront.marketplace_id, storefront.sales_channel, stream.currency, first_line.order_id, tuple(lines),
            period, deferral,
        ))
    out.sort(key=lambda t: (t.posted, t.transaction_id))
    return out


def _fee_name(line: SettlementLine) -> str:
    """What the fee is: the amount-type where the description is only `TransactionTotalAmount` (advertising)."""
    if line.amount_description == "TransactionTotalAmount" and line.amount_type != OTHER:
        return line.amount_type
    return line.amount_description


def breakdown_path(line: SettlementLine) -> tuple[str, str]:
    """(category, leaf) of a settlement line in a transaction's breakdowns."""
    t, d = line.amount_type, line.amount_description
    if t == "ItemPrice":
        if d in ("Tax", "ShippingTax", "GiftWrapTax"):
            return "Tax", d
        return ("ShippingCharges" if d == "Shipping" else "ProductCharges"), d
    if t == "ItemWithheldTax":
        return "Tax", d
    if t == "Promotion":
        return "Promotions", d
    if t == "ItemFees":
        return "AmazonFees", d
    if t == "FBA Inventory Reimbursement":
        return "Reimbursements", d
    return "AmazonFees", _fee_name(line)


def periods_between(world: World, stream: SettlementStream, since: datetime, until: datetime) -> list[SettlementPeriod]:
    """The stream's settlement periods overlapping [since, until), oldest first."""
    first = settlement_period(world, stream, 0).start
    number = max(0, int((since - first).total_seconds() // 86400) // PERIOD_DAYS)
    found = []
    while (period := settlement_period(world, stream, number)).start < until:
        if period.end > since:
            found.append(period)
        number += 1
    return found
