"""Login with Amazon (LWA): exchange a seller account's refresh token for an access token and cache it."""

from __future__ import annotations

import threading
import time
from typing import Callable

import httpx

from amazon_netsuite.lib.amazon.errors import AuthError, SpApiError
from amazon_netsuite.lib.amazon.transport import RetryPolicy
from amazon_netsuite.lib.oauth import oauth_error
from amazon_netsuite.lib.settings import AmazonConnection

# Refresh this long before `expires_in` runs out, so a token never expires between check and use.
REFRESH_MARGIN_SECONDS = 60.0

_ADVICE = {
    "invalid_grant": (
        "Login with Amazon rejected the refresh token. Check the refresh token set for this account "
        "(credentials.refresh_token_env in the settings file); if the seller revoked the app, re-authorize it "
        "in Seller Central to get a new one."
    ),
    "invalid_client": (
        "Login with Amazon rejected the app's client id or secret. Check credentials.lwa_client_id_env and "
        "lwa_client_secret_env in the settings file; LWA client secrets expire every 180 days and must be rotated "
        "in the Developer Console."
    ),
    "unauthorized_client": (
        "the LWA app is not allowed to use this grant. Check that the refresh token was issued to this app "
        "(same client id)."
    ),
}


class LwaAuth:
    """Thread-safe cache of one seller account's LWA access token."""

    def __init__(
        self,
        connection: AmazonConnection,
        http: httpx.Client,
        *,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        self._connection = connection
        self._http = http
        self._retry = retry_policy or RetryPolicy()
        self._clock = clock
        self._margin = refresh_margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.exchanges = 0  # how many token exchanges this cache made; tests and logs read it

    @property
    def seller_account(self) -> str:
        return self._connection.seller_account

    def access_token(self) -> str:
        """A valid access token, exchanging the refresh token only when the cached one is (nearly) expired."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._token, lifetime = self._exchange()
                # Short-lived tokens (tests, sandboxes) keep most of their life instead of expiring at once.
                self._expires_at = self._clock() + lifetime - min(self._margin, lifetime * 0.1)
            return self._token

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, so concurrent callers refresh once)."""
        with self._lock:
            if token is None or token == self._token:
                self._token = None

    def _exchange(self) -> tuple[str, float]:
        operation = f"LWA token exchange (seller account {self.seller_account})"
        response = self._retry.call(lambda: self._post_token_request(operation), operation=operation)
        body = response.json()
        token = body.get("access_token")
        if not token:
            raise AuthError(
                self.seller_account,
                "no_access_token",
                f"seller account {self.seller_account}: the LWA token endpoint {self._connection.lwa_token_url} "
                "answered without an access_token; check the token URL in the settings",
            )
        self.exchanges += 1
        return token, float(body.get("expires_in", 3600))

    def _post_token_request(self, operation: str) -> httpx.Response:
        response = self._http.post(
            self._connection.lwa_token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": self._connection.refresh_token,
                "client_id": self._connection.client_id,
                "client_secret": self._connection.client_secret,
            },
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise SpApiError.from_response(response, operation)  # QuotaExceeded / ServerError: retried
        if response.is_error:
            raise self._auth_error(response)
        return response

    def _auth_error(self, response: httpx.Response) -> AuthError:
        code, description = oauth_error(response)
        advice = _ADVICE.get(code, f"check the LWA credentials and the token URL {self._connection.lwa_token_url}.")
        return AuthError(
            self.seller_account,
            code,
            f"seller account {self.seller_account}: {advice} (LWA answered HTTP {response.status_code} "
            f"{code}: {description})",
        )


def is_expired_token_response(response: httpx.Response) -> bool:
    """SP-API's 403 for an access token past its hour ("The access token you provided has expired.")."""
    if response.status_code != 403:
        return False
    text = response.text.lower()
    return "access token" in text and "expired" in text
