"""`new_settlement_reports`: one run per newly published settlement, for the storefront-day of its deposit; none
on the next tick; none for a settlement already imported."""

from __future__ import annotations

import dagster as dg
import httpx
import pytest

from amazon_netsuite.lib.partitions import partition_key
from amazon_netsuite_tests.conftest import _project_env, start_sandbox


@pytest.fixture
def sandbox_with_settlements(tmp_path, monkeypatch):
    with start_sandbox(tmp_path / "sandbox", history_days=35, orders_per_day=5) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        yield sandbox


def _tick(cursor: str | None = None) -> dg.SensorResult:
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse
    from amazon_netsuite.defs.settlements.sensors import new_settlement_reports

    resources = {"seller_central": SellerCentral(), "warehouse": Warehouse()}
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        return new_settlement_reports(context)


def test_the_sensor_requests_one_run_per_new_settlement_and_none_on_the_next_tick(sandbox_with_settlements):
    truth = httpx.get(f"{sandbox_with_settlements.url}/_sandbox/settlements").json()["settlements"]
    expected = {
        (s["report_id"], str(partition_key(s["storefronts"][0], s["deposit_date"][:10]))) for s in truth
    }
    assert len(expected) == 6  # two settlements per seller account × currency

    first = _tick()
    requested = {(r.tags["amazon/report_id"], str(r.partition_key)) for r in first.run_requests}
    assert requested == expected
    assert sorted(r.run_key for r in first.run_requests) == sorted(f"{rid}|{key}" for rid, key in expected)

    second = _tick(first.cursor)
    assert second.run_requests == [] and second.skip_reason


def test_a_settlement_already_imported_is_not_requested_again(sandbox_with_settlements):
    from amazon_netsuite.definitions import defs

    first = _tick()
    imported = first.run_requests[0]
    result = defs().resolve_job_def("settlements_job").execute_in_process(
        partition_key=imported.partition_key, tags=imported.tags, instance=dg.DagsterInstance.ephemeral())
    assert result.success

    again = _tick()  # a sensor starting afresh (its cursor reset) sees the same reports
    assert {r.run_key for r in again.run_requests} == {r.run_key for r in first.run_requests} - {imported.run_key}
