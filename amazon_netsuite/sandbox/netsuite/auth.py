"""OAuth 2.0 client credentials (M2M): the token endpoint that verifies the client's JWT assertion, the bearer
tokens it issues, and the admin hook that revokes them (`POST /_sandbox/netsuite/tokens`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from amazon_netsuite.lib.settings import (
    SANDBOX_NETSUITE_CERTIFICATE_ID,
    SANDBOX_NETSUITE_CLIENT_ID,
    netsuite_host,
)

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
PUBLIC_KEY_PATH = Path(__file__).with_name("m2m_public_key.pem")
ACCESS_TOKEN_TTL_SECONDS = 3600
MAX_ASSERTION_LIFETIME_SECONDS = 3600
ALLOWED_ALGORITHMS = ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]  # NetSuite refuses RS256
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_SIGNING_KEY = b"amazon-netsuite sandbox NetSuite M2M"


class AssertionRefused(Exception):
    def __init__(self, error: str, reason: str) -> None:
        super().__init__(reason)
        self.error = error


@cache
def _public_key() -> ECKey:
    return ECKey.import_key(PUBLIC_KEY_PATH.read_text())


def _header(assertion: str) -> dict:
    try:
        segment = assertion.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError):
        raise AssertionRefused("invalid_grant", "the client assertion is not a JWT") from None


def verify_assertion(assertion: str, audiences: set[str], now: float | None = None) -> dict:
    """The claims of a valid client assertion; raises AssertionRefused (invalid_client / invalid_grant)."""
    header = _header(assertion)
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise AssertionRefused("invalid_grant", f"alg {header.get('alg')!r} is not one of {ALLOWED_ALGORITHMS}")
    if header.get("kid") != SANDBOX_NETSUITE_CERTIFICATE_ID:
        raise AssertionRefused("invalid_client", f"no certificate with kid {header.get('kid')!r}")
    try:
        claims = jwt.decode(assertion, _public_key(), algorithms=ALLOWED_ALGORITHMS).claims
    except (JoseError, ValueError) as exc:
        raise AssertionRefused("invalid_grant", f"signature: {exc}") from None
    if claims.get("iss") != SANDBOX_NETSUITE_CLIENT_ID:
        raise AssertionRefused("invalid_client", f"unknown client id {claims.get('iss')!r}")
    if claims.get("aud") not in audiences:
        raise AssertionRefused("invalid_grant", f"aud {claims.get('aud')!r} is not this token endpoint")
    scope = claims.get("scope")
    scopes = scope if isinstance(scope, list) else str(scope or "").split(",")
    if "rest_webservices" not in [s.strip() for s in scopes]:
        raise AssertionRefused("invalid_grant", "scope does not contain rest_webservices")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
        raise AssertionRefused("invalid_grant", "iat and exp are required")
    if exp - iat > MAX_ASSERTION_LIFETIME_SECONDS:
        raise AssertionRefused("invalid_grant", "exp is more than 60 minutes after iat")
    if (time.time() if now is None else now) >= exp:
        raise AssertionRefused("invalid_grant", "the client assertion has expired")
    return dict(claims)


def _sign(payload: str) -> str:
    return hmac.new(_SIGNING_KEY, payload.encode(), hashlib.sha256).hexdigest()[:40]


class AccessTokens:
    """Bearer tokens: signed, not stored, so they survive a sandbox restart (for their hour). Revocation (the admin
    hook and the `netsuite_invalid_login_next` fault) is kept in memory: it lasts until the sandbox stops."""

    def __init__(self) -> None:
        self.issued = 0
        self._revoked: set[str] = set()
        self._valid_after_ns = 0  # tokens issued at or before this instant are revoked

    def issue(self, client_id: str, expires_at: float) -> str:
        payload = base64.urlsafe_b64encode(
            json.dumps([client_id, int(expires_at), time.time_ns()]).encode()).decode().rstrip("=")
        self.issued += 1
        return f"nsbx.{payload}.{_sign(payload)}"

    def valid(self, token: str, now: float | None = None) -> bool:
        """True for an unexpired, unrevoked token this sandbox issued."""
        if not token.startswith("nsbx.") or token in self._revoked:
            return False
        payload, _, signature = token.removeprefix("nsbx.").rpartition(".")
        if not hmac.compare_digest(_sign(payload), signature):
            return False
        try:
            client_id, expires_at, issued_ns = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            return False
        return (client_id == SANDBOX_NETSUITE_CLIENT_ID and (time.time() if now is None else now) < expires_at
                and issued_ns > self._valid_after_ns)

    def revoke(self, token: str) -> None:
        self._revoked.add(token)

    def revoke_all(self) -> None:
        self._valid_after_ns = time.time_ns()


def bearer_token(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <token>`, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _oauth_error(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


async def token_endpoint(request: Request) -> JSONResponse:
    """`POST /services/rest/auth/oauth2/v1/token` (client_credentials with a JWT client assertion)."""
    # Parsed by hand: starlette's form parser needs python-multipart, which nothing else here needs.
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type")
    if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
        return _oauth_error("invalid_request")
    # The client may address us by our loopback URL or by the account's real host name.
    account_id = request.app.state.sandbox.settings.netsuite.account_id
    audiences = {str(request.url.replace(query="")), netsuite_host(account_id) + TOKEN_PATH}
    try:
        claims = verify_assertion(str(form["client_assertion"]), audiences)
    except AssertionRefused as refused:
        return _oauth_error(refused.error)
    if request.app.state.sandbox.faults.faults.netsuite_invalid_login:
        return _oauth_error("invalid_grant")  # fault knob: the integration's access has been withdrawn
    token = request.app.state.netsuite.tokens.issue(claims["iss"], time.time() + ACCESS_TOKEN_TTL_SECONDS)
    return JSONResponse({"access_token": token, "expires_in": ACCESS_TOKEN_TTL_SECONDS, "token_type": "bearer"})


TOKENS_ADMIN_PATH = "/_sandbox/netsuite/tokens"


async def tokens_admin(request: Request) -> JSONResponse:
    """GET counts; POST {"revoke": "all"} revokes every bearer token issued so far (a new token request works),
    POST {"revoke": "<token>"} revokes one. Lets a test make NetSuite answer 401 INVALID_LOGIN mid-run."""
    tokens: AccessTokens = request.app.state.netsuite.tokens
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        target = body.get("revoke") if isinstance(body, dict) else None
        if not isinstance(target, str) or not target:
            return JSONResponse({"error": 'send {"revoke": "all"} or {"revoke": "<access token>"}'}, status_code=400)
        if target == "all":
            tokens.revoke_all()
        else:
            tokens.revoke(target)
    return JSONResponse({"issued": tokens.issued})
