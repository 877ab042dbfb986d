"""GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL as Amazon documents it: its name and its columns.

The report's public contract, read by the orders flow and served by the sandbox: one definition.
"""

from __future__ import annotations

ORDER_REPORT_TYPE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"

# The 31 documented columns in file order
# (https://developer-docs.amazon.com/sp-api/docs/order-tracking-reports-attributes).
DOCUMENTED_COLUMNS: tuple[str, ...] = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level", "product-name", "sku", "asin",
    "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
    "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city",
    "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order", "purchase-order-number",
    "price-designation",
)
