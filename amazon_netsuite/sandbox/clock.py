"""The world clock: real UTC time, optionally frozen, set or advanced through the admin API."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class WorldClock:
    """Real time plus an offset, or a frozen instant. Thread-safe; always returns aware UTC datetimes."""

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at = frozen_at.astimezone(timezone.utc) if frozen_at else None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return utc_now() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("clock instants must be timezone-aware")
        with self._lock:
            self._frozen_at = at.astimezone(timezone.utc)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def resume(self) -> None:
        """Let a frozen clock run again from the instant it shows."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - utc_now()
                self._frozen_at = None
