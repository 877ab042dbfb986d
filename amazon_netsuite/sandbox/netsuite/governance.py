"""The gate in front of every NetSuite call: login (a bearer token this sandbox issued and has not revoked, or a
valid TBA signature), the login fault knobs, then concurrency governance: more requests in flight than the
account's limit → 429 CONCURRENCY_LIMIT_EXCEEDED.

The latency knob is spent while holding a slot, as a slow NetSuite would, so limit ÷ latency is the ceiling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from amazon_netsuite.sandbox.netsuite.auth import bearer_token
from amazon_netsuite.sandbox.netsuite.errors import error_response, unauthorized
from amazon_netsuite.sandbox.netsuite.tba import TbaRefused

log = logging.getLogger(__name__)
Handler = Callable[[Request], Awaitable[Response]]


def _logged_in(request: Request, login_faults: bool) -> bool:
    netsuite = request.app.state.netsuite
    authorization = request.headers.get("authorization") or ""
    token = bearer_token(authorization)
    if token is not None:
        if not netsuite.tokens.valid(token):
            return False
    elif authorization[:6].lower() == "oauth ":
        try:
            netsuite.tba.verify(request.method, str(request.url), authorization)
        except TbaRefused as refused:
            log.info("NetSuite sandbox: TBA refused: %s", refused)
            return False
    else:
        return False
    if not login_faults:
        return True
    injector = request.app.state.sandbox.faults
    faults = injector.faults
    if faults.netsuite_invalid_login:
        return False
    if faults.netsuite_invalid_login_next:
        # Runs on the event loop, so no other request reads the counter between this check and the update.
        injector.update({"netsuite_invalid_login_next": faults.netsuite_invalid_login_next - 1})
        if token is not None:
            netsuite.tokens.revoke(token)
        return False
    return True


def _gate(handler: Handler, login_faults: bool) -> Handler:
    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        if not _logged_in(request, login_faults):
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


def governed(handler: Handler) -> Handler:
    """A record or SuiteQL route: login (with the login fault knobs), a concurrency slot (or 429), the latency."""
    return _gate(handler, login_faults=True)


GOVERNANCE_LIMITS_PATH = "/services/rest/system/v1/governanceLimits"


async def _governance_limits(request: Request) -> Response:
    """`GET /services/rest/system/v1/governanceLimits`: the whole account limit, none allocated elsewhere."""
    limit = request.app.state.netsuite.concurrency_limit
    return JSONResponse({"accountConcurrencyLimit": limit, "accountUnallocatedConcurrencyLimit": limit,
                         "integrationConcurrencyLimit": limit, "integrationLimitType": "accountLimit"})


# A system call, not a record or SuiteQL call: the login fault knobs leave it alone.
governance_limits = _gate(_governance_limits, login_faults=False)
