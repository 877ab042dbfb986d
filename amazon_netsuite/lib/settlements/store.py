"""Storing a settlement partition: the one code path of the settlement assets and of
`amazon-netsuite settlements load`.

Each storefront-day is stored from its current documents (`documents.py`) stage by stage, every stage replacing the
partition's rows of its tables in one transaction:

1. `store_settlements`: one row per settlement (`settlements`);
2. `store_lines`: every detail line, typed (`settlement_lines`) and the lines that could not be read
   (`settlement_line_quarantine`);
3. `store_matches`: each line → its order's NetSuite record, or why it has none (`settlement_line_matches`);
4. `store_gl`: each line's GL account (`settlement_line_accounts`), the journal (`settlement_gl_summary`) and the
   deposit explained (`settlement_reconciliation`).

`store_partition` runs all four (the CLI, `store_settlement_file`); each Dagster asset runs one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.report_registry import RegisteredReport, get_registered, read_landed_document
from amazon_netsuite.lib.settings import Settings, load_settings
from amazon_netsuite.lib.settlements.documents import SettlementDocument, partition_documents
from amazon_netsuite.lib.gl_mapping import GlMapping, load_gl_mapping, map_lines
from amazon_netsuite.lib.settlements.landing import Connect, load_settlement_file
from amazon_netsuite.lib.settlements.match import NEVER_LOADED, line_storefronts, match_lines
from amazon_netsuite.lib.settlements.parse import (
    LINES_SCHEMA,
    QUARANTINE_SCHEMA,
    ParsedSettlement,
    parse_settlement,
)
from amazon_netsuite.lib.settlements.reconcile import (
    TOTALS_SCHEMA,
    gl_summary,
    reconciliation,
    tie_out,
    totals_table,
)
from amazon_netsuite.lib.settlements.schemas import blocked_settlements
from amazon_netsuite.lib.warehouse.connection import fetch_arrow, transaction
from amazon_netsuite.lib.warehouse.writes import replace_partition_rows


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
        f"""
        SELECT m.* REPLACE (
            CASE WHEN {NEVER_LOADED}
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


def store_settlement_file(path: Path, storefront_key: str | None = None, *, connect: Connect,
                          settings: Settings | None = None, mapping: GlMapping | None = None) -> StoredFile:
    """`amazon-netsuite settlements load`: index a hand-downloaded settlement file and store its storefront-day
    exactly as the settlement assets would, then run the gates on it. Nothing is posted. `connect` opens the
    warehouse with its tables created (outside Dagster no resource has done it)."""
    settings = settings or load_settings()
    mapping = mapping or load_gl_mapping()
    loaded = load_settlement_file(connect, path, settings, storefront_key)
    doc, parsed = loaded.document, loaded.parsed
    tie = tie_out(totals_table(parsed), parsed.lines).to_pylist()[0]
    with connect() as con:
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
