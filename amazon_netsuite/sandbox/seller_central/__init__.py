"""Emulated Seller Central: the LWA token endpoint, the Reports API 2021-06-30, report document downloads, the Feeds
API 2021-06-30, the Listings Items API 2021-08-01, the Product Type Definitions API 2020-09-01, Orders API v0
confirmShipment and getOrderItems, the Finances API 2024-06-19 (listTransactions) and the Sellers API v1
(getMarketplaceParticipations)."""

from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central import definitions, feeds, finances, listings, reports, sellers, shipments
from amazon_netsuite.sandbox.seller_central.fba_inventory import routes as fba_inventory_routes
from amazon_netsuite.sandbox.seller_central.documents import download_document
from amazon_netsuite.sandbox.seller_central.lwa import token_endpoint

routes = [
    Route("/auth/o2/token", token_endpoint, methods=["POST"]),
    *reports.routes,
    *fba_inventory_routes,
    Route("/_documents/{document_id}", download_document, methods=["GET"]),
    *feeds.routes,
    *listings.routes,
    *definitions.routes,
    *shipments.routes,
    *finances.routes,
    *sellers.routes,
]
