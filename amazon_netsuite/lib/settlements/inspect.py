"""`amazon-netsuite reports inspect FILE` for a V2 settlement: does it tie out, and what would block it.

The file goes through the same parse, GL mapping (`data/gl_mapping.yaml`, see `gl_mapping_path`) and checks as the
settlement assets, so the answer is the one the pipeline would give. Amounts are exact decimal strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.gl_mapping import GlMapping, load_gl_mapping
from amazon_netsuite.lib.settlements.parse import parse_settlement
from amazon_netsuite.lib.settlements.reconcile import check_settlement


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def inspect_settlement(path: Path, mapping: GlMapping | None = None) -> dict[str, Any]:
    """One JSON-ready dict: the settlement's totals, its tie-out, unmapped descriptions and blocking reasons."""
    parsed = parse_settlement(Path(path), report_id=Path(path).name)
    mapping = mapping or load_gl_mapping()
    check = check_settlement(parsed, mapping)
    totals = parsed.totals
    fmt = parsed.number_format
    return {
        "report_type": REPORT_TYPE,
        "settlement_id": totals.settlement_id,
        "currency": totals.currency,
        "marketplace_name": parsed.marketplace_name,
        "settlement_start_date": _iso(totals.settlement_start_date),
        "settlement_end_date": _iso(totals.settlement_end_date),
        "deposit_date": _iso(totals.deposit_date),
        "total_amount": decimal_text(check.total_amount),
        "lines_sum": decimal_text(check.lines_sum),
        "difference": decimal_text(check.difference),
        "line_count": check.line_count,
        "quarantined": check.quarantined_lines,
        "ties_out": check.ties_out,
        "unmapped": check.unmapped,
        "suspense": check.suspense,
        "journal_balances": check.journal_balances,
        "blocking": check.blocking,
        "number_format": {"decimal_mark": fmt.decimal_mark, "date_order": fmt.date_order, "decided_by": fmt.decided_by},
        "charset": parsed.charset,
        "gl_mapping": str(mapping.path) if mapping.path else None,
    }
