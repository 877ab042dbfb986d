"""The one retry policy, on a fake clock: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import random

import httpx
import pytest

from amazon_netsuite.lib.amazon.errors import (
    ErrorItem,
    Forbidden,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    ServerError,
    SpApiError,
    SpApiUnreachable,
)
from amazon_netsuite.lib.amazon.transport import RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _policy(clock: FakeClock, **kw) -> RetryPolicy:
    kw.setdefault("max_attempts", 6)
    kw.setdefault("max_total_seconds", 1000.0)
    return RetryPolicy(clock=clock, sleep=clock.sleep, rng=random.Random(4), **kw)


def _quota(retry_after: float | None = None) -> QuotaExceeded:
    item = ErrorItem(code="QuotaExceeded", message="You exceeded your quota for the requested resource.")
    return QuotaExceeded(429, [item], "req-429", "getReport", retry_after)


def _server() -> ServerError:
    return ServerError(503, [ErrorItem(code="ServiceUnavailable", message="try later")], "req-503", "getReport")


class Script:
    """Raises the scripted errors in order, then returns 'ok'; counts calls."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_a_429_storm_is_retried_with_growing_jittered_waits_until_it_succeeds():
    clock = FakeClock()
    fn = Script(_quota(), _quota(), _quota())
    assert _policy(clock, initial_backoff=1.0).call(fn, operation="getReport") == "ok"
    assert fn.calls == 4
    # Equal jitter: each wait lies between half and all of the exponential step 1, 2, 4 s.
    for wait, step in zip(clock.sleeps, [1, 2, 4]):
        assert step / 2 <= wait <= step


def test_retry_after_sets_the_wait_when_amazon_sends_it():
    clock = FakeClock()
    _policy(clock).call(Script(_quota(retry_after=7.0)), operation="getReport")
    assert clock.sleeps == [7.0]


def test_server_errors_and_timeouts_are_retried():
    clock = FakeClock()
    fn = Script(_server(), httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.RemoteProtocolError("eof"))
    assert _policy(clock).call(fn, operation="getReport") == "ok"
    assert fn.calls == 5


@pytest.mark.parametrize(
    "error",
    [
        InvalidInput(400, [ErrorItem(code="InvalidInput", message="bad")], None, "getReports"),
        Forbidden(403, [ErrorItem(code="Unauthorized", message="Access denied")], None, "getReports"),
        NotFound(404, [ErrorItem(code="NotFound", message="no such report")], None, "getReport"),
    ],
)
def test_client_errors_other_than_429_are_raised_at_once(error):
    clock = FakeClock()
    fn = Script(error)
    with pytest.raises(type(error)):
        _policy(clock).call(fn, operation="getReport")
    assert fn.calls == 1 and clock.sleeps == []


def test_attempts_are_bounded_and_the_last_error_surfaces():
    clock = FakeClock()
    fn = Script(*[_server() for _ in range(10)])
    with pytest.raises(ServerError) as raised:
        _policy(clock, max_attempts=4).call(fn, operation="getReport")
    assert fn.calls == 4 and len(clock.sleeps) == 3
    assert raised.value.status == 503


def test_total_time_is_bounded_even_with_attempts_left():
    clock = FakeClock()
    fn = Script(*[_quota() for _ in range(20)])
    with pytest.raises(QuotaExceeded):
        _policy(clock, max_attempts=20, max_total_seconds=30.0, initial_backoff=4.0).call(fn, operation="getReport")
    # Waits of ~2-4, 4-8, 8-16 s fit in 30 s; the next (16-32 s) would not, so the policy stops instead of sleeping.
    assert sum(clock.sleeps) <= 30.0
    assert fn.calls == len(clock.sleeps) + 1 < 20


def test_unanswered_calls_end_in_an_error_that_names_the_operation():
    clock = FakeClock()
    fn = Script(*[httpx.ConnectTimeout("timed out") for _ in range(5)])
    with pytest.raises(SpApiUnreachable) as raised:
        _policy(clock, max_attempts=3).call(fn, operation="getReports (seller account demo-na)")
    assert raised.value.attempts == 3
    assert "getReports (seller account demo-na)" in str(raised.value) and "3 attempt" in str(raised.value)


def test_an_inner_call_that_spent_its_budget_is_not_retried_again_by_the_outer_one():
    clock = FakeClock()
    policy = _policy(clock, max_attempts=3)
    inner = Script(*[_server() for _ in range(10)])
    outer_calls = []

    def outer():
        outer_calls.append(1)
        return policy.call(inner, operation="LWA token exchange")

    with pytest.raises(ServerError):
        policy.call(outer, operation="getReport")
    assert len(outer_calls) == 1 and inner.calls == 3


def test_errors_say_operation_status_codes_messages_and_request_id():
    error = SpApiError.from_body(
        429,
        {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota.", "details": ""}]},
        request_id="a1b2",
        operation="createReport (seller account demo-na)",
    )
    assert isinstance(error, QuotaExceeded)
    assert str(error) == (
        "createReport (seller account demo-na) failed with HTTP 429: QuotaExceeded: You exceeded your quota. "
        "[request id a1b2]"
    )
    assert error.codes == ["QuotaExceeded"]


@pytest.mark.parametrize(
    "status,kind",
    [(400, InvalidInput), (403, Forbidden), (404, NotFound), (429, QuotaExceeded), (500, ServerError), (503, ServerError)],
)
def test_each_status_has_its_error_class(status, kind):
    assert type(SpApiError.from_body(status, {"errors": []})) is kind


def test_a_body_that_is_not_an_error_list_still_becomes_an_error_item():
    lwa = SpApiError.from_body(400, {"error": "invalid_grant", "error_description": "bad refresh token"})
    assert [(e.code, e.message) for e in lwa.errors] == [("invalid_grant", "bad refresh token")]
    html = SpApiError.from_body(502, "<html>Bad Gateway</html>")
    assert html.errors[0].message == "<html>Bad Gateway</html>" and isinstance(html, ServerError)


def test_an_s3_style_xml_error_keeps_its_code_and_message():
    body = '<?xml version="1.0"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
    error = SpApiError.from_body(403, body, operation="download of report document doc-1")
    assert isinstance(error, Forbidden)
    assert [(e.code, e.message) for e in error.errors] == [("AccessDenied", "Request has expired")]
