"""Every settlement report Amazon lists, from the listing to its partition: the settlement flow's intake.

The `new_settlement_reports` sensor only lists reports (getReports) and records them here; their documents are
downloaded and read in a run (`settlement_report_documents`), because a download does not fit a sensor tick and the
deposit day that names the partition is only inside the document. Each report has one row in
`settlement_report_intake`, from the moment it is listed:

- `listed`: seen over getReports, document not read yet; tried by the next documents run.
- `landed`: downloaded, read and indexed in `settlement_documents` with its storefront-day.
- `unusable`, problem `unreadable`: the download failed or the document cannot be read; downloaded again after a
  back-off (1 h, doubling per attempt, at most a day).
- `unusable`, problem `no_storefront` or `before_first_partition`: the settings name no storefront for it, or its
  deposit is before `partitions.start_date`; read again once the settings change.

Nothing is marked seen and forgotten: a report that does not import stays here with the reason until it does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import duckdb

from amazon_netsuite.lib.report_registry import naive_utc, record_report
from amazon_netsuite.lib.settings import Settings

LISTED, LANDED, UNUSABLE = "listed", "landed", "unusable"
UNREADABLE, NO_STOREFRONT, BEFORE_FIRST_PARTITION = "unreadable", "no_storefront", "before_first_partition"
# A failed download is tried again after this, doubling per attempt up to RETRY_AT_MOST.
FIRST_RETRY, RETRY_AT_MOST = timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class IntakeReport:
    """One row of `settlement_report_intake`."""

    report_id: str
    seller_account: str
    created_time: datetime
    status: str
    problem: str | None
    reason: str | None
    storefront: str | None
    day: date | None
    settlement_id: str | None
    attempts: int
    settings_fingerprint: str | None
    listed_at: datetime
    last_attempt_at: datetime | None


_COLUMNS = ("report_id, seller_account, created_time, status, problem, reason, storefront, day, settlement_id, "
            "attempts, settings_fingerprint, listed_at, last_attempt_at")


def settings_fingerprint(settings: Settings) -> str:
    """What of the settings decides whether a report can be imported: storefronts per account and the first day."""
    shape = {
        "accounts": [[a.key, [[s.key, s.marketplace_id, s.currency, s.sales_channel] for s in a.storefronts]]
                     for a in settings.seller_accounts],
        "start_date": str(settings.partitions.start_date),
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def _now(now: datetime | None) -> datetime:
    return naive_utc(now or datetime.now(timezone.utc))


def record_listed(con: duckdb.DuckDBPyConnection, seller_account: str, reports: Iterable, *,
                  now: datetime | None = None) -> int:
    """Register reports found over getReports (`amazon_reports`) and add the new ones to the intake as `listed`.
    Returns how many were new; a report listed again keeps its row."""
    new = 0
    for report in reports:
        record_report(con, seller_account, report)
        inserted = con.execute(
            f"INSERT INTO settlement_report_intake ({_COLUMNS}) VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, 0, "
            "NULL, ?, NULL) ON CONFLICT (report_id) DO NOTHING RETURNING report_id",
            [report.report_id, seller_account, naive_utc(report.created_time), LISTED, _now(now)],
        ).fetchall()
        new += len(inserted)
    return new


def _attempted(con: duckdb.DuckDBPyConnection, report_id: str, seller_account: str, created_time: datetime,
               values: dict, now: datetime | None, new_attempt: bool = True) -> None:
    row = {"status": None, "problem": None, "reason": None, "storefront": None, "day": None, "settlement_id": None,
           "settings_fingerprint": None, **values}
    con.execute(
        f"""
        INSERT INTO settlement_report_intake ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
        ON CONFLICT (report_id) DO UPDATE SET status = excluded.status, problem = excluded.problem,
            reason = excluded.reason, storefront = excluded.storefront, day = excluded.day,
            settlement_id = excluded.settlement_id, attempts = settlement_report_intake.attempts + ?,
            settings_fingerprint = excluded.settings_fingerprint, last_attempt_at = excluded.last_attempt_at
        """,
        [report_id, seller_account, naive_utc(created_time), row["status"], row["problem"], row["reason"],
         row["storefront"], row["day"], row["settlement_id"], row["settings_fingerprint"], _now(now), _now(now),
         int(new_attempt)],
    )


def mark_landed(con: duckdb.DuckDBPyConnection, report_id: str, seller_account: str, created_time: datetime,
                storefront: str, day: date, settlement_id: str, settings: Settings, *,
                now: datetime | None = None, new_attempt: bool = True) -> None:
    """The report's document is indexed and feeds `storefront`/`day`."""
    _attempted(con, report_id, seller_account, created_time,
               {"status": LANDED, "storefront": storefront, "day": day, "settlement_id": settlement_id,
                "settings_fingerprint": settings_fingerprint(settings)}, now, new_attempt)


def mark_unusable(con: duckdb.DuckDBPyConnection, report_id: str, seller_account: str, created_time: datetime,
                  problem: str, reason: str, settings: Settings, *, now: datetime | None = None,
                  new_attempt: bool = True) -> None:
    """The report did not import, for `reason`; it is tried again as the module docstring says."""
    _attempted(con, report_id, seller_account, created_time,
               {"status": UNUSABLE, "problem": problem, "reason": reason,
                "settings_fingerprint": settings_fingerprint(settings)}, now, new_attempt)


def intake_reports(con: duckdb.DuckDBPyConnection, status: str | None = None) -> list[IntakeReport]:
    """The intake's rows (of one status), oldest report first."""
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    rows = con.execute(f"SELECT {_COLUMNS} FROM settlement_report_intake {where} ORDER BY created_time, report_id",
                       params).fetchall()
    return [IntakeReport(*r) for r in rows]


def retry_after(report: IntakeReport) -> timedelta:
    """How long an unreadable report waits before its next download: 1 h, doubling per attempt, at most a day."""
    return min(FIRST_RETRY * 2 ** max(report.attempts - 1, 0), RETRY_AT_MOST)


def is_due(report: IntakeReport, settings: Settings, now: datetime | None = None) -> bool:
    """Whether the next documents run should try the report."""
    if report.status == LISTED:
        return True
    if report.status != UNUSABLE:
        return False
    if report.problem == UNREADABLE:
        return report.last_attempt_at is None or _now(now) - report.last_attempt_at >= retry_after(report)
    return report.settings_fingerprint != settings_fingerprint(settings)


def reports_due(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime | None = None) -> list[IntakeReport]:
    """The reports a documents run should try now: new ones, unreadable ones whose back-off is over, and those the
    settings refused before they changed."""
    return [r for r in intake_reports(con) if is_due(r, settings, now)]


def due_key(due: list[IntakeReport], settings: Settings) -> str:
    """A run key for one documents run over `due`: the same while that run has not tried them yet."""
    text = "|".join(f"{r.report_id}:{r.attempts}" for r in due) + "|" + settings_fingerprint(settings)
    return "settlement-documents|" + hashlib.sha256(text.encode()).hexdigest()[:20]


def unusable_markdown(reports: list[IntakeReport], shown: int = 25) -> str:
    """The unusable reports as a table for the UI, with why and when they are tried again."""
    if not reports:
        return "none"
    rows = ["| report | seller account | created | problem | attempts | reason |", "|---|---|---|---|---|---|"]
    for r in reports[:shown]:
        reason = (r.reason or "").replace("|", "/").replace("\n", " ")[:300]
        rows.append(f"| {r.report_id} | {r.seller_account} | {r.created_time:%Y-%m-%d %H:%M} | {r.problem} | "
                    f"{r.attempts} | {reason} |")
    if len(reports) > shown:
        rows.append(f"\n… and {len(reports) - shown} more")
    return "\n".join(rows)


def partitions_to_import(con: duckdb.DuckDBPyConnection, first_day: date, last_day: date,
                         storefronts: Iterable[str]) -> list[tuple[str, str, date]]:
    """(report id, storefront, day) of each storefront-day whose stored settlements differ from its current
    documents: a current document not stored yet, or a stored settlement whose document was replaced (named by
    the report that replaced it). Days outside [first_day, last_day] wait."""
    rows = con.execute(
        """
        SELECT d.report_id, d.storefront, d.day FROM settlement_documents AS d
        WHERE d.replaced_by IS NULL AND NOT EXISTS (
            SELECT 1 FROM settlements AS s WHERE s.report_id = d.report_id AND s.storefront = d.storefront
            AND s.day = d.day)
        UNION
        SELECT d.replaced_by, s.storefront, s.day FROM settlements AS s
        JOIN settlement_documents AS d ON d.report_id = s.report_id WHERE d.replaced_by IS NOT NULL
        ORDER BY 3, 2, 1
        """
    ).fetchall()
    keep = set(storefronts)
    return [(r, s, d) for r, s, d in rows if s in keep and first_day <= d <= last_day]
