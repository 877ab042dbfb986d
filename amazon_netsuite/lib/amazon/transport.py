"""The one retry policy for SP-API and Login with Amazon calls.

- 429 QuotaExceeded: back off (exponential with jitter) and retry; a `Retry-After` header, when present, sets the wait.
- 5xx, timeouts and dropped connections: retry with jittered exponential backoff.
- Any other 4xx: raised at once as a typed error; repeating a bad request only burns quota.
Attempts and total time are both bounded; when time or attempts run out the last error is raised.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import httpx
import tenacity

from amazon_netsuite.lib.amazon.errors import QuotaExceeded, ServerError, SpApiUnreachable

log = logging.getLogger(__name__)

T = TypeVar("T")

# Network failures worth another try; protocol or configuration mistakes (bad URL, proxy) are not.
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def is_retryable(exc: BaseException) -> bool:
    if getattr(exc, "retries_exhausted", False):
        # An inner call (the token exchange inside a request) already spent its own budget.
        return False
    return isinstance(exc, (QuotaExceeded, ServerError, *RETRYABLE_TRANSPORT_ERRORS))


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded, jittered retries; `clock`, `sleep` and `rng` are injectable so tests run on a fake clock."""

    max_attempts: int = 8
    max_total_seconds: float = 600.0
    initial_backoff: float = 1.0
    max_backoff: float = 60.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int, exc: BaseException | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        # "Equal jitter": at least half the exponential step, so a retry never fires immediately, yet
        # concurrent clients spread out instead of retrying in lockstep.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def call(self, fn: Callable[[], T], *, operation: str) -> T:
        """Run `fn` under the policy; non-retryable errors and the last retryable one propagate."""
        started = self.clock()

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.backoff(state.attempt_number, exc)

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            return self.clock() - started + state.upcoming_sleep > self.max_total_seconds

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s: attempt %d failed (%s); retrying in %.2fs",
                operation,
                state.attempt_number,
                exc,
                state.upcoming_sleep,
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_retryable),
            wait=wait,
            stop=stop,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(fn)
        except RETRYABLE_TRANSPORT_ERRORS as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise SpApiUnreachable(operation, attempts, exc) from exc
        except (QuotaExceeded, ServerError) as exc:
            exc.retries_exhausted = True  # type: ignore[attr-defined]
            raise
