"""The instants CI moves the clock to (libfaketime), each the next one after now, one per line as
`TZ|YYYY-MM-DD HH:MM:SS` in that time zone's wall time:

- a month end at 23:40 UTC (not 31 December, which has its own run): days, partitions and reports cross midnight
  and the month while the suite runs;
- the next EU daylight-saving change (last Sunday of March or October, 01:00 UTC), five minutes before it, with
  the process in Europe/Berlin so anything that leans on local time shows;
- 31 December at 23:30 UTC: the year changes under the suite;
- the first minutes of an ordinary day (the 15th of next month, 00:03 UTC): today has no orders, ledger rows or
  transactions yet (CI once ran at 00:16 UTC and two tests assumed it did).
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def _month_end(now: datetime) -> datetime:
    year, month = now.year, now.month
    while True:
        last = datetime(year, month, calendar.monthrange(year, month)[1], 23, 40, tzinfo=UTC)
        if last > now and month != 12:
            return last
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month, calendar.monthrange(year, month)[1], 1, 0, tzinfo=UTC)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _eu_dst_change(now: datetime) -> datetime:
    changes = sorted(_last_sunday(y, m) for y in (now.year, now.year + 1) for m in (3, 10))
    return next(c for c in changes if c - timedelta(minutes=5) > now) - timedelta(minutes=5)


def _new_year(now: datetime) -> datetime:
    instant = datetime(now.year, 12, 31, 23, 30, tzinfo=UTC)
    return instant if instant > now else instant.replace(year=now.year + 1)


def _just_after_midnight(now: datetime) -> datetime:
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 15, 0, 3, tzinfo=UTC)


def main() -> None:
    now = datetime.now(UTC)
    for tz, instant in (("UTC", _month_end(now)), ("Europe/Berlin", _eu_dst_change(now)), ("UTC", _new_year(now)),
                         ("UTC", _just_after_midnight(now))):
        print(f"{tz}|{instant.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M:%S}")


if __name__ == "__main__":
    main()
