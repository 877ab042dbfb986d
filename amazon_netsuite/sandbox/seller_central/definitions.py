"""Product Type Definitions API 2020-09-01: getDefinitionsProductType, and the schema documents its answers link to.

https://developer-docs.amazon.com/sp-api/docs/product-type-definitions-api-v2020-09-01-reference. Amazon links each
schema as a presigned S3 URL; the sandbox serves it on its own address.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central import product_types
from amazon_netsuite.sandbox.seller_central.documents import own_base_url
from amazon_netsuite.sandbox.seller_central.errors import invalid_input, not_found
from amazon_netsuite.sandbox.seller_central.listings import one_marketplace
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation

BASE = "/definitions/2020-09-01/productTypes"
SCHEMA_PATH = "/_product_types/schemas"
META_SCHEMA_URL = "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
VERSION = "U1Z2A3B4C5D6E7F8"  # one fixed "LATEST" version per product type


@sp_api_operation("getDefinitionsProductType")
async def get_definitions_product_type(request: Request, state, account: str) -> Response:
    marketplace = one_marketplace(request, state, account)
    params = request.query_params
    requirements = params.get("requirements", "LISTING")
    enforced = params.get("requirementsEnforced", "ENFORCED")
    version = params.get("productTypeVersion", "LATEST")
    if requirements not in product_types.REQUIREMENTS or enforced not in ("ENFORCED", "NOT_ENFORCED") or (
        version not in ("LATEST", "RELEASE_CANDIDATE", VERSION)
    ):
        raise invalid_input("Invalid input", "requirements, requirementsEnforced or productTypeVersion is invalid")
    name = request.path_params["product_type"]
    if name not in product_types.PRODUCT_TYPES:
        raise not_found(f"Product type definition not found for {name} in marketplace {marketplace}")
    base = own_base_url(request, state.config.public_url)
    return JSONResponse({
        "metaSchema": {"link": {"resource": META_SCHEMA_URL, "verb": "GET"}, "checksum": ""},
        "schema": {"link": {"resource": f"{base}{SCHEMA_PATH}/{name}.json", "verb": "GET"},
                   "checksum": product_types.checksum(name)},
        "requirements": requirements,
        "requirementsEnforced": enforced,
        "propertyGroups": {key: {"title": key.replace("_", " ").title(), "propertyNames": names}
                           for key, names in product_types.PROPERTY_GROUPS.items()},
        "locale": params.get("locale", "DEFAULT"),
        "marketplaceIds": [marketplace],
        "productType": name,
        "displayName": product_types.PRODUCT_TYPES[name][0],
        "productTypeVersion": {"version": VERSION, "latest": True, "releaseCandidate": False},
    })


async def schema_document(request: Request) -> Response:
    """The schema a definition links to (no SP-API token: Amazon's link is a presigned S3 URL)."""
    name = request.path_params["product_type"]
    if name not in product_types.PRODUCT_TYPES:
        return Response("NoSuchKey", status_code=404)
    return Response(product_types.document(name), media_type="application/json")


routes = [
    Route(f"{BASE}/{{product_type}}", get_definitions_product_type, methods=["GET"]),
    Route(f"{SCHEMA_PATH}/{{product_type}}.json", schema_document, methods=["GET"]),
]
