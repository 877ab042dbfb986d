"""Typed errors of the SP-API client.

Every SP-API error body is `{"errors": [{"code", "message", "details"}]}`; the exception carries that list, the
HTTP status, the `x-amzn-RequestId` (what Amazon support asks for) and the operation that failed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict


_S3_ERROR = re.compile(r"<Error>.*?<Code>(?P<code>[^<]*)</Code>.*?<Message>(?P<message>[^<]*)</Message>", re.S)


class ErrorItem(BaseModel):
    """One entry of an SP-API `errors[]` list."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: str
    message: str
    details: str | None = None


class SpApiError(Exception):
    """An SP-API call answered with an error status."""

    def __init__(
        self,
        status: int,
        errors: list[ErrorItem],
        request_id: str | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.errors = list(errors)
        self.request_id = request_id
        self.operation = operation
        self.retry_after = retry_after
        super().__init__(self._describe())

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.errors]

    def _describe(self) -> str:
        parts = []
        for e in self.errors:
            text = f"{e.code}: {e.message}"
            if e.details:
                text += f" ({e.details})"
            parts.append(text)
        what = "; ".join(parts) or "no error details in the response"
        where = f" [request id {self.request_id}]" if self.request_id else ""
        return f"{self.operation or 'SP-API call'} failed with HTTP {self.status}: {what}{where}"

    @classmethod
    def from_body(
        cls,
        status: int,
        body: Any,
        *,
        request_id: str | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> "SpApiError":
        """Build the subclass that matches `status` from a decoded error body (any shape)."""
        return error_class_for(status)(status, error_items(body, status), request_id, operation, retry_after)

    @classmethod
    def from_response(cls, response: httpx.Response, operation: str | None = None) -> "SpApiError":
        try:
            body: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = response.text
        return cls.from_body(
            response.status_code,
            body,
            request_id=response.headers.get("x-amzn-RequestId"),
            operation=operation,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )


class InvalidInput(SpApiError):
    """400: the request was rejected as malformed; retrying will not help."""


class Unauthorized(SpApiError):
    """401, and the base of 403: the token or the seller's authorization does not allow the call."""


class Forbidden(Unauthorized):
    """403: access denied (wrong role, revoked authorization, or an expired access token)."""


class NotFound(SpApiError):
    """404: the resource (report, document, order) does not exist for this seller."""


class QuotaExceeded(SpApiError):
    """429: the usage plan's bucket is empty."""


class ServerError(SpApiError):
    """5xx: a failure on Amazon's side; retried by the client before this surfaces."""


def error_class_for(status: int) -> type[SpApiError]:
    if status >= 500:
        return ServerError
    return {400: InvalidInput, 401: Unauthorized, 403: Forbidden, 404: NotFound, 429: QuotaExceeded}.get(
        status, SpApiError
    )


def error_items(body: Any, status: int) -> list[ErrorItem]:
    """The `errors[]` of a body; LWA's `{"error", "error_description"}` and plain text become one item."""
    if isinstance(body, dict):
        raw = body.get("errors")
        if isinstance(raw, list):
            items = []
            for entry in raw:
                if isinstance(entry, dict):
                    items.append(
                        ErrorItem(
                            code=str(entry.get("code", status)),
                            message=str(entry.get("message", "")),
                            details=None if entry.get("details") is None else str(entry.get("details")),
                        )
                    )
            return items
        if "error" in body:
            return [ErrorItem(code=str(body["error"]), message=str(body.get("error_description", "")))]
    text = body if isinstance(body, str) else json.dumps(body)
    s3 = _S3_ERROR.search(text) if isinstance(body, str) else None
    if s3:  # presigned document URLs answer like S3: <Error><Code>AccessDenied</Code><Message>...</Message>
        return [ErrorItem(code=s3["code"], message=s3["message"])]
    return [ErrorItem(code=str(status), message=text.strip()[:500])] if text and text.strip() else []


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header; SP-API rarely sends one, but when it does it wins."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class SpApiUnreachable(Exception):
    """Timeouts or connection failures outlasted the retry policy."""

    def __init__(self, operation: str, attempts: int, cause: BaseException) -> None:
        self.operation = operation
        self.attempts = attempts
        super().__init__(
            f"{operation}: no answer after {attempts} attempt(s) ({type(cause).__name__}: {cause or 'no detail'}); "
            "check the network and the endpoint URL in the settings"
        )


class AuthError(Exception):
    """Login with Amazon refused the seller account's credentials; the message says which and what to check."""

    def __init__(self, seller_account: str, code: str, message: str) -> None:
        self.seller_account = seller_account
        self.code = code
        super().__init__(message)


class ReportDocumentError(Exception):
    """A report document could not be downloaded, decompressed or decoded."""

    def __init__(self, message: str, *, report_document_id: str, report_id: str | None = None) -> None:
        self.report_document_id = report_document_id
        self.report_id = report_id
        super().__init__(message)


class StillRunning(TimeoutError):
    """Something Amazon processes asynchronously (a report, a feed, a vendor transaction) did not finish within the
    time we were willing to wait; `advice` says what to do next."""

    def __init__(self, what: str, item_id: str, last_status: str, waited_seconds: float, advice: str) -> None:
        self.last_status = last_status
        super().__init__(f"{what} {item_id} is still {last_status} after {waited_seconds:.0f}s{advice}")


class ReportTimeout(StillRunning):
    """A report did not reach DONE, CANCELLED or FATAL within the time we were willing to wait."""

    def __init__(self, report_id: str, last_status: str, waited_seconds: float) -> None:
        self.report_id = report_id
        super().__init__("report", report_id, last_status, waited_seconds,
                         "; Amazon may be busy: wait longer or poll it again later (it keeps its id)")


class FeedTimeout(StillRunning):
    """A feed did not reach DONE, CANCELLED or FATAL within the time we were willing to wait."""

    def __init__(self, feed_id: str, last_status: str, waited_seconds: float) -> None:
        self.feed_id = feed_id
        super().__init__("feed", feed_id, last_status, waited_seconds,
                         "; feeds are queued per seller and cannot be hurried: poll it again later (it keeps its id) "
                         "before submitting the same changes again")


class TransactionTimeout(StillRunning):
    """A vendor acknowledgement's transaction did not turn Success or Failure within the time we were willing to
    wait."""

    def __init__(self, transaction_id: str, last_status: str, waited_seconds: float) -> None:
        self.transaction_id = transaction_id
        super().__init__("transaction", transaction_id, last_status, waited_seconds,
                         ": Amazon has not said whether it took the acknowledgement. Poll the transaction again later "
                         "(it keeps its id) rather than sending the acknowledgement again; if it never turns, check "
                         "the order in Vendor Central")
