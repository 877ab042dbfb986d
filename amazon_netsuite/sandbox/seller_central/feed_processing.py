"""How a feed moves IN_QUEUE → IN_PROGRESS → DONE/FATAL, and how a JSON_LISTINGS_FEED is applied to the listings.

Progress follows real elapsed time (`report_delay_seconds`), like reports; the messages are applied when processing
ends, at the world clock's now.
"""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import datetime
from functools import cache
from importlib.resources import files

import anyio.to_thread
from jsonschema import Draft7Validator

from amazon_netsuite.sandbox.seller_central.listing_store import FeedRecord, Listing
from amazon_netsuite.sandbox.seller_central.listings import (
    INVALID_MESSAGE,
    SKU_NOT_FOUND,
    Issue,
    Outcome,
    checked_patch,
    kept_product_type,
    listed_since,
    listings_item,
    put_listing,
    schema_checked,
    store,
    storefront_lookup,
    submission,
    update_listing,
)
from amazon_netsuite.sandbox.seller_central.report_processing import processing_stage
from amazon_netsuite.sandbox.seller_central.report_store import TERMINAL_STATUSES

# Removed on 2025-07-31: Amazon still accepts them, and they end FATAL.
LEGACY_LISTINGS_FEEDS = frozenset({
    "POST_PRODUCT_DATA", "POST_INVENTORY_AVAILABILITY_DATA", "POST_PRODUCT_PRICING_DATA",
    "POST_PRODUCT_OVERRIDES_DATA", "POST_PRODUCT_IMAGE_DATA", "POST_PRODUCT_RELATIONSHIP_DATA",
    "POST_FLAT_FILE_INVLOADER_DATA", "POST_FLAT_FILE_LISTINGS_DATA", "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
})
REPORT_CONTENT_TYPE = "application/json; charset=UTF-8"
FEED_INVALID = "FEED_INVALID"  # the sandbox's code for a document refused as a whole


@cache
def feed_schema() -> dict:
    """Amazon's listings feed schema v2, packaged beside this module (schemas/README.md)."""
    return json.loads(files("amazon_netsuite.sandbox.seller_central").joinpath(
        "schemas/listings-feed-schema-v2.json").read_text())


@cache
def _validators() -> tuple[Draft7Validator, Draft7Validator]:
    """(the document without its messages' contents, one message)."""
    schema = feed_schema()
    messages = schema["properties"]["messages"]
    top = {**schema, "properties": {**schema["properties"], "messages": {**messages, "items": True}}}
    return Draft7Validator(top), Draft7Validator(messages["items"])


async def refresh(state, feed: FeedRecord) -> FeedRecord:
    """Bring a feed's status up to date; finishing it applies its messages and stores its processing report."""
    feed = state.listings.feed(feed.seller_account, feed.feed_id) or feed
    if feed.processing_status in TERMINAL_STATUSES:
        return feed
    stage = processing_stage(feed.created_wall, state.config.report_delay_seconds)
    if stage == "IN_QUEUE":
        return feed
    if stage == "IN_PROGRESS":
        if feed.processing_status == "IN_QUEUE":
            feed.processing_status = "IN_PROGRESS"
            feed.processing_start_time = state.clock.now()
            state.listings.save_feed(feed)
        return feed
    async with state.finishing:
        current = state.listings.feed(feed.seller_account, feed.feed_id)
        if current is not None and current.processing_status in TERMINAL_STATUSES:
            return current
        now = state.clock.now()
        feed.processing_start_time = feed.processing_start_time or now
        feed.processing_end_time = now
        status, report = await anyio.to_thread.run_sync(process_feed, state, feed, now)
        feed.processing_status = status
        if report is not None:
            region = state.settings.account(feed.seller_account).region
            document_id = f"amzn1.tortuga.4.{region}.{uuid.uuid4()}"
            content = gzip.compress(json.dumps(report).encode(), mtime=0)
            state.listings.add_document(document_id, feed.seller_account, REPORT_CONTENT_TYPE, content, "GZIP")
            feed.result_document_id = document_id
        state.listings.save_feed(feed)
        return feed


def process_feed(state, feed: FeedRecord, now: datetime) -> tuple[str, dict | None]:
    """(DONE or FATAL, the processing report or None). A FATAL fault applies the first half of the messages and
    leaves no report, so the client can only learn what happened by reading the listings back."""
    if feed.feed_type in LEGACY_LISTINGS_FEEDS:
        return "FATAL", None
    account = state.settings.account(feed.seller_account)
    content = state.listings.document(feed.input_document_id).content
    header = {"sellerId": account.seller_id, "version": "2.0", "feedId": feed.feed_id}
    try:
        document = json.loads(content)
    except ValueError as exc:
        return "FATAL", _fatal_report(header, f"The feed document is not valid JSON: {exc}")
    top, _ = _validators()
    problem = next(iter(sorted(top.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))), None)
    if problem is not None:
        where = "/".join(map(str, problem.absolute_path)) or "document"
        return "FATAL", _fatal_report(header, f"The feed document does not match the listings feed schema at "
                                              f"{where}: {problem.message}")
    if document["header"]["sellerId"] != account.seller_id:
        return "FATAL", _fatal_report(header, f"The header's sellerId {document['header']['sellerId']} is not the "
                                              "seller who submitted the feed")
    messages = document["messages"]
    if feed.planned_fatal:
        for message in messages[: len(messages) // 2]:
            _process_message(state, feed, message, now)
        return "FATAL", None
    issues, accepted, skus = [], 0, []
    seen: set = set()
    for message in messages:
        message_id = message.get("messageId") if isinstance(message, dict) else None
        if message_id is not None and message_id in seen:
            message_issues = [Issue(INVALID_MESSAGE, f"messageId {message_id} is used more than once in the feed")]
        else:
            seen.add(message_id)
            message_issues = _process_message(state, feed, message, now)
        sku = message.get("sku") if isinstance(message, dict) else None
        if not any(i.severity == "ERROR" for i in message_issues):
            accepted += 1
            skus.append(sku)
        for issue in message_issues:
            entry = {"code": issue.code, "severity": issue.severity, "message": issue.message}
            if isinstance(message_id, int) and not isinstance(message_id, bool) and message_id >= 1:
                entry["messageId"] = message_id
            if isinstance(sku, str) and sku:
                entry["sku"] = sku
            if issue.attribute_name:
                entry["attributeName"] = issue.attribute_name
            issues.append(entry)
    errors = sum(i["severity"] == "ERROR" for i in issues)
    warnings = sum(i["severity"] == "WARNING" for i in issues)
    report: dict = {
        "header": {**header, **({"report": document["header"]["report"]} if "report" in document["header"] else {})},
        "issues": issues,
        "summary": {"errors": errors, "warnings": warnings, "messagesProcessed": len(messages),
                    "messagesAccepted": accepted, "messagesInvalid": len(messages) - accepted},
    }
    if "report" in document["header"]:
        included = document["header"]["report"]["includedData"]
        marketplace = feed.marketplace_ids[0]
        items = [state.listings.get(feed.seller_account, marketplace, sku) for sku in dict.fromkeys(skus)]
        report["items"] = [listings_item(i, marketplace, included, listed_since(state), now) for i in items if i]
    return "DONE", report


def _fatal_report(header: dict, reason: str) -> dict:
    return {"header": header, "issues": [{"code": FEED_INVALID, "severity": "ERROR", "message": reason}],
            "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                        "messagesInvalid": 0}}


def _process_message(state, feed: FeedRecord, message: object, now: datetime) -> list[Issue]:
    """Validate one message and apply it to the listing in every marketplace of the feed; its issues, once each."""
    _, message_validator = _validators()
    errors = sorted(message_validator.iter_errors(message), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        return [Issue(INVALID_MESSAGE, f"The message does not match the listings feed schema: {e.message}")
                for e in errors[:3]]
    sku, operation = message["sku"], message["operationType"]
    issues: dict[tuple, Issue] = {}
    for marketplace in feed.marketplace_ids:
        listing = state.listings.get(feed.seller_account, marketplace, sku)
        where = submission(state, marketplace, feed.marketplace_ids)
        lookup = storefront_lookup(state, feed.seller_account, marketplace)
        if operation == "UPDATE":  # a full put: it may create the SKU
            outcome = put_listing(listing or Listing(sku, None, None), message, where, lookup)
        elif listing is None:
            outcome = Outcome(False, None, (Issue(SKU_NOT_FOUND, f"SKU '{sku}' is not known to Amazon for this "
                                                  "seller"),))
        elif operation == "DELETE":
            outcome = Outcome(True, None, (), deleted=True)
        elif operation == "PATCH":
            outcome = checked_patch(listing, message, where, lookup)
        else:  # PARTIAL_UPDATE
            outcome = update_listing(listing, message["attributes"], where, full=False)
            outcome = schema_checked(listing, outcome, kept_product_type(listing, message["productType"]), lookup,
                                     set(message["attributes"]))
        if outcome.accepted:
            store(state, feed.seller_account, marketplace, sku, listing, outcome, now)
        for issue in outcome.issues:
            issues.setdefault((issue.code, issue.message), issue)
    return list(issues.values())

