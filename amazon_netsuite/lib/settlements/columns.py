"""Columns of `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2` and of the rows the settlement flow reads from it.

The file (https://developer-docs.amazon.com/sp-api/docs/settlement-reports-attributes): a header line, then the
settlement's totals row (settlement-id, settlement-start-date, settlement-end-date, deposit-date, total-amount,
currency; every detail column empty), then one detail row per amount (transaction-type … promotion-id; the totals
columns empty or repeated). The warehouse tables these rows go to are in `tables.py`.
"""

from __future__ import annotations

REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

# Amazon's documented attribute list, in file order, plus the `promotion-id` real files end with.
DOCUMENTED_COLUMNS: tuple[str, ...] = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
)
TOTALS_COLUMNS: tuple[str, ...] = DOCUMENTED_COLUMNS[:6]
DETAIL_TEXT_COLUMNS: tuple[str, ...] = (
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "fulfillment-id", "order-item-code", "merchant-order-item-id",
    "merchant-adjustment-item-id", "sku", "promotion-id",
)

# Without these a settlement cannot be read or tied out; a file lacking any of them is refused.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "settlement-id", "deposit-date", "total-amount", "currency", "transaction-type", "amount-type",
    "amount-description", "amount",
)


def column_name(header_name: str) -> str:
    """`amount-description` → `amount_description`."""
    return header_name.replace("-", "_")


# One typed detail line, in this order (`ParsedSettlement.lines`; `settlement_lines` adds storefront and day).
LINE_COLUMNS: tuple[str, ...] = (
    "report_id", "settlement_id", "line_number", "transaction_type", "order_id", "merchant_order_id",
    "adjustment_id", "shipment_id", "marketplace_name", "amount_type", "amount_description", "amount", "currency",
    "fulfillment_id", "posted_date", "posted_date_time", "order_item_code", "merchant_order_item_id",
    "merchant_adjustment_item_id", "sku", "quantity_purchased", "promotion_id", "extra_columns",
)

QUARANTINE_COLUMNS: tuple[str, ...] = ("report_id", "settlement_id", "line_number", "reason", "raw_line")
