"""The orders flow end to end: real Dagster runs against the sandbox over HTTP, into a real DuckDB file."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import httpx

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect

UTC = timezone.utc


def _defs():
    from amazon_netsuite.definitions import defs

    return defs()


def _reports_api(account: str):
    from amazon_netsuite.defs.resources import SellerCentral

    return SellerCentral().reports(account)


def _request_report(account: str, start: datetime, end: datetime) -> str:
    from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
    from amazon_netsuite.lib.settings import load_settings

    marketplaces = load_settings().account(account).marketplace_ids
    with _reports_api(account) as api:
        report_id = api.create_report(ORDER_REPORT_TYPE, marketplaces, start, end)
        api.wait_for_report(report_id, poll_seconds=0.1, timeout=30)
    return report_id


def _request_day_report(account: str, day: date) -> str:
    start = datetime.combine(day, datetime.min.time(), UTC)
    return _request_report(account, start, start + timedelta(days=1))


def _run_partition(storefront: str, day: date, report_id: str | None = None, instance=None):
    from amazon_netsuite.defs.helpers import REPORT_ID_TAG

    job = _defs().resolve_job_def("orders_job")
    return job.execute_in_process(
        partition_key=partition_key(storefront, day),
        instance=instance or dg.DagsterInstance.ephemeral(),
        tags={REPORT_ID_TAG: report_id} if report_id else {},
        raise_on_error=False,
    )


def _sandbox_summary(url: str, storefront: str, first: date, last: date, as_of: datetime) -> dict:
    response = httpx.get(
        f"{url}/_sandbox/orders/summary",
        params={"storefront": storefront, "from": first.isoformat(), "to": last.isoformat(), "as_of": as_of.isoformat()},
    )
    response.raise_for_status()
    return response.json()


def _report_as_of(account: str, report_id: str) -> datetime:
    """The world instant a sandbox report was computed at (when it finished processing)."""
    with _reports_api(account) as api:
        report = api.get_report(report_id)
    return report.processing_end_time


def test_the_code_location_loads_with_its_flows_sensor_and_schedule():
    defs = _defs()
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"order_report_rows", "orders", "order_lines", "order_report_quarantine"} <= keys
    assert defs.resolve_sensor_def("new_order_reports").default_status == dg.DefaultSensorStatus.RUNNING
    assert defs.resolve_schedule_def("order_reports_hourly").default_status == dg.DefaultScheduleStatus.RUNNING
    assert defs.resolve_job_def("orders_job").partitions_def is not None
    columns = defs.resolve_asset_graph().get(dg.AssetKey("orders")).metadata["dagster/column_schema"].columns
    assert [c.name for c in columns][:3] == ["storefront", "day", "amazon_order_id"]  # from the Pandera model


def test_a_week_of_four_storefronts_matches_the_sandbox_order_for_order(project, shared_sandbox):
    from amazon_netsuite.sync import sync_orders

    outcome = sync_orders(7, instance=dg.DagsterInstance.ephemeral(), say=lambda _: None, poll_seconds=0.1,
                          post=False)  # posting the window is test_demo_window's job
    assert outcome.failed == []
    assert outcome.succeeded == 4 * 7
    first, today = outcome.days[0], outcome.days[-1]
    yesterday = today - timedelta(days=1)
    accounts = {"demo-US": "demo-na", "demo-CA": "demo-na", "demo-DE": "demo-eu", "demo-FR": "demo-eu"}
    total_orders = 0
    with connect(read_only=True) as con:
        for storefront, account in accounts.items():
            as_of = _report_as_of(account, outcome.report_ids[account])
            truth = _sandbox_summary(shared_sandbox.url, storefront, first, yesterday, as_of)
            loaded = dict(
                con.execute(
                    "SELECT day, count(DISTINCT amazon_order_id) FROM orders WHERE storefront = ? GROUP BY day",
                    [storefront],
                ).fetchall()
            )
            prices = dict(
                con.execute(
                    "SELECT day, sum(item_price) FROM order_lines WHERE storefront = ? GROUP BY day", [storefront]
                ).fetchall()
            )
            for expected in truth["days"]:
                day = date.fromisoformat(expected["date"])
                assert loaded.get(day, 0) == expected["orders"], (storefront, day)
                assert (prices.get(day) or Decimal(0)) == Decimal(expected["item_price_total"]), (storefront, day)
            total_orders += truth["orders"]
        assert con.execute("SELECT count(*) FROM order_report_quarantine").fetchone()[0] == 0
        # Every typed order is in the storefront's currency; DECIMAL money stays exact.
        currencies = dict(con.execute("SELECT storefront, any_value(currency) FROM orders GROUP BY 1").fetchall())
    assert currencies == {"demo-US": "USD", "demo-CA": "CAD", "demo-DE": "EUR", "demo-FR": "EUR"}
    assert total_orders > 100


def test_re_running_a_partition_replaces_it_and_duplicates_nothing(project):
    today = datetime.now(UTC).date()
    day = today - timedelta(days=1)
    report_id = _request_report("demo-na", datetime.combine(day, datetime.min.time(), UTC),
                                datetime.combine(today, datetime.min.time(), UTC))
    counts = []
    for _ in range(2):
        assert _run_partition("demo-US", day, report_id).success
        with connect(read_only=True) as con:
            counts.append(
                con.execute(
                    "SELECT (SELECT count(*) FROM orders), (SELECT count(DISTINCT amazon_order_id) FROM orders), "
                    "(SELECT count(*) FROM order_lines), (SELECT count(*) FROM order_report_rows)"
                ).fetchone()
            )
    assert counts[0] == counts[1]
    orders, distinct_orders, lines, rows = counts[0]
    assert orders == distinct_orders > 0
    assert lines == rows >= orders


def test_the_sensor_requests_every_storefront_day_a_finished_report_covers_once(isolated_project):
    new_order_reports = _defs().resolve_sensor_def("new_order_reports")
    from amazon_netsuite.defs.resources import SellerCentral

    with dg.build_sensor_context(resources={"seller_central": SellerCentral()}) as context:
        first_tick = new_order_reports(context)
    assert not first_tick.run_requests  # the first tick only sets the watermark
    now = datetime.now(UTC)
    start = datetime.combine(now.date() - timedelta(days=2), datetime.min.time(), UTC)
    report_id = _request_report("demo-na", start, now - timedelta(minutes=2))
    with dg.build_sensor_context(resources={"seller_central": SellerCentral()}, cursor=first_tick.cursor) as context:
        result = new_order_reports(context)
    keys = {(r.partition_key, r.tags["amazon/report_id"]) for r in result.run_requests}
    expected_days = [now.date() - timedelta(days=i) for i in range(3)]
    assert keys == {(partition_key(s, d), report_id) for s in ("demo-US", "demo-CA") for d in expected_days}
    assert all(r.run_key.startswith(report_id) for r in result.run_requests)
    with dg.build_sensor_context(resources={"seller_central": SellerCentral()}, cursor=result.cursor) as context:
        again = new_order_reports(context)
    # The watermark is inclusive; run keys make a re-seen report harmless, and nothing newer appeared.
    assert {r.run_key for r in (again.run_requests or [])} <= {r.run_key for r in result.run_requests}


def _set_faults(url: str, **faults) -> None:
    httpx.post(f"{url}/_sandbox/faults", json=faults).raise_for_status()


def _yesterday_with_faults(sandbox, account: str, storefront: str, **faults):
    """Turn fault knobs on, request yesterday's report for the account, run the storefront's partition."""
    _set_faults(sandbox.url, **faults)
    day = datetime.now(UTC).date() - timedelta(days=1)
    report_id = _request_day_report(account, day)
    return day, report_id, _run_partition(storefront, day, report_id)


def _failure_message(result) -> str:
    return next(e for e in result.all_events if e.is_step_failure).event_specific_data.error.message


def test_a_cancelled_report_is_an_empty_day_not_an_error(isolated_project):
    sandbox = isolated_project
    day, report_id, result = _yesterday_with_faults(sandbox, "demo-eu", "demo-DE", cancelled_next=1)
    assert result.success
    materialization = result.asset_materializations_for_node("order_report_rows")[0]
    assert materialization.metadata["report_status"].value == "CANCELLED"
    with connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_a_fatal_report_fails_the_run_saying_what_happened(isolated_project):
    sandbox = isolated_project
    day, report_id, result = _yesterday_with_faults(sandbox, "demo-eu", "demo-DE", fatal_next=1)
    assert not result.success
    message = _failure_message(result)
    assert report_id in message and "FATAL" in message


def test_malformed_rows_are_quarantined_with_reasons_and_nothing_is_lost(isolated_project):
    sandbox = isolated_project
    _set_faults(sandbox.url, malformed_rows=0.08)
    today = datetime.now(UTC).date()
    first = today - timedelta(days=3)
    report_id = _request_report("demo-na", datetime.combine(first, datetime.min.time(), UTC),
                                datetime.combine(today, datetime.min.time(), UTC))
    for offset in range(3):
        assert _run_partition("demo-US", first + timedelta(days=offset), report_id).success
    truth = _sandbox_summary(sandbox.url, "demo-US", first, today - timedelta(days=1), _report_as_of("demo-na", report_id))
    with connect(read_only=True) as con:
        quarantined = con.execute("SELECT count(*), count(DISTINCT reason) FROM order_report_quarantine").fetchone()
        accounted = con.execute(
            """
            SELECT count(DISTINCT amazon_order_id) FROM (
              SELECT amazon_order_id FROM orders WHERE storefront = 'demo-US'
              UNION ALL SELECT amazon_order_id FROM order_report_quarantine WHERE storefront = 'demo-US'
              UNION ALL SELECT json_extract_string(raw_row, '$."amazon-order-id"') FROM order_report_unrouted)
            """
        ).fetchone()[0]
        overlap = con.execute(
            "SELECT count(*) FROM orders o JOIN order_report_quarantine q USING (storefront, day, amazon_order_id)"
        ).fetchone()[0]
    assert quarantined[0] > 0 and quarantined[1] >= 1
    assert overlap == 0  # a quarantined order is held back whole
    assert accounted == truth["orders"]  # each order loaded, quarantined or unrouted: none lost


def test_the_hourly_request_reuses_a_report_still_in_flight(monkeypatch, tmp_path):
    from amazon_netsuite_tests.conftest import _project_env, start_sandbox

    from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE

    with start_sandbox(tmp_path / "slow-sandbox", report_delay_seconds=60) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        job = _defs().resolve_job_def("request_order_reports_job")
        for _ in range(2):
            assert job.execute_in_process(instance=dg.DagsterInstance.ephemeral()).success
        since = datetime.now(UTC) - timedelta(hours=1)
        for account in ("demo-na", "demo-eu"):
            with _reports_api(account) as api:
                reports = list(api.get_reports([ORDER_REPORT_TYPE], created_since=since))
            assert len(reports) == 1, account
            assert reports[0].processing_status.value in ("IN_QUEUE", "IN_PROGRESS")
            assert reports[0].data_start_time.date() == datetime.now(UTC).date() - timedelta(days=1)


def test_a_truncated_document_fails_the_run_naming_the_report(isolated_project):
    sandbox = isolated_project
    day, report_id, result = _yesterday_with_faults(sandbox, "demo-eu", "demo-DE", truncated_documents=1.0)
    assert not result.success
    message = _failure_message(result)
    assert report_id in message and "truncated" in message
    with connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM order_report_rows").fetchone()[0] == 0


def test_a_utf8_document_labelled_cp1252_loads_with_the_right_product_names(isolated_project):
    sandbox = isolated_project
    day, report_id, result = _yesterday_with_faults(sandbox, "demo-na", "demo-US", wrong_charset_documents=1.0)
    assert result.success
    with connect(read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT DISTINCT product_name FROM order_lines").fetchall()]
        charset = con.execute("SELECT charset FROM amazon_reports WHERE report_id = ?", [report_id]).fetchone()[0]
    assert charset == "utf-8"
    assert any(ch in "".join(names) for ch in "–™éü")
    assert not any("â€" in n or "Ã" in n for n in names)


def test_a_window_longer_than_a_report_may_cover_is_loaded_as_several_reports(project, monkeypatch):
    import amazon_netsuite.sync as sync

    monkeypatch.setattr(sync, "MAX_REPORT_DAYS", 2)  # Amazon's cap is 30 days; 2 keeps the test small
    requested = []
    outcome = sync.sync_orders(3, "demo-CA", instance=dg.DagsterInstance.ephemeral(), poll_seconds=0.1, post=False,
                               say=requested.append)
    assert outcome.failed == [] and outcome.succeeded == 3
    windows = [line for line in requested if "requested for" in line]
    first, last = outcome.days[0], outcome.days[-1]
    assert len(windows) == 2  # days 1-2, then day 3
    assert windows[0].split("for ")[1].startswith(f"{first:%Y-%m-%d} .. {last:%Y-%m-%d} 00:00")
    assert windows[1].split("for ")[1].startswith(f"{last:%Y-%m-%d} .. {last:%Y-%m-%d}")
    with connect(read_only=True) as con:
        loaded = dict(con.execute("SELECT day, any_value(report_id) FROM orders WHERE storefront = 'demo-CA' "
                                  "GROUP BY day").fetchall())
    # Minutes after midnight UTC today may have no orders yet, so its report (requested above) can be empty.
    assert {first, first + timedelta(days=1)} <= set(loaded) <= set(outcome.days)
    assert loaded[first] == loaded[first + timedelta(days=1)] != loaded.get(last)  # each window its own report


def test_switching_the_orders_flow_off_starts_its_sensor_and_schedules_stopped():
    from amazon_netsuite_tests.conftest import definitions_with_flows

    d = definitions_with_flows({"orders": False, "settlements": True})
    out = [d.resolve_sensor_def("new_order_reports").default_status.value,
           d.resolve_sensor_def("order_posting_automation").default_status.value,
           d.resolve_schedule_def("order_reports_hourly").default_status.value,
           d.resolve_schedule_def("retry_failed_postings_every_30_minutes").default_status.value,
           d.resolve_sensor_def("new_settlement_reports").default_status.value,
           "orders_job" in [j.name for j in d.resolve_all_job_defs()]]
    # The automation stops; the assets and jobs stay, for backfills.
    assert out == ["STOPPED", "STOPPED", "STOPPED", "STOPPED", "RUNNING", True]
