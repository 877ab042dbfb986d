"""JSON_LISTINGS_FEED documents of PATCH messages, and how Amazon answered each message.

Every flow that changes listings by feed (quantities, prices) builds its documents and reads the processing report
(listings-feed-processing-report-schema-v2.json) here. A message with an ERROR issue was not applied, one with only
WARNING or INFO issues was. A FATAL feed "might have" applied some, none or all messages
(https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide): its messages are `unknown`
until the listing is read back. A CANCELLED feed was never processed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from amazon_netsuite.lib.amazon.feeds import MAX_LISTINGS_MESSAGES

ACCEPTED, REJECTED, READ_BACK, UNKNOWN = "accepted", "rejected", "read_back", "unknown"
# productType is required on a PATCH message by the schema. "PRODUCT" for an offer-only patch of an existing listing
# is what public integrations send; that Amazon accepts it for every product type is NOT verified.
OFFER_ONLY_PRODUCT_TYPE = "PRODUCT"


def patch_documents(seller_id: str, patches: Iterable[tuple[str, list[dict]]], *,
                    product_type: str = OFFER_ONLY_PRODUCT_TYPE, max_messages: int = MAX_LISTINGS_MESSAGES,
                    issue_locale: str = "en_US") -> list[dict[str, Any]]:
    """JSON_LISTINGS_FEED documents of one PATCH message per (sku, patches), `max_messages` per document at most.
    messageId restarts at 1 in every document: it is unique within one feed, and the report answers per messageId."""
    if not 1 <= max_messages <= MAX_LISTINGS_MESSAGES:
        raise ValueError(f"max_messages must be 1..{MAX_LISTINGS_MESSAGES}, not {max_messages}")
    rows = list(patches)
    documents = []
    for start in range(0, len(rows), max_messages):
        messages = [{"messageId": n, "sku": sku, "operationType": "PATCH", "productType": product_type,
                     "patches": sku_patches}
                    for n, (sku, sku_patches) in enumerate(rows[start:start + max_messages], start=1)]
        documents.append({"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": issue_locale},
                          "messages": messages})
    return documents


def _issue_text(issue: Mapping[str, Any]) -> str:
    code = f" {issue['code']}" if issue.get("code") else ""
    attribute = f" ({issue['attributeName']})" if issue.get("attributeName") else ""
    return f"{issue['severity']}{code}: {issue['message']}{attribute}"


def message_outcomes(messages: Sequence[Mapping[str, Any]], report: Mapping[str, Any] | None,
                     feed_status: str) -> list[dict[str, Any]]:
    """message_id, sku, outcome (accepted | rejected | unknown) and issue of each message of one feed.

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
        rows.append({"message_id": message["messageId"], "sku": message["sku"], "outcome": outcome,
                     "issue": "; ".join(texts) or None})
    return rows


def sku_issue_class(issue: str) -> str:
    """`mapping` for a SKU Amazon does not know (it needs a listing, or the SKU fixed in NetSuite), else
    `validation`. The text holds the issue's code too (the sandbox's SKU_NOT_FOUND), so underscores read as
    spaces."""
    lowered = issue.lower().replace("_", " ")
    return "mapping" if "sku" in lowered and any(
        w in lowered for w in ("not found", "not known", "unknown", "does not exist")) else "validation"
