"""`SpApiClient`: one HTTP connection pool, the LWA token cache, the usage-plan buckets and the retry policy
for one seller account. API areas (`ReportsApi`, later feeds/orders) are thin classes over it."""

from __future__ import annotations

import json as jsonlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Callable, Mapping

import httpx

from amazon_netsuite.lib.amazon.auth import LwaAuth, is_expired_token_response
from amazon_netsuite.lib.amazon.errors import SpApiError
from amazon_netsuite.lib.amazon.ratelimit import RateLimiter, parse_rate_limit
from amazon_netsuite.lib.amazon.transport import RetryPolicy
from amazon_netsuite.lib.settings import AmazonConnection


def _package_version() -> str:
    try:
        return version("amazon_netsuite")
    except PackageNotFoundError:
        return "0.0.0"


USER_AGENT = f"amazon_netsuite/{_package_version()} (Language=Python)"


@dataclass(frozen=True)
class SpApiResponse:
    """A successful SP-API answer: the decoded body plus the headers a caller may care about."""

    operation: str
    status: int
    payload: Any
    headers: httpx.Headers

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-amzn-RequestId")

    @property
    def rate_limit(self) -> float | None:
        """Requests per second from `x-amzn-RateLimit-Limit`, when Amazon sent it."""
        return parse_rate_limit(self.headers.get("x-amzn-RateLimit-Limit"))

    @property
    def next_token(self) -> str | None:
        """The paging token, wherever this API generation puts it."""
        body = self.payload if isinstance(self.payload, dict) else {}
        payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
        for holder in (body, body.get("pagination") or {}, payload, payload.get("pagination") or {}):
            if isinstance(holder, dict):
                token = holder.get("nextToken") or holder.get("NextToken")
                if token:
                    return str(token)
        return None


class SpApiClient:
    """Talks to SP-API (live or sandbox) for one seller account; close it, or use it as a context manager."""

    def __init__(
        self,
        connection: AmazonConnection,
        *,
        timeout: float = 30.0,
        max_attempts: int = 8,
        max_total_seconds: float = 600.0,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        rate_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.connection = connection
        self.retry_policy = retry_policy or RetryPolicy(
            max_attempts=max_attempts, max_total_seconds=max_total_seconds, clock=clock, sleep=sleep
        )
        self.rate_limiter = rate_limiter or RateLimiter(rate_scale=rate_scale, clock=clock, sleep=sleep)
        self._http = httpx.Client(base_url=connection.endpoint, timeout=timeout, headers={"user-agent": user_agent})
        self.auth = LwaAuth(connection, self._http, retry_policy=self.retry_policy, clock=clock)

    @property
    def seller_account(self) -> str:
        return self.connection.seller_account

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> SpApiResponse:
        """Send one SP-API operation under its usage-plan bucket and the retry policy."""
        query = encode_query(params or {})
        return self.retry_policy.call(
            lambda: self._send_once(operation, method, path, query, json), operation=self._describe(operation)
        )

    def download(self, url: str, *, operation: str) -> httpx.Response:
        """GET a presigned URL (report documents): no SP-API token, no bucket, same retry policy.

        Error statuses are raised as `SpApiError` subclasses; a 403 usually means the URL expired.
        """

        def once() -> httpx.Response:
            response = self._http.get(url)
            if response.is_error:
                raise SpApiError.from_response(response, operation)
            return response

        return self.retry_policy.call(once, operation=operation)

    def upload(self, url: str, content: bytes, content_type: str, *, operation: str) -> httpx.Response:
        """PUT to a presigned URL (feed documents): the twin of `download`. The Content-Type must be the one the
        URL was issued for, or S3 answers 403 SignatureDoesNotMatch."""

        def once() -> httpx.Response:
            response = self._http.put(url, content=content, headers={"content-type": content_type})
            if response.is_error:
                raise SpApiError.from_response(response, operation)
            return response

        return self.retry_policy.call(once, operation=operation)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "SpApiClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _describe(self, operation: str) -> str:
        return f"{operation} (seller account {self.seller_account})"

    def _send_once(
        self, operation: str, method: str, path: str, query: dict[str, str], body: Any
    ) -> SpApiResponse:
        self.rate_limiter.acquire(operation)
        token = self.auth.access_token()
        response = self._send(method, path, query, body, token)
        if is_expired_token_response(response):
            # Our cache thought the token was still good (clock skew, revoked early): refresh once, resend.
            self.auth.invalidate(token)
            response = self._send(method, path, query, body, self.auth.access_token())
        self.rate_limiter.observe_rate_header(operation, response.headers.get("x-amzn-RateLimit-Limit"))
        if response.status_code == 429:
            self.rate_limiter.throttled(operation)
        if response.is_error:
            raise SpApiError.from_response(response, self._describe(operation))
        payload = None
        if response.content:
            try:
                payload = response.json()
            except (jsonlib.JSONDecodeError, UnicodeDecodeError):
                payload = response.text
        return SpApiResponse(operation=operation, status=response.status_code, payload=payload, headers=response.headers)

    def _send(self, method: str, path: str, query: dict[str, str], body: Any, token: str) -> httpx.Response:
        headers = {
            "x-amz-access-token": token,
            "x-amz-date": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        }
        return self._http.request(method, path, params=query or None, json=body, headers=headers)


def encode_query(params: Mapping[str, Any]) -> dict[str, str]:
    """SP-API query strings: lists comma-separated (Swagger `csv`), datetimes ISO 8601 UTC, None dropped."""
    query: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            if not value:
                continue
            query[name] = ",".join(str(v) for v in value)
        elif isinstance(value, datetime):
            query[name] = iso_utc(value)
        elif isinstance(value, bool):
            query[name] = "true" if value else "false"
        else:
            query[name] = str(value)
    return query


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`; a naive datetime is taken to be UTC already (our warehouse convention)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")
