"""SP-API error bodies (`{"errors": [...]}`) and the request id every response carries."""

from __future__ import annotations

import uuid

from starlette.responses import JSONResponse

REQUEST_ID_HEADER = "x-amzn-RequestId"
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"

ACCESS_DENIED = "Access to requested resource is denied."
TOKEN_EXPIRED = "The access token you provided has expired."
QUOTA_EXCEEDED = "You exceeded your quota for the requested resource."


class ApiError(Exception):
    """An SP-API error response: HTTP status plus one entry of the `errors` list."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


def invalid_input(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NotFound", message)


def new_request_id() -> str:
    return str(uuid.uuid4())


def error_response(
    status: int, code: str, message: str, details: str = "", request_id: str | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"code": code, "message": message, "details": details}]},
        status_code=status,
        headers={REQUEST_ID_HEADER: request_id or new_request_id()},
    )
