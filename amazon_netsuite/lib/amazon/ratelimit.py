"""Client-side token buckets mirroring SP-API usage plans, so we wait before sending instead of collecting 429s.

SP-API meters each operation per application and selling partner with a token bucket: `rate` tokens per second
refill a bucket of `burst` tokens. We keep one bucket per operation, seeded from the published plan and corrected
from the `x-amzn-RateLimit-Limit` header whenever Amazon sends one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests per second
    burst: int


# Published default usage plans, by operationId. Later API areas (feeds, orders, ...) add their rows here.
USAGE_PLANS: dict[str, UsagePlan] = {
    # Reports API 2021-06-30
    "createReport": UsagePlan(0.0167, 15),
    "getReports": UsagePlan(0.0222, 10),
    "getReport": UsagePlan(2.0, 15),
    "cancelReport": UsagePlan(0.0222, 10),
    "getReportDocument": UsagePlan(0.0167, 15),
    # Orders API v0 (ordersV0.json); the report path replaces these, the benchmarks price them.
    "getOrders": UsagePlan(0.0167, 20),
    "getOrderItems": UsagePlan(0.5, 30),
    "confirmShipment": UsagePlan(2.0, 10),
    # FBA Inventory API v1 (fbaInventory.json)
    "getInventorySummaries": UsagePlan(2.0, 2),
    # Feeds API 2021-06-30 (feeds_2021-06-30.json); JSON_LISTINGS_FEED has its own 5 per 5 minutes on top.
    "createFeedDocument": UsagePlan(0.5, 15),
    "createFeed": UsagePlan(0.0083, 15),
    "getFeed": UsagePlan(2.0, 15),
    "getFeeds": UsagePlan(0.0222, 10),
    "cancelFeed": UsagePlan(2.0, 15),
    "getFeedDocument": UsagePlan(0.0222, 10),
    # Listings Items API 2021-08-01 (listingsItems_2021-08-01.json)
    "getListingsItem": UsagePlan(5.0, 10),
    "patchListingsItem": UsagePlan(5.0, 5),
    "putListingsItem": UsagePlan(5.0, 10),
    # Product Type Definitions API 2020-09-01 (definitionsProductTypes_2020-09-01.json)
    "getDefinitionsProductType": UsagePlan(5.0, 10),
    # Finances API 2024-06-19 (finances_2024-06-19.json)
    "listTransactions": UsagePlan(0.5, 10),
    # Vendor Orders API v1 (vendorOrders.json) and Vendor Transaction Status API v1: 10 rps, burst 10 each.
    "getPurchaseOrders": UsagePlan(10.0, 10),
    "getPurchaseOrder": UsagePlan(10.0, 10),
    "submitAcknowledgement": UsagePlan(10.0, 10),
    "getPurchaseOrdersStatus": UsagePlan(10.0, 10),
    "getTransaction": UsagePlan(10.0, 10),
    # Vendor Direct Fulfillment Orders and Transactions APIs 2021-12-28, 10 / 10. Their operationIds (getOrders,
    # getOrder, submitAcknowledgement, getTransactionStatus) repeat other APIs' names, so the keys say which API.
    "getDirectFulfillmentOrders": UsagePlan(10.0, 10),
    "getDirectFulfillmentOrder": UsagePlan(10.0, 10),
    "submitDirectFulfillmentAcknowledgement": UsagePlan(10.0, 10),
    "getDirectFulfillmentTransactionStatus": UsagePlan(10.0, 10),
    # Sellers API v1 (https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference)
    "getMarketplaceParticipations": UsagePlan(0.016, 15),
}

# An operation missing from the table still gets a conservative bucket rather than none.
DEFAULT_PLAN = UsagePlan(0.5, 1)


class TokenBucket:
    """A thread-safe token bucket whose `acquire()` sleeps until a token is available."""

    def __init__(
        self,
        plan: UsagePlan,
        *,
        rate_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if plan.rate <= 0 or plan.burst < 1:
            raise ValueError(f"a usage plan needs a positive rate and a burst of at least 1, got {plan}")
        self._rate = plan.rate * rate_scale
        self._burst = float(plan.burst)
        self._tokens = float(plan.burst)  # Amazon's bucket starts full, and so does ours
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        """Tokens per second, after scaling."""
        return self._rate

    @property
    def burst(self) -> int:
        return int(self._burst)

    def available(self) -> float:
        with self._lock:
            self._refill()
            return self._tokens

    def acquire(self) -> float:
        """Take one token, sleeping first if the bucket is empty; returns the seconds waited."""
        with self._lock:
            self._refill()
            # Reserve the token now (the balance may go negative) so concurrent callers queue up fairly
            # and nobody sleeps while holding the lock.
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self._rate
        if wait > 0:
            self._sleep(wait)
        return wait

    def set_rate(self, rate_per_second: float) -> None:
        """Adopt the rate the server reported for this operation; it is the truth, so it is not scaled."""
        if rate_per_second <= 0:
            return
        with self._lock:
            self._refill()
            self._rate = rate_per_second

    def drain(self) -> None:
        """Empty the bucket: a 429 means Amazon's bucket is empty whatever ours believed."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, 0.0)

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)


class RateLimiter:
    """One token bucket per SP-API operation."""

    def __init__(
        self,
        plans: dict[str, UsagePlan] | None = None,
        *,
        rate_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._scale = rate_scale
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, operation: str) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                plan = self._plans.get(operation, DEFAULT_PLAN)
                bucket = TokenBucket(plan, rate_scale=self._scale, clock=self._clock, sleep=self._sleep)
                self._buckets[operation] = bucket
            return bucket

    def acquire(self, operation: str) -> float:
        return self.bucket(operation).acquire()

    def observe_rate_header(self, operation: str, header_value: str | None) -> None:
        """Update the operation's rate from an `x-amzn-RateLimit-Limit` value (requests per second)."""
        rate = parse_rate_limit(header_value)
        if rate is not None:
            self.bucket(operation).set_rate(rate)

    def throttled(self, operation: str) -> None:
        self.bucket(operation).drain()


def parse_rate_limit(value: str | None) -> float | None:
    if not value:
        return None
    try:
        rate = float(value.strip())
    except ValueError:
        return None
    return rate if rate > 0 else None
