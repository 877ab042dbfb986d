"""Report data windows ↔ the UTC days (partitions) they cover."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def days_covered(start: datetime | None, end: datetime | None, first: date, last: date) -> list[date]:
    """UTC days touched by [start, end), clipped to the partition range [first, last]."""
    if start is None or end is None or end <= start:
        return []
    start_day = start.astimezone(timezone.utc).date()
    # An end at exactly midnight does not touch the next day.
    end_day = (end.astimezone(timezone.utc) - timedelta(microseconds=1)).date()
    day, days = max(start_day, first), []
    while day <= min(end_day, last):
        days.append(day)
        day += timedelta(days=1)
    return days
