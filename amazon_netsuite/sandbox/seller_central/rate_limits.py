"""Usage plans: one token bucket per (seller account, operation), refilled at the plan's rate."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests per second
    burst: int


# Amazon's default Reports API plans (reports_2021-06-30.json).
USAGE_PLANS: dict[str, UsagePlan] = {
    "createReport": UsagePlan(0.0167, 15),
    "getReports": UsagePlan(0.0222, 10),
    "getReport": UsagePlan(2.0, 15),
    "cancelReport": UsagePlan(0.0222, 10),
    "getReportDocument": UsagePlan(0.0167, 15),
}


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
