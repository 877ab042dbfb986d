"""Where the order report sensor stands per seller account, and which finished reports a tick loads.

Amazon finishes reports in any order, so the position is a createdTime watermark held at the oldest report still in
flight, plus the ids of the reports at or after it already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_netsuite.lib.amazon.reports import Report

# An order report is usually done within minutes. One still in flight after a day no longer holds the watermark
# back (it is logged), so the cursor and each tick's listing stay small; later hourly reports read its days again,
# each starting at the beginning of the day before.
LONGEST_WAIT = timedelta(days=1)
_IN_FLIGHT = ("IN_QUEUE", "IN_PROGRESS")
_LOADABLE = ("DONE", "CANCELLED")  # a CANCELLED order report is an empty window: its days load empty


@dataclass(frozen=True)
class Watermark:
    """Where the sensor stands for one seller account; kept in its cursor."""

    since: datetime
    loaded: frozenset[str]

    @classmethod
    def from_cursor(cls, value: str | dict) -> "Watermark":
        if isinstance(value, str):  # the cursor of earlier versions: a bare watermark
            return cls(datetime.fromisoformat(value), frozenset())
        return cls(datetime.fromisoformat(value["since"]), frozenset(value.get("loaded", ())))

    def to_cursor(self) -> dict:
        return {"since": self.since.isoformat(), "loaded": sorted(self.loaded)}


def _status(report: Report) -> str:
    return str(getattr(report.processing_status, "value", report.processing_status))


def next_watermark(position: Watermark, listed: list[Report], now: datetime, log) -> tuple[list[Report], Watermark]:
    """The reports to load now, and the position after loading them."""
    new = [r for r in listed if _status(r) in _LOADABLE and r.report_id not in position.loaded]
    waiting = []
    for report in listed:
        if _status(report) in _IN_FLIGHT:
            if now - report.created_time < LONGEST_WAIT:
                waiting.append(report.created_time)
            else:
                log.warning(
                    f"order report {report.report_id} is still {_status(report)} "
                    f"{now - report.created_time} after it was created; not waiting for it any longer "
                    "(later reports read its days again)"
                )
    newest = max((r.created_time for r in listed), default=position.since)
    since = min(waiting) if waiting else max(newest, position.since)
    loaded = {r.report_id for r in listed if _status(r) in _LOADABLE and r.created_time >= since}
    return sorted(new, key=lambda r: r.created_time), Watermark(since, frozenset(loaded))
