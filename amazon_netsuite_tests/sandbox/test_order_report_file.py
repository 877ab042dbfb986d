"""The benchmark's report file writer and the malformed-rows fault."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone

from amazon_netsuite.sandbox.world import (
    ORDER_REPORT_COLUMNS,
    order_report_rows,
    order_report_text,
    write_order_report_file,
)

from .conftest import NOW


def test_the_file_writer_writes_exactly_n_rows_of_the_report_format(tmp_path):
    path = tmp_path / "orders.tsv"
    assert write_order_report_file(path, 20_000) == 20_000
    lines = path.read_bytes().decode("cp1252").split("\n")
    assert lines[0].split("\t") == ORDER_REPORT_COLUMNS
    assert lines[-1] == "" and len(lines) == 20_002
    rows = [line.split("\t") for line in lines[1:-1]]
    assert all(len(r) == len(ORDER_REPORT_COLUMNS) for r in rows)
    assert {r[6] for r in rows} == {"Amazon.com", "Amazon.ca", "Amazon.de", "Amazon.fr"}
    assert "–" in path.read_bytes().decode("cp1252")


def test_the_file_writer_is_fast_enough_for_a_million_row_benchmark(tmp_path):
    write_order_report_file(tmp_path / "warm.tsv", 1)  # the month-long template is built once per seed
    started = time.perf_counter()
    write_order_report_file(tmp_path / "orders.tsv", 200_000)
    assert time.perf_counter() - started < 6, "1,000,000 rows must take well under a minute"


def test_the_file_writer_repeats_the_template_with_fresh_order_ids(tmp_path):
    path = tmp_path / "orders.tsv"
    write_order_report_file(path, 30_000)
    rows = [line.split("\t") for line in path.read_text(encoding="cp1252").splitlines()[1:]]
    # Lines of one order sit together; every order (run of equal ids) has its own id.
    runs = [rows[0][0]] + [b[0] for a, b in zip(rows, rows[1:]) if a[0] != b[0]]
    assert len(runs) == len(set(runs)) > 10_000


def test_the_file_writer_is_deterministic_and_can_write_utf8(tmp_path):
    a, b, c = tmp_path / "a.tsv", tmp_path / "b.tsv", tmp_path / "c.tsv"
    write_order_report_file(a, 500)
    write_order_report_file(b, 500)
    write_order_report_file(c, 500, encoding="utf-8")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().decode("cp1252") == c.read_bytes().decode("utf-8")


def test_malformed_rows_break_in_the_ways_real_files_do(world):
    rows = order_report_rows(world, "demo-na", datetime(2026, 11, 18, tzinfo=timezone.utc), NOW, NOW)
    text = order_report_text(rows, malformed_rows=0.2, rng=random.Random(1))
    lines = text.splitlines()[1:]
    intact = {"\t".join(r.values()) for r in rows}
    good = [line for line in lines if line in intact]
    bad = [line.split("\t") for line in lines if line not in intact]
    assert len(good) + len(bad) == len(rows)
    assert 0.1 * len(rows) < len(bad) < 0.3 * len(rows)
    kinds = set()
    for fields in bad:
        if len(fields) < 34:
            kinds.add("missing trailing fields")
        elif len(fields) > 34:
            kinds.add("extra field")
        elif fields[ORDER_REPORT_COLUMNS.index("item-price")] in ("N/A", "12.3O", "#VALUE!"):
            kinds.add("non-numeric price")
        else:
            assert not fields[2][:4].isdigit() or fields[2].startswith("2026-13")
            kinds.add("bad date")
    assert kinds == {"missing trailing fields", "extra field", "non-numeric price", "bad date"}
