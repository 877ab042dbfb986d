"""An inactive seller account (a fresh clone) gets no run from any schedule or sensor while its storefronts keep
their partitions; and the `netsuite_metadata` asset's check fails naming a mapping whose location was deleted in
NetSuite."""

from __future__ import annotations

from datetime import datetime, timezone

import dagster as dg
import httpx
import pytest
import yaml

from amazon_netsuite.defs.netsuite_metadata.assets import netsuite_metadata
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.definitions import build_definitions
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.accounts.editing import clone_account
from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection

TICK = datetime(2026, 11, 20, 0, 55, tzinfo=timezone.utc)  # inside the partitions, after 00:40 and 00:55 ticks
# Schedules that start one run per storefront-day; the retry schedules read the warehouse's open errors instead.
PER_STOREFRONT = ("accruals_daily", "fba_ledger_nightly", "finances_hourly", "finances_yesterday", "inventory_hourly",
                  "listings_daily", "prices_hourly", "returns_nightly", "shipments_every_30_minutes",
                  "shipments_yesterday")


@pytest.fixture
def cloned(settings_copy, monkeypatch):
    """The demo settings with demo-na cloned as acme (inactive), the project pointed at them, the clock at TICK."""
    clone_account(settings_copy, "demo-na", "acme")
    monkeypatch.setattr(postings, "utc_now", lambda: TICK.replace(tzinfo=None))
    return settings_copy


def _storefronts(requests) -> set[str]:
    return {str(r.partition_key).split("|")[1] for r in requests if r.partition_key}


def test_a_cloned_inactive_account_gets_no_scheduled_or_sensed_run_but_keeps_its_partitions(cloned, module_sandbox):
    settings = load_settings(cloned)
    definitions = build_definitions(settings)
    repository = definitions.get_repository_def()
    partitions = definitions.resolve_assets_def("order_report_rows").partitions_def
    assert {"acme-US", "acme-CA"} <= set(partitions.get_partitions_def_for_dimension("storefront")
                                         .get_partition_keys())
    demo = {"demo-US", "demo-CA", "demo-DE", "demo-FR"}
    with dg.instance_for_test() as instance:
        for name in PER_STOREFRONT:
            schedule = repository.get_schedule_def(name)
            with dg.build_schedule_context(instance=instance, scheduled_execution_time=TICK,
                                           repository_def=repository) as context:
                requests = schedule.evaluate_tick(context).run_requests or []
            assert _storefronts(requests) == demo, name
        for name in ("returns_catch_up", "finances_catch_up"):
            with dg.build_sensor_context(instance=instance, repository_def=repository) as context:
                requests = repository.get_sensor_def(name).evaluate_tick(context).run_requests or []
            assert _storefronts(requests) == demo, name
        # A sale in another channel moves NetSuite's stock: the stock sensor then starts a run per storefront.
        moved = httpx.post(f"{module_sandbox.url}/_sandbox/netsuite/inventory/move",
                           json={"sku": "MUG-CAFE-WHITE", "location": "WH-na", "adjust_by": -1})
        assert moved.status_code == 200, moved.text
        with dg.build_sensor_context(instance=instance, resources={"netsuite": NetSuite()},
                                      repository_def=repository) as context:
            requests = repository.get_sensor_def("netsuite_stock_changes").evaluate_tick(context).run_requests
        assert _storefronts(requests) == demo
        with dg.build_sensor_context(instance=instance, resources={"seller_central": SellerCentral()},
                                      repository_def=repository) as context:
            first_tick = repository.get_sensor_def("new_order_reports").evaluate_tick(context)
        assert set(yaml.safe_load(first_tick.cursor)) == {"demo-na", "demo-eu"}  # acme is never asked about


def test_the_metadata_check_fails_naming_the_mapping_to_a_deleted_location(cloned, tmp_path):
    data = yaml.safe_load(cloned.read_text())
    data["order_posting"] = {"storefronts": {"demo-CA": {"location": "WH-CANADA"}}}
    cloned.write_text(yaml.safe_dump(data))
    resources = {"warehouse": Warehouse(path=str(tmp_path / "warehouse.duckdb")),
                 "netsuite": NetSuite(settings_file=str(cloned))}
    with NetSuiteClient(netsuite_connection(load_settings(cloned))) as client:
        client.upsert("location", "WH-CANADA", {"externalId": "WH-CANADA", "name": "Toronto"})
        passed = dg.materialize([netsuite_metadata], resources=resources).get_asset_check_evaluations()
        client.delete("location", "eid:WH-CANADA")
    failed = dg.materialize([netsuite_metadata], resources=resources).get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in passed] == [("settings_name_existing_records", True)]
    assert [(e.check_name, e.passed) for e in failed] == [("settings_name_existing_records", False)]
    assert failed[0].description == (  # the storefront's stock comes from its posting location by default
        "order_posting.storefronts.demo-CA.location names location with external id WH-CANADA, which NetSuite does "
        "not have: create it in NetSuite, or set order_posting.storefronts.demo-CA.location in the settings file to "
        "one that exists; inventory.storefronts.demo-CA.locations[0] (the default) names location with external id "
        "WH-CANADA, which NetSuite does not have: create it in NetSuite, or set "
        "inventory.storefronts.demo-CA.locations[0] in the settings file to one that exists")
