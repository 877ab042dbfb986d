"""The M2M client assertion and the TBA signature, checked against independent computations."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import quote, unquote

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from amazon_netsuite.lib.netsuite import M2MAuth, NetSuiteAuthError, TbaAuth, signing_key
from amazon_netsuite.lib.settings import NetSuiteConnection

TOKEN_URL = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
NOW = 1_790_000_000.0


def pem(private_key) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_jwk(private_key, kind):
    return kind.import_key(private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def m2m_connection(private_key_pem: str) -> NetSuiteConnection:
    return NetSuiteConnection(
        account_id="1234567_SB1", realm="1234567_SB1", base_url="https://1234567-sb1.suitetalk.api.netsuite.com",
        token_url=TOKEN_URL, auth="oauth2", client_id="client-abc", certificate_id="cert-42",
        private_key_pem=private_key_pem, sandbox=False,
    )


def tba_connection() -> NetSuiteConnection:
    return NetSuiteConnection(
        account_id="1234567_sb1", realm="1234567_sb1", base_url="https://1234567-sb1.suitetalk.api.netsuite.com",
        token_url=TOKEN_URL, auth="tba", consumer_key="ck-1", consumer_secret="cs&secret", token_id="tk-1",
        token_secret="ts secret", sandbox=False,
    )


@pytest.fixture(scope="module")
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def test_the_client_assertion_names_the_certificate_client_scope_and_audience(ec_key):
    with httpx.Client() as http:
        auth = M2MAuth(m2m_connection(pem(ec_key)), http, clock=lambda: NOW)
        token = jwt.decode(auth.client_assertion(), public_jwk(ec_key, ECKey), algorithms=["ES256"])
    assert token.header == {"typ": "JWT", "alg": "ES256", "kid": "cert-42"}
    claims = token.claims
    assert claims["iss"] == "client-abc"
    assert claims["scope"] == ["rest_webservices"]
    assert claims["aud"] == TOKEN_URL
    assert claims["iat"] == int(NOW)
    assert claims["exp"] - claims["iat"] == 3000  # NetSuite refuses exp ≥ 60 minutes after iat
    assert re.fullmatch(r"[0-9a-f-]{36}", claims["jti"])


def test_every_assertion_has_its_own_jti(ec_key):
    with httpx.Client() as http:
        auth = M2MAuth(m2m_connection(pem(ec_key)), http, clock=lambda: NOW)
        first, second = auth.client_assertion(), auth.client_assertion()
    jtis = {jwt.decode(t, public_jwk(ec_key, ECKey), algorithms=["ES256"]).claims["jti"] for t in (first, second)}
    assert len(jtis) == 2


def test_an_rsa_key_signs_with_ps256_because_netsuite_refuses_rs256():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with httpx.Client() as http:
        assertion = M2MAuth(m2m_connection(pem(key)), http, clock=lambda: NOW).client_assertion()
    token = jwt.decode(assertion, public_jwk(key, RSAKey), algorithms=["PS256"])
    assert token.header["alg"] == "PS256"
    assert token.claims["iss"] == "client-abc"


def test_curves_netsuite_does_not_accept_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="secp256k1 is not accepted"):
        signing_key(pem(ec.generate_private_key(ec.SECP256K1())))
    assert signing_key(pem(ec.generate_private_key(ec.SECP384R1())))[1] == "ES384"


def test_missing_m2m_credentials_name_the_settings_to_fill():
    connection = m2m_connection("unused").model_copy(update={"private_key_pem": None})
    with httpx.Client() as http, pytest.raises(NetSuiteAuthError, match="private_key_path_env"):
        M2MAuth(connection, http)


def _oauth_params(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return {k: v for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def _rfc5849_signature(method: str, url: str, query: dict[str, str], oauth: dict[str, str], secrets: tuple[str, str]):
    """RFC 5849 §3.4 written out by hand: base string, then HMAC-SHA256 keyed by both secrets."""
    enc = lambda s: quote(s, safe="~-._")  # noqa: E731
    params = {k: v for k, v in oauth.items() if k not in ("realm", "oauth_signature")} | query
    normalized = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted((enc(k), enc(v)) for k, v in params.items()))
    base = f"{method}&{enc(url)}&{enc(normalized)}"
    key = f"{enc(secrets[0])}&{enc(secrets[1])}"
    return base, base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()


def test_tba_signs_hmac_sha256_over_the_rfc5849_base_string_with_an_upper_case_realm():
    url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
    header = TbaAuth(tba_connection()).headers("POST", f"{url}?limit=1000&offset=0")["Authorization"]
    oauth = _oauth_params(header)
    assert oauth["realm"] == "1234567_SB1"  # lower-case _sb1 gives INVALID_LOGIN
    assert oauth["oauth_signature_method"] == "HMAC-SHA256"
    assert oauth["oauth_version"] == "1.0"
    assert oauth["oauth_consumer_key"] == "ck-1" and oauth["oauth_token"] == "tk-1"
    assert 6 <= len(oauth["oauth_nonce"]) <= 64 and oauth["oauth_nonce"].isalnum()
    assert "oauth_body_hash" not in oauth
    decoded = {k: unquote(v) for k, v in oauth.items()}
    base, signature = _rfc5849_signature("POST", url, {"limit": "1000", "offset": "0"}, decoded,
                                         ("cs&secret", "ts secret"))
    # Oracle's worked example has this shape: METHOD & encoded URL & encoded sorted parameters, realm left out.
    assert base.startswith("POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery")
    assert "limit%3D1000%26oauth_consumer_key%3Dck-1%26oauth_nonce%3D" in base
    assert "realm" not in base
    assert decoded["oauth_signature"] == signature


def test_every_tba_attempt_gets_a_fresh_nonce():
    auth = TbaAuth(tba_connection())
    url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/eid:AMZ-1"
    nonces = {_oauth_params(auth.headers("PUT", url)["Authorization"])["oauth_nonce"] for _ in range(5)}
    assert len(nonces) == 5


def test_missing_tba_credentials_are_named():
    with pytest.raises(NetSuiteAuthError, match="token_secret"):
        TbaAuth(tba_connection().model_copy(update={"token_secret": None}))
