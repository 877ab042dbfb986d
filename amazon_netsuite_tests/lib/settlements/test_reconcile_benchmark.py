"""The settlement reconcile benchmark at a tiny size: its generated settlement ties out to the cent through the pipeline,
and the pandas baseline reaches the same figures, so the benchmark's speed figures compare equal work."""

from __future__ import annotations

import json

from amazon_netsuite_tests.lib.settlements.reconcile_workload import generate, run_baseline, run_pipeline


def test_the_benchmark_settlement_reconciles_exactly_and_the_baseline_agrees(tmp_path):
    path, ledger, expected_path = tmp_path / "s.txt", tmp_path / "ledger.duckdb", tmp_path / "expected.json"
    generate(path, ledger, expected_path, n_lines=3_000, ledger_size=5_000)
    expected = json.loads(expected_path.read_text())
    assert expected["lines"] == 3_000 and expected["ledger_orders"] == 5_000

    pipeline = run_pipeline(path, ledger, sample_lines=1_000)
    assert pipeline["lines"] == 3_000 and pipeline["quarantined"] == pipeline["unmapped"] == 0
    assert pipeline["total"] == pipeline["lines_sum"] == expected["total"]
    assert pipeline["ties_out"] and pipeline["journal_balances"]
    assert pipeline["accounts"] == expected["accounts"]
    assert (pipeline["matched"], pipeline["unmatched"], pipeline["not_an_order"]) == (
        expected["matched"], expected["unmatched"], expected["not_an_order"])
    assert pipeline["unmatched"] > 0 and pipeline["not_an_order"] > 0

    baseline = run_baseline(path, ledger, 1_000)
    assert baseline["lines"] == 1_000
    assert baseline["accounts"] == pipeline["sample_accounts"]
    whole = run_baseline(path, ledger, 3_000)
    assert whole["accounts"] == pipeline["accounts"] and whole["lines_sum"] == expected["total"]
    assert (whole["matched"], whole["unmatched"], whole["not_an_order"]) == (
        expected["matched"], expected["unmatched"], expected["not_an_order"])
