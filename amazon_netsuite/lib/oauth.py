"""OAuth 2.0 token-endpoint answers, shared by the Amazon (LWA) and NetSuite clients."""

from __future__ import annotations

import httpx


def oauth_error(response: httpx.Response) -> tuple[str, str]:
    """(error code, description) of a token error response (RFC 6749 §5.2); tolerant of non-JSON bodies."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    code = str(body.get("error") or f"http_{response.status_code}")
    description = str(body.get("error_description") or response.text.strip()[:300])
    return code, description
