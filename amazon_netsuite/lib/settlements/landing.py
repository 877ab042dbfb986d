"""Landing settlement documents: Amazon's reports (one at a time, or every report the intake says is due) and files
downloaded by hand, each read, given its storefront-day and indexed (`documents.py`).

What happened to each Amazon report on its way in (landed, or unusable and why) is recorded in
`settlement_report_intake` (`intake.py`).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from amazon_netsuite.lib.amazon.errors import ReportDocumentError, SpApiError, SpApiUnreachable
from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.report_registry import (
    get_registered,
    land_document,
    naive_utc,
    read_landed_document,
    record_report,
)
from amazon_netsuite.lib.settings import Settings, Storefront
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.documents import SettlementDocument, current_documents, document, index_document
from amazon_netsuite.lib.settlements.intake import (
    BEFORE_FIRST_PARTITION,
    NO_STOREFRONT,
    UNREADABLE,
    mark_landed,
    mark_unusable,
    reports_due,
)
from amazon_netsuite.lib.settlements.match import UnknownStorefront, storefront_of
from amazon_netsuite.lib.settlements.parse import ParsedSettlement, parse_settlement

Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
AMAZON, MANUAL = "amazon", "manual"


class SettlementLoadError(ValueError):
    """A settlement file that cannot be stored; the message says which file, why, and what to do."""


def _storefront(parsed: ParsedSettlement, settings: Settings, seller_account: str | None,
                storefront_key: str | None) -> Storefront:
    totals = parsed.totals
    if storefront_key:
        try:
            storefront = settings.storefront(storefront_key)
        except KeyError as exc:
            raise UnknownStorefront(str(exc.args[0])) from None
        if storefront.currency != totals.currency:
            raise UnknownStorefront(
                f"settlement {totals.settlement_id} is in {totals.currency} but storefront {storefront.key} sells in "
                f"{storefront.currency}; name a storefront in {totals.currency}"
            )
    else:
        storefront = storefront_of(parsed, settings)
    if seller_account and settings.account_of(storefront.key).key != seller_account:
        raise UnknownStorefront(
            f"settlement {totals.settlement_id} of seller account {seller_account} reads as storefront "
            f"{storefront.key}, which belongs to another seller account"
        )
    return storefront


def land_amazon_report(connect: Connect, reports_api, seller_account: str, report, settings: Settings,
                       log=None, *, now: datetime | None = None) -> SettlementDocument:
    """Register a settlement report found over getReports, download its document once, and index it; the outcome
    is recorded in `settlement_report_intake`.

    Connections are opened only around warehouse work, never across the download. A document that cannot be
    downloaded or read raises `ReportFileError` (and is downloaded again on a later attempt); one that matches no
    storefront of the account raises `UnknownStorefront`.
    """
    with connect() as con:
        known = document(con, report.report_id)
        if known is not None:
            return known
        record_report(con, seller_account, report)
        registered = get_registered(con, report.report_id)

    def unusable(problem: str, reason: str) -> None:
        with connect() as con:
            if problem == UNREADABLE:  # the next attempt downloads it again
                con.execute("UPDATE amazon_reports SET document_path = NULL WHERE report_id = ?", [report.report_id])
            mark_unusable(con, report.report_id, seller_account, report.created_time, problem, reason, settings,
                          now=now)

    try:
        if not registered.document_path:
            downloaded = reports_api.download_report_document(report.report_document_id, report_id=report.report_id)
            with connect() as con:
                land_document(con, report.report_id, downloaded.raw, downloaded.charset)
                registered = get_registered(con, report.report_id)
            if log is not None:
                log.info(f"settlement report {report.report_id}: document landed at {registered.document_path}")
        raw = read_landed_document(registered)
        parsed = parse_settlement(raw, report_id=report.report_id, charset=registered.charset)
    except (ReportDocumentError, SpApiError, SpApiUnreachable, OSError, EOFError) as exc:
        reason = f"settlement report {report.report_id}: the document could not be downloaded or read ({exc})"
        unusable(UNREADABLE, reason)
        raise ReportFileError(reason) from exc
    except ReportFileError as exc:
        unusable(UNREADABLE, str(exc))
        raise
    try:
        storefront = _storefront(parsed, settings, seller_account, None)
    except UnknownStorefront as exc:
        unusable(NO_STOREFRONT, f"{exc}; add the storefront to the settings file (data/accounts.yaml)")
        raise
    with connect() as con:
        indexed = index_document(con, report.report_id, seller_account, storefront, parsed, AMAZON, raw, None)
        mark_landed(con, report.report_id, seller_account, report.created_time, indexed.storefront, indexed.day,
                    indexed.settlement_id, settings, now=now)
    return indexed


@dataclass
class IntakeRun:
    """What one documents run did: reports landed, and those that stay unusable with the reason."""

    landed: list[SettlementDocument] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)  # "report id: reason"


def land_due_reports(connect: Connect,
                     reports_api_of: Callable[[str], AbstractContextManager], settings: Settings,
                     *, now: datetime | None = None, log=None) -> IntakeRun:
    """Download and index every settlement report the intake says is due (`intake.reports_due`): the documents
    run. `reports_api_of(seller account)` opens a Reports API client. A report whose deposit is before the first
    partition is indexed but stays unusable (`before_first_partition`) until the settings move that date."""
    outcome = IntakeRun()
    with connect() as con:
        due = reports_due(con, settings, now)
    for account in dict.fromkeys(r.seller_account for r in due):
        if account not in {a.key for a in settings.seller_accounts}:
            for r in (r for r in due if r.seller_account == account):
                outcome.unusable.append(f"{r.report_id}: seller account {account} is no longer in the settings")
            continue
        with reports_api_of(account) as api:
            for entry in (r for r in due if r.seller_account == account):
                with connect() as con:
                    known = document(con, entry.report_id)  # indexed already (by `sync`, say): status only
                try:
                    report = api.get_report(entry.report_id) if known is None else None
                    doc = known or land_amazon_report(connect, api, account, report, settings, log=log, now=now)
                except (ReportFileError, UnknownStorefront) as exc:
                    outcome.unusable.append(f"{entry.report_id}: {exc}")
                    continue
                except (SpApiError, SpApiUnreachable) as exc:
                    reason = f"settlement report {entry.report_id}: getReport failed ({exc})"
                    with connect() as con:
                        mark_unusable(con, entry.report_id, account, entry.created_time, UNREADABLE, reason,
                                      settings, now=now)
                    outcome.unusable.append(f"{entry.report_id}: {reason}")
                    continue
                with connect() as con:
                    if doc.day < settings.partitions.start_date:
                        reason = (f"settlement {doc.settlement_id} was deposited on {doc.day}, before the first "
                                  f"partition ({settings.partitions.start_date}, partitions.start_date in the settings "
                                  "file); move that date back to import it")
                        mark_unusable(con, entry.report_id, account, entry.created_time, BEFORE_FIRST_PARTITION,
                                      reason, settings, now=now, new_attempt=known is not None)
                        outcome.unusable.append(f"{entry.report_id}: {reason}")
                        continue
                    if known is not None:  # landing it counted the attempt already
                        mark_landed(con, entry.report_id, account, entry.created_time, doc.storefront, doc.day,
                                    doc.settlement_id, settings, now=now)
                outcome.landed.append(doc)
    return outcome


@dataclass(frozen=True)
class LoadedFile:
    """What `load_settlement_file` did: the document (new or the identical one already stored) and its parse."""

    document: SettlementDocument
    parsed: ParsedSettlement
    already_stored: bool
    replaced: tuple[SettlementDocument, ...] = ()  # documents of the same settlement this one replaced


def load_settlement_file(connect: Connect, path: Path, settings: Settings, storefront_key: str | None = None,
                         *, now: datetime | None = None) -> LoadedFile:
    """Register and index a settlement file downloaded by hand from Seller Central (plain or gzip).

    The same bytes loaded twice are one document. Raises `ReportFileError` for a file that cannot be read,
    `UnknownStorefront` when it matches no (or not the named) storefront, `SettlementLoadError` when its deposit
    day is outside the configured partitions.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError) as exc:
        raise ReportFileError(f"{path}: the gzip file is corrupt or truncated ({exc})") from None
    sha = hashlib.sha256(raw).hexdigest()
    report_id = f"manual-{sha[:16]}"
    parsed = parse_settlement(raw, report_id=report_id)
    storefront = _storefront(parsed, settings, None, storefront_key)
    day = parsed.totals.day
    if day < settings.partitions.start_date:
        raise SettlementLoadError(
            f"{path}: settlement {parsed.totals.settlement_id} was deposited on {day}, before the first partition "
            f"({settings.partitions.start_date}, partitions.start_date in the settings file); move that date back"
        )
    account = settings.account_of(storefront.key).key
    with connect() as con:
        same = con.execute("SELECT report_id FROM settlement_documents WHERE document_sha256 = ? ORDER BY "
                           "registered_at LIMIT 1", [sha]).fetchone()
        if same is not None and (existing := document(con, same[0])).storefront == storefront.key:
            return LoadedFile(existing, parsed, already_stored=True)
        totals = parsed.totals
        created = naive_utc(now or datetime.now(timezone.utc))
        con.execute(
            """
            INSERT INTO amazon_reports (report_id, seller_account, report_type, processing_status, marketplace_ids,
                data_start_time, data_end_time, created_time, processing_end_time)
            VALUES (?, ?, ?, 'DONE', ?, ?, ?, ?, ?) ON CONFLICT (report_id) DO NOTHING
            """,
            [report_id, account, REPORT_TYPE, storefront.marketplace_id, totals.settlement_start_date,
             totals.settlement_end_date, created, created],
        )
        land_document(con, report_id, raw, parsed.charset)
        before = [d for d in current_documents(con, totals.settlement_id) if d.report_id != report_id]
        indexed = index_document(con, report_id, account, storefront, parsed, MANUAL, raw, path.name)
        replaced = tuple(d for d in before if document(con, d.report_id).replaced_by == report_id)
    return LoadedFile(indexed, parsed, already_stored=False, replaced=replaced)
