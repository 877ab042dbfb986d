"""Feeds API 2021-06-30: upload a feed document, submit the feed, follow it, read its processing report.

https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide. A FATAL feed may have applied
"some, none, or all" of its messages and may have no processing report: read the listings back before resending.
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from amazon_netsuite.lib.amazon.client import SpApiClient
from amazon_netsuite.lib.amazon.errors import FeedTimeout, Forbidden
from amazon_netsuite.lib.amazon.reports import TERMINAL_STATUSES, ProcessingStatus, UtcDateTime, poll_until_terminal

VERSION = "2021-06-30"
BASE_PATH = f"/feeds/{VERSION}"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
MAX_LISTINGS_MESSAGES = 25_000  # per JSON_LISTINGS_FEED (changelog 2025-05-06)


class _ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")


class Feed(_ApiModel):
    """A feed as `getFeed` describes it."""

    feed_id: str
    feed_type: str
    processing_status: ProcessingStatus
    created_time: UtcDateTime
    marketplace_ids: list[str] | None = None
    processing_start_time: UtcDateTime | None = None
    processing_end_time: UtcDateTime | None = None
    result_feed_document_id: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.processing_status in TERMINAL_STATUSES


class FeedDocument(_ApiModel):
    """Where a feed document lives: the upload URL (createFeedDocument) or the download URL (getFeedDocument)."""

    feed_document_id: str
    url: str
    compression_algorithm: Literal["GZIP"] | None = None


@dataclass(frozen=True)
class FeedOutcome:
    """How a submitted feed ended; `report` is the processing report (None when Amazon left none, e.g. FATAL)."""

    feed_id: str
    processing_status: ProcessingStatus
    report: dict | None


def create_feed_specification(feed_type: str, marketplace_ids: Sequence[str], input_feed_document_id: str,
                              feed_options: dict[str, str] | None = None) -> dict[str, Any]:
    """The `CreateFeedSpecification` body of createFeed."""
    if not marketplace_ids or len(marketplace_ids) > 25:
        raise ValueError(f"createFeed takes 1 to 25 marketplace ids, got {len(marketplace_ids)}")
    body: dict[str, Any] = {"feedType": feed_type, "marketplaceIds": list(marketplace_ids),
                            "inputFeedDocumentId": input_feed_document_id}
    if feed_options:
        body["feedOptions"] = {str(k): str(v) for k, v in feed_options.items()}
    return body


class FeedsApi:
    """Feeds API, version 2021-06-30, over one `SpApiClient`."""

    version = VERSION

    def __init__(self, client: SpApiClient, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self._clock = clock
        self._sleep = sleep

    def create_feed_document(self, content_type: str = JSON_CONTENT_TYPE) -> FeedDocument:
        response = self.client.request("createFeedDocument", "POST", f"{BASE_PATH}/documents",
                                       json={"contentType": content_type})
        return FeedDocument.model_validate(response.payload)

    def upload(self, document: FeedDocument, content: bytes, content_type: str = JSON_CONTENT_TYPE) -> None:
        """PUT the content to the document's presigned URL, with the Content-Type the document was created for."""
        self.client.upload(document.url, content, content_type,
                           operation=f"upload of feed document {document.feed_document_id}")

    def create_feed(self, feed_type: str, marketplace_ids: Sequence[str], input_feed_document_id: str,
                    feed_options: dict[str, str] | None = None) -> str:
        """Submit a feed; returns its feed id."""
        body = create_feed_specification(feed_type, marketplace_ids, input_feed_document_id, feed_options)
        response = self.client.request("createFeed", "POST", f"{BASE_PATH}/feeds", json=body)
        return str(response.payload["feedId"])

    def get_feed(self, feed_id: str) -> Feed:
        response = self.client.request("getFeed", "GET", f"{BASE_PATH}/feeds/{_segment(feed_id)}")
        return Feed.model_validate(response.payload)

    def get_feed_document(self, feed_document_id: str) -> FeedDocument:
        response = self.client.request("getFeedDocument", "GET", f"{BASE_PATH}/documents/{_segment(feed_document_id)}")
        return FeedDocument.model_validate(response.payload)

    def download_result(self, feed_document_id: str) -> bytes:
        """The processing report's bytes, gunzipped when Amazon compressed it; asks for a fresh URL once on 403."""
        operation = f"download of feed document {feed_document_id}"
        document = self.get_feed_document(feed_document_id)
        try:
            response = self.client.download(document.url, operation=operation)
        except Forbidden:
            document = self.get_feed_document(feed_document_id)
            response = self.client.download(document.url, operation=operation)
        content = response.content
        if document.compression_algorithm == "GZIP" and content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
        return content

    def wait_for_feed(self, feed_id: str, poll_seconds: float = 30.0, timeout: float = 1800.0,
                      max_poll_seconds: float = 30.0) -> Feed:
        """Poll getFeed until DONE, CANCELLED or FATAL (returned, not raised); FeedTimeout after `timeout`."""
        return poll_until_terminal(lambda: self.get_feed(feed_id), FeedTimeout, feed_id, clock=self._clock,
                                   sleep=self._sleep, poll_seconds=poll_seconds, timeout=timeout,
                                   max_poll_seconds=max_poll_seconds)

    def submit_json_listings_feed(self, document: dict, marketplace_ids: Sequence[str], *,
                                  poll_seconds: float = 30.0, timeout: float = 1800.0) -> FeedOutcome:
        """Upload a JSON_LISTINGS_FEED document, submit it, wait for the end and read its processing report."""
        messages = document.get("messages") or []
        if len(messages) > MAX_LISTINGS_MESSAGES:
            raise ValueError(
                f"a JSON_LISTINGS_FEED takes at most {MAX_LISTINGS_MESSAGES} messages, got {len(messages)}")
        upload = self.create_feed_document(JSON_CONTENT_TYPE)
        self.upload(upload, json.dumps(document).encode("utf-8"), JSON_CONTENT_TYPE)
        feed_id = self.create_feed(JSON_LISTINGS_FEED, marketplace_ids, upload.feed_document_id)
        feed = self.wait_for_feed(feed_id, poll_seconds=poll_seconds, timeout=timeout)
        report = None
        if feed.result_feed_document_id:
            report = json.loads(self.download_result(feed.result_feed_document_id))
        return FeedOutcome(feed_id=feed_id, processing_status=feed.processing_status, report=report)


def _segment(value: str) -> str:
    return quote(value, safe="")
