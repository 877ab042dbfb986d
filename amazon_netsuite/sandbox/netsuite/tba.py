"""Token-Based Auth (OAuth 1.0a) as NetSuite checks it: `Authorization: OAuth realm="<ACCOUNT_ID>", ...` signed
HMAC-SHA256 over the RFC 5849 base string (method, URL, query and oauth_ parameters; the JSON body is not part of
it), with the sandbox's configured consumer and token. oauthlib computes the signature; this module decides."""

from __future__ import annotations

import time
from types import SimpleNamespace

from oauthlib.oauth1.rfc5849 import signature, utils

from amazon_netsuite.lib.settings import (
    SANDBOX_NETSUITE_CONSUMER_KEY,
    SANDBOX_NETSUITE_CONSUMER_SECRET,
    SANDBOX_NETSUITE_TOKEN_ID,
    SANDBOX_NETSUITE_TOKEN_SECRET,
)

MAX_CLOCK_SKEW_SECONDS = 300  # a timestamp further from now than this is refused, and so is a nonce seen within it


class TbaRefused(Exception):
    """Why a TBA request is refused (NetSuite answers every case with INVALID_LOGIN; the reason is for logs)."""


class TbaVerifier:
    """Checks TBA headers for one account: realm, consumer, token, timestamp, nonce (no replays) and signature."""

    def __init__(self, account_id: str, consumers: dict[str, str] | None = None,
                 tokens: dict[str, tuple[str, str]] | None = None) -> None:
        self.realm = account_id.upper()  # NetSuite refuses a lower-case `_sb1`
        self._consumers = consumers or {SANDBOX_NETSUITE_CONSUMER_KEY: SANDBOX_NETSUITE_CONSUMER_SECRET}
        # token id → (consumer key it was issued to, token secret)
        self._tokens = tokens or {SANDBOX_NETSUITE_TOKEN_ID: (SANDBOX_NETSUITE_CONSUMER_KEY,
                                                              SANDBOX_NETSUITE_TOKEN_SECRET)}
        self._seen: dict[tuple[str, str], int] = {}  # (token, nonce) → timestamp
        self._prune_at = 10_000

    def verify(self, method: str, url: str, authorization: str, now: float | None = None) -> None:
        """Returns when the request is signed right; raises TbaRefused naming the reason otherwise."""
        now = time.time() if now is None else now
        try:
            header = dict(utils.parse_authorization_header(authorization))
        except ValueError:
            raise TbaRefused("malformed OAuth Authorization header") from None
        oauth = {k: utils.unescape(v) for k, v in header.items() if k.startswith("oauth_")}
        if header.get("realm") != self.realm:
            raise TbaRefused(f"realm {header.get('realm')!r} is not the account id {self.realm!r}")
        if oauth.get("oauth_signature_method") != "HMAC-SHA256":
            raise TbaRefused(f"signature method {oauth.get('oauth_signature_method')!r} is not HMAC-SHA256")
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise TbaRefused("oauth_version must be 1.0")
        consumer_key, token_id = oauth.get("oauth_consumer_key", ""), oauth.get("oauth_token", "")
        if consumer_key not in self._consumers:
            raise TbaRefused(f"unknown consumer key {consumer_key!r}")
        if self._tokens.get(token_id, ("",))[0] != consumer_key:
            raise TbaRefused(f"unknown token {token_id!r} for this consumer key")
        timestamp, nonce = oauth.get("oauth_timestamp", ""), oauth.get("oauth_nonce", "")
        if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            raise TbaRefused(f"timestamp {timestamp!r} is missing or more than {MAX_CLOCK_SKEW_SECONDS}s off")
        if not (6 <= len(nonce) <= 64 and nonce.isalnum()):
            raise TbaRefused("the nonce must be 6–64 letters and digits")
        query = url.partition("?")[2]
        request = SimpleNamespace(
            http_method=method.upper(), uri=url, signature=oauth.get("oauth_signature", ""),
            params=signature.collect_parameters(uri_query=query, headers={"Authorization": authorization}),
        )
        if not signature.verify_hmac_sha256(request, self._consumers[consumer_key], self._tokens[token_id][1]):
            raise TbaRefused("signature does not match")
        if (token_id, nonce) in self._seen:
            raise TbaRefused("nonce already used: every request (and every retry) needs a fresh nonce")
        self._seen[(token_id, nonce)] = int(timestamp)
        if len(self._seen) > self._prune_at:  # forget nonces whose timestamps would be refused anyway
            cutoff = now - 2 * MAX_CLOCK_SKEW_SECONDS
            self._seen = {key: ts for key, ts in self._seen.items() if ts >= cutoff}
            self._prune_at = max(10_000, 2 * len(self._seen))
