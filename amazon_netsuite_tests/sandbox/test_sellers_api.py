"""Sellers API v1 getMarketplaceParticipations over HTTP, against the shape Amazon documents
(https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference; the model is `sellers.json` in
https://github.com/amzn/selling-partner-api-models, models/sellers-api-model), and the client that reads it."""

from __future__ import annotations

import jsonschema

from amazon_netsuite.lib.amazon import SpApiClient
from amazon_netsuite.lib.amazon.sellers import SellersApi
from amazon_netsuite.lib.settings import amazon_connection, load_settings
from amazon_netsuite_tests.conftest import DEMO_SETTINGS
from amazon_netsuite_tests.sandbox.helpers import seller_client

# GetMarketplaceParticipationsResponse as the model defines it: every field its `required` lists, its types and
# the ISO patterns it gives in words (countryCode ISO 3166-1 alpha-2, defaultCurrencyCode ISO 4217).
MARKETPLACE = {"type": "object", "required": ["id", "name", "countryCode", "defaultCurrencyCode",
                                             "defaultLanguageCode", "domainName"],
               "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                              "countryCode": {"type": "string", "pattern": "^[A-Z]{2}$"},
                              "defaultCurrencyCode": {"type": "string", "pattern": "^[A-Z]{3}$"},
                              "defaultLanguageCode": {"type": "string"}, "domainName": {"type": "string"}}}
PARTICIPATION = {"type": "object", "required": ["isParticipating", "hasSuspendedListings"],
                 "properties": {"isParticipating": {"type": "boolean"},
                                "hasSuspendedListings": {"type": "boolean"}}}
RESPONSE = {"type": "object", "properties": {"payload": {"type": "array", "items": {
    "type": "object", "required": ["marketplace", "participation"],
    "properties": {"marketplace": MARKETPLACE, "participation": PARTICIPATION}}}}}


def test_given_a_seller_account_when_its_participations_are_listed_then_they_are_its_storefronts_marketplaces(
        shared_sandbox):
    """The answer validates against the documented response and lists the account's marketplaces, and no other
    account's (demo-na sells on Amazon.com and Amazon.ca)."""
    http = seller_client(shared_sandbox.url, "demo-na")
    try:
        response = http.get("/sellers/v1/marketplaceParticipations")
    finally:
        http.close()
    assert response.status_code == 200, response.text
    body = response.json()
    jsonschema.validate(body, RESPONSE)
    marketplaces = {p["marketplace"]["id"]: p["marketplace"] for p in body["payload"]}
    assert set(marketplaces) == {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}
    assert marketplaces["A2EUQ1WTGCTBG2"]["defaultCurrencyCode"] == "CAD"
    assert marketplaces["ATVPDKIKX0DER"]["countryCode"] == "US"
    assert response.headers["x-amzn-RateLimit-Limit"] == "3.2"  # the usage plan's 0.016/s × the tests' 200


def test_given_no_access_token_when_participations_are_asked_then_403(shared_sandbox):
    import httpx

    response = httpx.get(f"{shared_sandbox.url}/sellers/v1/marketplaceParticipations")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "Unauthorized"


def test_the_client_reads_the_participations_of_the_eu_account(shared_sandbox, monkeypatch):
    monkeypatch.setenv("AMAZON_NETSUITE_SANDBOX_URL", shared_sandbox.url)
    with SpApiClient(amazon_connection(load_settings(DEMO_SETTINGS), "demo-eu")) as client:
        found = SellersApi(client).marketplace_participations()
    assert [(p.marketplace_id, p.name, p.currency, p.participating) for p in found] == [
        ("A1PA6795UKMFR9", "Amazon.de", "EUR", True), ("A13V1IB3VIYZZH", "Amazon.fr", "EUR", True)]
