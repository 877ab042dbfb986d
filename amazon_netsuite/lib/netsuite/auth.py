"""NetSuite authentication: OAuth 2.0 client credentials (M2M, primary) and Token-Based Auth (OAuth 1.0a, legacy).

Both expose `headers(method, url)`, called once per attempt: a retried TBA request is signed again with a fresh
nonce and timestamp (NetSuite rejects a replayed signature), and an M2M request picks up a renewed token.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Callable, Protocol

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from oauthlib import oauth1

from amazon_netsuite.lib.oauth import oauth_error
from amazon_netsuite.lib.netsuite.errors import NetSuiteAuthError, NetSuiteError
from amazon_netsuite.lib.settings import NetSuiteConnection

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# NetSuite requires exp < 60 minutes after iat; 50 minutes leaves room for clock skew.
ASSERTION_LIFETIME_SECONDS = 3000
# Renew this long before `expires_in` runs out, so a token never expires between check and use.
REFRESH_MARGIN_SECONDS = 60.0

_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


class Authenticator(Protocol):
    def headers(self, method: str, url: str) -> dict[str, str]: ...

    def invalidate(self) -> None: ...


def signing_key(private_key_pem: str) -> tuple[ECKey | RSAKey, str]:
    """The JOSE key and NetSuite-accepted algorithm for a PEM private key (EC → ES256/384/512, RSA → PS256)."""
    pem = private_key_pem.encode() if isinstance(private_key_pem, str) else private_key_pem
    loaded = serialization.load_pem_private_key(pem, password=None)
    if isinstance(loaded, ec.EllipticCurvePrivateKey):
        alg = _EC_ALGORITHMS.get(loaded.curve.name)
        if alg:
            return ECKey.import_key(private_key_pem), alg
        raise ValueError(f"EC curve {loaded.curve.name} is not accepted by NetSuite (use P-256, P-384 or P-521)")
    if isinstance(loaded, rsa.RSAPrivateKey):
        # NetSuite accepts PS256/384/512 but not RS256.
        return RSAKey.import_key(private_key_pem), "PS256"
    raise ValueError(f"unsupported private key type {type(loaded).__name__} (use an EC or RSA key)")


class M2MAuth:
    """OAuth 2.0 client credentials with a signed JWT assertion; the bearer token is cached and shared by threads."""

    def __init__(
        self,
        connection: NetSuiteConnection,
        http: httpx.Client,
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        if not (connection.client_id and connection.certificate_id and connection.private_key_pem):
            raise NetSuiteAuthError(
                None,
                "missing_credentials",
                "OAuth 2.0 M2M needs a client id, a certificate id and a private key; set the variables named in "
                "the settings' netsuite.credentials (client_id_env, certificate_id_env, private_key_path_env)",
                operation="NetSuite token request",
            )
        self._connection = connection
        self._http = http
        self._clock = clock
        self._margin = refresh_margin
        self._key, self.algorithm = signing_key(connection.private_key_pem)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.exchanges = 0  # token requests made; tests and logs read it

    def client_assertion(self) -> str:
        """A fresh JWT for the token endpoint, signed with the certificate's private key."""
        now = int(self._clock())
        header = {"typ": "JWT", "alg": self.algorithm, "kid": self._connection.certificate_id}
        claims = {
            "iss": self._connection.client_id,
            "scope": ["rest_webservices"],
            "aud": self._connection.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(header, claims, self._key, algorithms=[self.algorithm])

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                token, lifetime = self._request_token()
                # Short-lived tokens (tests) keep most of their life instead of expiring at once.
                self._expires_at = self._clock() + lifetime - min(self._margin, lifetime * 0.1)
                self._token = token
            return self._token

    def headers(self, method: str, url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token()}"}

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _request_token(self) -> tuple[str, float]:
        operation = f"NetSuite token request ({self._connection.token_url})"
        response = self._http.post(
            self._connection.token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": self.client_assertion(),
            },
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise NetSuiteError.from_response(response, operation)  # retryable: the client's policy decides
        if response.is_error:
            raise self._auth_error(response, operation)
        body = response.json()
        if not body.get("access_token"):
            raise NetSuiteAuthError(response.status_code, "no_access_token",
                                    "the token endpoint answered without an access_token; check the token URL",
                                    operation=operation)
        self.exchanges += 1
        return body["access_token"], float(body.get("expires_in", 3600))

    def _auth_error(self, response: httpx.Response, operation: str) -> NetSuiteAuthError:
        code, said = oauth_error(response)
        c = self._connection
        detail = (
            f"NetSuite refused the client assertion of client id {c.client_id!r} signed with certificate id "
            f"{c.certificate_id!r} ({said or code}). Check in Setup > Integration > OAuth 2.0 Client Credentials "
            f"(M2M) Setup that this certificate is uploaded for this client id and a role, has not expired or been "
            f"revoked, and matches the private key; note that sandbox refreshes clear M2M mappings"
        )
        return NetSuiteAuthError(response.status_code, code, detail, operation=operation)


class TbaAuth:
    """Token-Based Auth (OAuth 1.0a, HMAC-SHA256, realm = account id upper-case). Legacy: retired from 2027.1."""

    def __init__(self, connection: NetSuiteConnection) -> None:
        missing = [n for n in ("consumer_key", "consumer_secret", "token_id", "token_secret")
                   if not getattr(connection, n)]
        if missing:
            raise NetSuiteAuthError(None, "missing_credentials",
                                    f"TBA needs {', '.join(missing)}; set the variables named in the settings' "
                                    "netsuite.credentials", operation="NetSuite TBA signing")
        self.signer = oauth1.Client(
            connection.consumer_key,
            client_secret=connection.consumer_secret,
            resource_owner_key=connection.token_id,
            resource_owner_secret=connection.token_secret,
            signature_method=oauth1.SIGNATURE_HMAC_SHA256,
            # Lower-case `_sb1` in the realm gives INVALID_LOGIN.
            realm=connection.realm.upper(),
        )

    def headers(self, method: str, url: str) -> dict[str, str]:
        # Signed without the body: the JSON body is not part of the RFC 5849 base string (Oracle's examples sign
        # without it). oauthlib draws a fresh nonce and timestamp on every call.
        _, headers, _ = self.signer.sign(url, method.upper())
        return {"Authorization": headers["Authorization"]}

    def invalidate(self) -> None:
        """Nothing to forget: every call is signed afresh."""


def authenticator_for(connection: NetSuiteConnection, http: httpx.Client) -> M2MAuth | TbaAuth:
    return M2MAuth(connection, http) if connection.auth == "oauth2" else TbaAuth(connection)
