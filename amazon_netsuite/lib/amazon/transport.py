"""The shared HTTP retry policy (`lib/http_retry.py`) as SP-API and Login with Amazon use it.

- 429 QuotaExceeded: back off (exponential with jitter) and retry; a `Retry-After` header, when present, sets the wait.
- 5xx, timeouts and dropped connections: retry with jittered exponential backoff.
- Any other 4xx: raised at once as a typed error; repeating a bad request only burns quota.
Attempts and total time are both bounded; when time or attempts run out the last error is raised, and calls that
never got an answer end in `SpApiUnreachable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from amazon_netsuite.lib import http_retry
from amazon_netsuite.lib.amazon.errors import QuotaExceeded, ServerError, SpApiUnreachable
from amazon_netsuite.lib.http_retry import RETRYABLE_TRANSPORT_ERRORS

__all__ = ["RETRYABLE_TRANSPORT_ERRORS", "RetryPolicy", "is_retryable"]


def is_retryable(exc: BaseException) -> bool:
    if getattr(exc, "retries_exhausted", False):
        # An inner call (the token exchange inside a request) already spent its own budget.
        return False
    return isinstance(exc, (QuotaExceeded, ServerError, *RETRYABLE_TRANSPORT_ERRORS))


@dataclass(frozen=True)
class RetryPolicy(http_retry.RetryPolicy):
    """The shared policy with SP-API's defaults: what Amazon asks us to retry, `SpApiUnreachable` at the end."""

    retryable: Callable[[BaseException], bool] = is_retryable
    unreachable: Callable[[str, int, BaseException], BaseException] | None = SpApiUnreachable
