"""Small order report files for tests, written the way Seller Central writes them (tab-separated, header row)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from amazon_netsuite.lib.amazon.order_report import DOCUMENTED_COLUMNS
from amazon_netsuite.lib.orders.report_file import ParsedOrderReport, RoutedRows, parse_order_report, route_order_rows
from amazon_netsuite.lib.orders.typing import TypedCounts, type_order_rows
from amazon_netsuite.lib.settings import Settings, load_settings
from amazon_netsuite.lib.warehouse import fetch_df
from amazon_netsuite.schema import ensure_schema

DEMO_SETTINGS = Path(__file__).resolve().parents[3] / "data" / "accounts.yaml"
COLUMNS = [*DOCUMENTED_COLUMNS, "tax-collection-model", "tax-collection-responsible-party", "is-prime"]

# One shipped FBA line on Amazon.com; tests override what they are about.
DEFAULT_ROW = {
    "amazon-order-id": "111-0000001-0000001",
    "merchant-order-id": "",
    "purchase-date": "2026-11-20T10:00:00+00:00",
    "last-updated-date": "2026-11-20T14:03:11+00:00",
    "order-status": "Shipped",
    "fulfillment-channel": "Amazon",
    "sales-channel": "Amazon.com",
    "order-channel": "",
    "ship-service-level": "Standard",
    "product-name": "Organic Cotton T-Shirt – Red, M",
    "sku": "TSHIRT-RED-M",
    "asin": "B0DV7UJ100",
    "item-status": "Shipped",
    "quantity": "1",
    "currency": "USD",
    "item-price": "19.99",
    "item-tax": "1.60",
    "shipping-price": "0.00",
    "shipping-tax": "0.00",
    "gift-wrap-price": "",
    "gift-wrap-tax": "",
    "item-promotion-discount": "",
    "ship-promotion-discount": "",
    "ship-city": "Seattle",
    "ship-state": "WA",
    "ship-postal-code": "98101",
    "ship-country": "US",
    "promotion-ids": "",
    "is-business-order": "false",
    "purchase-order-number": "",
    "price-designation": "",
    "tax-collection-model": "MarketplaceFacilitator",
    "tax-collection-responsible-party": "Amazon Services, Inc.",
    "is-prime": "false",
}

DE_ROW = {
    **DEFAULT_ROW,
    "amazon-order-id": "302-0000001-0000001",
    "sales-channel": "Amazon.de",
    "currency": "EUR",
    "ship-city": "München",
    "ship-state": "BY",
    "ship-postal-code": "80331",
    "ship-country": "DE",
    "tax-collection-model": "",
    "tax-collection-responsible-party": "",
}


def row(base: dict[str, str] | None = None, **changes: str) -> dict[str, str]:
    """A report row: `base` (default: a US FBA line) with changes given as python names (item_price=...)."""
    result = dict(base or DEFAULT_ROW)
    result.update({name.replace("_", "-"): value for name, value in changes.items()})
    return result


def report_text(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or COLUMNS
    lines = ["\t".join(columns), *("\t".join(r.get(c, "") for c in columns) for r in rows)]
    return "\n".join(lines) + "\n"


def demo_settings() -> Settings:
    return load_settings(DEMO_SETTINGS)


@dataclass
class Typed:
    """A report taken through parse → route → type for one storefront, in an in-memory warehouse."""

    con: duckdb.DuckDBPyConnection
    parsed: ParsedOrderReport
    routed: RoutedRows
    counts: TypedCounts

    def orders(self):
        return fetch_df(self.con, "SELECT * FROM typed_orders ORDER BY day, amazon_order_id")

    def lines(self):
        return fetch_df(self.con, "SELECT * FROM typed_order_lines ORDER BY day, amazon_order_id, line_number")

    def quarantine(self):
        return fetch_df(self.con, "SELECT * FROM typed_order_quarantine ORDER BY report_id, row_number")

    def order(self, amazon_order_id: str) -> dict:
        found = self.orders().query("amazon_order_id == @amazon_order_id")
        assert len(found) == 1, f"{amazon_order_id}: {len(found)} rows in typed_orders"
        return found.iloc[0].to_dict()


def type_report(rows: list[dict[str, str]], storefront_key: str = "demo-US", report_id: str = "R-1") -> Typed:
    return type_text(report_text(rows), storefront_key, report_id)


def type_text(text: str, storefront_key: str = "demo-US", report_id: str = "R-1") -> Typed:
    settings = demo_settings()
    parsed = parse_order_report(text, report_id=report_id)
    routed = route_order_rows(parsed, settings)
    con = duckdb.connect()
    ensure_schema(con)
    con.register("routed_rows", routed.rows)
    con.execute("INSERT INTO order_report_rows BY NAME SELECT * FROM routed_rows")
    con.execute(
        f"CREATE TEMP VIEW storefront_rows AS SELECT * FROM order_report_rows WHERE storefront = '{storefront_key}'"
    )
    counts = type_order_rows(con, "storefront_rows", settings.storefront(storefront_key))
    return Typed(con=con, parsed=parsed, routed=routed, counts=counts)
