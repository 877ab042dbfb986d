"""The settlement flow as the code location declares it: assets, blocking partitioned checks, the posting asset's
automation condition, the sensor and its switch in the settings file."""

from __future__ import annotations

import dagster as dg

from amazon_netsuite_tests.conftest import definitions_with_flows


def _defs():
    from amazon_netsuite.definitions import defs

    return defs()


def test_the_settlement_assets_and_their_gates_are_in_the_code_location():
    defs = _defs()
    graph = defs.resolve_asset_graph()
    assert {"settlements", "settlement_lines", "settlement_line_quarantine", "settlement_line_matches",
            "settlement_gl_summary", "settlement_gl_postings"} <= {k.to_user_string() for k in graph.get_all_asset_keys()}
    checks = {(k.asset_key.to_user_string(), k.name): graph.get_check_spec(k)
              for k in graph.asset_check_keys if k.asset_key.to_user_string().startswith("settlement")}
    assert set(checks) == {
        ("settlements", "settlements_valid"), ("settlements", "settlement_not_imported_twice"),
        ("settlement_lines", "settlement_lines_valid"), ("settlement_lines", "lines_sum_to_total"),
        ("settlement_lines", "one_currency_per_settlement"), ("settlement_lines", "amounts_in_minor_units"),
        ("settlement_gl_summary", "settlement_gl_summary_valid"),
        ("settlement_gl_summary", "every_line_has_a_gl_account"), ("settlement_gl_summary", "journal_balances"),
        ("settlement_documents", "every_settlement_report_imported"),
    }
    # The intake of documents is not partitioned (a document's partition is known once it is read); its check
    # lists the reports that could not be used and blocks nothing.
    intake = checks.pop(("settlement_documents", "every_settlement_report_imported"))
    assert not intake.blocking and graph.get(dg.AssetKey("settlement_documents")).partitions_def is None
    partitions = graph.get(dg.AssetKey("settlement_lines")).partitions_def
    for spec in checks.values():
        # Blocking, and partitioned like the asset: one settlement's failure gates only its storefront-day.
        assert spec.blocking and spec.partitions_def == partitions
    posting = graph.get(dg.AssetKey("settlement_gl_postings"))
    assert posting.partitions_def == partitions
    assert {k.to_user_string() for k in posting.parent_keys} == {
        "settlements", "settlement_lines", "settlement_line_matches", "settlement_gl_summary"}
    condition = posting.automation_condition
    assert [c.get_label() for c in condition.children] == ["eager", "all_deps_blocking_checks_passed"]
    columns = graph.get(dg.AssetKey("settlement_lines")).metadata["dagster/column_schema"].columns
    assert [c.name for c in columns][:5] == ["storefront", "day", "report_id", "settlement_id", "line_number"]


def test_the_sensors_and_the_retry_schedule_run_by_default_and_the_settings_switch_stops_them():
    defs = _defs()
    assert defs.resolve_sensor_def("new_settlement_reports").default_status == dg.DefaultSensorStatus.RUNNING
    assert defs.resolve_sensor_def("settlement_posting_automation").default_status == dg.DefaultSensorStatus.RUNNING
    retry = defs.resolve_schedule_def("retry_failed_settlement_postings_every_30_minutes")
    assert (retry.default_status, retry.cron_schedule, retry.job_name) == (
        dg.DefaultScheduleStatus.RUNNING, "*/30 * * * *", "settlement_posting_job")

    d = definitions_with_flows({"orders": True, "settlements": False})
    out = [d.resolve_sensor_def("new_settlement_reports").default_status.value,
           d.resolve_sensor_def("settlement_posting_automation").default_status.value,
           d.resolve_schedule_def("retry_failed_settlement_postings_every_30_minutes").default_status.value,
           d.resolve_sensor_def("new_order_reports").default_status.value,
           d.resolve_schedule_def("retry_failed_postings_every_30_minutes").default_status.value]
    assert out == ["STOPPED", "STOPPED", "STOPPED", "RUNNING", "RUNNING"]
