"""The OAuth 2.0 client-credentials token endpoint checks the client's JWT the way NetSuite does."""

from __future__ import annotations

import time

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from amazon_netsuite.lib.settings import netsuite_host
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, TOKEN_PATH, client_assertion, request_token


def _pem(private_key) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def test_a_good_es256_assertion_gets_a_bearer_token_for_an_hour(sandbox):
    with httpx.Client(base_url=sandbox.url) as http:
        response = request_token(http, client_assertion(sandbox.url + TOKEN_PATH))
        assert response.status_code == 200
        body = response.json()
        assert body["expires_in"] == 3600 and body["token_type"] == "bearer"
        ok = http.get(f"{RECORDS}/currency/eid:USD", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert ok.status_code == 200 and ok.json()["symbol"] == "USD"


def test_the_audience_may_be_the_accounts_real_token_url_and_scope_a_comma_list(sandbox):
    audience = netsuite_host(sandbox.state.settings.netsuite.account_id) + TOKEN_PATH
    with httpx.Client(base_url=sandbox.url) as http:
        response = request_token(http, client_assertion(audience, scope="restlets,rest_webservices"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("rs256", "invalid_grant"),
        ("wrong_key", "invalid_grant"),
        ("wrong_kid", "invalid_client"),
        ("wrong_iss", "invalid_client"),
        ("wrong_aud", "invalid_grant"),
        ("no_scope", "invalid_grant"),
        ("too_long", "invalid_grant"),
        ("expired", "invalid_grant"),
    ],
)
def test_a_bad_assertion_is_refused_with_the_oauth_error(sandbox, case, error):
    audience, now = sandbox.url + TOKEN_PATH, int(time.time())
    assertion = {
        "rs256": lambda: client_assertion(audience, alg="RS256", key=_pem(rsa.generate_private_key(65537, 2048))),
        "wrong_key": lambda: client_assertion(audience, key=_pem(ec.generate_private_key(ec.SECP256R1()))),
        "wrong_kid": lambda: client_assertion(audience, header={"kid": "someone-elses-certificate"}),
        "wrong_iss": lambda: client_assertion(audience, iss="another-integration"),
        "wrong_aud": lambda: client_assertion("https://example.com" + TOKEN_PATH),
        "no_scope": lambda: client_assertion(audience, scope=["restlets"]),
        "too_long": lambda: client_assertion(audience, iat=now, exp=now + 3601),
        "expired": lambda: client_assertion(audience, iat=now - 600, exp=now - 60),
    }[case]()
    with httpx.Client(base_url=sandbox.url) as http:
        response = request_token(http, assertion)
    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_another_grant_type_is_unsupported(sandbox):
    with httpx.Client(base_url=sandbox.url) as http:
        response = http.post(TOKEN_PATH, data={"grant_type": "authorization_code"})
    assert response.status_code == 400 and response.json() == {"error": "unsupported_grant_type"}


@pytest.mark.parametrize("authorization", [None, "Bearer nsbx.forged.0000", "Basic dXNlcjpwdw=="])
def test_record_calls_without_a_valid_token_get_netsuites_invalid_login(sandbox, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(base_url=sandbox.url) as http:
        response = http.get(f"{RECORDS}/customer/1", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2"
    assert body["title"] == "Unauthorized" and body["status"] == 401
    assert body["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert body["o:errorDetails"][0]["detail"].startswith("Invalid login attempt.")
