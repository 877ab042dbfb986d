"""Storing settlement files in the warehouse: the one code path of the settlement assets and of
`amazon-netsuite settlements load`.

A settlement document is landed once (Amazon's through the report registry, a hand-downloaded file under a
`manual-…` report id) and indexed in `settlement_documents` with the partition it feeds: its storefront (the
marketplace name, else the currency: `storefront_of`) and the UTC day of its deposit. A settlement id is stored
once: when a second document of the same settlement arrives (a re-export from Seller Central, the same file with
CRLF line ends), the newer one (Amazon's createdTime; a file loaded by hand: when it was loaded) is current and
the other is marked `replaced_by` it; only current documents feed a partition. What happened to each Amazon report
on its way in (landed, or unusable and why) is in `settlement_report_intake` (`intake.py`). Each storefront-day is then
stored stage by stage, every stage replacing the partition's rows of its tables in one transaction:

1. `store_settlements`: one row per settlement (`settlements`);
2. `store_lines`: every detail line, typed (`settlement_lines`) and the lines that could not be read
   (`settlement_line_quarantine`);
3. `store_matches`: each line → its order's NetSuite record, or why it has none (`settlement_line_matches`);
4. `store_gl`: each line's GL account (`settlement_line_accounts`), the journal (`settlement_gl_summary`) and the
   deposit explained (`settlement_reconciliation`).

`store_partition` runs all four (the CLI); each Dagster asset runs one.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa

import amazon_netsuite.lib.postings  # noqa: F401  (the ledger's DDL comes before the views that read it)
from amazon_netsuite.lib.amazon.errors import ReportDocumentError, SpApiError, SpApiUnreachable
from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.report_registry import (
    RegisteredReport,
    get_registered,
    land_document,
    naive_utc,
    read_landed_document,
    record_report,
)
from amazon_netsuite.lib.settings import Settings, Storefront
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.gl_mapping import GlMapping, map_lines
from amazon_netsuite.lib.settlements.intake import NO_STOREFRONT, UNREADABLE, mark_landed, mark_unusable
from amazon_netsuite.lib.settlements.match import UnknownStorefront, line_storefronts, match_lines, storefront_of
from amazon_netsuite.lib.settlements.parse import ParsedSettlement, parse_settlement
from amazon_netsuite.lib.settlements.reconcile import TOTALS_SCHEMA, gl_summary, reconciliation
from amazon_netsuite.lib.warehouse.connection import fetch_arrow
from amazon_netsuite.lib.warehouse.schema import (
    MONEY,
    ensure_schema,
    register_ddl,
    replace_partition_rows,
    transaction,
)

Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
AMAZON, MANUAL = "amazon", "manual"

DDL: tuple[str, ...] = (
    f"""
    CREATE TABLE IF NOT EXISTS settlement_documents (
      report_id VARCHAR PRIMARY KEY,      -- Amazon's report id, or manual-<sha256 prefix> for a loaded file
      seller_account VARCHAR NOT NULL,
      storefront VARCHAR NOT NULL,        -- the partition it feeds: storefront ...
      day DATE NOT NULL,                  -- ... and the UTC day of the deposit
      settlement_id VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      total_amount {MONEY} NOT NULL,
      deposit_date TIMESTAMP NOT NULL,    -- naive UTC
      source VARCHAR NOT NULL,            -- amazon | manual
      file_name VARCHAR,                  -- a loaded file's name as given
      document_sha256 VARCHAR NOT NULL,
      registered_at TIMESTAMP NOT NULL,
      replaced_by VARCHAR                 -- a newer document of the same settlement id; NULL: this one is current
    )
    """,
    # Warehouses created before documents could be replaced.
    "ALTER TABLE settlement_documents ADD COLUMN IF NOT EXISTS replaced_by VARCHAR",
    """
    CREATE TABLE IF NOT EXISTS settlement_line_accounts (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      settlement_id VARCHAR NOT NULL,
      line_number INTEGER NOT NULL,
      gl_account VARCHAR,                 -- NULL: no rule of the GL mapping matches the line
      gl_account_name VARCHAR,
      gl_section VARCHAR,                 -- sales, promotions, refunds, fees, tax, reimbursements, reserves, other
      netsuite_item VARCHAR,
      mapping_rule INTEGER,               -- index of the rule in gl_mapping.yaml's `rules`
      suspense BOOLEAN NOT NULL
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS settlement_reconciliation (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      settlement_id VARCHAR NOT NULL,
      currency VARCHAR NOT NULL,
      position INTEGER NOT NULL,          -- order of the sections, gross sales first, deposit last
      section VARCHAR NOT NULL,
      label VARCHAR NOT NULL,             -- fees: the GL account's name
      amount {MONEY} NOT NULL             -- every row but the deposit sums to the deposit
    )
    """,
    # For analysts: one row per settlement with its tie-out, what did not match and what NetSuite holds.
    """
    CREATE OR REPLACE VIEW settlement_overview AS
    SELECT s.storefront, s.day AS deposit_day, s.settlement_id, s.report_id, s.currency,
           s.settlement_start_date, s.settlement_end_date, s.total_amount,
           coalesce(l.lines_sum, 0) AS lines_sum, s.total_amount - coalesce(l.lines_sum, 0) AS difference,
           s.total_amount = coalesce(l.lines_sum, 0) AND s.quarantined_lines = 0 AS ties_out,
           s.line_count, s.quarantined_lines,
           coalesce(m.unmatched_lines, 0) AS unmatched_order_lines,
           coalesce(a.unmapped_lines, 0) AS unmapped_lines,
           coalesce(p.records_posted, 0) AS netsuite_records_posted
    FROM settlements AS s
    LEFT JOIN (SELECT storefront, day, report_id, settlement_id, sum(amount) AS lines_sum FROM settlement_lines
               GROUP BY ALL) AS l USING (storefront, day, report_id, settlement_id)
    LEFT JOIN (SELECT storefront, day, settlement_id, count(*) AS unmatched_lines FROM settlement_line_matches
               WHERE match_status = 'unmatched' GROUP BY ALL) AS m USING (storefront, day, settlement_id)
    LEFT JOIN (SELECT storefront, day, settlement_id, count(*) AS unmapped_lines FROM settlement_line_accounts
               WHERE gl_account IS NULL OR suspense GROUP BY ALL) AS a USING (storefront, day, settlement_id)
    LEFT JOIN (SELECT regexp_extract(external_id, '^AMZ-STL-([^-]+)-', 1) AS settlement_id,
                      count(*) FILTER (WHERE status = 'posted') AS records_posted
               FROM netsuite_postings WHERE flow = 'settlements' GROUP BY 1) AS p USING (settlement_id)
    """,
    # Order lines of a settlement that no posted NetSuite record explains, with the reason.
    """
    CREATE OR REPLACE VIEW settlement_unmatched_lines AS
    SELECT m.storefront, m.day AS deposit_day, m.settlement_id, m.line_number, l.transaction_type, m.order_id,
           l.amount_type, l.amount_description, m.amount, l.currency, l.posted_date, m.external_id, m.reason,
           l.marketplace_name, m.line_storefront
    FROM settlement_line_matches AS m
    JOIN settlement_lines AS l USING (storefront, day, settlement_id, line_number)
    WHERE m.match_status = 'unmatched'
    """,
    # What Amazon charged, per settlement, fee account and fee description.
    """
    CREATE OR REPLACE VIEW settlement_fees_by_type AS
    SELECT l.storefront, l.day AS deposit_day, l.settlement_id, l.currency, a.gl_account, a.gl_account_name,
           l.amount_type, l.amount_description, count(*) AS line_count, sum(l.amount) AS amount
    FROM settlement_lines AS l
    JOIN settlement_line_accounts AS a USING (storefront, day, settlement_id, line_number)
    WHERE a.gl_section = 'fees'
    GROUP BY ALL
    """,
)
register_ddl(DDL)


class SettlementLoadError(ValueError):
    """A settlement file that cannot be stored; the message says which file, why, and what to do."""


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


def _index(con: duckdb.DuckDBPyConnection, report_id: str, seller_account: str, storefront: Storefront,
           parsed: ParsedSettlement, source: str, raw: bytes, file_name: str | None) -> SettlementDocument:
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
        indexed = _index(con, report.report_id, seller_account, storefront, parsed, AMAZON, raw, None)
        mark_landed(con, report.report_id, seller_account, report.created_time, indexed.storefront, indexed.day,
                    indexed.settlement_id, settings, now=now)
    return indexed


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
        indexed = _index(con, report_id, account, storefront, parsed, MANUAL, raw, path.name)
        replaced = tuple(d for d in before if document(con, d.report_id).replaced_by == report_id)
    return LoadedFile(indexed, parsed, already_stored=False, replaced=replaced)


def read_partition(docs: Iterable[SettlementDocument], con: duckdb.DuckDBPyConnection) -> list[ParsedSettlement]:
    """Parse the landed documents of a partition."""
    parsed = []
    for doc in docs:
        registered: RegisteredReport | None = get_registered(con, doc.report_id)
        if registered is None or not registered.document_path:
            raise ReportFileError(f"settlement report {doc.report_id} has no landed document; re-run to download it")
        parsed.append(parse_settlement(read_landed_document(registered), report_id=doc.report_id,
                                       charset=registered.charset))
    return parsed


# --- storing a partition ---------------------------------------------------------------------------------------


def replace_partition_tables(con: duckdb.DuckDBPyConnection, storefront: str, day: date,
                             tables: dict[str, pa.Table]) -> dict[str, int]:
    """Replace the storefront-day of each table with its Arrow rows (storefront and day added), all in one
    transaction; inserts BY NAME so column order never matters. Returns rows written per table."""
    written = {}
    with transaction(con):
        for table, rows in tables.items():
            con.register("_partition_rows", rows)
            written[table] = replace_partition_rows(
                con, table, storefront, day,
                "SELECT CAST(? AS VARCHAR) AS storefront, CAST(? AS DATE) AS day, * FROM _partition_rows",
                params=[storefront, day])
            con.unregister("_partition_rows")
    return written


def _settlement_rows(parsed: list[ParsedSettlement]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "report_id": p.report_id,
                "settlement_id": p.totals.settlement_id,
                "settlement_start_date": p.totals.settlement_start_date,
                "settlement_end_date": p.totals.settlement_end_date,
                "deposit_date": p.totals.deposit_date,
                "total_amount": p.totals.total_amount,
                "currency": p.totals.currency,
                "line_count": p.detail_line_count,
                "quarantined_lines": p.quarantine.num_rows,
                "decimal_mark": p.number_format.decimal_mark,
                "date_order": p.number_format.date_order,
            }
            for p in parsed
        ],
        schema=pa.schema([
            ("report_id", pa.string()), ("settlement_id", pa.string()),
            ("settlement_start_date", pa.timestamp("us")), ("settlement_end_date", pa.timestamp("us")),
            ("deposit_date", pa.timestamp("us")), ("total_amount", pa.decimal128(18, 4)), ("currency", pa.string()),
            ("line_count", pa.int32()), ("quarantined_lines", pa.int32()), ("decimal_mark", pa.string()),
            ("date_order", pa.string()),
        ]),
    )


def store_settlements(con: duckdb.DuckDBPyConnection, storefront: str, day: date,
                      parsed: list[ParsedSettlement]) -> int:
    """Stage 1: one `settlements` row per settlement of the partition (its totals row and line counts)."""
    return replace_partition_tables(con, storefront, day, {"settlements": _settlement_rows(parsed)})["settlements"]


def store_lines(con: duckdb.DuckDBPyConnection, storefront: str, day: date,
                parsed: list[ParsedSettlement]) -> dict[str, int]:
    """Stage 2: the typed detail lines and the quarantined ones of every settlement of the partition."""
    from amazon_netsuite.lib.settlements.parse import LINES_SCHEMA, QUARANTINE_SCHEMA

    lines = pa.concat_tables([p.lines for p in parsed]) if parsed else LINES_SCHEMA.empty_table()
    quarantine = pa.concat_tables([p.quarantine for p in parsed]) if parsed else QUARANTINE_SCHEMA.empty_table()
    return replace_partition_tables(
        con, storefront, day, {"settlement_lines": lines, "settlement_line_quarantine": quarantine}
    )


def _partition_table(con: duckdb.DuckDBPyConnection, table: str, storefront: str, day: date,
                     columns: str = "* EXCLUDE (storefront, day)", order: str = "settlement_id, line_number"
                     ) -> pa.Table:
    return fetch_arrow(con, f"SELECT {columns} FROM {table} WHERE storefront = ? AND day = ? ORDER BY {order}",
                       [storefront, day])


def store_matches(con: duckdb.DuckDBPyConnection, storefront: str, day: date, settings: Settings | None = None) -> int:
    """Stage 3: each stored line → its order's posted NetSuite record (ledger of the orders flow), or the reason
    it has none. Each line is looked up in its own storefront (`match.line_storefronts`: a unified EU settlement
    holds amazon.de and amazon.fr orders). An order the warehouse never loaded says so, with what to do."""
    from amazon_netsuite.lib.settings import load_settings

    settings = settings or load_settings()
    lines = _partition_table(con, "settlement_lines", storefront, day,
                             "settlement_id, line_number, order_id, amount, marketplace_name")
    try:
        home = settings.storefront(storefront)
    except KeyError:  # a storefront removed from the settings: its lines stay its own
        storefronts = pa.repeat(pa.scalar(storefront), lines.num_rows)
    else:
        storefronts = line_storefronts(lines.column("marketplace_name"), home, settings)
    ledger = fetch_arrow(
        con,
        "SELECT external_id, record_type, internal_id, status, last_error FROM netsuite_postings "
        "WHERE flow = 'orders' AND list_contains(?, storefront)",
        [sorted(set(storefronts.to_pylist())) or [storefront]],
    )
    con.register("_matches", match_lines(lines, ledger, storefront, storefronts))
    matches = con.sql(
        """
        SELECT m.* REPLACE (
            CASE WHEN m.match_status = 'unmatched'
                  AND NOT EXISTS (SELECT 1 FROM netsuite_postings p WHERE p.flow = 'orders'
                                  AND p.external_id = m.external_id)
                  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.storefront = m.line_storefront
                                  AND o.amazon_order_id = m.order_id)
                 THEN 'order ' || m.order_id || ' is not in the warehouse: its last change is older than the days '
                      || 'loaded (load them with `amazon-netsuite sync --days N`), or the integration never saw it'
                 ELSE m.reason END AS reason)
        FROM _matches AS m
        """,
    ).to_arrow_table()
    con.unregister("_matches")
    return replace_partition_tables(con, storefront, day, {"settlement_line_matches": matches})[
        "settlement_line_matches"]


def _totals(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> pa.Table:
    return _partition_table(
        con, "settlements", storefront, day, ", ".join(TOTALS_SCHEMA.names), "settlement_id"
    ).cast(TOTALS_SCHEMA)


def store_gl(con: duckdb.DuckDBPyConnection, storefront: str, day: date, mapping: GlMapping) -> dict[str, int]:
    """Stage 4: the GL account of every line, the journal per settlement × account × currency (debit/credit, the
    deposit on the bank side) and the reconciliation of the deposit, for the partition."""
    totals = _totals(con, storefront, day)
    mapped = map_lines(_partition_table(con, "settlement_lines", storefront, day), mapping)
    accounts = pa.table(
        {
            "gl_account": list(mapping.accounts),
            "gl_account_name": [a.name for a in mapping.accounts.values()],
            "gl_section": [a.section for a in mapping.accounts.values()],
        }
    )
    con.register("_mapped", mapped)
    con.register("_accounts", accounts)
    line_accounts = con.sql(
        """
        SELECT m.settlement_id, m.line_number, m.gl_account, a.gl_account_name, a.gl_section, m.netsuite_item,
               m.mapping_rule, m.suspense
        FROM _mapped AS m LEFT JOIN _accounts AS a USING (gl_account) ORDER BY m.settlement_id, m.line_number
        """
    ).to_arrow_table()
    con.unregister("_mapped")
    con.unregister("_accounts")
    return replace_partition_tables(
        con, storefront, day,
        {
            "settlement_line_accounts": line_accounts,
            "settlement_gl_summary": gl_summary(totals, mapped, mapping),
            "settlement_reconciliation": reconciliation(totals, mapped, mapping),
        },
    )


def store_partition(con: duckdb.DuckDBPyConnection, storefront: str, day: date, mapping: GlMapping,
                    settings: Settings | None = None) -> dict[str, int]:
    """Every stage for one storefront-day from its indexed documents, as the settlement assets do in turn."""
    parsed = read_partition(partition_documents(con, storefront, day), con)
    written = {"settlements": store_settlements(con, storefront, day, parsed)}
    written.update(store_lines(con, storefront, day, parsed))
    written["settlement_line_matches"] = store_matches(con, storefront, day, settings)
    written.update(store_gl(con, storefront, day, mapping))
    return written


@dataclass(frozen=True)
class StoredFile:
    """What `store_settlement_file` stored, and what the gates say about it."""

    document: SettlementDocument
    already_stored: bool
    written: dict[str, int]
    line_count: int
    quarantined: int
    lines_sum: Decimal
    difference: Decimal
    ties_out: bool
    unmatched_order_lines: int
    blocking: list[str]
    replaced: tuple[SettlementDocument, ...] = ()  # older documents of the same settlement this file replaced


def store_settlement_file(path: Path, storefront_key: str | None = None, *, connect: Connect | None = None,
                          settings: Settings | None = None, mapping: GlMapping | None = None) -> StoredFile:
    """`amazon-netsuite settlements load`: index a hand-downloaded settlement file and store its storefront-day
    exactly as the settlement assets would, then run the gates on it. Nothing is posted."""
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.lib.settlements.gl_mapping import load_gl_mapping
    from amazon_netsuite.lib.settlements.reconcile import tie_out, totals_table
    from amazon_netsuite.lib.settlements.schemas import blocked_settlements
    from amazon_netsuite.lib.warehouse import connect as warehouse_connect

    settings = settings or load_settings()
    mapping = mapping or load_gl_mapping()
    # Outside Dagster no resource has created the tables yet.
    opened = partial(_with_schema, connect or warehouse_connect)
    loaded = load_settlement_file(opened, path, settings, storefront_key)
    doc, parsed = loaded.document, loaded.parsed
    tie = tie_out(totals_table(parsed), parsed.lines).to_pylist()[0]
    with opened() as con:
        for old in {(d.storefront, d.day) for d in loaded.replaced} - {(doc.storefront, doc.day)}:
            store_partition(con, *old, mapping, settings)  # the replaced copy fed another storefront-day: it goes
        written = store_partition(con, doc.storefront, doc.day, mapping, settings)
        blocking = blocked_settlements(con, doc.storefront, doc.day).get(doc.settlement_id, [])
        unmatched = con.execute(
            "SELECT count(*) FROM settlement_line_matches WHERE storefront = ? AND day = ? AND settlement_id = ? "
            "AND match_status = 'unmatched'", [doc.storefront, doc.day, doc.settlement_id]).fetchone()[0]
    return StoredFile(doc, loaded.already_stored, written, parsed.detail_line_count, parsed.quarantine.num_rows,
                      tie["lines_sum"], tie["difference"], tie["ties_out"] and parsed.quarantine.num_rows == 0,
                      int(unmatched), blocking, loaded.replaced)


@contextmanager
def _with_schema(opener: Connect) -> Iterator[duckdb.DuckDBPyConnection]:
    with opener() as con:
        ensure_schema(con)
        yield con
