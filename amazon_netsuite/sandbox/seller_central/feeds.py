"""Feeds API 2021-06-30: createFeedDocument, the presigned PUT upload, createFeed, getFeeds, getFeed, cancelFeed,
getFeedDocument, and how a JSON_LISTINGS_FEED is processed.

https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide. A feed moves IN_QUEUE →
IN_PROGRESS → DONE (or FATAL) in real time like a report (`report_delay_seconds`). JSON_LISTINGS_FEED is limited to
5 submissions per 5 minutes per seller account (world clock) and 25,000 messages
(https://developer-docs.amazon.com/sp-api/changelog/update-feed-size-and-rate-limit-changes-for-the-json_listings_feed);
legacy listings feed types are accepted and end FATAL
(https://developer-docs.amazon.com/sp-api/docs/listings-feed-type-values).
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib.resources import files
from urllib.parse import urlencode

import anyio.to_thread
from jsonschema import Draft7Validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central.documents import (
    URL_TTL,
    own_base_url,
    presigned_refusal,
    s3_error,
    sign,
)
from amazon_netsuite.sandbox.seller_central.errors import (
    QUOTA_EXCEEDED,
    REQUEST_ID_HEADER,
    ApiError,
    invalid_input,
    new_request_id,
    not_found,
)
from amazon_netsuite.sandbox.seller_central.listing_store import FeedRecord
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.seller_central.listings import (
    INVALID_MESSAGE,
    SKU_NOT_FOUND,
    Issue,
    Outcome,
    apply_patches,
    listed_since,
    listings_item,
    replace_attribute,
)
from amazon_netsuite.sandbox.seller_central.report_store import TERMINAL_STATUSES

BASE = "/feeds/2021-06-30"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
# Removed on 2025-07-31: Amazon still accepts them, and they end FATAL.
LEGACY_LISTINGS_FEEDS = frozenset({
    "POST_PRODUCT_DATA", "POST_INVENTORY_AVAILABILITY_DATA", "POST_PRODUCT_PRICING_DATA",
    "POST_PRODUCT_OVERRIDES_DATA", "POST_PRODUCT_IMAGE_DATA", "POST_PRODUCT_RELATIONSHIP_DATA",
    "POST_FLAT_FILE_INVLOADER_DATA", "POST_FLAT_FILE_LISTINGS_DATA", "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
})
SUBMISSIONS_PER_WINDOW = 5
SUBMISSION_WINDOW = timedelta(minutes=5)
PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
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


# --- documents ----------------------------------------------------------------------------------------------


def _document_url(request: Request, state, document_id: str, method: str, content_type: str = "") -> str:
    expires = int((state.clock.now() + URL_TTL).timestamp())
    query = {"expires": expires, "signature": sign(document_id, expires, method, content_type)}
    return f"{own_base_url(request, state.config.public_url)}/_feed-documents/{document_id}?{urlencode(query)}"


async def upload_document(request: Request) -> Response:
    """`PUT /_feed-documents/{id}`: S3 presigned upload; the Content-Type is part of what was signed."""
    state = request.app.state.sandbox
    document_id = request.path_params["document_id"]
    content_type = request.headers.get("content-type", "")
    refusal = presigned_refusal(request.query_params, state.clock.now(), document_id, "PUT", content_type)
    if refusal is not None:
        return refusal
    if state.listings.document(document_id) is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    state.listings.upload(document_id, await request.body())
    return Response(status_code=200, headers={REQUEST_ID_HEADER: new_request_id(), "ETag": f'"{uuid.uuid4().hex}"'})


async def download_document(request: Request) -> Response:
    """`GET /_feed-documents/{id}`: a processing report, as S3 serves it."""
    state = request.app.state.sandbox
    document_id = request.path_params["document_id"]
    refusal = presigned_refusal(request.query_params, state.clock.now(), document_id, "GET", "")
    if refusal is not None:
        return refusal
    document = state.listings.document(document_id)
    if document is None or document.content is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    return Response(document.content, headers={"Content-Type": document.content_type,
                                               REQUEST_ID_HEADER: new_request_id()})


def _json_body(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise invalid_input("Invalid input", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid_input("Invalid input", "The request body must be a JSON object")
    return body



@sp_api_operation("createFeedDocument")
async def create_feed_document(request: Request, state, account: str) -> Response:
    content_type = _json_body(await request.body()).get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input("Invalid input", "contentType is required")
    region = state.settings.account(account).region
    document_id = f"amzn1.tortuga.4.{region}.{uuid.uuid4()}"
    state.listings.add_document(document_id, account, content_type)
    url = _document_url(request, state, document_id, "PUT", content_type)
    return JSONResponse({"feedDocumentId": document_id, "url": url}, status_code=201)


@sp_api_operation("getFeedDocument")
async def get_feed_document(request: Request, state, account: str) -> Response:
    document_id = request.path_params["document_id"]
    if not document_id.startswith("amzn1.tortuga."):
        raise invalid_input("Invalid input", f"Invalid feedDocumentId {document_id!r}")
    document = state.listings.document(document_id)
    if document is None or document.seller_account != account:
        raise not_found(f"Feed document {document_id} was not found")
    body = {"feedDocumentId": document_id, "url": _document_url(request, state, document_id, "GET")}
    if document.compression:
        body["compressionAlgorithm"] = document.compression
    return JSONResponse(body)


# --- feeds --------------------------------------------------------------------------------------------------


@sp_api_operation("createFeed")
async def create_feed(request: Request, state, account: str) -> Response:
    body = _json_body(await request.body())
    feed_type, marketplace_ids = body.get("feedType"), body.get("marketplaceIds")
    document_id = body.get("inputFeedDocumentId")
    if not isinstance(feed_type, str) or not feed_type:
        raise invalid_input("Invalid input", "feedType is required")
    if not isinstance(marketplace_ids, list) or not 1 <= len(marketplace_ids) <= 25 or not all(
        isinstance(m, str) for m in marketplace_ids
    ):
        raise invalid_input("Invalid input", "marketplaceIds is required: a list of 1 to 25 marketplace ids")
    foreign = [m for m in marketplace_ids if m not in state.settings.account(account).marketplace_ids]
    if foreign:
        raise invalid_input("Invalid marketplaceIds", f"Marketplace ids {', '.join(foreign)} do not belong to this seller")
    if feed_type != JSON_LISTINGS_FEED and feed_type not in LEGACY_LISTINGS_FEEDS:
        raise invalid_input(f"Feed type {feed_type} is not supported.", "Invalid feedType")
    document = state.listings.document(document_id) if isinstance(document_id, str) else None
    if document is None or document.seller_account != account:
        raise invalid_input("Invalid inputFeedDocumentId", f"Feed document {document_id!r} was not found")
    if document.content is None:
        raise invalid_input("Invalid inputFeedDocumentId", f"Feed document {document_id} has no content uploaded")
    now = state.clock.now()
    if feed_type == JSON_LISTINGS_FEED:
        recent = [f for f in state.listings.feeds(account)
                  if f.feed_type == JSON_LISTINGS_FEED and f.created_time > now - SUBMISSION_WINDOW]
        if len(recent) >= SUBMISSIONS_PER_WINDOW:
            raise ApiError(429, "QuotaExceeded", QUOTA_EXCEEDED)
    feed = FeedRecord(feed_id="", seller_account=account, feed_type=feed_type, marketplace_ids=marketplace_ids,
                      input_document_id=document_id, created_time=now, created_wall=time.time(),
                      planned_fatal=state.faults.feed_fatal())
    state.listings.create_feed(feed)
    return JSONResponse({"feedId": feed.feed_id}, status_code=202)


def _find(state, account: str, feed_id: str) -> FeedRecord:
    if not feed_id.isdigit():
        raise invalid_input("Invalid input", f"Invalid feedId {feed_id!r}")
    feed = state.listings.feed(account, feed_id)
    if feed is None:
        raise not_found(f"Feed {feed_id} was not found")
    return feed


@sp_api_operation("getFeed")
async def get_feed(request: Request, state, account: str) -> Response:
    feed = await refresh(state, _find(state, account, request.path_params["feed_id"]))
    return JSONResponse(feed.to_api())


@sp_api_operation("cancelFeed")
async def cancel_feed(request: Request, state, account: str) -> Response:
    feed = await refresh(state, _find(state, account, request.path_params["feed_id"]))
    if feed.processing_status != "IN_QUEUE":
        raise invalid_input(
            "Invalid input", f"Feed {feed.feed_id} is {feed.processing_status}; only IN_QUEUE feeds can be cancelled")
    feed.processing_status = "CANCELLED"
    feed.processing_end_time = state.clock.now()
    state.listings.save_feed(feed)
    return Response(status_code=200)


def _list_param(request: Request, name: str) -> list[str]:
    return [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]


@sp_api_operation("getFeeds")
async def get_feeds(request: Request, state, account: str) -> Response:
    params = request.query_params
    token = params.get("nextToken")
    if token is not None:
        if any(k != "nextToken" for k in params):
            raise invalid_input("Invalid input", "nextToken must be the only parameter")
        try:
            query = json.loads(bytes.fromhex(token))
        except ValueError:
            raise invalid_input("Invalid nextToken", "The nextToken is not valid") from None
    else:
        query = {"feedTypes": _list_param(request, "feedTypes"), "marketplaceIds": _list_param(request, "marketplaceIds"),
                 "processingStatuses": _list_param(request, "processingStatuses"),
                 "pageSize": params.get("pageSize", "10"), "offset": 0,
                 "createdSince": params.get("createdSince"), "createdUntil": params.get("createdUntil")}
        if not query["feedTypes"] or len(query["feedTypes"]) > 10:
            raise invalid_input("Invalid input", "feedTypes (1 to 10) or nextToken is required")
        if len(query["marketplaceIds"]) > 10:
            raise invalid_input("Invalid input", "marketplaceIds accepts at most 10 marketplace ids")
        bad = [s for s in query["processingStatuses"] if s not in PROCESSING_STATUSES]
        if bad:
            raise invalid_input("Invalid input", f"Invalid processingStatuses: {', '.join(bad)}")
        if not str(query["pageSize"]).isdigit() or not 1 <= int(query["pageSize"]) <= 100:
            raise invalid_input("Invalid input", "pageSize must be an integer from 1 to 100")
    now = state.clock.now()
    since = _time(query["createdSince"], now - timedelta(days=90))
    until = _time(query["createdUntil"], now)
    matching = []
    for feed in state.listings.feeds(account):
        if feed.feed_type not in query["feedTypes"] or not since <= feed.created_time <= until:
            continue
        if query["marketplaceIds"] and not set(query["marketplaceIds"]) & set(feed.marketplace_ids):
            continue
        feed = await refresh(state, feed)
        if not query["processingStatuses"] or feed.processing_status in query["processingStatuses"]:
            matching.append(feed)
    size, offset = int(query["pageSize"]), query["offset"]
    body: dict = {"feeds": [f.to_api() for f in matching[offset: offset + size]]}
    if offset + size < len(matching):
        body["nextToken"] = json.dumps({**query, "offset": offset + size}).encode().hex()
    return JSONResponse(body)


def _time(value: str | None, default: datetime) -> datetime:
    if not value:
        return default
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input("Invalid input", f"{value!r} is not an ISO 8601 date-time") from None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


# --- processing ---------------------------------------------------------------------------------------------


async def refresh(state, feed: FeedRecord) -> FeedRecord:
    """Bring a feed's status up to date; finishing it applies its messages and stores its processing report."""
    feed = state.listings.feed(feed.seller_account, feed.feed_id) or feed
    if feed.processing_status in TERMINAL_STATUSES:
        return feed
    delay = state.config.report_delay_seconds
    elapsed = time.time() - feed.created_wall
    if elapsed < delay / 2:
        return feed
    if elapsed < delay:
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
        report["items"] = [listings_item(i, marketplace, included, listed_since(state)) for i in items if i]
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
        if listing is None:
            outcome = Outcome(False, None, (Issue(SKU_NOT_FOUND, f"SKU '{sku}' is not known to Amazon for this "
                                                  "seller"),))
        elif operation == "DELETE":
            outcome = Outcome(True, None, (), deleted=True)
        elif operation == "PATCH":
            outcome = apply_patches(sku, listing.fulfillment_availability, message["patches"])
        else:
            outcome = replace_attribute(sku, listing.fulfillment_availability, message["attributes"],
                                        full=operation == "UPDATE")
        if outcome.accepted:
            state.listings.put(feed.seller_account, marketplace, sku, outcome.fulfillment_availability, now,
                               deleted=outcome.deleted)
        for issue in outcome.issues:
            issues.setdefault((issue.code, issue.message), issue)
    return list(issues.values())


routes = [
    Route(f"{BASE}/documents", create_feed_document, methods=["POST"]),
    Route(f"{BASE}/documents/{{document_id}}", get_feed_document, methods=["GET"]),
    Route(f"{BASE}/feeds", create_feed, methods=["POST"]),
    Route(f"{BASE}/feeds", get_feeds, methods=["GET"]),
    Route(f"{BASE}/feeds/{{feed_id}}", get_feed, methods=["GET"]),
    Route(f"{BASE}/feeds/{{feed_id}}", cancel_feed, methods=["DELETE"]),
    Route("/_feed-documents/{document_id}", upload_document, methods=["PUT"]),
    Route("/_feed-documents/{document_id}", download_document, methods=["GET"]),
]
