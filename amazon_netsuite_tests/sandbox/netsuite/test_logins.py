"""Who gets in: TBA signatures checked like NetSuite (realm, consumer, token, nonce, query in the base string),
bearer tokens revoked by the admin hook, and the two login fault knobs."""

from __future__ import annotations

import time

import httpx
import pytest
from oauthlib import oauth1

from amazon_netsuite.lib.settings import (
    SANDBOX_NETSUITE_CONSUMER_KEY,
    SANDBOX_NETSUITE_CONSUMER_SECRET,
    SANDBOX_NETSUITE_TOKEN_ID,
    SANDBOX_NETSUITE_TOKEN_SECRET,
)
from amazon_netsuite_tests.sandbox.netsuite.conftest import (
    RECORDS,
    TOKEN_PATH,
    client_assertion,
    netsuite_client,
    request_token,
)

SUITEQL = "/services/rest/query/v1/suiteql"


def tba_header(url: str, method: str = "GET", *, realm: str = "1234567_SB1", token: str = SANDBOX_NETSUITE_TOKEN_ID,
               token_secret: str = SANDBOX_NETSUITE_TOKEN_SECRET, nonce: str | None = None,
               timestamp: str | None = None) -> str:
    signer = oauth1.Client(SANDBOX_NETSUITE_CONSUMER_KEY, client_secret=SANDBOX_NETSUITE_CONSUMER_SECRET,
                           resource_owner_key=token, resource_owner_secret=token_secret,
                           signature_method=oauth1.SIGNATURE_HMAC_SHA256, realm=realm, nonce=nonce,
                           timestamp=timestamp)
    return signer.sign(url, method)[1]["Authorization"]


def _is_invalid_login(response: httpx.Response) -> bool:
    return response.status_code == 401 and response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


def test_a_correctly_signed_tba_request_gets_in_query_parameters_and_all(sandbox):
    url = f"{sandbox.url}{RECORDS}/currency?limit=5&q=symbol%20IS%20%22USD%22"
    response = httpx.get(url, headers={"Authorization": tba_header(url)})
    assert response.status_code == 200, response.text
    assert response.json()["totalResults"] == 1
    query = f"{sandbox.url}{SUITEQL}?limit=10"
    response = httpx.post(query, json={"q": "SELECT symbol FROM currency ORDER BY symbol"},
                          headers={"Authorization": tba_header(query, "POST"), "Prefer": "transient"})
    assert [row["symbol"] for row in response.json()["items"]] == ["CAD", "EUR", "GBP", "JPY", "USD"]


@pytest.mark.parametrize("case", ["wrong_secret", "unknown_token", "lower_case_realm", "other_account",
                                  "query_tampered", "method_tampered", "stale_timestamp"])
def test_a_bad_tba_signature_or_identity_is_invalid_login(sandbox, case):
    url = f"{sandbox.url}{RECORDS}/currency?limit=5"
    header = {
        "wrong_secret": lambda: tba_header(url, token_secret="guess"),
        "unknown_token": lambda: tba_header(url, token="someone-elses-token"),
        "lower_case_realm": lambda: tba_header(url, realm="1234567_sb1"),
        "other_account": lambda: tba_header(url, realm="7654321"),
        "query_tampered": lambda: tba_header(url.replace("limit=5", "limit=6")),
        "method_tampered": lambda: tba_header(url, "POST"),
        "stale_timestamp": lambda: tba_header(url, timestamp=str(int(time.time()) - 3600)),
    }[case]()
    assert _is_invalid_login(httpx.get(url, headers={"Authorization": header}))


def test_a_replayed_tba_nonce_is_refused(sandbox):
    url = f"{sandbox.url}{RECORDS}/currency/eid:USD"
    header = tba_header(url, nonce="replayMe123", timestamp=str(int(time.time())))
    assert httpx.get(url, headers={"Authorization": header}).status_code == 200
    assert _is_invalid_login(httpx.get(url, headers={"Authorization": header}))


def test_an_expired_or_revoked_bearer_token_is_invalid_login_and_a_new_one_works(sandbox):
    with httpx.Client(base_url=sandbox.url) as http:
        assertion = client_assertion(sandbox.url + TOKEN_PATH)
        token = request_token(http, assertion).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert http.get(f"{RECORDS}/currency/eid:USD", headers=auth).status_code == 200
        assert not sandbox.app.state.netsuite.tokens.valid(token, now=time.time() + 3601)  # after its hour
        revoked = http.post("/_sandbox/netsuite/tokens", json={"revoke": "all"})
        assert revoked.status_code == 200 and revoked.json()["issued"] >= 1
        assert _is_invalid_login(http.get(f"{RECORDS}/currency/eid:USD", headers=auth))
        assert _is_invalid_login(http.post(SUITEQL, json={"q": "SELECT 1"}, headers={**auth, "Prefer": "transient"}))
        fresh = request_token(http, client_assertion(sandbox.url + TOKEN_PATH)).json()["access_token"]
        assert http.get(f"{RECORDS}/currency/eid:USD", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
        assert http.post("/_sandbox/netsuite/tokens", json={"revoke": fresh}).status_code == 200
        assert _is_invalid_login(http.get(f"{RECORDS}/currency/eid:USD", headers={"Authorization": f"Bearer {fresh}"}))
        assert http.post("/_sandbox/netsuite/tokens", json={}).status_code == 400


def test_invalid_login_next_refuses_the_next_calls_and_revokes_their_token(sandbox):
    with netsuite_client(sandbox.url) as http:
        assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"netsuite_invalid_login_next": 2}).status_code == 200
        assert _is_invalid_login(http.get(f"{RECORDS}/currency/eid:USD"))
        assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["netsuite_invalid_login_next"] == 1
        assert _is_invalid_login(http.get(f"{RECORDS}/currency/eid:USD"))  # revoked by the first refusal
    with netsuite_client(sandbox.url) as http:  # a new token: the second refusal, then through
        assert _is_invalid_login(http.get(f"{RECORDS}/currency/eid:USD"))
    with netsuite_client(sandbox.url) as http:
        assert http.get(f"{RECORDS}/currency/eid:USD").status_code == 200
        assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["netsuite_invalid_login_next"] == 0


def test_invalid_login_refuses_every_call_and_token_request_until_switched_off(sandbox):
    with netsuite_client(sandbox.url) as http:
        httpx.post(f"{sandbox.url}/_sandbox/faults", json={"netsuite_invalid_login": True})
        assert _is_invalid_login(http.get(f"{RECORDS}/currency/eid:USD"))
        url = f"{sandbox.url}{RECORDS}/currency/eid:USD"
        assert _is_invalid_login(httpx.get(url, headers={"Authorization": tba_header(url)}))
        refused = request_token(http, client_assertion(sandbox.url + TOKEN_PATH))
        assert refused.status_code == 400 and refused.json() == {"error": "invalid_grant"}
        assert http.get("/services/rest/system/v1/governanceLimits").status_code == 200  # not a record call
        httpx.post(f"{sandbox.url}/_sandbox/faults", json={"netsuite_invalid_login": False})
        assert http.get(f"{RECORDS}/currency/eid:USD").status_code == 200
