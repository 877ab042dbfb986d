"""The `new_order_reports` sensor against the sandbox over HTTP: every finished order report is loaded once, in
whatever order Amazon finishes them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import dagster as dg
import httpx

UTC = timezone.utc


def _tick(cursor: str | None) -> dg.SensorResult:
    from amazon_netsuite.definitions import defs
    from amazon_netsuite.defs.resources import SellerCentral

    new_order_reports = defs().resolve_sensor_def("new_order_reports")

    with dg.build_sensor_context(resources={"seller_central": SellerCentral()}, cursor=cursor) as context:
        return new_order_reports(context)


def _report_ids(result: dg.SensorResult) -> set[str]:
    return {r.tags["amazon/report_id"] for r in result.run_requests or []}


def _set_faults(url: str, **faults) -> None:
    httpx.post(f"{url}/_sandbox/faults", json=faults).raise_for_status()


def _create_report(account: str, start: datetime, end: datetime) -> str:
    from amazon_netsuite.defs.resources import SellerCentral
    from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
    from amazon_netsuite.lib.settings import load_settings

    with SellerCentral().reports(account) as api:
        return api.create_report(ORDER_REPORT_TYPE, load_settings().account(account).marketplace_ids, start, end)


def _status(account: str, report_id: str, wait: bool = False) -> str:
    from amazon_netsuite.defs.resources import SellerCentral

    with SellerCentral().reports(account) as api:
        report = api.wait_for_report(report_id, poll_seconds=0.1, timeout=30) if wait else api.get_report(report_id)
    return str(report.processing_status.value)


def test_a_report_created_earlier_that_finishes_later_is_still_loaded(isolated_project):
    """Amazon finishes reports in any order: one created first may still be IN_QUEUE or IN_PROGRESS when a report
    created after it is DONE. The sensor must load both, each once."""
    sandbox = isolated_project
    first = _tick(None)
    assert not first.run_requests  # the first tick only sets the watermark
    now = datetime.now(UTC)
    window = (now - timedelta(hours=3), now - timedelta(minutes=2))

    _set_faults(sandbox.url, slow_next=1, slow_report_seconds=3600)
    slow = _create_report("demo-na", *window)
    # Amazon's createdTime has whole seconds: the second report is created in a later second than the first.
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 5}).raise_for_status()
    fast = _create_report("demo-na", *window)
    assert _status("demo-na", fast, wait=True) == "DONE"
    assert _status("demo-na", slow) in ("IN_QUEUE", "IN_PROGRESS")

    while_slow = _tick(first.cursor)
    assert _report_ids(while_slow) == {fast}

    _set_faults(sandbox.url, slow_report_seconds=0)
    assert _status("demo-na", slow, wait=True) == "DONE"
    after = _tick(while_slow.cursor)
    assert _report_ids(after) == {slow}  # the late one, and the fast one not again
    assert all(r.run_key.startswith(f"{slow}|") for r in after.run_requests)

    quiet = _tick(after.cursor)
    assert not quiet.run_requests
    # Nothing is in flight any more: the cursor holds a watermark and at most the reports at it, not a history.
    assert len(quiet.cursor) < 400, json.loads(quiet.cursor)


def test_a_report_in_flight_for_over_a_day_stops_holding_the_watermark(isolated_project):
    """The watermark waits for a report in flight, but not for ever: the cursor stays small and newer reports load."""
    from amazon_netsuite.lib.orders.report_watermark import LONGEST_WAIT

    sandbox = isolated_project
    now = datetime.now(UTC)
    since = (now - LONGEST_WAIT - timedelta(hours=2)).isoformat()
    cursor = json.dumps({"demo-na": {"since": since, "loaded": []}, "demo-eu": {"since": since, "loaded": []}})

    _set_faults(sandbox.url, slow_next=1, slow_report_seconds=3600)
    stuck_for = LONGEST_WAIT + timedelta(hours=1)
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": -stuck_for.total_seconds()}).raise_for_status()
    stuck = _create_report("demo-na", now - stuck_for - timedelta(hours=3), now - stuck_for - timedelta(minutes=2))
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": stuck_for.total_seconds()}).raise_for_status()
    fresh = _create_report("demo-na", now - timedelta(hours=3), now - timedelta(minutes=2))
    assert _status("demo-na", fresh, wait=True) == "DONE"
    assert _status("demo-na", stuck) in ("IN_QUEUE", "IN_PROGRESS")

    result = _tick(cursor)
    assert _report_ids(result) == {fresh}
    position = json.loads(result.cursor)["demo-na"]
    assert datetime.fromisoformat(position["since"]) > now - timedelta(minutes=1)  # no longer held at `stuck`
    assert position["loaded"] == [fresh]
