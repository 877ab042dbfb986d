"""Login with Amazon and the access token every SP-API call needs."""

from __future__ import annotations

import time

import httpx
import pytest

from amazon_netsuite.lib.settings import SANDBOX_LWA_CLIENT_ID, SANDBOX_LWA_CLIENT_SECRET, sandbox_refresh_token
from amazon_netsuite.sandbox.seller_central.lwa import access_token_for

from .helpers import REPORTS, access_token, assert_conforms, order_report_request, seller_client


def token_request(http: httpx.Client, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": sandbox_refresh_token("demo-na"),
        "client_id": SANDBOX_LWA_CLIENT_ID,
        "client_secret": SANDBOX_LWA_CLIENT_SECRET,
        **overrides,
    }
    return http.post("/auth/o2/token", data={k: v for k, v in form.items() if v is not None})


def test_a_refresh_token_is_exchanged_for_an_hour_long_access_token(sandbox):
    with httpx.Client(base_url=sandbox.url) as http:
        response = token_request(http)
    body = response.json()
    assert response.status_code == 200
    assert body["access_token"].startswith("Atza|") and len(body["access_token"]) <= 2048
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] == sandbox_refresh_token("demo-na")


def test_a_json_token_request_is_accepted_too(sandbox):
    with httpx.Client(base_url=sandbox.url) as http:
        response = http.post("/auth/o2/token", json={
            "grant_type": "refresh_token", "refresh_token": sandbox_refresh_token("demo-eu"),
            "client_id": SANDBOX_LWA_CLIENT_ID, "client_secret": SANDBOX_LWA_CLIENT_SECRET})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error", "description"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client", "Client authentication failed"),
        ({"client_id": "amzn1.application-oa2-client.other"}, 401, "invalid_client", "Client authentication failed"),
        ({"refresh_token": "Atzr|sandbox|nobody"}, 400, "invalid_grant",
         "The request has an invalid grant parameter : refresh_token"),
        ({"refresh_token": None}, 400, "invalid_request",
         "The request is missing a required parameter : refresh_token"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", None),
    ],
)
def test_bad_credentials_get_lwas_error_bodies(sandbox, overrides, status, error, description):
    with httpx.Client(base_url=sandbox.url) as http:
        response = token_request(http, **overrides)
    assert response.status_code == status
    assert response.json()["error"] == error
    if description:
        assert response.json()["error_description"] == description


def _tampered(token: str) -> str:
    """The token with its last signature character changed (always to a different one)."""
    return token[:-1] + ("1" if token[-1] == "0" else "0")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Access to requested resource is denied."),
        ("Atza|made-up", "Access to requested resource is denied."),
        (access_token_for("demo-na", time.time() - 1), "The access token you provided has expired."),
        (_tampered(access_token_for("demo-na", time.time() + 60)), "Access to requested resource is denied."),
    ],
    ids=["missing", "unknown", "expired", "tampered"],
)
def test_sp_api_calls_without_a_valid_access_token_are_403(sandbox, token, message):
    headers = {"x-amz-access-token": token} if token else {}
    response = httpx.get(f"{sandbox.url}{REPORTS}", params={"reportTypes": "X"}, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"errors": [{"code": "Unauthorized", "message": message, "details": ""}]}
    assert_conforms(response, "getReports")


def test_a_seller_account_sees_only_its_own_reports(sandbox):
    na, eu = seller_client(sandbox.url, "demo-na"), seller_client(sandbox.url, "demo-eu")
    report_id = na.post(REPORTS, json=order_report_request("2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z")).json()[
        "reportId"
    ]
    assert na.get(f"{REPORTS}/{report_id}").status_code == 200
    response = eu.get(f"{REPORTS}/{report_id}")
    assert response.status_code == 404
    assert_conforms(response, "getReport")
    assert access_token(na, "demo-eu") != na.headers["x-amz-access-token"]
