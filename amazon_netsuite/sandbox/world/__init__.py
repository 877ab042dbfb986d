"""The generated world behind the sandbox: catalog, orders and the reports built from them (plain Python)."""

from amazon_netsuite.sandbox.world.catalog import CATALOG, PRODUCTS_BY_SKU, Product
from amazon_netsuite.sandbox.world.demo import demo_settings
from amazon_netsuite.sandbox.world.order_report import (
    ORDER_REPORT_COLUMNS,
    ORDER_REPORT_TYPE,
    REPORT_CONTENT_TYPE,
    REPORT_ENCODING,
    order_counts,
    order_report_rows,
    order_report_text,
    order_rows,
    order_summary,
    report_timestamp,
    write_order_report_file,
)
from amazon_netsuite.sandbox.world.orders import FBA, MFN, Order, OrderLine, OrderState, World, order_state

__all__ = [
    "CATALOG", "FBA", "MFN", "ORDER_REPORT_COLUMNS", "ORDER_REPORT_TYPE", "PRODUCTS_BY_SKU", "REPORT_CONTENT_TYPE",
    "REPORT_ENCODING", "Order", "OrderLine", "OrderState", "Product", "World", "demo_settings", "order_counts",
    "order_report_rows", "order_report_text", "order_rows", "order_state", "order_summary", "report_timestamp",
    "write_order_report_file",
]
