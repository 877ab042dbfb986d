"""How Amazon answered one feed, message by message, and the register of what it accepted.

The processing report (listings-feed-processing-report-schema-v2.json) lists issues per messageId; a message with an
ERROR issue was not applied, one with only WARNING or INFO issues was. A FATAL feed "might have" applied some, none
or all messages (https://github.com/amzn/selling-partner-api-docs, guides/en-US/use-case-guides/feeds-api-use-case-guide/
feeds-api-use-case-guide_2021-06-30.md): its messages are `unknown` until the listing is read back. A CANCELLED feed
was never processed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

ACCEPTED, REJECTED, READ_BACK, UNKNOWN = "accepted", "rejected", "read_back", "unknown"


def _issue_text(issue: Mapping[str, Any]) -> str:
    code = f" {issue['code']}" if issue.get("code") else ""
    attribute = f" ({issue['attributeName']})" if issue.get("attributeName") else ""
    return f"{issue['severity']}{code}: {issue['message']}{attribute}"


def _quantity(message: Mapping[str, Any]) -> int | None:
    for patch in message.get("patches", []):
        for value in patch.get("value") or []:
            if value.get("fulfillment_channel_code") == "DEFAULT":
                return value.get("quantity")
    return None


def message_outcomes(messages: Iterable[Mapping[str, Any]], report: Mapping[str, Any] | None,
                     feed_status: str) -> list[dict[str, Any]]:
    """message_id, sku, quantity, outcome (accepted | rejected | unknown) and issue of each message of one feed.

    `messages` are the feed document's messages; `report` its processing report, or None (a FATAL feed may have
    none). Issues without a messageId concern the whole feed and are kept on every message.
    """
    by_message: dict[int | None, list[Mapping[str, Any]]] = defaultdict(list)
    for issue in (report or {}).get("issues") or []:
        by_message[issue.get("messageId")].append(issue)
    feed_wide = [_issue_text(i) for i in by_message.pop(None, [])]
    rows = []
    for message in messages:
        issues = by_message.get(message["messageId"], [])
        texts = [_issue_text(i) for i in issues] + feed_wide
        if any(i["severity"] == "ERROR" for i in issues):
            outcome = REJECTED
        elif feed_status == "DONE" and report is not None:
            outcome = ACCEPTED
        elif feed_status == "CANCELLED":
            outcome = REJECTED
            texts.append("the feed was cancelled before Amazon processed it; nothing was applied")
        else:
            outcome = UNKNOWN
            texts.append(f"the feed ended {feed_status}"
                         f"{' without a processing report' if report is None else ''}: Amazon may have applied "
                         "some, none or all of its messages; read the listing back before sending again")
        rows.append({"message_id": message["messageId"], "sku": message["sku"], "quantity": _quantity(message),
                     "outcome": outcome, "issue": "; ".join(texts) or None})
    return rows


def record_accepted(con: duckdb.DuckDBPyConnection, storefront: str, rows: Iterable[Mapping[str, Any]],
                    feed_id: str | None, at: datetime) -> int:
    """Upsert `amazon_listing_quantities` with what Amazon now shows; returns the SKUs written.

    Accepted rows carry the feed's id; read-back rows (the quantity read from the listing) carry none.
    """
    kept = [(r["sku"], r["quantity"], feed_id if r["outcome"] == ACCEPTED else None) for r in rows
            if r["outcome"] in (ACCEPTED, READ_BACK) and r.get("quantity") is not None]
    if not kept:
        return 0
    table = pa.table({"sku": [k[0] for k in kept], "quantity": pa.array([k[1] for k in kept], pa.int32()),
                      "feed_id": pa.array([k[2] for k in kept], pa.string())})
    con.register("_accepted_quantities", table)
    try:
        con.execute("""
            INSERT INTO amazon_listing_quantities (storefront, sku, quantity, accepted_at, feed_id)
            SELECT ?, sku, quantity, ?::TIMESTAMP, feed_id FROM _accepted_quantities
            ON CONFLICT (storefront, sku) DO UPDATE
            SET quantity = excluded.quantity, accepted_at = excluded.accepted_at, feed_id = excluded.feed_id
        """, [storefront, at])
    finally:
        con.unregister("_accepted_quantities")
    return len(kept)
