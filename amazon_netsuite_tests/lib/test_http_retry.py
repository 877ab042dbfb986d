"""The one retry policy both API clients use (no HTTP: failures are raised by a stand-in call)."""

import random

import httpx
import pytest

from amazon_netsuite.lib.http_retry import RetryPolicy


class Unreachable(Exception):
    pass


def flaky(failures: list[BaseException], result="ok"):
    calls = []

    def call():
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return result

    return call, calls


def policy(**overrides) -> RetryPolicy:
    slept: list[float] = []
    options = dict(max_attempts=4, initial_backoff=1.0, max_backoff=8.0, sleep=slept.append, rng=random.Random(1),
                   unreachable=lambda op, n, exc: Unreachable(f"{op}: {n} attempts: {exc}"))
    options.update(overrides)
    retry = RetryPolicy(**options)
    return retry, slept


def test_transport_errors_are_retried_with_growing_waits_then_succeed():
    retry, slept = policy()
    call, calls = flaky([httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
    assert retry.call(call, operation="getReports") == "ok"
    assert len(calls) == 3 and len(slept) == 2
    assert 0 < slept[0] <= 1.0 < slept[1] <= 2.0  # equal jitter: half the ceiling or more, never immediate


def test_exhausted_transport_errors_become_the_callers_unreachable_error():
    retry, _ = policy()
    call, calls = flaky([httpx.ConnectError("refused")] * 10)
    with pytest.raises(Unreachable, match="token: 4 attempts"):
        retry.call(call, operation="token")
    assert len(calls) == 4


def test_a_call_may_narrow_what_is_retried():
    # A POST that may already have created a record must not be sent again after a timeout.
    retry, _ = policy()
    call, calls = flaky([httpx.ReadTimeout("slow")])
    with pytest.raises(Unreachable):
        retry.call(call, operation="create salesOrder", retryable=lambda exc: False)
    assert len(calls) == 1


def test_errors_that_are_not_retryable_pass_through_untouched():
    retry, slept = policy()
    call, calls = flaky([ValueError("400 InvalidInput")])
    with pytest.raises(ValueError, match="InvalidInput"):
        retry.call(call, operation="createReport")
    assert len(calls) == 1 and slept == []
