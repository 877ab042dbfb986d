"""Money that goes back to buyers after shipment: refunds, chargebacks and A-to-z Guarantee claims.

Each is a pure function of the seed and the order (refunds) or of the seed, settlement stream and period
(one chargeback and one A-to-z claim per period, taken from orders shipped around the period's start).
The order report never shows them: an order stays Shipped, as on Amazon.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_netsuite.sandbox.world.orders import MFN, Order

REFUND = "Refund"
CHARGEBACK = "Chargeback Refund"
A_TO_Z_CLAIM = "A-to-z Guarantee Claim"

REFUND_PER_10K = 300  # 3 % of shipped orders are refunded
MIN_REFUND_DAYS, MAX_REFUND_DAYS = 3, 25  # after shipment


@dataclass(frozen=True)
class Refund:
    """Money returned for one line of a shipped order: a refund, a chargeback or an A-to-z claim."""

    kind: str  # REFUND, CHARGEBACK or A_TO_Z_CLAIM: the settlement's transaction-type
    order: Order
    line_index: int
    posted: datetime
    adjustment_id: str


def adjustment_id(seed: int, order_id: str, kind: str) -> str:
    """A 14-digit adjustment id, the same for the same order and kind."""
    return f"{zlib.crc32(f'{seed}|{order_id}|{kind}'.encode()) * 3371 % 10**14:014d}"


def refund_of(seed: int, order: Order) -> Refund | None:
    """The refund of a shipped order, if it gets one: one line, some days after shipment."""
    if order.shipped_at is None:
        return None
    # A hash decides, not a seeded Random: this runs for every order of several weeks in each settlement.
    if zlib.crc32(f"refund|{seed}|{order.amazon_order_id}".encode()) % 10_000 >= REFUND_PER_10K:
        return None
    rng = random.Random(f"refund|{seed}|{order.amazon_order_id}")
    candidates = [i for i in range(len(order.lines)) if i != order.cancelled_line]
    line_index = rng.choice(candidates)
    delay = timedelta(days=rng.randint(MIN_REFUND_DAYS, MAX_REFUND_DAYS - 1), seconds=rng.randint(0, 86399))
    return Refund(REFUND, order, line_index, order.shipped_at + delay,
                  adjustment_id(seed, order.amazon_order_id, REFUND))


def period_claims(
    seed: int, stream_key: str, number: int, start: datetime, end: datetime, shipped: list[Order]
) -> list[Refund]:
    """This period's chargeback and A-to-z claim, for orders shipped in [start - 7 days, start + 7 days).

    `shipped` holds the stream's orders shipped in that window (any order). Windows of successive periods do not
    overlap, so no order is claimed twice; refunded orders are left alone.
    """
    window = (start - timedelta(days=7), start + timedelta(days=7))
    pool = sorted(
        (o for o in shipped if window[0] <= o.shipped_at < window[1] and refund_of(seed, o) is None),
        key=lambda o: o.amazon_order_id,
    )
    rng = random.Random(f"claims|{seed}|{stream_key}|{number}")
    claims: list[Refund] = []
    for kind, eligible in ((CHARGEBACK, pool), (A_TO_Z_CLAIM, [o for o in pool if o.fulfillment_channel == MFN])):
        eligible = [o for o in eligible if all(c.order is not o for c in claims)]
        if not eligible:
            continue
        order = rng.choice(eligible)
        earliest = max(start, order.shipped_at + timedelta(days=1))
        posted = earliest + timedelta(seconds=rng.randint(60, 5 * 86400))
        line_index = rng.choice([i for i in range(len(order.lines)) if i != order.cancelled_line])
        if posted < end:
            claims.append(Refund(kind, order, line_index, posted, adjustment_id(seed, order.amazon_order_id, kind)))
    return claims
