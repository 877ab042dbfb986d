"""Settlement postings NetSuite refuses, through real Dagster runs on the HTTP sandbox: the posting run fails and
names them while the rest of its storefront-day posts; the retry schedule re-runs the storefront-day once the cause
is fixed and every record lands exactly once; `sync` exits non-zero naming them.

NetSuite refuses a journal naming an account its chart does not have (400 INVALID_KEY_OR_REF): the GL mapping here
books storage fees on such an account until the test creates it, as an accountant would. The storefronts' orders do
not post here (`post_orders: false`), so their settlements post as summary journals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
import yaml

from amazon_netsuite.cli import main
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import DEMO_SETTINGS, _project_env
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    line,
    period,
    settlement_text,
    us_settlement_lines,
)
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import DEFAULT_MAPPING

STOREFRONT = "demo-US"
DAY = date(2026, 10, 4)  # a fixed deposit day after partitions.start_date; the runs name it, never "today"
UNKNOWN_ACCOUNT = "ACCT-STORAGE-NEW"
REFUSED, GOOD = "70000000011", "70000000012"  # the first has a storage fee, the second none


@pytest.fixture
def refusing_project(monkeypatch, tmp_path, own_sandbox):
    """The project on a sandbox of its own, orders not posted (summary settlements), with storage fees mapped to an
    account NetSuite does not have."""
    _project_env(monkeypatch, tmp_path, own_sandbox.url)
    settings = tmp_path / "accounts-summary.yaml"
    settings.write_text(DEMO_SETTINGS.read_text(encoding="utf-8").replace(
        "        sales_channel:", "        post_orders: false\n        sales_channel:"))
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(settings))
    raw = yaml.safe_load(DEFAULT_MAPPING.read_text())
    raw["accounts"][UNKNOWN_ACCOUNT] = {"name": "Storage (new account)", "section": "fees"}
    raw["rules"].insert(0, {"amount_description": "Storage Fee", "account": UNKNOWN_ACCOUNT})
    mapping = tmp_path / "gl_mapping.yaml"
    mapping.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("AMAZON_NETSUITE_GL_MAPPING", str(mapping))
    return own_sandbox


@pytest.fixture
def instance():
    """A persistent instance in a temporary directory: the schedule reads the runs in flight from it."""
    with dg.instance_for_test() as instance:
        yield instance


def _defs():
    from amazon_netsuite.definitions import defs

    return defs()


def _load(tmp_path: Path, settlement_id: str, lines: list[dict], deposit: date) -> None:
    """A settlement file loaded by hand, stored through every stage as the settlement assets store it."""
    path = tmp_path / f"{settlement_id}.txt"
    # Every line posted on the deposit day: one month, so one journal (a month end inside would split it).
    lines = [{**ln, "posted-date": f"{deposit:%m/%d/%y}", "posted-date-time": f"{deposit} 10:11:12 UTC"}
             for ln in lines]
    path.write_text(settlement_text(lines, settlement_id=settlement_id, deposit=f"{deposit} 00:00:00 UTC"))
    assert main(["settlements", "load", str(path)]) == 0


def _load_both(tmp_path: Path, deposit: date) -> None:
    _load(tmp_path, REFUSED, us_settlement_lines(), deposit)
    _load(tmp_path, GOOD, [line(amount=Decimal("30.00")), line(amount_type="ItemFees",
                                                              amount_description="Commission",
                                                              amount=Decimal("-4.50"))], deposit)


def _netsuite():
    from amazon_netsuite.defs.resources import NetSuite

    return NetSuite().client()


def _in_netsuite(*external_ids: str) -> dict[str, int]:
    """How many transactions NetSuite holds under each external id (SuiteQL)."""
    with _netsuite() as client:
        rows = list(client.suiteql(
            f"SELECT externalid, COUNT(*) AS n FROM transaction WHERE externalid IN "
            f"({', '.join('?' for _ in external_ids)}) GROUP BY externalid", list(external_ids)))
    counts = {r["externalid"]: int(r["n"]) for r in rows}
    return {eid: counts.get(eid, 0) for eid in external_ids}


def _records(settlement_id: str) -> tuple[str, str]:
    return f"AMZ-STL-{settlement_id}-JE", f"AMZ-STL-{settlement_id}-DEP"


def _post(instance, key, tags: dict | None = None) -> dg.ExecuteInProcessResult:
    return _defs().resolve_job_def("settlement_posting_job").execute_in_process(
        partition_key=key, instance=instance, tags=tags or {}, raise_on_error=False)


def _tick(instance) -> list[dg.RunRequest] | dg.SkipReason:
    from amazon_netsuite.definitions import defs

    retry_failed_settlement_postings_every_30_minutes = defs().resolve_schedule_def(
        "retry_failed_settlement_postings_every_30_minutes")

    return retry_failed_settlement_postings_every_30_minutes(dg.build_schedule_context(instance=instance))


def _open_errors() -> set[str]:
    with connect(read_only=True) as con:
        return {k for (k,) in con.execute("SELECT key FROM integration_errors WHERE flow = 'settlements' "
                                          "AND resolved IS NULL").fetchall()}


def test_a_refused_journal_fails_the_posting_run_and_the_retry_schedule_posts_it_and_its_deposit_once(
        refusing_project, tmp_path, instance):
    assert isinstance(_tick(instance), dg.SkipReason)  # no warehouse yet: nothing to retry
    _load_both(tmp_path, DAY)
    key = partition_key(STOREFRONT, DAY)

    result = _post(instance, key)

    # What could post did; the run fails and names the settlement and its integration_errors rows.
    assert _in_netsuite(*_records(GOOD)) == {eid: 1 for eid in _records(GOOD)}
    assert _in_netsuite(*_records(REFUSED)) == {eid: 0 for eid in _records(REFUSED)}
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).event_specific_data.error.message
    assert f"settlement {REFUSED}" in failure and GOOD not in failure.split("\n")[0]
    assert f"{REFUSED}:journal (mapping)" in failure and f"Invalid account reference key {UNKNOWN_ACCOUNT}" in failure
    assert f"{REFUSED}:deposit (mapping)" in failure and "waits for journal" in failure
    assert "retry_failed_settlement_postings_every_30_minutes" in failure
    assert _open_errors() == {f"{REFUSED}:journal", f"{REFUSED}:deposit"}

    # The schedule asks for the storefront-day; retried before anyone fixed the cause, it fails again, sends nothing.
    (request,) = _tick(instance)
    assert request.partition_key == key
    assert not _post(instance, request.partition_key, request.tags).success
    assert _in_netsuite(*_records(REFUSED)) == {eid: 0 for eid in _records(REFUSED)}

    with _netsuite() as client:  # the accountant creates the account
        client.upsert("account", UNKNOWN_ACCOUNT, {"acctName": "Storage (new account)", "acctType": {"id": "Expense"}})
    (request,) = _tick(instance)
    retried = _post(instance, request.partition_key, request.tags)

    assert retried.success
    assert _in_netsuite(*_records(REFUSED), *_records(GOOD)) == {eid: 1 for eid in (*_records(REFUSED),
                                                                                    *_records(GOOD))}
    (materialization,) = retried.asset_materializations_for_node("settlement_gl_postings")
    assert (materialization.metadata["posted"].value, materialization.metadata["failed"].value) == (2, 0)
    assert _open_errors() == set()
    assert isinstance(_tick(instance), dg.SkipReason)  # nothing left open


def test_the_retry_schedule_skips_a_storefront_day_whose_posting_run_is_still_running(refusing_project, tmp_path,
                                                                                       instance):
    _load_both(tmp_path, DAY)
    key = partition_key(STOREFRONT, DAY)
    assert not _post(instance, key).success
    job = _defs().resolve_job_def("settlement_posting_job")
    running = instance.create_run_for_job(job, tags={"dagster/partition": str(key)},
                                          status=dg.DagsterRunStatus.STARTED)
    assert isinstance(_tick(instance), dg.SkipReason)

    instance.report_run_failed(running)  # it ended without posting: the next tick asks again
    assert [r.partition_key for r in _tick(instance)] == [key]


def test_sync_exits_non_zero_and_names_the_settlement_postings_netsuite_refused(refusing_project, tmp_path, capsys,
                                                                               monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # sync imports the settlements deposited in its last 30 days, counted on the clock it runs by.
    deposit = datetime.now(timezone.utc).date() - timedelta(days=3)
    _load_both(tmp_path, deposit)
    capsys.readouterr()

    code = main(["sync", "--days", "1", "--storefront", STOREFRONT])

    out = capsys.readouterr().out
    assert code != 0
    # After the summary, one line per record that waits, naming its settlement.
    tail = out[out.index("Settlement postings NetSuite did not take"):]
    assert f"{STOREFRONT} {deposit} settlement {REFUSED}: {REFUSED}:journal (mapping): NetSuite has no record" in tail
    assert f"{STOREFRONT} {deposit} settlement {REFUSED}: {REFUSED}:deposit (mapping): deposit " in tail
    assert GOOD not in tail
    assert _in_netsuite(*_records(REFUSED)) == {eid: 0 for eid in _records(REFUSED)}
    assert _in_netsuite(*_records(GOOD)) == {eid: 1 for eid in _records(GOOD)}
