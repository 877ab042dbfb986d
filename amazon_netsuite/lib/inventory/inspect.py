"""`amazon-netsuite reports inspect FILE` for an FBA ledger file (GET_LEDGER_DETAIL_VIEW_DATA): what is in it, read
and classified as the flow would, so "adjusts NetSuite" means what it means in `fba_inventory_ledger`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_REPORT_TYPE
from amazon_netsuite.lib.inventory.ledger import classify_ledger_rows, parse_ledger_report
from amazon_netsuite.lib.report_files import open_report_stream


def inspect_ledger_report(path: Path) -> dict[str, Any]:
    """Rows, days, countries, SKUs; units per event type and disposition; how many rows would adjust NetSuite's FBA
    location when the storefront's orders post (Cash Sales move shipments) and when they do not."""
    data = open_report_stream(path, path.name).read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    table = parse_ledger_report(data, "cp1252" if _not_utf8(data) else "utf-8")
    with duckdb.connect() as con:
        con.register("rows", table)
        first, last, countries, skus = con.execute(
            "SELECT min(event_date), max(event_date), list(DISTINCT country ORDER BY country), count(DISTINCT sku) "
            "FROM rows").fetchall()[0]
        units = con.execute("SELECT event_type, coalesce(disposition, '-'), count(*), sum(quantity) FROM rows "
                            "GROUP BY ALL ORDER BY ALL").fetchall()
    adjusting = {posted: sum(classify_ledger_rows(table, orders_posted=posted)["adjusts_netsuite"].to_pylist())
                 for posted in (True, False)}
    return {
        "report_type": LEDGER_REPORT_TYPE, "file": str(path), "rows": table.num_rows,
        "first_day": first, "last_day": last, "countries": countries or [], "skus": skus,
        "by_event": [{"event_type": e, "disposition": d, "rows": n, "units": int(q or 0)} for e, d, n, q in units],
        "adjusting_rows_when_orders_post": adjusting[True],
        "adjusting_rows_when_orders_do_not_post": adjusting[False],
    }


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
