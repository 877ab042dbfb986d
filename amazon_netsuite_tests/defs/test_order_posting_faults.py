"""Bad input on the NetSuite side: a posting run killed mid-partition, and NetSuite refusing our login. Afterwards
NetSuite holds no duplicate and misses nothing that was postable, checked by SuiteQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.conftest import REPO, _project_env, start_sandbox
from amazon_netsuite_tests.defs.test_order_posting import (
    STOREFRONT,
    _create_items,
    _day_orders,
    _defs,
    _in_netsuite,
    _postable,
    _run,
    _set_faults,
    _suiteql,
    posting_project,  # noqa: F401  (fixture)
)

# The posting run of the kill test, as a process of its own (what `dg dev` or a run worker would be).
POSTING_PROCESS = """
import sys
from datetime import date

from amazon_netsuite.lib.orders.posting_run import post_storefront_day
from amazon_netsuite.defs.resources import NetSuite, Warehouse

with NetSuite().client() as client:
    post_storefront_day(Warehouse(), client, sys.argv[1], date.fromisoformat(sys.argv[2]))
"""


def _yesterday():
    return datetime.now(timezone.utc).date() - timedelta(days=1)


def _ledger() -> dict[str, tuple[str, int]]:
    """External id → (status, attempts) of the orders flow's ledger."""
    with connect(read_only=True) as con:
        return {e: (s, a) for e, s, a in con.execute(
            "SELECT external_id, status, attempts FROM netsuite_postings WHERE flow = 'orders'").fetchall()}


def test_a_posting_run_killed_mid_partition_and_re_run_posts_each_order_once_to_the_cent(monkeypatch, tmp_path):
    # 5 requests in flight at 300 ms each: a day of ~100 postable orders takes about 6 s, long enough to kill the
    # run after its first ledger batches while more writes are landing.
    with start_sandbox(tmp_path / "sandbox", orders_per_day=70, netsuite_latency_ms=300) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        _create_items(*MISSING_SKUS)
        instance = dg.DagsterInstance.ephemeral()
        day = _yesterday()
        _run("orders_job", day, instance)
        expected = _postable(_day_orders(day))
        assert len(expected) > 60
        store = sandbox.app.state.netsuite.store  # watched in-process: a SuiteQL poll would wait out the latency

        run = subprocess.Popen([sys.executable, "-c", POSTING_PROCESS, STOREFRONT, day.isoformat()], cwd=REPO,
                               env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        landed, deadline = 0, time.monotonic() + 60
        while landed < 30:  # past the first ledger batch (written every second)
            assert run.poll() is None, f"the posting run ended before it was killed: {run.stderr.read()!r}"
            assert time.monotonic() < deadline, "no writes landed in NetSuite"
            landed = len(store.all("salesOrder")) + len(store.all("cashSale"))
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)
        assert run.wait(10) == -signal.SIGKILL
        run.stderr.close()

        at_kill = _in_netsuite()
        recorded = _ledger()  # DuckDB recovers its WAL: what the killed run wrote in whole batches is there
        assert 30 <= len(at_kill) < len(expected)
        assert 0 < len(recorded) <= len(at_kill)
        assert set(recorded) <= set(at_kill) and all(s == "posted" for s, _ in recorded.values())

        rerun = _run("order_posting_job", day, instance)
        # The re-run sent exactly what the killed run had not recorded; upserts made the in-flight ones harmless.
        assert rerun["sales_orders_posted"]["netsuite_requests"] == len(expected) - len(recorded)
        assert _in_netsuite() == expected  # each postable order once (else _in_netsuite fails), totals to the cent
        assert len(_suiteql("SELECT DISTINCT otherrefnum FROM transaction")) == len(expected)
        ledger = _ledger()
        assert set(ledger) == set(expected)
        assert all(status == "posted" for status, _ in ledger.values())


def test_one_revoked_token_is_renewed_on_the_fly_and_every_order_posts_once(posting_project):
    _create_items(*MISSING_SKUS)
    instance = dg.DagsterInstance.ephemeral()
    day = _yesterday()
    _run("orders_job", day, instance)
    _set_faults(posting_project, netsuite_invalid_login_next=1)
    result = _run("order_posting_job", day, instance)

    assert _in_netsuite() == _postable(_day_orders(day))
    assert result["sales_orders_posted"]["failed"] == result["cash_sales_posted"]["failed"] == 0
    with connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM integration_errors").fetchone()[0] == 0
    faults = posting_project.app.state.sandbox.faults.faults
    assert faults.netsuite_invalid_login_next == 0  # the refusal happened, and was recovered from


def test_a_persistent_login_refusal_fails_the_run_queues_the_orders_as_auth_and_a_retry_posts_them(posting_project):
    _create_items(*MISSING_SKUS)
    instance = dg.DagsterInstance.ephemeral()
    day = _yesterday()
    _run("orders_job", day, instance)
    expected = _postable(_day_orders(day))
    _set_faults(posting_project, netsuite_invalid_login=True)
    result = _defs().resolve_job_def("order_posting_job").execute_in_process(
        partition_key=partition_key(STOREFRONT, day), instance=instance, raise_on_error=False)

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "NetSuite refused our credentials" in failure.event_specific_data.error.message
    with connect(read_only=True) as con:
        errors = con.execute("SELECT key, error_class, message FROM integration_errors WHERE resolved IS NULL"
                             ).fetchall()
    assert {f"AMZ-{STOREFRONT}-{k}" for k, _, _ in errors} == set(expected)
    assert {c for _, c, _ in errors} == {"auth"}
    # After the first refusal the rest of the day is not sent: it would only be refused again.
    assert sum("was not sent" in m for _, _, m in errors) >= len(errors) - 5

    _set_faults(posting_project, netsuite_invalid_login=False)
    assert _in_netsuite() == {}
    retried = _defs().resolve_job_def("retry_failed_postings").execute_in_process(
        instance=instance, run_config={"ops": {"repost_open_errors": {"config": {"error_classes": ["auth"]}}}})
    assert retried.success
    assert _in_netsuite() == expected
