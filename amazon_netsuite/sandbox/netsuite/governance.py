"""Concurrency governance: more requests in flight than the account's limit → 429 CONCURRENCY_LIMIT_EXCEEDED.

The latency knob is spent while holding a slot, as a slow NetSuite would, so limit ÷ latency is the ceiling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from amazon_netsuite.sandbox.netsuite.auth import bearer_is_valid
from amazon_netsuite.sandbox.netsuite.errors import error_response, unauthorized

Handler = Callable[[Request], Awaitable[Response]]


def governed(handler: Handler) -> Handler:
    """Require a bearer token, take a concurrency slot (or answer 429), add the configured latency."""

    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        if not bearer_is_valid(request.headers.get("authorization")):
            return unauthorized()
        netsuite = request.app.state.netsuite
        if netsuite.in_flight >= netsuite.concurrency_limit:
            netsuite.rejected += 1
            return error_response(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked.")
        netsuite.in_flight += 1
        try:
            if netsuite.latency_ms:
                await asyncio.sleep(netsuite.latency_ms / 1000)
            return await handler(request)
        finally:
            netsuite.in_flight -= 1

    return wrapper


GOVERNANCE_LIMITS_PATH = "/services/rest/system/v1/governanceLimits"


@governed
async def governance_limits(request: Request) -> Response:
    """`GET /services/rest/system/v1/governanceLimits`: the whole account limit, none allocated elsewhere."""
    limit = request.app.state.netsuite.concurrency_limit
    return JSONResponse({"accountConcurrencyLimit": limit, "accountUnallocatedConcurrencyLimit": limit,
                         "integrationConcurrencyLimit": limit, "integrationLimitType": "accountLimit"})
