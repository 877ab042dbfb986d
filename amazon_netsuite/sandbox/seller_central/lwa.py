"""Login with Amazon: the refresh-token exchange (`POST /auth/o2/token`) and the access tokens it issues.

Access tokens are signed, not stored, so they stay valid across a sandbox restart (like real ones, for an hour).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Collection
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from amazon_netsuite.lib.settings import SANDBOX_LWA_CLIENT_ID, SANDBOX_LWA_CLIENT_SECRET, sandbox_refresh_token
from amazon_netsuite.sandbox.seller_central.errors import ACCESS_DENIED, TOKEN_EXPIRED

ACCESS_TOKEN_TTL_SECONDS = 3600
_SIGNING_KEY = b"amazon-netsuite sandbox LWA"


def _sign(payload: str) -> str:
    return hmac.new(_SIGNING_KEY, payload.encode(), hashlib.sha256).hexdigest()[:40]


def access_token_for(seller_account_key: str, expires_at: float) -> str:
    """An `Atza|...` token for the seller (or vendor) account, valid until `expires_at` (epoch seconds)."""
    payload = base64.urlsafe_b64encode(json.dumps([seller_account_key, int(expires_at)]).encode()).decode()
    return f"Atza|sandbox.{payload}.{_sign(payload)}"


def verify_access_token(token: str | None, accounts: Collection[str],
                        now: float | None = None) -> tuple[str | None, str]:
    """(account key, "") for a good token of one of `accounts`, else (None, the 403 message Amazon would send)."""
    if not token or not token.startswith("Atza|sandbox."):
        return None, ACCESS_DENIED
    payload, _, signature = token.removeprefix("Atza|sandbox.").rpartition(".")
    if not hmac.compare_digest(_sign(payload), signature):
        return None, ACCESS_DENIED
    try:
        account, expires_at = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None, ACCESS_DENIED
    if (time.time() if now is None else now) >= expires_at:
        return None, TOKEN_EXPIRED
    if account not in accounts:
        return None, ACCESS_DENIED
    return account, ""


def _lwa_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error_description": description, "error": error}, status_code=status)


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or "{}")
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(body).items()}


async def token_endpoint(request: Request) -> JSONResponse:
    """`POST /auth/o2/token` with grant_type=refresh_token, answering with LWA's real bodies."""
    accounts = request.app.state.sandbox.account_keys
    form = await _form(request)
    for required in ("grant_type", "client_id", "client_secret"):
        if not form.get(required):
            return _lwa_error(400, "invalid_request", f"The request is missing a required parameter : {required}")
    if form["grant_type"] != "refresh_token":
        return _lwa_error(
            400,
            "unsupported_grant_type",
            f"The authorization grant type is not supported by the authorization server : {form['grant_type']}",
        )
    if form["client_id"] != SANDBOX_LWA_CLIENT_ID or form["client_secret"] != SANDBOX_LWA_CLIENT_SECRET:
        return _lwa_error(401, "invalid_client", "Client authentication failed")
    refresh_token = form.get("refresh_token", "")
    if not refresh_token:
        return _lwa_error(400, "invalid_request", "The request is missing a required parameter : refresh_token")
    account = next((key for key in accounts if sandbox_refresh_token(key) == refresh_token), None)
    if account is None:
        return _lwa_error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
    return JSONResponse(
        {
            "access_token": access_token_for(account, time.time() + ACCESS_TOKEN_TTL_SECONDS),
            "refresh_token": refresh_token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_TTL_SECONDS,
        },
        headers={"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"},
    )
