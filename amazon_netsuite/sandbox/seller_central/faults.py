"""Injected faults: random 429s, 5xx, latency, hangs, FATAL/CANCELLED/slow reports. Seeded, so runs repeat."""

from __future__ import annotations

import asyncio
import random
import threading

from amazon_netsuite.sandbox.config import Faults
from amazon_netsuite.sandbox.seller_central.errors import QUOTA_EXCEEDED, ApiError


class FaultInjector:
    def __init__(self, faults: Faults, seed: int, stopping: threading.Event) -> None:
        self._faults = faults
        self._rng = random.Random(f"faults|{seed}")
        self._lock = threading.Lock()
        self._stopping = stopping
        # Reports made slow by `slow_next`; kept in memory, so a restarted sandbox lets them finish on time.
        self._slow_reports: set[str] = set()

    @property
    def faults(self) -> Faults:
        return self._faults

    def update(self, changes: dict) -> Faults:
        """Apply a partial change (validated); unknown knobs raise pydantic's ValidationError."""
        with self._lock:
            self._faults = Faults.model_validate({**self._faults.model_dump(), **changes})
            return self._faults

    def _roll(self, rate: float) -> bool:
        with self._lock:
            return rate > 0 and self._rng.random() < rate

    async def before_call(self) -> None:
        """Run before an SP-API operation: may sleep, hang, or raise the error Amazon would send."""
        f = self._faults
        if f.latency_ms:
            await asyncio.sleep(f.latency_ms / 1000)
        if self._roll(f.timeout_rate):
            # Hang longer than a client timeout allows, but give up at once when the server stops.
            deadline = asyncio.get_running_loop().time() + f.timeout_seconds
            while asyncio.get_running_loop().time() < deadline and not self._stopping.is_set():
                await asyncio.sleep(0.05)
            raise ApiError(503, "ServiceUnavailable", "Service is temporarily unavailable. Please try again.")
        if self._roll(f.throttle_rate):
            raise ApiError(429, "QuotaExceeded", QUOTA_EXCEEDED)
        if self._roll(f.error_rate):
            if self._roll(0.5):
                raise ApiError(503, "ServiceUnavailable", "Service is temporarily unavailable. Please try again.")
            raise ApiError(500, "InternalFailure", "We encountered an internal error. Please try again.")

    def report_outcome(self) -> str | None:
        """For a new report: FATAL or CANCELLED when a fault says so, else None (decided by its data)."""
        with self._lock:
            f = self._faults
            if f.fatal_next:
                self._faults = f.model_copy(update={"fatal_next": f.fatal_next - 1})
                return "FATAL"
            if f.cancelled_next:
                self._faults = f.model_copy(update={"cancelled_next": f.cancelled_next - 1})
                return "CANCELLED"
        if self._roll(f.fatal_reports):
            return "FATAL"
        if self._roll(f.cancelled_reports):
            return "CANCELLED"
        return None

    def feed_fatal(self) -> bool:
        """For a new feed: whether `fatal_feeds_next` makes it end FATAL (counting it down)."""
        with self._lock:
            f = self._faults
            if f.fatal_feeds_next:
                self._faults = f.model_copy(update={"fatal_feeds_next": f.fatal_feeds_next - 1})
                return True
        return False

    def vendor_transaction_stuck(self) -> bool:
        """For a new vendor transaction: whether `vendor_transactions_stuck_next` keeps it Processing forever."""
        with self._lock:
            f = self._faults
            if f.vendor_transactions_stuck_next:
                left = f.vendor_transactions_stuck_next - 1
                self._faults = f.model_copy(update={"vendor_transactions_stuck_next": left})
                return True
        return False

    def mark_if_slow(self, report_id: str) -> None:
        """For a new report: slow while `slow_next` says so (Amazon can keep a report queued for a long time)."""
        with self._lock:
            f = self._faults
            if f.slow_next:
                self._faults = f.model_copy(update={"slow_next": f.slow_next - 1})
                self._slow_reports.add(report_id)

    def report_delay(self, report_id: str, normal_seconds: float) -> float:
        """Seconds the report spends IN_QUEUE + IN_PROGRESS: `slow_report_seconds` (as set now) for a slow one."""
        return self._faults.slow_report_seconds if report_id in self._slow_reports else normal_seconds
