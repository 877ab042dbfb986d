"""Product Type Definitions API 2020-09-01: a product type's definition and the JSON Schema it links to.

https://developer-docs.amazon.com/sp-api/docs/product-type-definitions-api-v2020-09-01-reference. The schema sits
behind a presigned link (no SP-API token); its `checksum` (Base64 MD5) is the cache key, so an unchanged schema is
downloaded once per `ProductTypesApi`. Required attributes are the schema's `required` plus its `allOf` if/then
rules: validate against the schema (or with VALIDATION_PREVIEW), never with a hand-written list.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from amazon_netsuite.lib.amazon.client import SpApiClient

VERSION = "2020-09-01"
BASE_PATH = f"/definitions/{VERSION}/productTypes"
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")


@dataclass(frozen=True)
class ProductTypeDefinition:
    """One product type in one marketplace: its version, requirements and the schema document itself."""

    product_type: str
    marketplace_id: str
    display_name: str
    version: str
    requirements: str
    requirements_enforced: str
    checksum: str
    schema: dict
    property_groups: dict


class ProductTypesApi:
    """Product Type Definitions API, version 2020-09-01, over one `SpApiClient`."""

    version = VERSION

    def __init__(self, client: SpApiClient) -> None:
        self.client = client
        self._schemas: dict[str, dict] = {}  # checksum → schema document

    def get_definition(self, product_type: str, marketplace_id: str, seller_id: str | None = None,
                       requirements: str = "LISTING", *, enforced: bool = True) -> ProductTypeDefinition:
        """The product type's latest definition with its schema; raises `NotFound` for a product type Amazon does
        not have in the marketplace."""
        if requirements not in REQUIREMENTS:
            raise ValueError(f"requirements is one of {', '.join(REQUIREMENTS)}, got {requirements!r}")
        params = {"marketplaceIds": [marketplace_id], "sellerId": seller_id, "requirements": requirements,
                  "requirementsEnforced": "ENFORCED" if enforced else "NOT_ENFORCED", "locale": "DEFAULT"}
        response = self.client.request("getDefinitionsProductType", "GET",
                                       f"{BASE_PATH}/{quote(product_type, safe='')}", params=params)
        body = response.payload
        link, checksum = body["schema"]["link"], body["schema"]["checksum"]
        if checksum not in self._schemas:
            self._schemas[checksum] = self.client.download(
                link["resource"], operation=f"product type schema {product_type}").json()
        return ProductTypeDefinition(
            product_type=body["productType"], marketplace_id=marketplace_id, display_name=body.get("displayName", ""),
            version=body["productTypeVersion"]["version"], requirements=body["requirements"],
            requirements_enforced=body["requirementsEnforced"], checksum=checksum, schema=self._schemas[checksum],
            property_groups=body.get("propertyGroups") or {})
