"""The accruals flow through real Dagster runs against the sandbox: a day inside the month writes its daily accrual
and posts nothing; the month's last day posts the accrual journal once, and NetSuite reverses it on the 1st; the
schedule runs yesterday after it closed, a settlement posting brings the previous month's accrual back, and every
sensor and schedule follows the flow's switch."""

from __future__ import annotations

from datetime import date, datetime, timezone

import dagster as dg
import pytest
import yaml

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.settings import load_settings
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.schema import ensure_schema
from amazon_netsuite_tests.conftest import _project_env, definitions_with_flows, demo_settings_for, start_sandbox
from amazon_netsuite_tests.lib.accruals.test_month_end_accrual import (
    CLOCK,
    DECEMBER,
    HISTORY_DAYS,
    NOVEMBER,
    _mark_posted,
    land_finance_transactions,
)

US = "demo-US"
MONTH_END = date(2026, 11, 30)


@pytest.fixture(scope="module")
def accruals_project(tmp_path_factory):
    """demo-US alone, its orders not posted (the summary journal), November's Finances API transactions landed; the
    project's clock and Dagster's at the sandbox's (3 December noon)."""
    from dagster._core.test_utils import freeze_time

    from amazon_netsuite.lib import postings

    tmp = tmp_path_factory.mktemp("accruals-flow")
    settings = demo_settings_for(lambda key: key == US)
    for account in settings["seller_accounts"]:
        for storefront in account["storefronts"]:
            storefront["post_orders"] = False
    path = tmp / "accounts.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with start_sandbox(tmp / "sandbox", clock=CLOCK, history_days=HISTORY_DAYS, orders_per_day=12) as sandbox, \
            pytest.MonkeyPatch.context() as mp, freeze_time(CLOCK):
        _project_env(mp, tmp, sandbox.url)
        mp.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
        mp.setattr(postings, "utc_now", lambda: CLOCK.replace(tzinfo=None))
        with connect() as con:
            ensure_schema(con)
            land_finance_transactions(con, load_settings(), NOVEMBER, DECEMBER)
        yield sandbox, dg.DagsterInstance.ephemeral()


def _run(day: date, instance) -> dg.ExecuteInProcessResult:
    from amazon_netsuite.definitions import defs

    result = defs().resolve_job_def("accruals_job").execute_in_process(
        partition_key=partition_key(US, day), instance=instance, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _journal_metadata(result) -> dict:
    (materialization,) = [m for m in result.asset_materializations_for_node("month_end_accruals")]
    return {k: v.value for k, v in materialization.metadata.items()}


def test_a_day_inside_the_month_writes_its_daily_accrual_and_posts_no_journal(accruals_project):
    _, instance = accruals_project
    result = _run(date(2026, 11, 24), instance)
    assert _journal_metadata(result)["journal"] == "none: 2026-11-24 is not the month's last day"
    accounts = {a for (a,) in _rows("SELECT DISTINCT gl_account FROM daily_accrual WHERE storefront = ? AND day = ?",
                                    [US, date(2026, 11, 24)])}
    assert {"ACCT-SALES", "ACCT-AMZ-SELLING-FEES"} <= accounts
    assert _rows("SELECT count(*) FROM month_end_accruals") == [(0,)]


def test_the_months_last_day_posts_the_accrual_once_and_netsuite_reverses_it_on_the_first(accruals_project):
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import netsuite_connection

    _, instance = accruals_project
    metadata = _journal_metadata(_run(MONTH_END, instance))
    assert metadata["journal"] == "AMZ-ACR-demo-US-202611"
    _run(MONTH_END, instance)  # again: nothing new to send
    ((month, status, attempts, internal_id),) = _rows(
        "SELECT month, status, attempts, internal_id FROM month_end_accruals WHERE storefront = ?", [US])
    assert (month, status, attempts, internal_id) == ("202611", "posted", 1, metadata["internal_id"])
    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        rows = list(client.suiteql(
            "SELECT t.id, t.trandate, t.externalid, t.foreigntotal FROM transaction t JOIN transactionline tl "
            "ON tl.transaction = t.id AND tl.mainline = 'T' WHERE t.id = ? OR tl.createdfrom = ? ORDER BY t.id",
            [internal_id, internal_id]))
    assert [(r["trandate"], r.get("externalid")) for r in rows] == [
        ("11/30/2026", "AMZ-ACR-demo-US-202611"), ("12/1/2026", None)]
    assert rows[0]["foreigntotal"] == rows[1]["foreigntotal"]


def test_the_schedule_runs_yesterday_and_on_the_first_that_is_the_months_last_day(accruals_project):
    from amazon_netsuite.definitions import defs

    schedule = defs().get_schedule_def("accruals_daily")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc))
    (request,) = schedule(context)
    assert request.partition_key == partition_key(US, MONTH_END)


def test_a_settlement_posting_runs_the_previous_months_accrual_again(accruals_project):
    from amazon_netsuite.definitions import defs

    sandbox, instance = accruals_project
    sensor = defs().get_sensor_def("settlement_postings_accruals")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    context = dg.build_sensor_context(instance=instance)
    assert isinstance(sensor(context), dg.SkipReason)  # nothing posted yet
    with connect() as con:
        _mark_posted(con, sandbox, [0])
    # The storefront's first settlement posted after the sensor's first look runs the accrual.
    first = sensor(context := dg.build_sensor_context(instance=instance, cursor=context.cursor))
    assert [r.partition_key for r in first] == [partition_key(US, MONTH_END)]
    # A restart (no cursor) only learns the marks.
    assert isinstance(sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    assert isinstance(sensor(context := dg.build_sensor_context(instance=instance, cursor=context.cursor)),
                      dg.SkipReason)  # nothing moved
    with connect() as con:
        _mark_posted(con, sandbox, [1])  # posted a day after the first
    moved = sensor(dg.build_sensor_context(instance=instance, cursor=context.cursor))
    assert [r.partition_key for r in moved] == [partition_key(US, MONTH_END)]


def test_the_flows_sensors_and_schedules_stop_with_its_switch():
    off = definitions_with_flows({"accruals": False})
    assert off.get_schedule_def("accruals_daily").default_status == dg.DefaultScheduleStatus.STOPPED
    for name in ("settlement_postings_accruals", "accruals_automation"):
        assert off.get_sensor_def(name).default_status == dg.DefaultSensorStatus.STOPPED
