"""A settlement as the warehouse holds it for posting: its totals row, lines, GL summary, line matches and the
posting ledger's rows of its records (flow `settlements`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.postings import LedgerEntry, ledger_entries
from amazon_netsuite.lib.settlements.match import NEVER_LOADED
from amazon_netsuite.lib.settlements.posting import Settlement, SettlementNotPostable
from amazon_netsuite.lib.warehouse import fetch_arrow

FLOW = "settlements"


@dataclass(frozen=True)
class StoredSettlement:
    """One settlement as the warehouse holds it, with its ledger rows."""

    settlement: Settlement
    lines: pa.Table  # settlement_lines rows, in line order
    summary: list[dict[str, Any]]
    matches: dict[int, dict[str, Any]]  # line number → its settlement_line_matches row
    ledger: dict[str, LedgerEntry]
    # Orders the orders flow will never post: Amazon reported no such order in a loaded order report that covers the
    # line's posted date (placed before this integration started, or sold elsewhere). Their lines post by the GL
    # mapping; an order merely not posted yet waits in suspense instead.
    never_posted: frozenset[str] = frozenset()


def read_settlement(con: duckdb.DuckDBPyConnection, settlement_id: str, account: str) -> StoredSettlement:
    """A settlement's rows of settlements, settlement_lines, settlement_gl_summary and settlement_line_matches."""
    found = fetch_arrow(con, "SELECT * FROM settlements WHERE settlement_id = ?", [settlement_id]).to_pylist()
    if not found:
        raise SettlementNotPostable(f"settlement {settlement_id} is not in the warehouse (table settlements); "
                                    "import it first")
    if len(found) > 1:
        where = ", ".join(f"{r['storefront']} {r['day']}" for r in found)
        raise SettlementNotPostable(f"settlement {settlement_id} is stored {len(found)} times ({where}); keep one "
                                    "import of it before posting")
    row = found[0]
    settlement = Settlement(settlement_id, row["storefront"], row["currency"], row["total_amount"],
                            row["deposit_date"], row["settlement_start_date"], row["settlement_end_date"])
    where, params = "WHERE settlement_id = ? AND storefront = ? AND day = ?", [settlement_id, row["storefront"],
                                                                                row["day"]]
    lines = fetch_arrow(con, f"SELECT * FROM settlement_lines {where} ORDER BY line_number", params)
    summary = fetch_arrow(con, f"SELECT * FROM settlement_gl_summary {where} ORDER BY side DESC, gl_account",
                          params).to_pylist()
    matches = {m["line_number"]: m for m in fetch_arrow(
        con, f"SELECT * FROM settlement_line_matches {where}", params).to_pylist()}
    keys = [k for (k,) in con.execute("SELECT key FROM netsuite_postings WHERE flow = ? AND storefront = ? "
                                      "AND starts_with(key, ?)", [FLOW, row["storefront"], f"{settlement_id}:"])
            .fetchall()]
    return StoredSettlement(settlement, lines, summary, matches,
                            ledger_entries(con, FLOW, row["storefront"], keys, account=account),
                            _never_posted(con, settlement_id, row["storefront"], row["day"]))


def _never_posted(con: duckdb.DuckDBPyConnection, settlement_id: str, storefront: str, day) -> frozenset[str]:
    """The settlement's order ids the warehouse never loaded (`match.NEVER_LOADED`) though a loaded order report
    covers the posted time of a line of theirs: an order updated then would be in it (the report lists orders by
    last update)."""
    rows = con.execute(
        f"""
        SELECT DISTINCT m.order_id FROM settlement_line_matches m
        JOIN settlement_lines l USING (storefront, day, settlement_id, line_number)
        WHERE m.settlement_id = ? AND m.storefront = ? AND m.day = ? AND {NEVER_LOADED}
          AND EXISTS (SELECT 1 FROM amazon_reports r
                      WHERE r.report_type = ? AND r.processing_status = 'DONE' AND r.downloaded_at IS NOT NULL
                        AND coalesce(l.posted_date_time, l.posted_date) >= r.data_start_time
                        AND coalesce(l.posted_date_time, l.posted_date) < r.data_end_time)
        """, [settlement_id, storefront, day, ORDER_REPORT_TYPE]).fetchall()
    return frozenset(order_id for (order_id,) in rows)
