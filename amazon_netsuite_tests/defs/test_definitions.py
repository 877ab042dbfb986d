"""The code location as one piece: what it reads from the settings when it loads, what a run reads when it starts,
and the one shape every flow has. No subprocess: `build_definitions` is the code location's own entry point."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import dagster as dg
import yaml

from amazon_netsuite.definitions import FLOWS, build_definitions
from amazon_netsuite.defs import vendor
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.settings import load_settings
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.conftest import DEMO_SETTINGS
from amazon_netsuite_tests.defs.test_order_posting import (
    STOREFRONT,
    _create_items,
    _day_orders,
    _day_report,
    _postable,
    _report_tag,
    _suiteql,
    posting_project,  # noqa: F401  (fixture)
)


def _storefront_keys(defs: dg.Definitions) -> set[str]:
    partitions = defs.resolve_asset_graph().get(dg.AssetKey("orders")).partitions_def
    return set(partitions.get_partitions_def_for_dimension("storefront").get_partition_keys())


def _write(path, settings: dict) -> None:
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")


def test_storefronts_start_date_and_flow_switches_take_effect_when_the_code_location_loads(tmp_path, monkeypatch):
    path = tmp_path / "accounts.yaml"
    demo = yaml.safe_load(DEMO_SETTINGS.read_text(encoding="utf-8"))
    _write(path, demo)
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
    loaded = build_definitions(load_settings())

    changed = yaml.safe_load(DEMO_SETTINGS.read_text(encoding="utf-8"))
    removed = changed["seller_accounts"][0]["storefronts"].pop()
    changed["flows"] = {"orders": False, "settlements": True}
    changed["partitions"] = {"start_date": "2026-11-01"}
    _write(path, changed)

    # The loaded code location keeps what it was built from until it is reloaded ...
    before = _storefront_keys(loaded)
    assert removed["key"] in before
    assert loaded.resolve_sensor_def("new_order_reports").default_status == dg.DefaultSensorStatus.RUNNING
    # ... and a reload (a new `build_definitions` from the file) sees the change.
    reloaded = build_definitions(load_settings())
    assert _storefront_keys(reloaded) == before - {removed["key"]}
    assert reloaded.resolve_sensor_def("new_order_reports").default_status == dg.DefaultSensorStatus.STOPPED
    assert reloaded.resolve_schedule_def("order_reports_hourly").default_status == dg.DefaultScheduleStatus.STOPPED
    days = reloaded.resolve_asset_graph().get(dg.AssetKey("settlements")).partitions_def
    assert days.get_partitions_def_for_dimension("date").start.date() == date(2026, 11, 1)


def test_posting_options_apply_at_the_next_run_without_reloading_the_code_location(
        posting_project, monkeypatch, tmp_path):
    path = tmp_path / "accounts.yaml"
    path.write_text(DEMO_SETTINGS.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
    defs = build_definitions(load_settings())  # loaded once, before the change
    day = datetime.now(timezone.utc).date() - timedelta(days=1)
    _create_items(*MISSING_SKUS)
    instance = dg.DagsterInstance.ephemeral()
    key = partition_key(STOREFRONT, day)
    loaded = defs.resolve_job_def("orders_job").execute_in_process(
        partition_key=key, instance=instance, tags={_report_tag(): _day_report(STOREFRONT, day)})
    assert loaded.success

    # Changed after the code location loaded: Sales Orders now wait for approval.
    path.write_text(DEMO_SETTINGS.read_text(encoding="utf-8") + "\norder_posting:\n  sales_order_status: pending_approval\n",
                    encoding="utf-8")
    posted = defs.resolve_job_def("order_posting_job").execute_in_process(partition_key=key, instance=instance)
    assert posted.success

    sales_orders = {r["externalid"]: r["status"] for r in _suiteql(
        f"SELECT externalid, status FROM transaction WHERE type = 'SalesOrd' AND externalid LIKE 'AMZ-{STOREFRONT}-%'")}
    with connect(read_only=True) as con:
        mfn = {f"AMZ-{STOREFRONT}-{oid}" for (oid,) in con.execute(
            "SELECT amazon_order_id FROM orders WHERE storefront = ? AND day = ? AND channel IN ('MFN', 'SFP')",
            [STOREFRONT, day]).fetchall()}
    expected = mfn & set(_postable(_day_orders(day)))
    assert expected and set(sales_orders) == expected
    assert set(sales_orders.values()) == {"A"}  # Pending Approval: the file as it was when the run started


def test_every_flow_has_the_same_shape_and_every_posting_asset_is_automated_by_a_running_sensor():
    defs = build_definitions(load_settings(DEMO_SETTINGS))
    graph = defs.resolve_asset_graph()
    for name, module in {**FLOWS, "vendor": vendor}.items():
        assert sorted(m for m in dir(module) if not m.startswith("_") and m not in {"dg", "Flow", "definitions"}) == [
            "assets", "jobs", "posting", "schedules", "sensors"], name
        flow_assets = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == name}
        automated = {k for k in flow_assets if graph.get(k).automation_condition is not None}
        assert automated, f"the {name} flow posts nothing automatically"
        sensors = [s for s in defs.sensors if isinstance(s, dg.AutomationConditionSensorDefinition)
                   and automated <= set(s.asset_selection.resolve(graph))]
        assert len(sensors) == 1 and sensors[0].default_status == dg.DefaultSensorStatus.RUNNING, name


def test_every_warehouse_table_is_an_asset_of_the_same_name_and_every_asset_is_a_table_or_view():
    import duckdb

    from amazon_netsuite.schema import ensure_schema

    con = duckdb.connect()
    ensure_schema(con)
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assets = {k.to_user_string() for k in
              build_definitions(load_settings(DEMO_SETTINGS)).resolve_asset_graph().get_all_asset_keys()}
    tables = {name for name, kind in kinds.items() if kind == "BASE TABLE"}
    assert tables - assets == set()
    assert assets - set(kinds) == set()
    # The posting assets write to NetSuite and the ledger; each has a view of the same name over what it wrote.
    assert {kinds[a] for a in ("sales_orders_posted", "cash_sales_posted", "settlement_gl_postings")} == {"VIEW"}


def test_a_catch_up_sensor_runs_yesterday_for_each_storefront_until_its_data_is_loaded_then_stays_quiet():
    from amazon_netsuite.lib import postings

    defs = build_definitions(load_settings())
    instance = dg.DagsterInstance.ephemeral()
    yesterday = postings.utc_now().date() - timedelta(days=1)
    storefronts = sorted(s.key for s in load_settings().storefronts)
    for sensor_name, asset in (("finances_catch_up", "finance_transactions"), ("returns_catch_up", "fba_customer_returns")):
        sensor = defs.resolve_sensor_def(sensor_name)
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
        first = sensor(dg.build_sensor_context(instance=instance))
        assert sorted(r.partition_key for r in first) == sorted(str(partition_key(s, yesterday)) for s in storefronts)
        # One storefront's day loaded (a materialization): only the others are asked for, once per run key.
        loaded = str(partition_key(storefronts[0], yesterday))
        instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=loaded))
        again = sensor(dg.build_sensor_context(instance=instance))
        assert loaded not in {r.partition_key for r in again} and len(again) == len(storefronts) - 1
        assert {r.run_key for r in again} <= {r.run_key for r in first}
