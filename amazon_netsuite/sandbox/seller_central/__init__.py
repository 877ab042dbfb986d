"""Emulated Seller Central: the LWA token endpoint, the Reports API 2021-06-30 and report document downloads."""

from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central import reports
from amazon_netsuite.sandbox.seller_central.fba_inventory import routes as fba_inventory_routes
from amazon_netsuite.sandbox.seller_central.documents import download_document
from amazon_netsuite.sandbox.seller_central.lwa import token_endpoint

routes = [
    Route("/auth/o2/token", token_endpoint, methods=["POST"]),
    *reports.routes,
    *fba_inventory_routes,
    Route("/_documents/{document_id}", download_document, methods=["GET"]),
]
