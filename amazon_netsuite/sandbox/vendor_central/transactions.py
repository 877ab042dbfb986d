"""Transaction status of vendor acknowledgements: the Vendor Transaction Status API v1 (getTransaction, Retail
Procurement) and the Direct Fulfillment Transaction Status API 2021-12-28 (getTransactionStatus).

https://developer-docs.amazon.com/sp-api/docs/vendor-transaction-status-api-v1-reference and
https://developer-docs.amazon.com/sp-api/docs/vendor-direct-fulfillment-transactions-api-2021-12-28-reference. A
transaction is Processing for `vendor_transaction_seconds` of world time, then Success, or Failure with the errors
the business rules found; the fault `vendor_transactions_stuck_next` keeps one Processing forever. An unknown id is
answered as the models' sandbox example answers a bad one: 400 InvalidInput "Invalid transmission ID.".
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central.errors import invalid_input
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.vendor_central.store import DIRECT, FAILURE, RETAIL

RETAIL_PATH = "/vendor/transactions/v1/transactions/{transaction_id}"
DIRECT_PATH = "/vendor/directFulfillment/transactions/2021-12-28/transactions/{transaction_id}"


def _status(request: Request, state, account: str, program: str) -> tuple[dict, list[dict]]:
    transaction_id = request.path_params["transaction_id"]
    transaction = state.vendor.transaction(account, transaction_id)
    if transaction is None or transaction.program != program:
        raise invalid_input("Invalid transmission ID.", f"No transaction {transaction_id} of this vendor")
    status = transaction.status(state.clock.now())
    found = {"transactionId": transaction.transaction_id, "status": status}
    return found, transaction.errors if status == FAILURE else []


@sp_api_operation("getTransaction", vendor=True)
async def get_transaction(request: Request, state, account: str) -> Response:
    found, errors = _status(request, state, account, RETAIL)
    if errors:
        found["errors"] = errors
    return JSONResponse({"payload": {"transactionStatus": found}})


@sp_api_operation("getDirectFulfillmentTransactionStatus", vendor=True)
async def get_transaction_status(request: Request, state, account: str) -> Response:
    found, errors = _status(request, state, account, DIRECT)
    if errors:
        found["errors"] = {"errors": errors}  # this model's ErrorList is an object holding the list
    return JSONResponse({"transactionStatus": found})


routes = [
    Route(RETAIL_PATH, get_transaction, methods=["GET"]),
    Route(DIRECT_PATH, get_transaction_status, methods=["GET"]),
]
