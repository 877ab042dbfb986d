"""NetSuite REST web services client: records (create, upsert, get, list, patch, transform) and SuiteQL.

One httpx.Client per NetSuiteClient, shared by threads. At most `concurrency_limit` requests are in flight at once
(NetSuite's governance counts SOAP, REST and RESTlets of the whole account); a 429 CONCURRENCY_LIMIT_EXCEEDED, a
5xx or a timeout is retried with jittered exponential backoff, re-authenticating every attempt.

Money never passes through float: record bodies carry Decimal, or a decimal string in one of NetSuite's number
fields (`amount`, `rate`, `shippingCost` ...), and both go on the wire as the exact JSON number (`19.90`, never
`19.899999…` nor `"19.90"`); a float is refused before sending. Responses are parsed with numbers that have a
fraction as Decimal.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import urlparse

import httpx
import simplejson

from amazon_netsuite.lib.http_retry import RETRYABLE_TRANSPORT_ERRORS, RetryPolicy, retry_after_attribute
from amazon_netsuite.lib.netsuite.auth import Authenticator, authenticator_for
from amazon_netsuite.lib.netsuite.errors import (
    ConcurrencyLimitExceeded,
    InvalidLogin,
    NetSuiteError,
    NetSuiteUnreachable,
    check_external_id,
)
from amazon_netsuite.lib.settings import NetSuiteConnection

log = logging.getLogger(__name__)

# Failures where the request never reached NetSuite: safe to resend even a create.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
SUITEQL_MAX_PAGE = 1000
# Record writes refuse a body field the record does not have, instead of NetSuite's default of dropping it with a
# warning: a misspelled field must fail, not lose its value (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html).
STRICT_WRITE = {"X-NetSuite-PropertyNameValidation": "error"}
# NetSuite's number-typed body and line fields that we write (REST API Browser schemas: `number`, format double).
# The builders keep amounts as exact decimal strings (what the ledger hashes); NetSuite documents numbers.
NUMBER_FIELDS = frozenset({"amount", "rate", "quantity", "shippingCost", "handlingCost", "taxTotal", "taxAmount",
                           "taxBasis", "taxRate", "discountTotal", "exchangeRate", "payment", "debit", "credit",
                           "paymentAmount", "packageWeight"})
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class _RetryLogin(Exception):
    """Internal: a 401 on a cached bearer token; renew it and try again once."""


class NetSuiteClient:
    """Thread-safe NetSuite REST client for one account."""

    def __init__(
        self,
        connection: NetSuiteConnection,
        *,
        timeout: float = 60.0,
        max_attempts: int = 8,
        initial_backoff: float = 0.5,
        max_backoff: float = 30.0,
        concurrency_limit: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.connection = connection
        self.concurrency_limit = concurrency_limit or connection.concurrency_limit
        # Bounded by attempts only (no wall-clock cap); retries are logged at INFO.
        self.retry_policy = RetryPolicy(
            max_attempts=max_attempts, max_total_seconds=None, initial_backoff=initial_backoff,
            max_backoff=max_backoff, retry_after=_retry_after, on_retry=self._count_retry,
            unreachable=_unreachable, log_level=logging.INFO, sleep=sleep, rng=rng or random.Random(),
        )
        self._owns_http = http is None
        self.http = http or httpx.Client(
            timeout=timeout, limits=httpx.Limits(max_connections=max(self.concurrency_limit, 1) + 2)
        )
        self.auth: Authenticator = authenticator_for(connection, self.http)
        self._slots = threading.BoundedSemaphore(self.concurrency_limit)
        self._stats_lock = threading.Lock()
        self.requests = 0  # HTTP requests sent (token requests excluded)
        self.retries = 0  # attempts that were retried

    # --- record API -------------------------------------------------------------------------------------

    def record_url(self, record_type: str, key: str | int | None = None) -> str:
        url = f"{self.connection.base_url}/services/rest/record/v1/{record_type}"
        return url if key is None else f"{url}/{key}"

    def create(self, record_type: str, body: dict[str, Any]) -> str:
        """POST a new record; its internal id (from the Location header). Prefer `upsert` for anything re-runnable."""
        operation = f"create {record_type}"
        # Not idempotent: a timeout after sending may have created the record, so only never-sent requests retry.
        response = self.request("POST", self.record_url(record_type), json=wire_body(body), headers=STRICT_WRITE,
                                operation=operation, idempotent=False)
        return _id_from_location(response, operation)

    def upsert(
        self, record_type: str, external_id: str, body: dict[str, Any], *, replace: str | None = None
    ) -> str | None:
        """PUT by external id: creates the record or updates it. The internal id when NetSuite sends a Location."""
        check_external_id(external_id, record_type)
        params = {"replace": replace} if replace else None
        response = self.request(
            "PUT", self.record_url(record_type, f"eid:{external_id}"), json=wire_body(body), params=params,
            headers=STRICT_WRITE,
            operation=f"upsert {record_type} eid:{external_id}",
        )
        location = response.headers.get("Location")
        return _last_segment(location) if location else None

    def get(self, record_type: str, key: str | int, *, expand_sub_resources: bool = False,
            fields: list[str] | None = None) -> dict[str, Any]:
        """One record by internal id, or by external id as `eid:<id>`."""
        key = self._key(record_type, key)
        params: dict[str, str] = {}
        if expand_sub_resources:
            params["expandSubResources"] = "true"
        if fields:
            params["fields"] = ",".join(fields)
        response = self.request("GET", self.record_url(record_type, key), params=params or None,
                                operation=f"get {record_type} {key}")
        return parse_json(response)

    def list(self, record_type: str, q: str | None = None, *, page_size: int = SUITEQL_MAX_PAGE) -> Iterator[str]:
        """Internal ids of the records of a type, optionally filtered by a `q` expression (`externalId IS "X"`,
        `tranDate ON_OR_AFTER "11/1/2026"`), page by page. Bulk reads of fields are cheaper through SuiteQL."""
        if not 1 <= page_size <= SUITEQL_MAX_PAGE:
            raise ValueError(f"page_size must be 1..{SUITEQL_MAX_PAGE}, got {page_size}")
        offset = 0
        while True:
            params: dict[str, Any] = {"limit": page_size, "offset": offset}
            if q:
                params["q"] = q
            page = parse_json(self.request("GET", self.record_url(record_type), params=params,
                                           operation=f"list {record_type} at offset {offset}"))
            items = page.get("items") or []
            for item in items:
                yield str(item["id"])
            if not page.get("hasMore") or not items:
                return
            offset += page_size

    def patch(
        self, record_type: str, key: str | int, body: dict[str, Any], *, replace: str | list[str] | None = None
    ) -> None:
        """Update the given fields; `replace` names sublists whose lines the body replaces (else lines are appended)."""
        key = self._key(record_type, key)
        if isinstance(replace, (list, tuple)):
            replace = ",".join(replace)
        self.request("PATCH", self.record_url(record_type, key), json=wire_body(body), headers=STRICT_WRITE,
                     params={"replace": replace} if replace else None, operation=f"patch {record_type} {key}")

    def delete(self, record_type: str, key: str | int) -> None:
        """DELETE a record (an internal id or `eid:...`); NetSuite refuses while other records depend on it."""
        key = self._key(record_type, key)
        self.request("DELETE", self.record_url(record_type, key), operation=f"delete {record_type} {key}")

    def transform(self, record_type: str, key: str | int, target: str, body: dict[str, Any] | None = None,
                  replace: str | None = None) -> str:
        """`!transform` a record into `target` (salesOrder → cashSale, invoice ...); the new record's internal id.
        `replace` names the sublists whose lines the body's replace instead of updating the source's."""
        key = self._key(record_type, key)
        operation = f"transform {record_type} {key} to {target}"
        response = self.request("POST", f"{self.record_url(record_type, key)}/!transform/{target}",
                                json=wire_body(body or {}), headers=STRICT_WRITE, operation=operation, idempotent=False,
                                params={"replace": replace} if replace else None)
        return _id_from_location(response, operation)

    def governance_limits(self) -> dict[str, Any]:
        """The account's and this integration's concurrency limits (admin role only)."""
        url = f"{self.connection.base_url}/services/rest/system/v1/governanceLimits"
        return parse_json(self.request("GET", url, operation="read governance limits"))

    # --- SuiteQL --------------------------------------------------------------------------------------------

    def suiteql(self, query: str, params: list[Any] | None = None, *, page_size: int = SUITEQL_MAX_PAGE,
                max_rows: int | None = None) -> Iterator[dict[str, Any]]:
        """Rows of a SuiteQL query (lower-case column names, values as NetSuite returns them), paged by offset.

        Order by a unique key so pages neither skip nor repeat rows; NetSuite stops at 100,000 rows.
        """
        if not 1 <= page_size <= SUITEQL_MAX_PAGE:
            raise ValueError(f"page_size must be 1..{SUITEQL_MAX_PAGE}, got {page_size}")
        url = f"{self.connection.base_url}/services/rest/query/v1/suiteql"
        body: dict[str, Any] = {"q": query}
        if params:
            body["params"] = [str(p) for p in params]
        offset = 0
        while max_rows is None or offset < max_rows:
            page = parse_json(self.request(
                "POST", url, json=body, params={"limit": page_size, "offset": offset},
                headers={"Prefer": "transient"}, operation=f"SuiteQL page at offset {offset}",
            ))
            items = page.get("items") or []
            for item in items:
                yield {k: v for k, v in item.items() if k != "links"}
            if not page.get("hasMore") or not items:
                return
            # NetSuite requires offset to be a multiple of limit; full pages keep it so.
            offset += page_size

    def suiteql_by_key(self, query: str, params: list[Any] | None = None, *, key: str = "id",
                       page_size: int = SUITEQL_MAX_PAGE) -> Iterator[dict[str, Any]]:
        """Rows of `query` in ascending numeric `key` order, paged by key rather than offset.

        NetSuite stops offset paging at 100,000 rows; asking for `key > last` page by page has no such cap.
        `query` must select `key` and must not ORDER BY (the wrapper does).
        """
        last = -1  # internal ids are positive
        while True:
            page = list(self.suiteql(
                f"SELECT * FROM ({query}) WHERE {key} > ? ORDER BY {key}", [*(params or []), last],
                page_size=page_size, max_rows=page_size,
            ))
            yield from page
            if len(page) < page_size:
                return
            last = int(page[-1][key])

    # --- transport ------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        operation: str | None = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """Send one call under the concurrency limit and the retry policy; a typed NetSuiteError when it fails.
        `json` is encoded with Decimal as exact JSON numbers."""
        operation = operation or f"{method} {url}"

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, _RetryLogin):
                return True
            if isinstance(exc, NetSuiteError):
                return exc.retryable and (idempotent or isinstance(exc, ConcurrencyLimitExceeded))
            if isinstance(exc, NOT_SENT_ERRORS):
                return True
            return idempotent and isinstance(exc, RETRYABLE_TRANSPORT_ERRORS)

        state = {"renewed": False}

        content = (None if json is None
                   else simplejson.dumps(json, use_decimal=True, separators=(",", ":")).encode("utf-8"))
        if content is not None:
            headers = {"Content-Type": "application/json", **(headers or {})}

        def attempt() -> httpx.Response:
            request = self.http.build_request(method, url, content=content, params=params, headers=headers)
            with self._slots:
                # Authenticate inside the attempt: TBA signs afresh, M2M picks up a renewed token.
                request.headers.update(self.auth.headers(method, str(request.url)))
                with self._stats_lock:
                    self.requests += 1
                response = self.http.send(request)
            if response.is_success:
                return response
            error = NetSuiteError.from_response(response, operation)
            if isinstance(error, InvalidLogin) and self.connection.auth == "oauth2" and not state["renewed"]:
                # A bearer token may lapse between our expiry estimate and NetSuite's; renew it once.
                state["renewed"] = True
                self.auth.invalidate()
                raise _RetryLogin() from error
            raise error

        try:
            return self.retry_policy.call(attempt, operation=operation, retryable=retryable)
        except _RetryLogin as exc:
            raise exc.__cause__ from None  # type: ignore[misc]

    def _count_retry(self, operation: str, attempt: int, exc: BaseException, wait: float) -> None:
        with self._stats_lock:
            self.retries += 1

    @staticmethod
    def _key(record_type: str, key: str | int) -> str:
        key = str(key)
        if key.startswith("eid:"):
            check_external_id(key[4:], record_type)
        elif not key.isdigit():
            raise ValueError(f"{record_type} key {key!r} is neither an internal id nor eid:<external id>")
        return key

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> "NetSuiteClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def wire_body(value: Any, path: str = "") -> Any:
    """A record body as it goes on the wire: decimal strings in NUMBER_FIELDS become Decimal (written as exact JSON
    numbers); a float anywhere raises ValueError naming its path, since its digits are not the amount's."""
    if isinstance(value, float):
        raise ValueError(f"{path or 'body'} is the float {value!r}: pass money as Decimal or a decimal string")
    if isinstance(value, dict):
        return {name: Decimal(item) if name in NUMBER_FIELDS and isinstance(item, str) and _DECIMAL_TEXT.fullmatch(item)
                else wire_body(item, f"{path}.{name}" if path else name) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire_body(item, f"{path}[{n}]") for n, item in enumerate(value)]
    return value


def parse_json(response: httpx.Response) -> Any:
    """A NetSuite JSON answer with every number that has a fraction as Decimal (integers stay int)."""
    return simplejson.loads(response.content, use_decimal=True)


def _retry_after(exc: BaseException) -> float | None:
    # A renewed bearer token is ready at once; anything else waits as NetSuite asks or backs off.
    return 0.0 if isinstance(exc, _RetryLogin) else retry_after_attribute(exc)


def _unreachable(operation: str, attempts: int, exc: BaseException) -> NetSuiteUnreachable:
    return NetSuiteUnreachable(None, type(exc).__name__, f"{exc or 'no response'} after {attempts} attempt(s)",
                               operation=operation)


def _last_segment(location: str) -> str:
    return urlparse(location).path.rstrip("/").rsplit("/", 1)[-1]


def _id_from_location(response: httpx.Response, operation: str) -> str:
    location = response.headers.get("Location")
    if not location:
        raise NetSuiteError(response.status_code, "NO_LOCATION",
                            "NetSuite answered without a Location header, so the new record's id is unknown",
                            operation=operation)
    return _last_segment(location)
