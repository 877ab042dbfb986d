"""Idempotent re-run: a storefront-day of orders is posted to the NetSuite sandbox (its own process, 15 in flight,
100 ms a call), then the same day is posted again, once in the same process and once as a Dagster run of
`order_posting_job` in a fresh process. Every order is already in NetSuite, unchanged, so a re-run must send nothing.

    .venv/bin/python -m bench.idempotent_rerun [--orders N]

Writes are counted by the sandbox (its access log: every PUT, POST or PATCH to the record API), not by the client.
Figure: NetSuite writes of both re-runs together (target 0); baseline: the first run's writes. Also reported: each
re-run's wall time beside the first run's, and a SuiteQL check that NetSuite still holds each order once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    DEMO_SETTINGS,
    OUT_DIR,
    POSTING_DAY,
    POSTING_STOREFRONT,
    REPO_ROOT,
    SandboxProcess,
    compare_with_netsuite,
    emit,
    machine,
    netsuite_transactions,
    posting_totals,
    project_env,
    write_postable_orders,
)
from bench.netsuite_posting import (
    RECORD_PATH,
    TOKEN_PATH,
    create_promotion_item,
    integration_errors,
    netsuite_client,
    sandbox_options,
    timed_posting,
)

BENCHMARK = "idempotent_rerun"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def dagster_rerun() -> dict:
    """In a fresh process: `order_posting_job` for the storefront-day, as the UI or a backfill would run it."""
    import dagster as dg

    from amazon_netsuite.definitions import defs
    from amazon_netsuite.defs.partitions import partition_key

    job = defs().resolve_job_def("order_posting_job")
    start = time.perf_counter()
    result = job.execute_in_process(partition_key=partition_key(POSTING_STOREFRONT, POSTING_DAY),
                                    instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    seconds = time.perf_counter() - start
    metadata = {e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
                for e in result.get_asset_materialization_events()}
    step = next((e for e in result.all_events if e.event_type_value == "STEP_SUCCESS"), None)
    return {
        "success": result.success,
        "seconds": seconds,
        "step_seconds": step.event_specific_data.duration_ms / 1000 if step else None,
        "posted": sum(m.get("posted", 0) for m in metadata.values()),
        "unchanged": sum(m.get("already_posted_unchanged", 0) for m in metadata.values()),
        "client_requests": max((m.get("netsuite_requests", 0) for m in metadata.values()), default=0),
    }


def run_child(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.idempotent_rerun", "--worker", "dagster"],
        cwd=REPO_ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=600,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the Dagster re-run failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(lines[-1])


def calls_since(sandbox: SandboxProcess, since: int) -> dict[str, int]:
    """What the sandbox answered since the mark: record writes (PUT, POST, PATCH), every other NetSuite call
    (reads, SuiteQL), and token exchanges."""
    calls = {"writes": 0, "other_requests": 0, "token_requests": 0}
    for e in sandbox.entries(since=since):
        if e.path == TOKEN_PATH:
            calls["token_requests"] += 1
        elif e.path.startswith(RECORD_PATH) and e.method != "GET":
            calls["writes"] += 1
        elif e.path.startswith("/services/rest/"):
            calls["other_requests"] += 1
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--worker", choices=("dagster",), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ["AMAZON_NETSUITE_ACCOUNTS"] = str(DEMO_SETTINGS)  # the posting code reads the demo settings
    if args.worker == "dagster":
        print(json.dumps(dagster_rerun()), flush=True)
        return 0

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="idempotent_rerun_", dir=OUT_DIR) as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        data_dir.mkdir()
        db_path = data_dir / "warehouse.duckdb"
        starting = SandboxProcess(work / "sandbox", *sandbox_options(), wait=False)  # starts while orders generate
        log(f"generating {args.orders:,} postable orders of {POSTING_STOREFRONT} {POSTING_DAY} ...")
        try:
            orders = write_postable_orders(db_path, args.orders)
        except BaseException:
            starting.stop()
            raise
        with starting as sandbox:
            create_promotion_item(sandbox.url)

            # Each run starts without a token, as a run does: a re-run that needs nothing should not even log in.
            mark = sandbox.mark()
            log("first run ...")
            first = timed_posting(db_path, sandbox.url, warm=False)
            first_calls = calls_since(sandbox, mark)

            mark = sandbox.mark()
            log("re-run in the same process ...")
            same = timed_posting(db_path, sandbox.url, warm=False)
            same_calls = calls_since(sandbox, mark)

            mark = sandbox.mark()
            log("re-run as a Dagster run in a fresh process ...")
            fresh = run_child(project_env(data_dir, sandbox.url, db_path))
            fresh_calls = calls_since(sandbox, mark)

            with netsuite_client(sandbox.url) as client:
                check = compare_with_netsuite(posting_totals(db_path), netsuite_transactions(client))
        errors = integration_errors(db_path)

    first_writes = first_calls["writes"]
    rerun_writes = same_calls["writes"] + fresh_calls["writes"]
    clean = (
        first["posted"] == args.orders == first_writes and check["netsuite_records"] == args.orders
        and check["duplicates"] == check["lost"] == check["unexpected"] == check["totals_off"] == 0 and not errors
        and fresh["success"] and same["unchanged"] == fresh["unchanged"] == args.orders
    )
    emit(
        BENCHMARK,
        rerun_writes,
        "NetSuite writes on re-run",
        first_writes,
        round(rerun_writes / first_writes, 4) if first_writes else None,
        "0 writes when a posted day is re-run (same process and a fresh Dagster run)",
        rerun_writes == 0 and clean,
        orders=orders["orders"],
        storefront_day=f"{POSTING_STOREFRONT} {POSTING_DAY}",
        first_run={**first_calls, "posted": first["posted"], "seconds": round(first["seconds"], 3)},
        same_process_rerun={**same_calls, "posted": same["posted"], "unchanged": same["unchanged"],
                            "seconds": round(same["seconds"], 3)},
        dagster_rerun={**fresh_calls, "posted": fresh["posted"], "unchanged": fresh["unchanged"],
                       "client_requests": fresh["client_requests"],
                       "run_seconds": round(fresh["seconds"], 3),
                       "step_seconds": fresh["step_seconds"] and round(fresh["step_seconds"], 3)},
        rerun_time_vs_first=round(same["seconds"] / first["seconds"], 4),
        duplicates=check["duplicates"],
        lost=check["lost"],
        totals_off=check["totals_off"],
        netsuite_records=check["netsuite_records"],
        integration_errors=sum(errors.values()),
        machine=machine(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
