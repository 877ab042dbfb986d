"""NetSuite sandbox fixtures: a signed client assertion, an access token, an authorised httpx client (on a sandbox
of its own with a frozen clock, if need be) and SuiteQL rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import simplejson

from amazon_netsuite.lib.settings import (
    SANDBOX_NETSUITE_CERTIFICATE_ID,
    SANDBOX_NETSUITE_CLIENT_ID,
    SANDBOX_NETSUITE_PRIVATE_KEY,
)
from amazon_netsuite_tests.conftest import start_sandbox

from joserfc import jwt
from joserfc.jwk import import_key

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
RECORDS = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def client_assertion(audience: str, alg: str = "ES256", key: bytes | None = None, header: dict | None = None,
                     **claims: object) -> str:
    """A JWT as the NetSuite client builds it (the sandbox's own M2M key unless `key` is given)."""
    now = int(time.time())
    payload = {"iss": SANDBOX_NETSUITE_CLIENT_ID, "scope": ["rest_webservices"], "aud": audience,
               "iat": now, "exp": now + 3000, **claims}
    jwt_header = {"typ": "JWT", "alg": alg, "kid": SANDBOX_NETSUITE_CERTIFICATE_ID, **(header or {})}
    pem = key or SANDBOX_NETSUITE_PRIVATE_KEY.read_bytes()
    kty = "RSA" if alg[:2] in ("RS", "PS") else "EC"
    return jwt.encode(jwt_header, payload, import_key(pem, kty), algorithms=[alg])


def request_token(http: httpx.Client, assertion: str) -> httpx.Response:
    return http.post(TOKEN_PATH, data={"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER,
                                       "client_assertion": assertion})


def netsuite_client(url: str) -> httpx.Client:
    """An httpx client carrying a bearer token obtained from the sandbox's token endpoint."""
    with httpx.Client(base_url=url, timeout=10) as http:
        response = request_token(http, client_assertion(url + TOKEN_PATH))
    assert response.status_code == 200, response.text
    return httpx.Client(base_url=url, timeout=10,
                        headers={"Authorization": f"Bearer {response.json()['access_token']}"})


@pytest.fixture
def netsuite(sandbox):
    with netsuite_client(sandbox.url) as http:
        yield http


def internal_id(response: httpx.Response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


def sales_order(external_id: str, *lines: tuple[str, object, object], customer: str = "AMZ-CUSTOMER-demo-US",
                **fields) -> dict:
    """A sales order body: lines are (SKU, quantity, rate)."""
    return {
        "externalId": external_id,
        "entity": {"externalId": customer},
        "location": {"externalId": "WH-na"},
        "item": {"items": [{"item": {"externalId": sku}, "quantity": qty, "rate": rate} for sku, qty, rate in lines]},
        **fields,
    }


TAX_CODES = {"TAXTYPE-SALES-TAX": "TAXCODE-SALES-TAX", "TAXTYPE-VAT": "TAXCODE-VAT-STANDARD"}


def taxed(body: dict, *taxes: tuple[int, str, str, str], tax_type: str = "TAXTYPE-SALES-TAX") -> dict:
    """The body with SuiteTax's override on; taxes are (item line number, basis, rate, amount), each tax line on
    its item line's reference `L{n}`."""
    for number, line in enumerate(body["item"]["items"], 1):
        line["taxDetailsReference"] = f"L{number}"
    body["taxDetailsOverride"] = True
    body["taxDetails"] = {"items": [
        {"taxDetailsReference": f"L{number}", "taxType": {"externalId": tax_type},
         "taxCode": {"externalId": TAX_CODES[tax_type]}, "taxBasis": basis, "taxRate": rate, "taxAmount": amount}
        for number, basis, rate, amount in taxes]}
    return body


def create(netsuite: httpx.Client, record_type: str, body: dict) -> str:
    """POST a record; its internal id."""
    return internal_id(netsuite.post(f"{RECORDS}/{record_type}", json=body))


def transform(netsuite: httpx.Client, source: str, source_id: str, target: str, body: dict | None = None,
              **params) -> httpx.Response:
    return netsuite.post(f"{RECORDS}/{source}/{source_id}/!transform/{target}", json=body or {}, params=params)


def fetch(netsuite: httpx.Client, record_type: str, key: str) -> dict:
    """GET a record, numbers with a fraction parsed as Decimal."""
    response = netsuite.get(f"{RECORDS}/{record_type}/{key}")
    assert response.status_code == 200, response.text
    return simplejson.loads(response.text, use_decimal=True)


def error_detail(response: httpx.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    return response.json()["o:errorDetails"][0]


def suiteql_rows(netsuite: httpx.Client, q: str, params: list | None = None) -> list[dict]:
    """Every row of a SuiteQL query's first page, without its links."""
    response = netsuite.post(SUITEQL, headers={"Prefer": "transient"}, json={"q": q, "params": params or []})
    assert response.status_code == 200, response.text
    return [{k: v for k, v in row.items() if k != "links"} for row in response.json()["items"]]


def order_to_cash(netsuite: httpx.Client) -> dict[str, str]:
    """One of every transaction type: an order fulfilled, invoiced, paid and deposited, a cash sale, a credit
    memo and a journal entry."""
    ids = {"SalesOrd": create(netsuite, "salesOrder", sales_order(
        "AMZ-LEDGER-1", ("TSHIRT-RED-M", 2, "19.99"), ("KIT-SOCKS-3PK", 1, "34.99"), shippingCost="4.99",
        custbody_amz_order_id="111-0000009-0000009"))}
    ids["ItemShip"] = internal_id(transform(netsuite, "salesOrder", ids["SalesOrd"], "itemFulfillment"))
    ids["CustInvc"] = internal_id(transform(netsuite, "salesOrder", ids["SalesOrd"], "invoice"))
    ids["CustPymt"] = internal_id(transform(netsuite, "invoice", ids["CustInvc"], "customerPayment"))
    ids["CashSale"] = create(netsuite, "cashSale", taxed(sales_order(
        "AMZ-LEDGER-2", ("MUG-CAFE-WHITE", 3, "14.99"), location={"externalId": "FBA-na"}), (1, "44.97", "7", "3.15")))
    ids["CustCred"] = create(netsuite, "creditMemo", sales_order("CM-LEDGER", ("MUG-CAFE-WHITE", 1, "14.99")))
    ids["Journal"] = create(netsuite, "journalEntry", {"subsidiary": {"externalId": "SUB-na"}, "line": {"items": [
        {"account": {"externalId": "ACCT-AMZ-CLEARING"}, "debit": "12.34"},
        {"account": {"externalId": "ACCT-AMZ-ADVERTISING"}, "debit": "0.66"},
        {"account": {"externalId": "ACCT-SALES"}, "credit": "13.00"}]}})
    ids["Deposit"] = create(netsuite, "deposit", {"account": {"externalId": "ACCT-BANK-USD"}, "payment": {"items": [
        {"id": ids["CustPymt"]}, {"id": ids["CashSale"]}]}, "cashback": {"items": [
            {"account": {"externalId": "ACCT-AMZ-SELLING-FEES"}, "amount": "7.50"}]}})
    return ids


@contextmanager
def frozen_netsuite(state_dir: Path, clock: datetime) -> Iterator[httpx.Client]:
    """An authorised httpx client on a tiny sandbox of its own whose clock stands still at `clock`."""
    with start_sandbox(state_dir, orders_per_day=2, history_days=1, clock=clock) as running:
        with netsuite_client(running.url) as http:
            yield http
