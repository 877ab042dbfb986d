"""Every Vendor Central answer the sandbox gives has the status, headers and body Amazon's models declare:
vendorOrders.json and vendorDirectFulfillmentOrders_2021-12-28.json (spapi_models/), and the two transaction status
APIs, whose response schemas are restated below from Amazon's models
(https://github.com/amzn/selling-partner-api-models, models/vendor-transaction-status-api-model/ and
models/vendor-direct-fulfillment-transactions-api-model/)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import demo_settings
from amazon_netsuite_tests.conftest import SPAPI_MODELS

from .conftest import NOW
from .helpers import Answers, assert_conforms, seller_client

ORDERS_MODEL = SPAPI_MODELS / "vendorOrders.json"
DF_MODEL = SPAPI_MODELS / "vendorDirectFulfillmentOrders_2021-12-28.json"
POS, ACKS, STATUS = "/vendor/orders/v1/purchaseOrders", "/vendor/orders/v1/acknowledgements", \
    "/vendor/orders/v1/purchaseOrdersStatus"
TRANSACTIONS = "/vendor/transactions/v1/transactions"
DF = "/vendor/directFulfillment/orders/2021-12-28"
DF_TRANSACTIONS = "/vendor/directFulfillment/transactions/2021-12-28/transactions"

# (our operation, Amazon's operationId, model) and the statuses each must show.
OPERATIONS = {
    "getPurchaseOrders": ("getPurchaseOrders", ORDERS_MODEL, {200, 400, 403, 429}),
    "getPurchaseOrder": ("getPurchaseOrder", ORDERS_MODEL, {200, 400, 403, 404}),
    "submitAcknowledgement": ("submitAcknowledgement", ORDERS_MODEL, {202, 400, 403}),
    "getPurchaseOrdersStatus": ("getPurchaseOrdersStatus", ORDERS_MODEL, {200, 400, 403}),
    "getDirectFulfillmentOrders": ("getOrders", DF_MODEL, {200, 400, 403, 429}),
    "getDirectFulfillmentOrder": ("getOrder", DF_MODEL, {200, 400, 403, 404}),
    "submitDirectFulfillmentAcknowledgement": ("submitAcknowledgement", DF_MODEL, {202, 400, 403}),
}

_ERROR = {"type": "object", "required": ["code", "message"],
          "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "string"}}}
_TRANSACTION = {"type": "object", "required": ["transactionId", "status"],
                "properties": {"transactionId": {"type": "string"},
                               "status": {"type": "string", "enum": ["Failure", "Processing", "Success"]}}}
# getTransaction (v1): GetTransactionResponse {payload: {transactionStatus: Transaction}}, errors an array.
RETAIL_TRANSACTION = {"type": "object", "additionalProperties": False, "required": ["payload"], "properties": {
    "payload": {"type": "object", "required": ["transactionStatus"], "properties": {"transactionStatus": {
        **_TRANSACTION, "additionalProperties": False,
        "properties": {**_TRANSACTION["properties"], "errors": {"type": "array", "items": _ERROR}}}}}}}
# getTransactionStatus (DF 2021-12-28): TransactionStatus {transactionStatus: Transaction}, errors an ErrorList
# object {errors: [...]}.
DF_TRANSACTION = {"type": "object", "additionalProperties": False, "required": ["transactionStatus"], "properties": {
    "transactionStatus": {**_TRANSACTION, "additionalProperties": False, "properties": {
        **_TRANSACTION["properties"],
        "errors": {"type": "object", "required": ["errors"],
                   "properties": {"errors": {"type": "array", "items": _ERROR}}}}}}}
ERROR_LIST = {"type": "object", "required": ["errors"], "properties": {"errors": {"type": "array", "items": _ERROR}}}


def _iso(at) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def responses(tmp_path_factory) -> Answers:
    """Drive every vendor operation through its success, validation, auth, not-found and throttling answers."""
    config = SandboxConfig(settings=demo_settings(), state_dir=tmp_path_factory.mktemp("vendor_contract"), clock=NOW)
    seen = Answers()
    record = seen.record
    day = {"createdAfter": _iso(NOW - timedelta(days=1)), "createdBefore": _iso(NOW)}
    with start_in_thread(config) as sandbox:
        http = seller_client(sandbox.url, "demo-vendor")
        seller = seller_client(sandbox.url, "demo-na")
        orders = record("getPurchaseOrders", http.get(POS, params=day)).json()["payload"]["orders"]
        record("getPurchaseOrders", http.get(POS, params={"createdAfter": "2026-11-01T00:00:00Z"}))
        record("getPurchaseOrders", seller.get(POS, params=day))
        order = record("getPurchaseOrder", http.get(f"{POS}/{orders[0]['purchaseOrderNumber']}")).json()["payload"]
        record("getPurchaseOrder", http.get(f"{POS}/not-a-po"))
        record("getPurchaseOrder", http.get(f"{POS}/ZZZZ0000"))
        record("getPurchaseOrder", seller.get(f"{POS}/ZZZZ0000"))
        items = [{"itemSequenceNumber": i["itemSequenceNumber"], "orderedQuantity": i["orderedQuantity"],
                  "netCost": i["netCost"], "itemAcknowledgements": [
                      {"acknowledgementCode": "Accepted", "acknowledgedQuantity": i["orderedQuantity"]}]}
                 for i in order["orderDetails"]["items"]]
        ack = {"purchaseOrderNumber": order["purchaseOrderNumber"], "sellingParty": {"partyId": "DEMOV"},
               "acknowledgementDate": _iso(NOW), "items": items}
        accepted = record("submitAcknowledgement", http.post(ACKS, json={"acknowledgements": [ack]}))
        over = [{"acknowledgementCode": "Accepted", "acknowledgedQuantity": {"amount": 9999}}]
        too_many = {**ack, "items": [{**items[0], "itemAcknowledgements": over}]}
        failed = http.post(ACKS, json={"acknowledgements": [too_many]})
        record("submitAcknowledgement", http.post(ACKS, json={"acknowledgements": [{"purchaseOrderNumber": "X",
                                                                                     "sellingParty": {}}]}))
        record("submitAcknowledgement", seller.post(ACKS, json={"acknowledgements": [ack]}))
        record("getPurchaseOrdersStatus", http.get(STATUS, params=day))
        record("getPurchaseOrdersStatus", http.get(STATUS, params={"itemConfirmationStatus": "MAYBE", **day}))
        record("getPurchaseOrdersStatus", seller.get(STATUS, params=day))

        record("getTransaction", http.get(f"{TRANSACTIONS}/{accepted.json()['payload']['transactionId']}"))
        httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 60}).raise_for_status()
        seen.setdefault("getTransaction", {})["success"] = http.get(
            f"{TRANSACTIONS}/{accepted.json()['payload']['transactionId']}")
        seen["getTransaction"]["failure"] = http.get(f"{TRANSACTIONS}/{failed.json()['payload']['transactionId']}")
        record("getTransaction", http.get(f"{TRANSACTIONS}/Tran0904190535-unknown"))
        record("getTransaction", seller.get(f"{TRANSACTIONS}/Tran0904190535-unknown"))

        df_orders = record("getDirectFulfillmentOrders", http.get(f"{DF}/purchaseOrders", params=day)).json()["orders"]
        record("getDirectFulfillmentOrders", http.get(f"{DF}/purchaseOrders", params={"createdAfter": _iso(NOW)}))
        record("getDirectFulfillmentOrders", seller.get(f"{DF}/purchaseOrders", params=day))
        df_order = record("getDirectFulfillmentOrder",
                          http.get(f"{DF}/purchaseOrders/{df_orders[0]['purchaseOrderNumber']}")).json()
        record("getDirectFulfillmentOrder", http.get(f"{DF}/purchaseOrders/bad"))
        record("getDirectFulfillmentOrder", http.get(f"{DF}/purchaseOrders/ZZZZ0000"))
        record("getDirectFulfillmentOrder", seller.get(f"{DF}/purchaseOrders/ZZZZ0000"))
        details = df_order["orderDetails"]
        df_ack = {"purchaseOrderNumber": df_order["purchaseOrderNumber"], "vendorOrderNumber": "SO-1",
                  "acknowledgementDate": _iso(NOW), "acknowledgementStatus": {"code": "00"},
                  "sellingParty": details["sellingParty"], "shipFromParty": details["shipFromParty"],
                  "itemAcknowledgements": [{"itemSequenceNumber": i["itemSequenceNumber"],
                                            "acknowledgedQuantity": {"amount": 0, "unitOfMeasure": "Each"}}
                                           for i in details["items"]]}
        df_failed = record("submitDirectFulfillmentAcknowledgement",
                           http.post(f"{DF}/acknowledgements", json={"orderAcknowledgements": [df_ack]}))
        record("submitDirectFulfillmentAcknowledgement", http.post(f"{DF}/acknowledgements", json={}))
        record("submitDirectFulfillmentAcknowledgement",
               seller.post(f"{DF}/acknowledgements", json={"orderAcknowledgements": [df_ack]}))
        httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 60}).raise_for_status()
        seen["getDirectFulfillmentTransactionStatus"] = {
            "failure": http.get(f"{DF_TRANSACTIONS}/{df_failed.json()['transactionId']}"),
            "unknown": http.get(f"{DF_TRANSACTIONS}/unknown")}

        # Spend the bursts (10 each): the 11th call within the same instant is a 429.
        for _ in range(11):
            record("getPurchaseOrders", http.get(POS, params=day))
            record("getDirectFulfillmentOrders", http.get(f"{DF}/purchaseOrders", params=day))
    return seen


@pytest.mark.parametrize(("operation", "status"), [(op, s) for op, (_, _, statuses) in OPERATIONS.items()
                                                   for s in sorted(statuses)])
def test_the_answer_matches_the_official_model(responses, operation, status):
    operation_id, model, _ = OPERATIONS[operation]
    assert status in responses[operation], f"{operation} never answered {status}"
    response = responses[operation][status]
    assert_conforms(response, operation_id, model)
    if status == 429:
        assert response.json()["errors"][0]["code"] == "QuotaExceeded"


def _validate(schema: dict, response: httpx.Response) -> dict:
    OAS30Validator(schema, format_checker=oas30_format_checker).validate(response.json())
    assert response.headers.get("x-amzn-RequestId")
    return response.json()


def test_transaction_status_answers_match_amazons_schemas(responses):
    retail = responses["getTransaction"]
    assert _validate(RETAIL_TRANSACTION, retail[200])["payload"]["transactionStatus"]["status"] == "Processing"
    assert _validate(RETAIL_TRANSACTION, retail["success"])["payload"]["transactionStatus"]["status"] == "Success"
    failure = _validate(RETAIL_TRANSACTION, retail["failure"])["payload"]["transactionStatus"]
    assert failure["status"] == "Failure" and failure["errors"][0]["code"] == "INVALID_QUANTITY"
    assert _validate(ERROR_LIST, retail[400])["errors"][0]["message"] == "Invalid transmission ID."
    assert retail[403].status_code == 403 and "x-amzn-RateLimit-Limit" not in retail[403].headers
    direct = responses["getDirectFulfillmentTransactionStatus"]
    df_failure = _validate(DF_TRANSACTION, direct["failure"])["transactionStatus"]
    assert df_failure["status"] == "Failure" and df_failure["errors"]["errors"][0]["code"] == "PARTIAL_SHIPMENT"
    assert direct["unknown"].status_code == 400 and _validate(ERROR_LIST, direct["unknown"])


def test_the_contract_check_rejects_an_order_the_model_does_not_allow(responses):
    good = responses["getPurchaseOrder"][200]
    order = good.json()["payload"]
    broken = {"payload": {**order, "purchaseOrderState": "Open"}}
    with pytest.raises(ValidationError):
        assert_conforms(httpx.Response(200, json=broken, headers=good.headers), "getPurchaseOrder", ORDERS_MODEL)
