"""The one HTTP retry policy, shared by the SP-API, Login with Amazon and NetSuite clients.

Each caller says which errors are worth another try (`retryable`) and how to name a call that never got an
answer (`unreachable`); the policy owns the rest: equal-jitter exponential backoff, a server's Retry-After,
bounded attempts and total time, logging, and a hook per retry.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import httpx
import tenacity

log = logging.getLogger(__name__)

T = TypeVar("T")

# Network failures worth another try; protocol or configuration mistakes (bad URL, proxy) are not.
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def is_transport_error(exc: BaseException) -> bool:
    return isinstance(exc, RETRYABLE_TRANSPORT_ERRORS)


def retry_after_attribute(exc: BaseException) -> float | None:
    """The wait a server asked for, carried on the error as `retry_after` (seconds)."""
    retry_after = getattr(exc, "retry_after", None)
    return None if retry_after is None else float(retry_after)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded, jittered retries; `clock`, `sleep` and `rng` are injectable so tests run on a fake clock.

    - `retryable(exc)`: whether a failed attempt is tried again.
    - `retry_after(exc)`: a wait the server asked for, overriding the backoff; None for "back off as usual".
    - `on_retry(operation, attempt, exc, wait)`: called before each sleep (counters, metrics).
    - `unreachable(operation, attempts, exc)`: the caller's error for a transport failure that ends the call.
    - `max_total_seconds=None` bounds attempts only.
    """

    max_attempts: int = 8
    max_total_seconds: float | None = 600.0
    initial_backoff: float = 1.0
    max_backoff: float = 60.0
    retryable: Callable[[BaseException], bool] = is_transport_error
    retry_after: Callable[[BaseException], float | None] = retry_after_attribute
    on_retry: Callable[[str, int, BaseException, float], None] | None = None
    unreachable: Callable[[str, int, BaseException], BaseException] | None = None
    log_level: int = logging.WARNING
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int, exc: BaseException | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if exc is not None:
            asked = self.retry_after(exc)
            if asked is not None:
                return asked
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        # "Equal jitter": at least half the exponential step, so a retry never fires immediately, yet
        # concurrent clients spread out instead of retrying in lockstep.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def call(
        self,
        fn: Callable[[], T],
        *,
        operation: str,
        retryable: Callable[[BaseException], bool] | None = None,
    ) -> T:
        """Run `fn` under the policy; `retryable` overrides the policy's predicate for this one call.

        Non-retryable errors and the last retryable one propagate; transport errors go through `unreachable`.
        """
        should_retry = retryable or self.retryable
        started = self.clock()
        max_total = math.inf if self.max_total_seconds is None else self.max_total_seconds

        def retry(exc: BaseException) -> bool:
            if getattr(exc, "retries_exhausted", False):
                # An inner call (say a token exchange inside a request) already spent its own budget.
                return False
            return should_retry(exc)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.backoff(state.attempt_number, exc)

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            return self.clock() - started + state.upcoming_sleep > max_total

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            if self.on_retry is not None and exc is not None:
                self.on_retry(operation, state.attempt_number, exc, state.upcoming_sleep)
            log.log(self.log_level, "%s: attempt %d failed (%s); retrying in %.2fs",
                    operation, state.attempt_number, exc, state.upcoming_sleep)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(retry),
            wait=wait,
            stop=stop,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(fn)
        except RETRYABLE_TRANSPORT_ERRORS as exc:
            if self.unreachable is None:
                raise
            attempts = retrying.statistics.get("attempt_number", 1)
            raise self.unreachable(operation, attempts, exc) from exc
        except Exception as exc:
            if should_retry(exc):
                # Out of budget: mark it so an enclosing call under a policy does not start over.
                exc.retries_exhausted = True  # type: ignore[attr-defined]
            raise
