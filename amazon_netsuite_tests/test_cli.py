"""The `amazon-netsuite` command line, run in-process against the sandbox."""

import gzip
import json
from decimal import Decimal

from amazon_netsuite.cli import main


def test_sync_prints_a_summary_and_sql_reads_exact_decimals(project, capsys, monkeypatch, tmp_path):
    # A persistent DAGSTER_HOME, as `make run` has: every run of the sync lands in that one instance.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # --no-post: this test shares its sandbox with others; posting the window is test_demo_window's.
    assert main(["sync", "--days", "2", "--storefront", "demo-CA", "--no-post"]) == 0
    out = capsys.readouterr().out
    assert "demo-CA" in out and "2 partition runs succeeded, 0 failed" in out
    import dagster as dg

    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        runs = instance.get_runs()
    assert all(r.tags["dagster/partition"].endswith("|demo-CA") for r in runs)
    assert len(runs) == 2 and {r.job_name for r in runs} == {"orders_job"}

    assert main(["sql", "SELECT count(*) AS n, sum(item_price) AS total FROM order_lines", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["n"] > 0
    assert Decimal(rows[0]["total"]) == Decimal(rows[0]["total"]).quantize(Decimal("0.0001"))
    assert isinstance(rows[0]["total"], str)  # never a float

    assert main(["sql", "SELECT DISTINCT currency FROM orders"]) == 0
    assert "CAD" in capsys.readouterr().out


def test_reports_inspect_summarises_a_landed_order_report(project, capsys):
    assert main(["sync", "--days", "1", "--storefront", "demo-US"]) == 0
    capsys.readouterr()
    landed = next((project / "reports").glob("*.tsv.gz"))
    plain = project / "report.tsv"
    plain.write_bytes(gzip.decompress(landed.read_bytes()))

    assert main(["reports", "inspect", str(plain), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["report_type"] == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
    assert summary["row_count"] == len(plain.read_bytes().splitlines()) - 1
    assert summary["quarantined"] == 0
    assert set(summary["by_fulfillment_channel"]) <= {"Amazon", "Merchant"}
    assert set(summary["totals_by_currency"]) <= {"USD", "CAD"}


def test_reports_inspect_refuses_an_unreadable_file_with_a_message(tmp_path, capsys):
    junk = tmp_path / "junk.tsv"
    junk.write_bytes(b"")
    assert main(["reports", "inspect", str(junk), "--json"]) != 0
    assert "cannot read" in capsys.readouterr().err
