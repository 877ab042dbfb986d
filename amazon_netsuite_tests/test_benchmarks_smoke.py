"""The NetSuite, SP-API and inventory benchmarks at a tiny size: each runs end to end (the first three against their
own sandbox process) and ends with one JSON line whose values say the work was right (nothing lost, duplicated or
re-sent)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from amazon_netsuite_tests.conftest import REPO

TINY = {
    "netsuite_posting": ["--orders", "60", "--repeat", "1"],
    "idempotent_rerun": ["--orders", "60"],
    # Enough orders that the handful of report calls is a small share of them, whatever the hour.
    "sp_api_calls_per_1000_orders": ["--orders", "3000", "--days", "2", "--storefront", "demo-US",
                                     "--report-delay", "0.5"],
    "inventory_delta": ["--skus", "2000", "--repeat", "1"],
}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    """All at once (each mostly waits on its sandbox), as `python -m bench.run` would run them one by one."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("AMAZON_NETSUITE_DATA_DIR", "AMAZON_NETSUITE_WAREHOUSE", "AMAZON_NETSUITE_SANDBOX_URL",
                 "DAGSTER_HOME"):
        env.pop(name, None)  # the benchmarks keep their files to themselves
    running = {
        name: subprocess.Popen([sys.executable, "-m", f"bench.{name}", *args], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, args in TINY.items()
    }
    found = {}
    try:
        for name, process in running.items():
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"{name} failed:\n{err[-3000:]}"
            found[name] = json.loads(out.strip().splitlines()[-1])
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return found


def test_posting_60_orders_puts_each_in_netsuite_once_to_the_cent(results):
    line = results["netsuite_posting"]
    assert line["benchmark"] == "netsuite_posting" and line["unit"] == "records/s"
    assert line["baseline"] == 150.0 and line["ratio"] == pytest.approx(line["figure"] / 150.0, abs=0.001)
    assert line["orders"] == line["netsuite_records"] == 60
    assert line["duplicates"] == line["lost"] == line["totals_off"] == line["integration_errors"] == 0
    assert Decimal(line["warehouse_total"]) == Decimal(line["netsuite_total"]) > 0
    assert line["sandbox_writes"] == [60]  # no 429, so no record was sent twice
    assert line["sandbox_429"] == [0] and line["client_retries"] == [0]
    assert line["all_checks_clean"] is True
    assert 0 < line["figure"] <= 150.0  # the sandbox's governance is a real ceiling
    # 60 records through 15 slots of 100 ms each take at least 4 rounds: the latency knob reached the sandbox
    assert line["phases"]["record_calls"] >= 0.3


def test_rerunning_a_posted_day_writes_nothing(results):
    line = results["idempotent_rerun"]
    assert line["benchmark"] == "idempotent_rerun"
    assert line["baseline"] == line["first_run"]["writes"] == line["first_run"]["posted"] == 60
    assert line["figure"] == 0 and line["ratio"] == 0.0 and line["pass"] is True
    for rerun in ("same_process_rerun", "dagster_rerun"):
        assert line[rerun]["writes"] == 0  # counted by the sandbox, not by the client
        assert line[rerun]["unchanged"] == 60 and line[rerun]["posted"] == 0
    assert line["netsuite_records"] == 60 and line["duplicates"] == line["lost"] == 0
    assert line["same_process_rerun"]["seconds"] < line["first_run"]["seconds"]


def test_the_report_path_needs_a_handful_of_calls_where_the_orders_api_needs_one_per_order(results):
    line = results["sp_api_calls_per_1000_orders"]
    calls = line["report_path_calls"]
    assert calls["lwa_token"] == calls["createReport"] == calls["getReportDocument"] == 1
    assert calls["document_download"] == 1 and calls["getReport"] >= 1 and calls["getReports"] == 0
    assert line["other_calls"] == {} and line["throttled"] == 0 and line["failed_runs"] == []
    orders = line["orders"]
    assert orders > 1000 and line["storefronts"] == {"demo-US": orders}
    assert line["report_path_total"] == sum(calls.values())
    assert line["figure"] == round(line["report_path_total"] * 1000 / orders, 2) <= 5
    assert line["max_lines_per_order"] <= 3
    api = line["orders_api_calls"]
    assert api["getOrders"] == math.ceil(orders / 100) and api["getOrderItems"] == orders
    assert line["orders_api_total"] == api["getOrders"] + orders + 1
    # getOrderItems at 0.5/s after a burst of 30 sets the pace
    assert api["least_seconds"] == round((orders - 30) / 0.5)
    assert line["pass"] is True


def test_an_inventory_push_sends_exactly_the_one_percent_that_changed(results):
    line = results["inventory_delta"]
    assert line["benchmark"] == "inventory_delta" and line["unit"] == "s" and line["baseline"] == 5.0
    assert line["ratio"] == pytest.approx(line["figure"] / 5.0, abs=0.001)
    assert line["changed_per_storefront"] == {"demo-US": 20, "demo-CA": 20, "demo-DE": 20}
    assert line["messages_sent"] == 60 and line["documents"] == 3
    # 2,000 SKUs less 200 FBA-listed and 20 matrix parents, in each of the 3 storefronts
    assert line["available_rows"] == {"demo-US": 1780, "demo-CA": 1780, "demo-DE": 1780}
    assert line["full_push_messages"] == 5340 and line["messages_share_of_full_push"] == round(60 / 5340, 4)
    assert 0 < line["document_bytes"] < line["full_push_bytes"] / 50
    assert line["exactly_the_changed_skus"] is True and line["pass"] is True
