"""Feeds API 2021-06-30: createFeedDocument, the presigned PUT upload, createFeed, getFeeds, getFeed, cancelFeed,
getFeedDocument (processing in feed_processing.py).

https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide. JSON_LISTINGS_FEED is limited to
5 submissions per 5 minutes per seller account (world clock) and 25,000 messages
(https://developer-docs.amazon.com/sp-api/changelog/update-feed-size-and-rate-limit-changes-for-the-json_listings_feed);
legacy listings feed types are accepted and end FATAL
(https://developer-docs.amazon.com/sp-api/docs/listings-feed-type-values).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

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
from amazon_netsuite.sandbox.seller_central.feed_processing import LEGACY_LISTINGS_FEEDS, refresh
from amazon_netsuite.sandbox.seller_central.listing_store import FeedRecord
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation

BASE = "/feeds/2021-06-30"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
SUBMISSIONS_PER_WINDOW = 5
SUBMISSION_WINDOW = timedelta(minutes=5)
PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")


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
        raise invalid_input("Invalid marketplaceIds",
                            f"Marketplace ids {', '.join(foreign)} do not belong to this seller")
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
        query = {"feedTypes": _list_param(request, "feedTypes"),
                 "marketplaceIds": _list_param(request, "marketplaceIds"),
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
