"""Usage-plan token buckets, on a fake clock: we wait before sending rather than provoke 429s."""

from __future__ import annotations

import threading

import pytest

from amazon_netsuite.lib.amazon.ratelimit import (
    DEFAULT_PLAN,
    USAGE_PLANS,
    RateLimiter,
    TokenBucket,
    UsagePlan,
    parse_rate_limit,
)


class FakeClock:
    """Time that moves only when someone sleeps (or the test advances it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_the_reports_usage_plans_are_amazons_defaults():
    assert USAGE_PLANS["createReport"] == UsagePlan(0.0167, 15)
    assert USAGE_PLANS["getReports"] == UsagePlan(0.0222, 10)
    assert USAGE_PLANS["getReport"] == UsagePlan(2.0, 15)
    assert USAGE_PLANS["getReportDocument"] == UsagePlan(0.0167, 15)
    assert USAGE_PLANS["cancelReport"] == UsagePlan(0.0222, 10)


def test_a_full_burst_goes_out_at_once_then_the_next_call_waits_one_refill():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire("createReport") for _ in range(15)]
    assert waits == [0.0] * 15
    assert limiter.acquire("createReport") == pytest.approx(1 / 0.0167)
    assert clock.sleeps == [pytest.approx(59.88, abs=0.01)]


def test_each_operation_has_its_own_bucket():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.acquire("getReports")
    assert limiter.acquire("getReport") == 0.0
    assert limiter.acquire("getReports") == pytest.approx(1 / 0.0222)


def test_idle_time_refills_the_bucket_but_never_beyond_its_burst():
    clock = FakeClock()
    bucket = TokenBucket(UsagePlan(rate=2.0, burst=15), clock=clock, sleep=clock.sleep)
    for _ in range(15):
        bucket.acquire()
    assert bucket.available() == pytest.approx(0.0)
    clock.advance(1.5)
    assert bucket.available() == pytest.approx(3.0)
    clock.advance(3600)
    assert bucket.available() == pytest.approx(15.0)


def test_the_rate_header_replaces_the_seeded_rate():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe_rate_header("getReport", "0.5")
    assert limiter.bucket("getReport").rate == 0.5
    for _ in range(15):
        limiter.acquire("getReport")
    assert limiter.acquire("getReport") == pytest.approx(2.0)


@pytest.mark.parametrize("value", [None, "", "abc", "0", "-1"])
def test_a_missing_or_nonsense_rate_header_changes_nothing(value):
    limiter = RateLimiter()
    limiter.observe_rate_header("getReport", value)
    assert limiter.bucket("getReport").rate == 2.0
    assert parse_rate_limit(value) is None


def test_a_429_empties_the_bucket_so_the_next_call_waits():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.throttled("getReport")
    assert limiter.acquire("getReport") == pytest.approx(0.5)


def test_rate_scale_speeds_up_the_seeded_plans_and_the_reported_rate_is_taken_as_is():
    # A sandbox with rate_scale=100 refills 100x faster and says so in its rate header.
    clock = FakeClock()
    limiter = RateLimiter(rate_scale=100.0, clock=clock, sleep=clock.sleep)
    assert limiter.bucket("createReport").rate == pytest.approx(1.67)
    limiter.observe_rate_header("createReport", "1.67")
    assert limiter.bucket("createReport").rate == pytest.approx(1.67)


def test_an_operation_without_a_plan_gets_a_conservative_bucket():
    limiter = RateLimiter()
    bucket = limiter.bucket("someFutureOperation")
    assert (bucket.rate, bucket.burst) == (DEFAULT_PLAN.rate, DEFAULT_PLAN.burst)


def test_concurrent_callers_queue_behind_each_other_instead_of_all_waking_at_once():
    clock = FakeClock()
    # Sleeping does not move this clock, so each reservation shows its place in the queue.
    bucket = TokenBucket(UsagePlan(rate=1.0, burst=1), clock=clock, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def call():
        waited = bucket.acquire()
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])


def test_a_plan_without_rate_is_refused():
    with pytest.raises(ValueError):
        TokenBucket(UsagePlan(rate=0, burst=1))
