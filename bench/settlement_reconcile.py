"""Settlement reconcile: a 1,000,000-line GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file parsed, mapped to GL
accounts, each line matched to its order's NetSuite record among 250,000 posted orders (the posting ledger in a
DuckDB file), and summarised (tie-out, GL summary, journal balance), against a naive pandas row-wise baseline
(`iterrows` with `Decimal`) doing the same work in the same run.

    .venv/bin/python -m bench.settlement_reconcile [--lines N] [--repeat R] [--baseline-lines M]

The file and the ledger are generated once into bench/out (outside the measured time), with the exact figures the
pipeline must reproduce to the cent (total, per GL account, matched / unmatched / non-order lines), computed by the
generator from integer cents, independently of the code under test. Each measured run is its own process; the best
of R pipeline runs is reported. The baseline runs on the first M lines and is extrapolated linearly to the file
(`baseline_extrapolated` in the JSON line says so); on that sample its figures must equal the pipeline's.
Target: parse + match + summarize ≤ 5 s for 1,000,000 lines, exact to the cent.
The generator, the pipeline and the baseline live in amazon_netsuite_tests/lib/settlements/reconcile_workload.py,
where a test holds their figures equal; this module times them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from amazon_netsuite_tests.lib.settlements.reconcile_workload import (
    GENERATOR_VERSION,
    generate,
    run_baseline,
    run_pipeline,
)
from bench.common import OUT_DIR, emit, machine, peak_rss_bytes, run_measured

BENCHMARK = "settlement_reconcile"
TARGET_SECONDS = 5.0
BASELINE_SAMPLE_LINES = 200_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def inputs(n_lines: int) -> tuple[Path, Path, dict]:
    """The generated file, ledger and expected figures, reused between runs (generation is not measured)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"settlement_{n_lines}.txt"
    ledger = OUT_DIR / f"settlement_{n_lines}_ledger.duckdb"
    expected_path = OUT_DIR / f"settlement_{n_lines}_expected.json"
    fresh = (path.exists() and ledger.exists() and expected_path.exists()
             and json.loads(expected_path.read_text()).get("generator_version") == GENERATOR_VERSION)
    if not fresh:
        log(f"generating {n_lines:,} settlement lines into {path} ...")
        generate(path, ledger, expected_path, n_lines)
    return path, ledger, json.loads(expected_path.read_text())


# --- driver ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="pipeline runs; the best is reported")
    parser.add_argument("--baseline-lines", type=int, default=BASELINE_SAMPLE_LINES,
                        help="lines the baseline runs on before extrapolating (0: the whole file)")
    parser.add_argument("--worker", choices=("pipeline", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ledger", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:  # one measured side in a process of its own, so its peak RSS is its own
        run = run_pipeline if args.worker == "pipeline" else run_baseline
        result = {**run(args.file, args.ledger, args.baseline_lines), "peak_rss_bytes": peak_rss_bytes()}
        print(json.dumps(result, default=str), flush=True)
        return 0

    path, ledger, expected = inputs(args.lines)
    module = "bench.settlement_reconcile"
    baseline_lines = min(args.baseline_lines or args.lines, args.lines)
    runs = []
    for i in range(max(1, args.repeat)):
        log(f"run {i + 1}: pipeline ...")
        runs.append(run_measured(module, "--worker", "pipeline", "--file", str(path), "--ledger", str(ledger),
                                 "--baseline-lines", str(baseline_lines)))
        log(f"  {runs[-1]['seconds']:.2f} s {runs[-1]['stages']}")
    log(f"baseline on {baseline_lines:,} lines ...")
    base = run_measured(module, "--worker", "baseline", "--file", str(path), "--ledger", str(ledger),
                        "--baseline-lines", str(baseline_lines))
    log(f"  {base['seconds']:.2f} s")
    best = min(runs, key=lambda r: r["seconds"])

    exact = (
        best["total"] == best["lines_sum"] == expected["total"] and best["ties_out"] and best["journal_balances"]
        and best["accounts"] == expected["accounts"] and best["unmapped"] == 0 and best["quarantined"] == 0
        and all(best[k] == expected[k] for k in ("lines", "matched", "unmatched", "not_an_order"))
    )
    sample_agrees = base["accounts"] == (best["sample_accounts"] if baseline_lines < args.lines else best["accounts"])
    extrapolated = baseline_lines < best["lines"]
    per_line = (base["seconds"] - base["setup_seconds"]) / base["lines"]
    baseline_seconds = base["setup_seconds"] + per_line * best["lines"]
    passed = best["seconds"] <= TARGET_SECONDS and exact and sample_agrees
    emit(
        BENCHMARK,
        round(best["seconds"], 3),
        "s",
        round(baseline_seconds, 3),
        round(baseline_seconds / best["seconds"], 1),
        f"<= {TARGET_SECONDS} s for parse + match + summarize of {args.lines:,} lines against "
        f"{expected['ledger_orders']:,} orders, exact to the cent",
        passed,
        lines=best["lines"],
        lines_per_s=round(best["lines"] / best["seconds"]),
        stages=best["stages"],
        all_seconds=[round(r["seconds"], 3) for r in runs],
        exact_to_the_cent=exact,
        total=best["total"],
        matched=best["matched"],
        unmatched=best["unmatched"],
        not_an_order=best["not_an_order"],
        ledger_orders=expected["ledger_orders"],
        peak_rss_mib=round(max(r["peak_rss_bytes"] for r in runs) / 2**20),
        baseline_lines=base["lines"],
        baseline_measured_seconds=round(base["seconds"], 3),
        baseline_extrapolated=extrapolated,
        baseline_agrees_on_its_lines=sample_agrees,
        baseline_peak_rss_mib=round(base["peak_rss_bytes"] / 2**20),
        file_mib=round(path.stat().st_size / 2**20),
        machine=machine(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
