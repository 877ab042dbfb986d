"""A NetSuite product (a `netsuite_products.read_products` row) as the attributes of an Amazon listing in one
marketplace, shaped by its product type's definition.

Only attributes the product type's schema declares are sent, each as Amazon's array of values with the
`marketplace_id` and, for text, the marketplace's `language_tag` selectors
(https://developer-docs.amazon.com/sp-api/docs/product-type-definitions-api-v2020-09-01-use-case-guide). The
variation theme is the schema's theme whose parts are exactly the family's axes (COLOR and SIZE → SIZE/COLOR). The
offer (price, quantity) is not product content: the pricing and inventory flows send it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

CONDITION = "new_new"  # NetSuite has no condition field for a new item; the seller sells new goods
# A variation axis → the attribute of its value and the theme part naming it.
AXIS_ATTRIBUTES = {"color": ("color", "COLOR"), "size": ("size", "SIZE")}
PRODUCT_ATTRIBUTES = ("item_name", "brand", "bullet_point", "product_description",
                      "externally_assigned_product_identifier", "main_product_image_locator", "condition_type",
                      "parentage_level", "child_parent_sku_relationship", "variation_theme", "color", "size")


class UnlistableProduct(ValueError):
    """A product the listing cannot be built for (its family's axes fit no variation theme of the type)."""


def themes_of(schema: dict) -> list[str]:
    """The variation theme names a product type's schema allows."""
    theme = schema.get("properties", {}).get("variation_theme", {})
    return list(theme.get("items", {}).get("properties", {}).get("name", {}).get("enum") or [])


def variation_theme(axes: list[str], themes: list[str]) -> str | None:
    """The theme whose parts are exactly these axes, whatever their order; None when none is."""
    wanted = {AXIS_ATTRIBUTES.get(axis, (axis, axis.upper()))[1] for axis in axes}
    return next((t for t in themes if set(t.split("/")) == wanted), None)


def listing_attributes(product: dict[str, Any], schema: dict, *, marketplace_id: str, language_tag: str) -> dict:
    """The listing attributes of a product (parent, child or stand-alone) for one marketplace; UnlistableProduct
    when its variation axes fit no theme of the product type."""
    declared = schema.get("properties", {})
    market = {"marketplace_id": marketplace_id}
    text = {**market, "language_tag": language_tag}

    def texts(*strings: str) -> list[dict]:
        return [{"value": value, **text} for value in strings if value]

    def plain(*entries: dict) -> list[dict]:
        return [{**entry, **market} for entry in entries]

    attributes: dict[str, list[dict]] = {
        "item_name": texts(product["title"]),
        "brand": texts(product.get("brand")),
        "bullet_point": texts(*(product.get("bullet_points") or [])),
        "product_description": texts(product.get("description")),
        "main_product_image_locator": plain(*({"media_location": i} for i in (product.get("images") or [])[:1])),
    }
    if product.get("identifier") and product.get("identifier_type"):
        attributes["externally_assigned_product_identifier"] = plain(
            {"type": product["identifier_type"], "value": product["identifier"]})
    matrix = product.get("matrix_type")
    if matrix != "PARENT":
        attributes["condition_type"] = plain({"value": CONDITION})
    if matrix in ("PARENT", "CHILD"):
        axes = list(product.get("variation_axes") or [])
        theme = variation_theme(axes, themes_of(schema))
        if theme is None:
            raise UnlistableProduct(
                f"the variation axes {', '.join(axes) or '(none)'} fit no variation theme of product type "
                f"{product['product_type']} ({', '.join(themes_of(schema)) or 'none'})")
        attributes["parentage_level"] = plain({"value": matrix.lower()})
        attributes["variation_theme"] = [{"name": theme, **market}]
    if matrix == "CHILD":
        attributes["child_parent_sku_relationship"] = [
            {"child_relationship_type": "variation", "parent_sku": product["parent_sku"], **market}]
        options = dict(product.get("variation_attributes") or [])
        for axis, value in options.items():
            name = AXIS_ATTRIBUTES.get(axis, (axis, ""))[0]
            attributes[name] = texts(value)
    return {name: value for name, value in attributes.items() if value and name in declared}


def content_hash(product_type: str, attributes: dict) -> str:
    """What a listing's content is, for change detection: the product type and attributes, canonical JSON."""
    body = json.dumps({"product_type": product_type, "attributes": attributes}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
