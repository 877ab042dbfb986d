"""The warehouse schema is created by `ensure_schema` alone: no table depends on which modules happen to be imported."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EVERY_TABLE = {
    # shared: the report registry and the posting ledger
    "amazon_reports", "netsuite_postings", "integration_errors",
    # orders
    "order_report_rows", "orders", "order_lines", "order_report_quarantine", "order_report_unrouted",
    # settlements
    "settlement_report_intake", "settlement_documents", "settlements", "settlement_lines",
    "settlement_line_quarantine", "settlement_line_matches", "settlement_line_accounts", "settlement_gl_summary",
    "settlement_reconciliation",
    # inventory
    "netsuite_inventory_snapshot", "netsuite_kit_members", "fba_inventory_snapshot", "available_to_sell",
    "inventory_feed_submissions", "amazon_listing_quantities", "fba_inventory_ledger", "fba_opening_balances",
    # pricing
    "price_list", "price_feed_submissions", "amazon_listing_prices",
    # listings
    "product_master", "listing_submissions", "amazon_listing_content",
    # shipments
    "shipped_packages", "shipment_confirmations", "sales_orders_billed", "amazon_order_items",
    # returns
    "fba_customer_returns", "fba_customer_returns_quarantine", "mfn_returns", "mfn_returns_quarantine",
    "vendor_purchase_orders", "vendor_acknowledgements", "vendor_order_status",
    # finances, accruals
    "finance_transactions", "refunds_posted", "daily_accrual",
    # NetSuite's setup records
    "netsuite_metadata",
}
EVERY_VIEW = {
    "orders_latest", "sales_orders_to_confirm_shipment", "settlement_overview", "settlement_unmatched_lines",
    "settlement_fees_by_type", "sales_orders_posted", "cash_sales_posted", "settlement_gl_postings",
    "fba_inventory_adjustments_posted", "fba_stock_differences", "price_history", "listing_issues",
    "return_receipts_posted", "vendor_sales_orders_posted",
    "month_end_accruals",
}


def test_a_fresh_interpreter_creates_every_table_and_view_with_ensure_schema_alone(tmp_path):
    """A new process imports only `amazon_netsuite.schema` and calls `ensure_schema` on an empty DuckDB file: every
    flow's tables and views are there (when tables registered themselves on import, the settlement ones were not)."""
    script = (
        "import sys, duckdb\n"
        "from amazon_netsuite.schema import ensure_schema\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "ensure_schema(con)\n"
        "for name, kind in con.execute('SELECT table_name, table_type FROM information_schema.tables').fetchall():\n"
        "    print(name, kind, sep='\\t')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "fresh.duckdb")], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    listed = [line.split("\t") for line in done.stdout.splitlines()]
    assert {name for name, kind in listed if kind == "BASE TABLE"} == EVERY_TABLE
    assert {name for name, kind in listed if kind == "VIEW"} == EVERY_VIEW


def test_ensure_schema_twice_changes_nothing(tmp_path):
    """Every statement is idempotent: a warehouse opened again keeps its tables and rows."""
    import duckdb

    from amazon_netsuite.schema import ensure_schema

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.execute("INSERT INTO order_report_unrouted VALUES ('r1', 1, 'no storefront', NULL)")
    ensure_schema(con)
    assert con.execute("SELECT count(*) FROM order_report_unrouted").fetchone() == (1,)

