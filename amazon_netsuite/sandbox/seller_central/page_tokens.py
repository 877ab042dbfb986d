"""Opaque nextTokens bound to the query that produced them: Amazon wants the same arguments with a token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from starlette.requests import Request

from amazon_netsuite.sandbox.seller_central.errors import invalid_input


def query_hash(request: Request) -> str:
    """A digest of every query parameter but nextToken."""
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k != "nextToken")
    return hashlib.sha1(json.dumps(query).encode()).hexdigest()


def page_token(query_hash: str, **position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"h": query_hash, **position}).encode()).decode()


def read_page_token(token: str, query_hash: str, *names: str) -> tuple[int, ...]:
    """The positions `names` a token carries; 400 InvalidInput for a token not issued for this query."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        position, hashed = tuple(int(data[n]) for n in names), str(data["h"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_input("Invalid nextToken", "The nextToken is not valid") from None
    if hashed != query_hash:
        raise invalid_input("Invalid nextToken", "The nextToken was issued for other query parameters")
    return position
