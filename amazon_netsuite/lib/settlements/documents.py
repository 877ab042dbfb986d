"""The settlement document index: `settlement_documents`, one row per landed settlement document.

A settlement document is landed once (Amazon's through the report registry, a hand-downloaded file under a
`manual-…` report id, `landing.py`) and indexed here with the partition it feeds: its storefront (the marketplace
name, else the currency: `match.storefront_of`) and the UTC day of its deposit. A settlement id is stored once: when
a second document of the same settlement arrives (a re-export from Seller Central, the same file with CRLF line
ends), the newer one (Amazon's createdTime; a file loaded by hand: when it was loaded) is current and the other is
marked `replaced_by` it; only current documents feed a partition.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import duckdb

from amazon_netsuite.lib.settings import Storefront
from amazon_netsuite.lib.settlements.parse import ParsedSettlement


@dataclass(frozen=True)
class SettlementDocument:
    """One indexed settlement document and the partition it feeds."""

    report_id: str
    seller_account: str
    storefront: str
    day: date
    settlement_id: str
    currency: str
    total_amount: Decimal
    deposit_date: datetime
    source: str
    file_name: str | None
    document_sha256: str
    registered_at: datetime
    replaced_by: str | None = None

    @property
    def described(self) -> str:
        """`manual report manual-… (file.txt)` or `amazon report 123…`: the document in words."""
        return f"{self.source} report {self.report_id}" + (f" ({self.file_name})" if self.file_name else "")


_DOCUMENT_COLUMNS = (
    "report_id, seller_account, storefront, day, settlement_id, currency, total_amount, deposit_date, source, "
    "file_name, document_sha256, registered_at, replaced_by"
)


def document(con: duckdb.DuckDBPyConnection, report_id: str) -> SettlementDocument | None:
    row = con.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM settlement_documents WHERE report_id = ?",
                      [report_id]).fetchone()
    return SettlementDocument(*row) if row else None


def partition_documents(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> list[SettlementDocument]:
    """The current documents feeding one storefront-day, oldest registration first."""
    rows = con.execute(
        f"SELECT {_DOCUMENT_COLUMNS} FROM settlement_documents WHERE storefront = ? AND day = ? "
        "AND replaced_by IS NULL ORDER BY registered_at, report_id",
        [storefront, day],
    ).fetchall()
    return [SettlementDocument(*r) for r in rows]


def documents_deposited(con: duckdb.DuckDBPyConnection, first: date, last: date,
                        storefronts: Iterable[str] | None = None) -> list[SettlementDocument]:
    """Every current document deposited between two days (inclusive), by day then storefront."""
    rows = con.execute(
        f"SELECT {_DOCUMENT_COLUMNS} FROM settlement_documents WHERE day BETWEEN ? AND ? AND replaced_by IS NULL "
        "ORDER BY day, storefront, registered_at",
        [first, last],
    ).fetchall()
    keep = set(storefronts) if storefronts is not None else None
    return [SettlementDocument(*r) for r in rows if keep is None or r[2] in keep]


def index_document(con: duckdb.DuckDBPyConnection, report_id: str, seller_account: str, storefront: Storefront,
                   parsed: ParsedSettlement, source: str, raw: bytes, file_name: str | None) -> SettlementDocument:
    """Index a landed document under its partition; of the documents of its settlement id the newest is current."""
    totals = parsed.totals
    con.execute(
        """
        INSERT INTO settlement_documents (report_id, seller_account, storefront, day, settlement_id, currency,
            total_amount, deposit_date, source, file_name, document_sha256, registered_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)
        ON CONFLICT (report_id) DO UPDATE SET storefront = excluded.storefront, day = excluded.day,
            settlement_id = excluded.settlement_id, currency = excluded.currency,
            total_amount = excluded.total_amount, deposit_date = excluded.deposit_date
        """,
        [report_id, seller_account, storefront.key, totals.day, totals.settlement_id, totals.currency,
         totals.total_amount, totals.deposit_date, source, file_name, hashlib.sha256(raw).hexdigest()],
    )
    _keep_newest(con, totals.settlement_id)
    return document(con, report_id)


def _keep_newest(con: duckdb.DuckDBPyConnection, settlement_id: str) -> None:
    """Of the documents of one settlement id, the newest is current and replaces the others: Amazon's createdTime
    (a file loaded by hand: when it was loaded), then the later registration."""
    con.execute(
        """
        UPDATE settlement_documents AS d
        SET replaced_by = CASE WHEN d.report_id = newest.report_id THEN NULL ELSE newest.report_id END
        FROM (SELECT d.report_id FROM settlement_documents AS d LEFT JOIN amazon_reports AS r USING (report_id)
              WHERE d.settlement_id = $sid
              ORDER BY coalesce(r.created_time, d.registered_at) DESC, d.registered_at DESC, d.report_id DESC
              LIMIT 1) AS newest
        WHERE d.settlement_id = $sid
        """,
        {"sid": settlement_id},
    )


def current_documents(con: duckdb.DuckDBPyConnection, settlement_id: str) -> list[SettlementDocument]:
    """The settlement's current document (a list: empty when none is indexed)."""
    rows = con.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM settlement_documents WHERE settlement_id = ? "
                       "AND replaced_by IS NULL", [settlement_id]).fetchall()
    return [SettlementDocument(*r) for r in rows]
