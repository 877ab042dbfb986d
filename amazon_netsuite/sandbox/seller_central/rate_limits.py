"""Usage plans: one token bucket per (seller account, operation), refilled at the plan's rate."""

from __future__ import annotations

import threading
import time

# Amazon's published default plans: one table for the client and the emulator (reports_2021-06-30.json).
from amazon_netsuite.lib.amazon.ratelimit import USAGE_PLANS, UsagePlan


class RateLimiter:
    """Token buckets that start full; `rate_scale` multiplies every refill rate (not the burst)."""

    def __init__(self, rate_scale: float = 1.0, plans: dict[str, UsagePlan] | None = None) -> None:
        self.rate_scale = rate_scale
        self.plans = plans or USAGE_PLANS
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # → (tokens, monotonic time)
        self._lock = threading.Lock()

    def rate(self, operation: str) -> float:
        return self.plans[operation].rate * self.rate_scale

    def rate_header(self, operation: str) -> str:
        return f"{self.rate(operation):g}"

    def take(self, seller_account: str, operation: str) -> bool:
        """Spend one token; False when the bucket is empty (the caller answers 429)."""
        plan = self.plans[operation]
        now = time.monotonic()
        with self._lock:
            tokens, since = self._buckets.get((seller_account, operation), (float(plan.burst), now))
            tokens = min(float(plan.burst), tokens + (now - since) * self.rate(operation))
            allowed = tokens >= 1
            self._buckets[(seller_account, operation)] = (tokens - 1 if allowed else tokens, now)
            return allowed
