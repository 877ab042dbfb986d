"""Typed errors of the NetSuite client, parsed from REST web services' `o:errorDetails`.

NetSuite answers every failure with `{"title", "status", "o:errorDetails": [{"detail", "o:errorCode",
"o:errorPath"?, ...}]}`. The first detail decides the class; `str()` says which call failed, what NetSuite said and
where in the body it looked.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

# NetSuite accepts letters, digits, underscore and hyphen in an external id; anything else (even `|`) misbehaves.
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_-]+")


class NetSuiteError(Exception):
    """A NetSuite REST call answered with an error status."""

    retryable = False

    def __init__(
        self,
        status: int | None,
        code: str,
        detail: str,
        error_path: str | None = None,
        *,
        title: str | None = None,
        details: list[dict[str, Any]] | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.error_path = error_path
        self.title = title
        self.details = list(details or [])
        self.operation = operation
        self.retry_after = retry_after
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" at `{self.error_path}`" if self.error_path else ""
        http = f"HTTP {self.status} " if self.status else ""
        text = f"{self.operation or 'NetSuite call'} failed: {http}{self.code}{where}: {self.detail}"
        return text + self.advice()

    def advice(self) -> str:
        return ""

    @classmethod
    def from_response(cls, response: httpx.Response, operation: str | None = None) -> "NetSuiteError":
        try:
            body: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = response.text
        return error_from_body(response.status_code, body, operation=operation,
                               retry_after=_retry_after(response.headers.get("Retry-After")))


class InvalidKeyOrRef(NetSuiteError):
    """400 INVALID_KEY_OR_REF: the body references a record (item, customer, location ...) that does not exist."""

    def advice(self) -> str:
        return "; check that the referenced record exists in NetSuite and the mapping points at its internal id"


class UserError(NetSuiteError):
    """400 USER_ERROR (and other validation codes): NetSuite refused the record as sent."""


class RecordNotFound(NetSuiteError):
    """404 NONEXISTENT_ID: no record with that internal or external id."""


class InvalidLogin(NetSuiteError):
    """401 INVALID_LOGIN: token rejected, or the role lacks REST web services permission."""

    def advice(self) -> str:
        return (
            "; check the credentials in the settings' netsuite.credentials, that the role has the "
            "'REST Web Services' permission, and the Login Audit Trail (Setup > Users/Roles > User Management)"
        )


class ConcurrencyLimitExceeded(NetSuiteError):
    """429 CONCURRENCY_LIMIT_EXCEEDED: the account's concurrent-request limit was full; retried by the client."""

    retryable = True


class UnexpectedError(NetSuiteError):
    """5xx / UNEXPECTED_ERROR: a failure on NetSuite's side; retried by the client where that is safe."""

    retryable = True


class NetSuiteAuthError(NetSuiteError):
    """The OAuth 2.0 token endpoint refused the client assertion (invalid_grant, invalid_client ...)."""


class NetSuiteUnreachable(NetSuiteError):
    """Timeouts or dropped connections outlasted the retries."""


class InvalidExternalId(ValueError):
    """An external id NetSuite would not accept; raised before anything is sent."""


def check_external_id(external_id: str, record_type: str | None = None) -> str:
    """`external_id` if NetSuite accepts it (letters, digits, `_`, `-`), else InvalidExternalId naming the culprit."""
    if isinstance(external_id, str) and EXTERNAL_ID.fullmatch(external_id):
        return external_id
    bad = sorted({c for c in str(external_id) if not EXTERNAL_ID.fullmatch(c)}) if external_id else []
    of = f" for {record_type}" if record_type else ""
    what = f"contains {', '.join(repr(c) for c in bad)}" if bad else "is empty"
    raise InvalidExternalId(
        f"external id {external_id!r}{of} {what}; NetSuite external ids may only use letters, digits, '_' and '-'"
    )


_BY_CODE: dict[str, type[NetSuiteError]] = {
    "CONCURRENCY_LIMIT_EXCEEDED": ConcurrencyLimitExceeded,
    "INVALID_LOGIN": InvalidLogin,
    "INVALID_KEY_OR_REF": InvalidKeyOrRef,
    "NONEXISTENT_ID": RecordNotFound,
    "UNEXPECTED_ERROR": UnexpectedError,
    "USER_ERROR": UserError,
}


def error_class_for(status: int | None, code: str) -> type[NetSuiteError]:
    if status == 429:
        return ConcurrencyLimitExceeded
    if status == 401:
        return InvalidLogin
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status and status >= 500:
        return UnexpectedError
    if status == 404:
        return RecordNotFound
    if status == 400:
        return UserError
    return NetSuiteError


def error_from_body(
    status: int | None, body: Any, *, operation: str | None = None, retry_after: float | None = None
) -> NetSuiteError:
    """The typed error for a decoded error body of any shape (NetSuite JSON, an HTML gateway page, nothing)."""
    details: list[dict[str, Any]] = []
    title = None
    top_code = None
    if isinstance(body, dict):
        title = body.get("title")
        top_code = body.get("o:errorCode")
        raw = body.get("o:errorDetails")
        details = [d for d in raw if isinstance(d, dict)] if isinstance(raw, list) else []
    first = details[0] if details else {}
    # The 429 body carries USER_ERROR at the top and CONCURRENCY_LIMIT_EXCEEDED in the detail: the detail wins.
    code = str(first.get("o:errorCode") or top_code or f"HTTP_{status}")
    if first:
        detail = str(first.get("detail") or title or "")
    elif isinstance(body, str) and body.strip():
        detail = body.strip()[:300]
    else:
        detail = str(title or "no error details in the response")
    return error_class_for(status, code)(
        status,
        code,
        detail,
        first.get("o:errorPath"),
        title=title,
        details=details,
        operation=operation,
        retry_after=retry_after,
    )


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
