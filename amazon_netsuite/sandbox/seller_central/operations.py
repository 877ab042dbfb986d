"""What every SP-API operation does around its handler: request id, auth, faults, usage plan, rate header."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from amazon_netsuite.sandbox.seller_central.errors import (
    QUOTA_EXCEEDED,
    RATE_LIMIT_HEADER,
    REQUEST_ID_HEADER,
    ApiError,
    error_response,
    new_request_id,
)
from amazon_netsuite.sandbox.seller_central.lwa import verify_access_token

if TYPE_CHECKING:
    from amazon_netsuite.sandbox.state import SandboxState

Handler = Callable[[Request, "SandboxState", str], Awaitable[Response]]

# Amazon sends x-amzn-RateLimit-Limit "for HTTP status codes 20x, 400 and 404 only".
_RATE_HEADER_STATUSES = {200, 201, 202, 204, 400, 404}


def sp_api_operation(operation: str, *,
                     vendor: bool = False) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler `(request, state, account) -> Response` as the named SP-API operation: of a seller account,
    or with `vendor` of a vendor account (the other kind's token is refused, as Amazon refuses a missing role)."""

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            state = request.app.state.sandbox
            request_id = new_request_id()
            accounts = state.vendor_keys if vendor else state.seller_keys
            account, problem = verify_access_token(request.headers.get("x-amz-access-token"), accounts)
            if account is None:
                return error_response(403, "Unauthorized", problem, request_id=request_id)
            try:
                await state.faults.before_call()
                if not state.limiter.take(account, operation):
                    raise ApiError(429, "QuotaExceeded", QUOTA_EXCEEDED)
                response = await handler(request, state, account)
            except ApiError as exc:
                response = error_response(exc.status, exc.code, exc.message, exc.details, request_id)
            response.headers[REQUEST_ID_HEADER] = request_id
            if response.status_code in _RATE_HEADER_STATUSES:
                response.headers[RATE_LIMIT_HEADER] = state.limiter.rate_header(operation)
            return response

        return endpoint

    return decorate
