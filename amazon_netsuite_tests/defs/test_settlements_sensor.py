"""`new_settlement_reports`: a tick lists reports and downloads nothing; a `settlement_documents_job` run
lands them; then one run per newly published settlement, for the storefront-day of its deposit; none on the next
tick; none for a settlement already imported. A report that cannot be used stays in `settlement_report_intake`
with the reason and is imported once the cause is gone."""

from __future__ import annotations

import dagster as dg
import httpx
import pytest

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import _project_env, start_sandbox


@pytest.fixture
def sandbox_with_settlements(tmp_path, monkeypatch):
    with start_sandbox(tmp_path / "sandbox", history_days=35, orders_per_day=5) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        yield sandbox


def _tick(cursor: str | None = None) -> dg.SensorResult:
    from amazon_netsuite.defs.resources import SellerCentral, Warehouse
    from amazon_netsuite.definitions import defs

    new_settlement_reports = defs().resolve_sensor_def("new_settlement_reports")

    resources = {"seller_central": SellerCentral(), "warehouse": Warehouse()}
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        return new_settlement_reports(context)


def _run_documents_job(request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    from amazon_netsuite.definitions import defs

    assert request.job_name == "settlement_documents_job"
    return defs().resolve_job_def(request.job_name).execute_in_process(
        tags=request.tags, instance=dg.DagsterInstance.ephemeral())


def _split(result: dg.SensorResult) -> tuple[list[dg.RunRequest], list[dg.RunRequest]]:
    """(documents run requests, partition run requests)."""
    requests = result.run_requests or []
    return ([r for r in requests if r.job_name == "settlement_documents_job"],
            [r for r in requests if r.job_name == "settlements_job"])


def _expected(url: str) -> set[tuple[str, str]]:
    truth = httpx.get(f"{url}/_sandbox/settlements").json()["settlements"]
    return {(s["report_id"], str(partition_key(s["storefronts"][0], s["deposit_date"][:10]))) for s in truth}


def _query(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_the_sensor_lists_then_a_run_downloads_then_one_run_per_new_settlement_and_none_on_the_next_tick(
        sandbox_with_settlements):
    expected = _expected(sandbox_with_settlements.url)
    assert len(expected) == 6  # two settlements per seller account × currency

    first = _tick()
    documents, partitions = _split(first)
    assert len(documents) == 1 and partitions == []
    # The tick downloaded nothing: six reports listed, no document landed yet.
    assert _query("SELECT status, count(*) FROM settlement_report_intake GROUP BY 1") == [("listed", 6)]
    assert _query("SELECT count(*) FROM amazon_reports WHERE document_path IS NOT NULL") == [(0,)]
    assert _tick(first.cursor).run_requests[0].run_key == documents[0].run_key  # the same run while it waits

    run = _run_documents_job(documents[0])
    assert run.success
    (materialization,) = run.asset_materializations_for_node("settlement_documents")
    assert materialization.metadata["reports_landed"].value == 6

    second = _tick(first.cursor)
    documents, partitions = _split(second)
    assert documents == []
    assert {(r.tags["amazon/report_id"], str(r.partition_key)) for r in partitions} == expected
    assert sorted(r.run_key for r in partitions) == sorted(f"{rid}|{key}" for rid, key in expected)


def test_a_settlement_already_imported_is_not_requested_again(sandbox_with_settlements):
    from amazon_netsuite.definitions import defs

    first = _tick()
    assert _run_documents_job(_split(first)[0][0]).success
    _, partitions = _split(_tick(first.cursor))
    imported = partitions[0]
    result = defs().resolve_job_def("settlements_job").execute_in_process(
        partition_key=imported.partition_key, tags=imported.tags, instance=dg.DagsterInstance.ephemeral())
    assert result.success

    documents, again = _split(_tick())  # a sensor starting afresh (its cursor reset) sees the same reports
    assert documents == []
    assert {r.run_key for r in again} == {r.run_key for r in partitions} - {imported.run_key}


def test_an_unreadable_settlement_document_is_kept_with_the_reason_and_imported_once_a_download_succeeds(
        sandbox_with_settlements):
    """Amazon's document download can fail (a truncated gzip stream). Such a report is not marked seen and
    forgotten: it stays in settlement_report_intake as unusable with the reason, the documents asset's check warns,
    and after the back-off the next run downloads it again."""
    url = sandbox_with_settlements.url
    httpx.post(f"{url}/_sandbox/faults", json={"truncated_documents": 1.0}).raise_for_status()
    first = _tick()
    run = _run_documents_job(_split(first)[0][0])
    assert run.success  # the run records the problem; it does not fail on it
    (check,) = run.get_asset_check_evaluations()
    assert check.check_name == "every_settlement_report_imported" and not check.passed
    assert "truncated" in check.metadata["unusable_reports"].value
    rows = _query("SELECT status, problem, reason, attempts FROM settlement_report_intake")
    assert len(rows) == 6 and all(r[:2] == ("unusable", "unreadable") and "truncated" in r[2] and r[3] == 1
                                  for r in rows)
    assert _split(_tick(first.cursor)) == ([], [])  # nothing imported, nothing retried before the back-off

    httpx.post(f"{url}/_sandbox/faults", json={"truncated_documents": 0.0}).raise_for_status()
    with connect() as con:  # an hour and a minute later
        con.execute("UPDATE settlement_report_intake SET last_attempt_at = last_attempt_at - INTERVAL 61 MINUTE")
    documents, _ = _split(_tick(first.cursor))
    assert len(documents) == 1 and _run_documents_job(documents[0]).success
    assert _query("SELECT status, count(*), max(attempts) FROM settlement_report_intake GROUP BY 1") == [
        ("landed", 6, 2)]
    _, partitions = _split(_tick(first.cursor))
    assert {(r.tags["amazon/report_id"], str(r.partition_key)) for r in partitions} == _expected(url)
