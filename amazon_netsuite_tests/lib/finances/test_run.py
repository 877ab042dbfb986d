"""The window one storefront-day of Finances API transactions is asked for."""

from datetime import date, datetime, timezone

import pytest

from amazon_netsuite.lib.finances.run import DayNotStarted, day_window

UTC = timezone.utc


def test_a_past_day_is_asked_for_whole_in_utc():
    assert day_window(date(2026, 11, 3), datetime(2026, 12, 4, 1, 0)) == (
        datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC))


def test_today_ends_two_minutes_before_now_as_listtransactions_demands():
    assert day_window(date(2026, 12, 4), datetime(2026, 12, 4, 1, 0, tzinfo=UTC))[1] == datetime(
        2026, 12, 4, 0, 58, tzinfo=UTC)


def test_a_day_not_begun_two_minutes_ago_is_refused():
    with pytest.raises(DayNotStarted):
        day_window(date(2026, 12, 4), datetime(2026, 12, 4, 0, 1, tzinfo=UTC))
