"""JSON on the NetSuite wire with exact decimals: numbers with a fraction parse to Decimal and Decimal renders as a
plain JSON number (`19.99`, never `19.989999…`), in request bodies, responses and the SQLite record store alike."""

from __future__ import annotations

from typing import Any

import simplejson
from starlette.requests import Request
from starlette.responses import Response

from amazon_netsuite.sandbox.netsuite.errors import RecordError

SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"


def dumps(value: Any) -> str:
    return simplejson.dumps(value, use_decimal=True, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    return simplejson.loads(text, use_decimal=True)


def json_response(body: Any, status: int = 200, media_type: str = "application/json") -> Response:
    return Response(dumps(body).encode("utf-8"), status_code=status, media_type=media_type)


async def json_body(request: Request) -> dict:
    """The request body as a JSON object (empty body → {}); 400 INVALID_REQUEST otherwise."""
    try:
        body = loads(await request.body() or b"{}")
    except ValueError:
        raise RecordError(400, "INVALID_REQUEST", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise RecordError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    return body
