from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from amazon_netsuite.lib.report_registry import (
    find_covering_report,
    get_registered,
    land_document,
    read_landed_document,
    record_report,
)
from amazon_netsuite.lib.reporting_days import days_covered
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.schema import ensure_schema

UTC = timezone.utc
NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)


@dataclass
class FakeReport:  # the shape of lib.amazon.reports.Report that the registry reads
    report_id: str
    processing_status: str
    created_time: datetime
    data_start_time: datetime | None = None
    data_end_time: datetime | None = None
    report_type: str = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
    marketplace_ids: list | None = None
    processing_end_time: datetime | None = None
    report_document_id: str | None = None


def test_days_covered_clips_to_the_partition_range_and_ignores_a_midnight_end():
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert days_covered(start, datetime(2026, 11, 22, 0, 0, tzinfo=UTC), date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 11, 20),
        date(2026, 11, 21),
    ]
    assert days_covered(start, NOW, date(2026, 11, 21), date(2026, 11, 21)) == [date(2026, 11, 21)]
    assert days_covered(None, NOW, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_the_newest_covering_finished_report_is_found_and_documents_land_once(tmp_path, monkeypatch):
    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(tmp_path))
    day_start = datetime(2026, 11, 20, tzinfo=UTC)
    with connect(tmp_path / "w.duckdb") as con:
        ensure_schema(con)
        record_report(con, "demo-na", FakeReport("old", "DONE", day_start + timedelta(days=1, hours=1),
                                                 day_start, day_start + timedelta(days=1)))
        record_report(con, "demo-na", FakeReport("new", "DONE", day_start + timedelta(days=2),
                                                 day_start - timedelta(days=3), day_start + timedelta(days=2)))
        record_report(con, "demo-na", FakeReport("partial", "DONE", day_start + timedelta(days=3),
                                                 day_start + timedelta(hours=6), day_start + timedelta(days=3)))
        record_report(con, "demo-eu", FakeReport("other", "DONE", day_start + timedelta(days=4),
                                                 day_start, day_start + timedelta(days=4)))
        found = find_covering_report(con, "demo-na", date(2026, 11, 20))
        assert found.report_id == "new"
        assert find_covering_report(con, "demo-na", date(2026, 11, 10)) is None

        path = land_document(con, "new", b"amazon-order-id\n1\n", "cp1252", 1)
        landed = get_registered(con, "new")
        assert path.parent == tmp_path / "reports"
        assert landed.document_path == str(path) and landed.charset == "cp1252"
        assert read_landed_document(landed) == b"amazon-order-id\n1\n"
        # A later status update keeps the landed document.
        record_report(con, "demo-na", FakeReport("new", "DONE", day_start + timedelta(days=2),
                                                 day_start - timedelta(days=3), day_start + timedelta(days=2)))
        assert get_registered(con, "new").document_path == str(path)
