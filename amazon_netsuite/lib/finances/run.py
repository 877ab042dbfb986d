"""Loading one storefront-day of Finances API transactions into `finance_transactions`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import duckdb

from amazon_netsuite.lib.amazon.finances import FinancesApi, transactions_table
from amazon_netsuite.lib.warehouse.writes import replace_partition

# listTransactions refuses a postedBefore later than two minutes before now
# (https://developer-docs.amazon.com/sp-api/docs/finances-api-reference).
SETTLE_TIME = timedelta(minutes=2)


class DayNotStarted(ValueError):
    """A day that has not begun (in UTC) minus listTransactions' two minutes: nothing to ask for."""


def day_window(day: date, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the UTC day, the end capped at now − 2 minutes."""
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)  # the project's clock is naive UTC
    end = min(start + timedelta(days=1), now - SETTLE_TIME)
    if end <= start:
        raise DayNotStarted(f"{day} has not started more than two minutes ago (now {now:%Y-%m-%d %H:%M} UTC)")
    return start, end


def load_transactions(con: duckdb.DuckDBPyConnection, api: FinancesApi, storefront: str, marketplace_id: str,
                      day: date, now: datetime) -> int:
    """Replace the storefront-day of `finance_transactions` with the day's transactions of its marketplace, DEFERRED
    ones included; returns rows written. The marketplace is not sent: Amazon leaves the US store's MFN orders out
    of a marketplace-filtered answer, so every transaction is asked for and the marketplace kept afterwards."""
    start, end = day_window(day, now)
    kept = [t for t in api.transactions(start, end) if t.marketplace_id == marketplace_id]
    con.register("fetched_transactions", transactions_table(kept))
    try:
        return replace_partition(con, "finance_transactions", storefront, day.isoformat(),
                                 "SELECT ? AS storefront, ?::DATE AS day, * FROM fetched_transactions",
                                 params=[storefront, day])
    finally:
        con.unregister("fetched_transactions")
