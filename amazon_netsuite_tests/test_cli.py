"""The `amazon-netsuite` command line, run in-process against the sandbox."""

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest

from amazon_netsuite.cli import main
from amazon_netsuite.lib.warehouse import connect


def test_sync_prints_a_summary_and_sql_reads_exact_decimals(project, capsys, monkeypatch, tmp_path):
    # A persistent DAGSTER_HOME, as `make run` has: every run of the sync lands in that one instance.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # --no-post: this test shares its sandbox with others; posting the window is test_demo_window's.
    assert main(["sync", "--days", "2", "--storefront", "demo-CA", "--no-post"]) == 0
    out = capsys.readouterr().out
    assert "demo-CA" in out and "2 partition runs succeeded, 0 failed" in out
    assert "NetSuite metadata: 30 setup records read; every mapping names an active record" in out
    import dagster as dg

    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        runs = instance.get_runs()
    # NetSuite's setup records first (one unpartitioned run), then the storefront's days.
    assert [r.job_name for r in runs if "dagster/partition" not in r.tags] == ["netsuite_metadata_job"]
    runs = [r for r in runs if "dagster/partition" in r.tags]
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
    # Two days: minutes after midnight UTC, today alone may have no orders yet and so no report rows.
    assert main(["sync", "--days", "2", "--storefront", "demo-US"]) == 0
    capsys.readouterr()
    # The order report (the sync also lands the FBA ledger report there).
    landed = next(p for p in (project / "reports").glob("*.tsv.gz")
                  if gzip.decompress(p.read_bytes()).startswith(b"amazon-order-id"))
    plain = project / "report.tsv"
    plain.write_bytes(gzip.decompress(landed.read_bytes()))

    assert main(["reports", "inspect", str(plain), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["report_type"] == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
    assert summary["row_count"] == len(plain.read_bytes().splitlines()) - 1
    assert summary["quarantined"] == 0
    assert set(summary["by_fulfillment_channel"]) <= {"Amazon", "Merchant"}
    assert set(summary["totals_by_currency"]) <= {"USD", "CAD"}

    # The FBA ledger, as landed (gzip): its rows and units as the file has them, classified as the flow would.
    ledger = next(p for p in (project / "reports").glob("*.tsv.gz")
                  if gzip.decompress(p.read_bytes()).startswith(b"Date\tFNSKU"))
    lines = [line.split("\t") for line in gzip.decompress(ledger.read_bytes()).decode("cp1252").splitlines()]
    assert main(["reports", "inspect", str(ledger), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["report_type"] == "GET_LEDGER_DETAIL_VIEW_DATA"
    assert summary["rows"] == len(lines) - 1 > 0
    quantity = lines[0].index("Quantity")
    assert sum(e["units"] for e in summary["by_event"]) == sum(int(line[quantity]) for line in lines[1:])
    assert set(summary["countries"]) <= {"US", "CA"}
    with connect(read_only=True) as con:
        adjusting = con.execute("SELECT count(*) FILTER (adjusts_netsuite) FROM fba_inventory_ledger").fetchone()[0]
    # Only demo-US's rows were loaded, and its orders post: the file's count when orders post covers them. (Minutes
    # after midnight UTC the day's few rows may all be shipments, which adjust nothing when orders post.)
    when_posted, when_not = (summary[f"adjusting_rows_when_orders_{w}"] for w in ("post", "do_not_post"))
    assert adjusting <= when_posted <= when_not
    assert when_not > 0


def test_reports_inspect_refuses_an_unreadable_file_with_a_message(tmp_path, capsys):
    junk = tmp_path / "junk.tsv"
    junk.write_bytes(b"")
    assert main(["reports", "inspect", str(junk), "--json"]) != 0
    assert "cannot read" in capsys.readouterr().err


def _summary_table(out: str) -> dict[str, dict[str, str]]:
    """The per-storefront table `sync` prints: storefront → column → value."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("storefront ") and "sales-orders" in line)
    names = lines[header].split()
    rows = {}
    for line in lines[header + 1:]:
        if not line.strip():
            break
        values = line.split()
        rows[values[0]] = dict(zip(names, values))
    return rows


def test_sync_shows_progress_then_a_summary_whose_figures_are_the_warehouses_and_logs_dagster_events_to_a_file(
        monkeypatch, tmp_path, capsys):
    import re
    from datetime import datetime, timedelta, timezone

    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite_tests.conftest import _project_env, start_sandbox

    # 35 days of history: two settlements deposited in the window whatever today is; few orders keep it quick.
    with start_sandbox(tmp_path / "sandbox", history_days=35, orders_per_day=6) as sandbox:
        data = _project_env(monkeypatch, tmp_path, sandbox.url)
        monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
        assert main(["sync", "--days", "2", "--storefront", "demo-CA"]) == 0
    captured = capsys.readouterr()
    out = captured.out

    # Dagster's own event lines stay off the terminal ...
    for stream in (captured.out, captured.err):
        assert "STEP_OUTPUT" not in stream and "Yielded output" not in stream and " - DEBUG - " not in stream
        assert " - WARNING - " not in stream  # per-order warnings too
    # ... and land in the log file the summary names, under the data directory.
    named = re.search(r"^Run logs: (\S+)$", out, re.MULTILINE)
    assert named, out
    log_file = Path(named.group(1))
    assert log_file.parent.parent == data and log_file.is_file()
    logged = log_file.read_text()
    assert "STEP_OUTPUT" in logged and "DEBUG" in logged and "orders_job" in logged
    assert "settlement_posting_job" in logged
    # Between orders and settlements the sandbox's warehouse shipped the MFN orders (sandbox mode only).
    assert re.search(r"^sandbox warehouse: \d+ MFN Sales Orders fulfilled on their ship day", out, re.MULTILINE), out

    today = datetime.now(timezone.utc).date()
    first_day, window_start = today - timedelta(days=1), today - timedelta(days=29)
    with connect(read_only=True) as con:
        def one(sql, *params):
            return con.execute(sql, list(params)).fetchone()[0]

        settlement_days = one("SELECT count(DISTINCT day) FROM settlements WHERE storefront = 'demo-CA' "
                              "AND day BETWEEN ? AND ?", window_start, today)
        expected = {
            "orders": one("SELECT count(DISTINCT amazon_order_id) FROM orders WHERE storefront = 'demo-CA' "
                          "AND day BETWEEN ? AND ?", first_day, today),
            "sales-orders": one("SELECT count(*) FROM netsuite_postings WHERE flow = 'orders' "
                                "AND record_type = 'salesOrder' AND posted_body IS NOT NULL"),
            "cash-sales": one("SELECT count(*) FROM netsuite_postings WHERE flow = 'orders' "
                              "AND record_type = 'cashSale' AND posted_body IS NOT NULL"),
            "settlements": one("SELECT count(*) FROM settlement_overview WHERE storefront = 'demo-CA' "
                               "AND deposit_day BETWEEN ? AND ? AND netsuite_records_posted > 0", window_start, today),
            "errors": one("SELECT count(*) FROM integration_errors WHERE storefront = 'demo-CA' AND resolved IS NULL"),
        }
        records_posted = one("SELECT count(*) FROM netsuite_postings WHERE status = 'posted'")
    assert settlement_days == 2 and expected["settlements"] == 2
    assert expected["sales-orders"] > 0 and expected["cash-sales"] > 0

    row = _summary_table(out)["demo-CA"]
    assert {name: int(row[name]) for name in expected} == expected

    # Not a terminal (captured): progress comes as whole lines, the last one at N/N storefront-days.
    progress = [line for line in out.splitlines() if "storefront-days" in line]
    assert progress and "\r" not in out
    last = re.search(r"(\d+)/(\d+) storefront-days, (\d+) records posted, (\d+) open errors", progress[-1])
    assert last, progress[-1]
    # Two order days of one storefront, their two shipment days, each storefront-day with a deposit, then today's
    # snapshots and push, the FBA ledger of the two days, today's snapshots again, today's listings and prices.
    total = 2 + 2 + settlement_days + 1 + 2 + 1 + 1 + 1
    assert [int(g) for g in last.groups()] == [total, total, records_posted, expected["errors"]]
    assert re.search(r"done in \d+", progress[-1])
    with connect(read_only=True) as con:
        sent = con.execute("SELECT count(*) FROM inventory_feed_submissions WHERE storefront = 'demo-CA'").fetchone()[0]
        # The world sells MFN orders whatever the stock, so a SKU can be oversold in NetSuite: held back, with why.
        held = con.execute("SELECT count(*) FROM available_to_sell WHERE storefront = 'demo-CA' "
                           "AND held_back_reason IS NOT NULL").fetchone()[0]
    assert sent > 0
    assert re.search(rf"^  demo-CA\s+{sent} sent\s+{sent} accepted\s+{held} held back\s+\d+ FBA differences$",
                     out, re.MULTILINE), out
    # Prices: the first push sends every priced SKU (Amazon had none of ours), and Amazon took them all.
    with connect(read_only=True) as con:
        priced = con.execute("SELECT count(*) FROM price_list WHERE storefront = 'demo-CA' AND price IS NOT NULL"
                             ).fetchone()[0]
    assert priced > 40
    # Shipments: Canada ships UPS Standard, always tracked, so every package the warehouse shipped is confirmed.
    with connect(read_only=True) as con:
        confirmed = con.execute("SELECT count(*) FROM shipment_confirmations WHERE storefront = 'demo-CA' "
                                "AND status = 'confirmed'").fetchone()[0]
    assert re.search(rf"^  demo-CA\s+{confirmed} confirmed\s+0 held without tracking\s+0 refused\s+0 failed$",
                     out, re.MULTILINE), out
    # Listings: every catalog SKU was on Amazon before; nothing new to create in the demo's NetSuite.
    assert re.search(r"^  demo-CA\s+0 created\s+0 updated\s+0 retired\s+0 refused\s+0 cannot be listed$", out,
                     re.MULTILINE), out
    assert re.search(rf"^  demo-CA\s+{priced} priced\s+0 held back\s+{priced} sent\s+{priced} accepted\s+0 differ$",
                     out, re.MULTILINE), out


def test_progress_rewrites_one_line_on_a_terminal_and_prints_every_tenth_elsewhere():
    import io

    from amazon_netsuite.sync import Progress

    now = [0.0]
    terminal = io.StringIO()
    counted = []
    progress = Progress(terminal, tty=True, clock=lambda: now[0], count_every_seconds=15,
                        counts=lambda: counted.append(now[0]) or (3, 1))
    progress.add("orders", 4)
    for _ in range(2):
        now[0] += 10
        progress.advance()
    assert counted == [10]  # the warehouse is asked at most every 15 s
    assert terminal.getvalue().count("\n") == 0  # rewritten in place
    assert terminal.getvalue().rsplit("\r\x1b[K", 1)[-1].startswith(
        "orders 2/4 storefront-days, 3 records posted, 1 open errors, about 20s left")
    progress.say("demo-na: report DONE")  # a message goes above the line, which is drawn again
    assert terminal.getvalue().endswith("\n" + "\r\x1b[K" + "orders 2/4 storefront-days, 3 records posted, "
                                        "1 open errors, about 20s left")
    progress.close()
    assert counted == [10, 20]  # and at the end
    assert terminal.getvalue().endswith("\n")

    log = io.StringIO()
    progress = Progress(log, tty=False, clock=lambda: now[0], every_seconds=60)
    progress.add("orders", 40)
    for _ in range(40):
        now[0] += 1
        progress.advance()
    progress.close()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()
    assert [line.split()[1] for line in lines] == [f"{n}/40" for n in range(4, 40, 4)] + ["40/40"]
    assert lines[-1].endswith("done in 40s")


@pytest.fixture
def small_warehouse(tmp_path):
    """A warehouse file with one DECIMAL table, for the `sql` command alone."""
    import duckdb

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE order_lines AS SELECT * FROM (VALUES (0.1::DECIMAL(18,4)), (0.2::DECIMAL(18,4))) "
                    "AS v(item_price)")
    return path


def test_sql_reads_the_warehouse_with_decimals_exact(small_warehouse, capsys):
    assert main(["sql", "SELECT sum(item_price) AS total, count(*) AS n FROM order_lines", "--json",
                 "--database", str(small_warehouse)]) == 0
    assert json.loads(capsys.readouterr().out) == [{"total": "0.3000", "n": 2}]


@pytest.mark.parametrize("statement", [
    "COPY order_lines TO '{dir}/copied.csv'",
    "COPY (SELECT * FROM order_lines) TO '{dir}/copied.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{dir}/exported'",
    "ATTACH '{dir}/other.duckdb' AS other",
    "ATTACH ':memory:' AS scratch",
    "INSTALL httpfs",
    "LOAD httpfs",
    "LOAD json",
    "SET enable_external_access = true",
    "CREATE TEMP TABLE scratch AS SELECT 1",
    "SELECT 1; COPY order_lines TO '{dir}/copied.csv'",
    # Queries that pass the statement check meet the connection's settings.
    "SELECT * FROM read_csv('{dir}/outside.csv')",
    "EXPLAIN ANALYZE COPY order_lines TO '{dir}/copied.csv'",
])
def test_sql_refuses_what_would_write_attach_or_load_with_one_line(small_warehouse, tmp_path, capsys, statement):
    (tmp_path / "outside.csv").write_text("a\n1\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["sql", statement.format(dir=tmp_path), "--database", str(small_warehouse)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written next to it


@pytest.mark.parametrize("query, message", [
    ("SELEC 1", "syntax error"),
    ("SELECT no_such_column FROM order_lines", "no_such_column"),
    ("  ", "no query given"),
])
def test_sql_prints_a_bad_query_as_one_line_and_exits_2(small_warehouse, capsys, query, message):
    assert main(["sql", query, "--database", str(small_warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err


def test_sync_keeps_amazons_throttling_retries_off_the_terminal_and_in_its_log(monkeypatch, tmp_path, capsys):
    import re

    from amazon_netsuite.sandbox.config import parse_faults
    from amazon_netsuite_tests.conftest import _project_env, start_sandbox

    from dataclasses import replace

    from amazon_netsuite.lib.amazon import ratelimit

    # The client's buckets start at the sandbox's usage plans (start_sandbox scales Amazon's by 200), as they would
    # after any answer's x-amzn-RateLimit-Limit: a 429 before the first answer otherwise leaves a drained bucket
    # refilling at Amazon's real rate, a 45 s sleep that proves nothing here.
    monkeypatch.setattr(ratelimit, "USAGE_PLANS",
                        {op: replace(plan, rate=plan.rate * 200) for op, plan in ratelimit.USAGE_PLANS.items()})
    # Half the SP-API calls answer 429 (the sandbox's seeded dice: a few retries, never eight in a row).
    with start_sandbox(tmp_path / "sandbox", faults=parse_faults("throttle_rate=0.5")) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        assert main(["sync", "--days", "1", "--storefront", "demo-CA", "--no-post"]) == 0
    captured = capsys.readouterr()
    assert "retrying in" not in captured.out and "retrying in" not in captured.err, captured.err
    log_file = Path(re.search(r"^Run logs: (\S+)$", captured.out, re.MULTILINE).group(1))
    assert "QuotaExceeded" in log_file.read_text() and "retrying in" in log_file.read_text()
