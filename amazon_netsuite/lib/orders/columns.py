"""Columns of the order report and the SQL snippets that read them the same way everywhere."""

from __future__ import annotations

from amazon_netsuite.lib.orders.tables import ORDER_REPORT_TEXT_COLUMNS
from amazon_netsuite.lib.warehouse.sql import sql_literal

# Header name → warehouse column, for every column we load into its own field (the rest go to extra_columns).
KNOWN_COLUMNS: dict[str, str] = {c.replace("_", "-"): c for c in ORDER_REPORT_TEXT_COLUMNS}

# Without these a row cannot become an order line; a file lacking any of them is unusable.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "amazon-order-id", "purchase-date", "last-updated-date", "order-status", "fulfillment-channel",
    "sales-channel", "sku", "quantity", "currency", "item-price",
)

MONEY_COLUMNS: tuple[str, ...] = (
    "item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price", "gift_wrap_tax",
    "item_promotion_discount", "ship_promotion_discount",
)

# The columns of `order_report_rows`, in DDL order.
ORDER_REPORT_ROW_COLUMNS: tuple[str, ...] = (
    "storefront", "day", "report_id", "row_number", *ORDER_REPORT_TEXT_COLUMNS, "extra_columns", "parse_error",
)

TRUE_WORDS = "('true', 'yes', 'y', '1')"


def header_name(column: str) -> str:
    return column.replace("_", "-")


def utc_timestamp_sql(text: str) -> str:
    """SQL turning an ISO 8601 text (offset, `Z` or none) into a naive UTC TIMESTAMP, NULL if unreadable.

    Only correct inside `utc_session`: a text without offset is read in the session time zone.
    """
    # epoch_us → make_timestamp is plain arithmetic; a TIMESTAMPTZ → TIMESTAMP cast asks ICU for every value.
    return f"make_timestamp(epoch_us(try_cast({text} AS TIMESTAMPTZ)))"


def raw_row_json_sql(alias: str = "") -> str:
    """SQL for a row as received: JSON of header name → value, extra columns merged in."""
    p = f"{alias}." if alias else ""
    pairs = ", ".join(f"{sql_literal(header_name(c))}, {p}{c}" for c in ORDER_REPORT_TEXT_COLUMNS)
    return f"CAST(json_merge_patch(json_object({pairs}), coalesce({p}extra_columns, '{{}}')) AS VARCHAR)"
