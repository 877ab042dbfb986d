"""The reports registry (SQLite) and report documents (.gz files) under the sandbox's state directory.

Reports survive a restart; the orders behind them are regenerated from the seed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

TERMINAL_STATUSES = ("DONE", "CANCELLED", "FATAL")

_SCHEMA = """
create table if not exists reports (
    seq integer primary key autoincrement,
    report_id text unique not null,
    seller_account text not null,
    report_type text not null,
    marketplace_ids text not null,
    report_options text not null,
    data_start_time text,
    data_end_time text,
    created_time text not null,
    created_wall real not null,
    processing_status text not null,
    processing_start_time text,
    processing_end_time text,
    report_document_id text,
    planned_outcome text
);
create table if not exists documents (
    document_id text primary key,
    report_id text not null,
    seller_account text not null,
    file_name text not null,
    content_type text not null
);
create table if not exists meta (key text primary key, value text not null);
"""

_FIRST_REPORT_NUMBER = 50_000_000_000  # real report ids are 11-digit numbers


def api_time(at: datetime | None) -> str | None:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00") if at else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class ReportRecord:
    report_id: str
    seller_account: str
    report_type: str
    marketplace_ids: list[str]
    report_options: dict[str, str]
    data_start_time: datetime | None
    data_end_time: datetime | None
    created_time: datetime
    created_wall: float  # epoch seconds; processing progresses in real time, whatever the world clock shows
    processing_status: str = "IN_QUEUE"
    processing_start_time: datetime | None = None
    processing_end_time: datetime | None = None
    report_document_id: str | None = None
    planned_outcome: str | None = field(default=None)  # FATAL/CANCELLED forced by a fault

    def to_api(self) -> dict:
        """The `Report` object of the Reports API 2021-06-30."""
        body = {
            "reportId": self.report_id,
            "reportType": self.report_type,
            "marketplaceIds": self.marketplace_ids,
            "dataStartTime": api_time(self.data_start_time),
            "dataEndTime": api_time(self.data_end_time),
            "createdTime": api_time(self.created_time),
            "processingStatus": self.processing_status,
            "processingStartTime": api_time(self.processing_start_time),
            "processingEndTime": api_time(self.processing_end_time),
            "reportDocumentId": self.report_document_id,
        }
        return {k: v for k, v in body.items() if v is not None}


@dataclass(frozen=True)
class DocumentRecord:
    document_id: str
    report_id: str
    seller_account: str
    path: Path
    content_type: str


class ReportStore:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.documents_dir = self.state_dir / "documents"
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.state_dir / "reports.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- meta ---------------------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("select value from meta where key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("insert or replace into meta (key, value) values (?, ?)", (key, value))

    # --- reports ------------------------------------------------------------------------------------------

    def create(self, record: ReportRecord) -> ReportRecord:
        """Insert a report and give it the next report id."""
        with self._lock:
            (last,) = self._db.execute("select coalesce(max(seq), 0) from reports").fetchone()
            record.report_id = str(_FIRST_REPORT_NUMBER + last + 1)
            self._db.execute(
                "insert into reports (seq, report_id, seller_account, report_type, marketplace_ids, report_options,"
                " data_start_time, data_end_time, created_time, created_wall, processing_status, planned_outcome)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (last + 1, record.report_id, record.seller_account, record.report_type,
                 json.dumps(record.marketplace_ids), json.dumps(record.report_options),
                 _iso(record.data_start_time), _iso(record.data_end_time), _iso(record.created_time),
                 record.created_wall, record.processing_status, record.planned_outcome),
            )
        return record

    def save(self, record: ReportRecord) -> None:
        with self._lock:
            self._db.execute(
                "update reports set processing_status = ?, processing_start_time = ?, processing_end_time = ?,"
                " report_document_id = ? where report_id = ?",
                (record.processing_status, _iso(record.processing_start_time), _iso(record.processing_end_time),
                 record.report_document_id, record.report_id),
            )

    def get(self, seller_account: str, report_id: str) -> ReportRecord | None:
        with self._lock:
            row = self._db.execute(
                "select * from reports where report_id = ? and seller_account = ?", (report_id, seller_account)
            ).fetchone()
        return _record(row) if row else None

    def search(
        self, seller_account: str, report_types: list[str], created_since: datetime, created_until: datetime
    ) -> list[ReportRecord]:
        """Reports of the given types created in [since, until], newest first (status filters come after refresh)."""
        marks = ",".join("?" * len(report_types))
        with self._lock:
            rows = self._db.execute(
                f"select * from reports where seller_account = ? and report_type in ({marks}) order by seq desc",
                (seller_account, *report_types),
            ).fetchall()
        records = [_record(r) for r in rows]
        return [r for r in records if created_since <= r.created_time <= created_until]

    # --- documents ----------------------------------------------------------------------------------------

    def add_document(self, document_id: str, report: ReportRecord, data: bytes, content_type: str) -> None:
        file_name = f"{report.report_id}.txt.gz"
        path = self.documents_dir / file_name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        with self._lock:
            self._db.execute(
                "insert or replace into documents (document_id, report_id, seller_account, file_name, content_type)"
                " values (?, ?, ?, ?, ?)",
                (document_id, report.report_id, report.seller_account, file_name, content_type),
            )

    def document(self, document_id: str) -> DocumentRecord | None:
        with self._lock:
            row = self._db.execute("select * from documents where document_id = ?", (document_id,)).fetchone()
        if row is None:
            return None
        return DocumentRecord(row["document_id"], row["report_id"], row["seller_account"],
                              self.documents_dir / row["file_name"], row["content_type"])


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _record(row: sqlite3.Row) -> ReportRecord:
    return ReportRecord(
        report_id=row["report_id"],
        seller_account=row["seller_account"],
        report_type=row["report_type"],
        marketplace_ids=json.loads(row["marketplace_ids"]),
        report_options=json.loads(row["report_options"]),
        data_start_time=_parse(row["data_start_time"]),
        data_end_time=_parse(row["data_end_time"]),
        created_time=_parse(row["created_time"]),
        created_wall=row["created_wall"],
        processing_status=row["processing_status"],
        processing_start_time=_parse(row["processing_start_time"]),
        processing_end_time=_parse(row["processing_end_time"]),
        report_document_id=row["report_document_id"],
        planned_outcome=row["planned_outcome"],
    )
