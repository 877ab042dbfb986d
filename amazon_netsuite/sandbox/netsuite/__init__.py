"""Emulated NetSuite (REST web services): OAuth 2.0 M2M token endpoint, record API, governance, SuiteQL."""

from starlette.routing import Route

from amazon_netsuite.sandbox.netsuite import record_api, suiteql
from amazon_netsuite.sandbox.netsuite.auth import TOKEN_PATH, token_endpoint
from amazon_netsuite.sandbox.netsuite.governance import GOVERNANCE_LIMITS_PATH, governance_limits
from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS
from amazon_netsuite.sandbox.netsuite.state import NetSuiteState

routes = [
    Route(TOKEN_PATH, token_endpoint, methods=["POST"]),
    *record_api.routes,
    *suiteql.routes,
    Route(GOVERNANCE_LIMITS_PATH, governance_limits, methods=["GET"]),
]

__all__ = ["MISSING_SKUS", "NetSuiteState", "routes"]
