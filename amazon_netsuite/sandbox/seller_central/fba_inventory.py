"""FBA Inventory API v1: getInventorySummaries over the world's FBA pools (fbaInventory.json).

Every marketplace of a seller account shows the account's pool (Amazon pools a region's marketplaces), so the same
units show in each: never add them up across marketplaces. Pages hold `fba_page_size` summaries, 50 by default
(Amazon's page size is not documented); a nextToken lives 30 seconds of wall time, as Amazon documents
(`fba_next_token_seconds`), and must come with the same query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from datetime import datetime, timedelta

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.client import iso_utc
from amazon_netsuite.sandbox.seller_central.errors import invalid_input
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.fba import FbaQuantities, fba_stock, fnsku

PATH = "/fba/inventory/v1/summaries"
MAX_SKUS = 50
MAX_LOOKBACK = timedelta(days=548)  # "no earlier than 18 months prior"


def _parse_time(value: str, name: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input(f"Invalid {name}", f"{value!r} is not an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise invalid_input(f"Invalid {name}", f"{value!r} has no time zone offset")
    return at


def _list(request: Request, name: str) -> list[str]:
    return [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]


def _token(query_hash: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"h": query_hash, "o": offset, "t": time.time()}).encode()).decode()


def _offset(token: str, query_hash: str, lifetime: float) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        issued, offset, hashed = float(data["t"]), int(data["o"]), str(data["h"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_input("Invalid nextToken", "The nextToken is not valid") from None
    if time.time() - issued > lifetime:
        raise invalid_input("Invalid nextToken", "The nextToken has expired; start again without it")
    if hashed != query_hash:
        raise invalid_input("Invalid nextToken", "The nextToken was issued for other query parameters")
    return offset


def _details(q: FbaQuantities) -> dict:
    return {
        "fulfillableQuantity": q.fulfillable,
        "inboundWorkingQuantity": 0,
        "inboundShippedQuantity": q.inbound_shipped,
        "inboundReceivingQuantity": q.inbound_receiving,
        "reservedQuantity": {
            "totalReservedQuantity": q.reserved,
            "pendingCustomerOrderQuantity": q.reserved,
            "pendingTransshipmentQuantity": 0,
            "fcProcessingQuantity": 0,
        },
        "researchingQuantity": {"totalResearchingQuantity": 0, "researchingQuantityBreakdown": []},
        "unfulfillableQuantity": {
            "totalUnfulfillableQuantity": q.unfulfillable,
            "customerDamagedQuantity": q.customer_damaged,
            "warehouseDamagedQuantity": q.warehouse_damaged,
            "distributorDamagedQuantity": 0,
            "carrierDamagedQuantity": 0,
            "defectiveQuantity": 0,
            "expiredQuantity": 0,
        },
    }


def inventory_summary(sku: str, q: FbaQuantities, details: bool) -> dict:
    product = PRODUCTS_BY_SKU[sku]
    summary = {
        "asin": product.asin,
        "fnSku": fnsku(sku),
        "sellerSku": sku,
        "condition": "NewItem",
        "lastUpdatedTime": iso_utc(q.last_updated),
        "productName": product.name,
        "totalQuantity": q.total,
    }
    if details:
        summary["inventoryDetails"] = _details(q)
    return summary


@sp_api_operation("getInventorySummaries")
async def get_inventory_summaries(request: Request, state, account: str) -> Response:
    params = request.query_params
    if params.get("granularityType") != "Marketplace":
        raise invalid_input("Invalid granularityType", "granularityType is required and must be Marketplace")
    marketplace_ids = _list(request, "marketplaceIds")
    if len(marketplace_ids) != 1:
        raise invalid_input("Invalid marketplaceIds", "marketplaceIds is required and takes exactly one id")
    if marketplace_ids[0] not in state.settings.account(account).marketplace_ids:
        raise invalid_input("Invalid marketplaceIds", f"Marketplace id {marketplace_ids[0]} is not this seller's")
    if params.get("granularityId") != marketplace_ids[0]:
        raise invalid_input("Invalid granularityId", "granularityId must be the marketplace id of marketplaceIds")
    skus = _list(request, "sellerSkus") or _list(request, "sellerSku")
    if len(skus) > MAX_SKUS:
        raise invalid_input("Invalid sellerSkus", f"sellerSkus takes at most {MAX_SKUS} SKUs")
    details = params.get("details", "false").lower() == "true"
    now = state.clock.now()
    since = None
    if params.get("startDateTime"):
        since = _parse_time(params["startDateTime"], "startDateTime")
        if since < now - MAX_LOOKBACK or since > now:
            raise invalid_input("Invalid startDateTime", "startDateTime must be within the last 18 months")

    query = sorted((k, v) for k, v in params.multi_items() if k != "nextToken")
    query_hash = hashlib.sha1(json.dumps(query).encode()).hexdigest()
    token = params.get("nextToken")
    offset = _offset(token, query_hash, state.config.fba_next_token_seconds) if token else 0

    stock = await anyio.to_thread.run_sync(fba_stock, state.world, account, now)
    # Inbound changes do not count as changes, as Amazon documents for startDateTime.
    rows = [
        (sku, q) for sku, q in sorted(stock.items())
        if (not skus or sku in skus) and (since is None or q.last_updated >= since)
    ]
    size = state.config.fba_page_size
    page = rows[offset : offset + size]
    body: dict = {
        "payload": {
            "granularity": {"granularityType": "Marketplace", "granularityId": marketplace_ids[0]},
            "inventorySummaries": [inventory_summary(sku, q, details) for sku, q in page],
        }
    }
    if offset + size < len(rows):
        body["pagination"] = {"nextToken": _token(query_hash, offset + size)}
    return JSONResponse(body)


routes = [Route(PATH, get_inventory_summaries, methods=["GET"])]
