"""The hourly order report request: reuse one in flight, cool down after a FATAL, else ask for yesterday and today."""

from datetime import datetime, timedelta

from amazon_netsuite.lib.orders.report_requests import decide_order_report_request
from amazon_netsuite_tests.lib.test_report_registry import NOW, UTC, FakeReport


def test_an_in_flight_report_is_reused_rather_than_requesting_another():
    decision = decide_order_report_request(
        [FakeReport("r2", "IN_PROGRESS", NOW - timedelta(minutes=5)), FakeReport("r1", "DONE", NOW - timedelta(hours=1))],
        NOW,
    )
    assert (decision.action, decision.report_id) == ("reuse", "r2")


def test_a_recent_fatal_cools_down_and_an_old_one_does_not():
    recent = decide_order_report_request([FakeReport("f", "FATAL", NOW - timedelta(minutes=10))], NOW)
    assert (recent.action, recent.report_id) == ("cool_down", "f")
    old = decide_order_report_request([FakeReport("f", "FATAL", NOW - timedelta(minutes=45))], NOW)
    assert old.action == "create"


def test_a_new_request_covers_yesterday_and_today_up_to_two_minutes_ago():
    decision = decide_order_report_request([FakeReport("d", "DONE", NOW - timedelta(hours=1))], NOW)
    assert decision.action == "create"
    assert decision.window == (datetime(2026, 11, 21, tzinfo=UTC), NOW - timedelta(minutes=2))
