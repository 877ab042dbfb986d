"""NetSuite's REST error bodies (`type`, `title`, `status`, `o:errorDetails[]`), as the record API sends them."""

from __future__ import annotations

from starlette.responses import JSONResponse

_TYPES = {
    400: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "Bad Request"),
    401: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "Unauthorized"),
    404: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5", "Not Found"),
    405: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6", "Method Not Allowed"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


class RecordError(Exception):
    """A request NetSuite refuses; `response()` renders it."""

    def __init__(self, status: int, code: str, detail: str, path: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.path = status, code, detail, path

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.detail, self.path)


def error_response(status: int, code: str, detail: str, path: str | None = None) -> JSONResponse:
    type_uri, title = _TYPES.get(status, _TYPES[400])
    item = {"detail": detail, "o:errorCode": code}
    if path is not None:
        item["o:errorPath"] = path
    body: dict = {"type": type_uri, "title": title, "status": status, "o:errorDetails": [item]}
    if status == 429:
        # NetSuite's 429 also carries a top-level USER_ERROR code (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html).
        body["o:errorCode"] = "USER_ERROR"
    return JSONResponse(body, status_code=status, media_type="application/vnd.oracle.resource+json; type=error")


def unauthorized() -> JSONResponse:
    return error_response(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def not_found(record_type: str, key: str) -> RecordError:
    return RecordError(404, "NONEXISTENT_ID", f"Record does not exist. ({record_type} {key})")
