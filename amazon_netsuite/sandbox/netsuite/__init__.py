"""Emulated NetSuite (REST web services): OAuth 2.0 M2M token endpoint, TBA, record API with transforms and
collections, governance, SuiteQL, and the admin hooks `/_sandbox/netsuite/tokens`,
`/_sandbox/netsuite/warehouse/ship` (the seller's warehouse fulfils shipped MFN Sales Orders) and
`/_sandbox/netsuite/inventory/move` (stock moved outside the integration)."""

from starlette.routing import Route

from amazon_netsuite.sandbox.netsuite import record_api, suiteql
from amazon_netsuite.sandbox.netsuite.auth import TOKEN_PATH, TOKENS_ADMIN_PATH, token_endpoint, tokens_admin
from amazon_netsuite.sandbox.netsuite.governance import GOVERNANCE_LIMITS_PATH, governance_limits
from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS
from amazon_netsuite.sandbox.netsuite.state import NetSuiteState
from amazon_netsuite.sandbox.netsuite.stock_moves import INVENTORY_MOVE_PATH, move
from amazon_netsuite.sandbox.netsuite.warehouse import WAREHOUSE_SHIP_PATH, ship

routes = [
    Route(TOKEN_PATH, token_endpoint, methods=["POST"]),
    *record_api.routes,
    *suiteql.routes,
    Route(GOVERNANCE_LIMITS_PATH, governance_limits, methods=["GET"]),
    Route(TOKENS_ADMIN_PATH, tokens_admin, methods=["GET", "POST"]),
    Route(WAREHOUSE_SHIP_PATH, ship, methods=["POST"]),
    Route(INVENTORY_MOVE_PATH, move, methods=["POST"]),
]

__all__ = ["MISSING_SKUS", "NetSuiteState", "routes"]
