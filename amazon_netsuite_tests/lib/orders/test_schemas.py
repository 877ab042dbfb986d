"""The blocking checks on orders and order lines name the orders that fail them."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa

from amazon_netsuite.lib.orders.schemas import (
    OrderLinesModel,
    OrdersModel,
    validate_order_lines,
    validate_order_lines_in,
    validate_orders,
    validate_orders_in,
)
from amazon_netsuite_tests.lib.orders.report_builder import demo_settings, row, type_report

US = demo_settings().storefront("demo-US")


def _typed():
    return type_report([
        row(amazon_order_id="111-1", sku="MUG"), row(amazon_order_id="111-1", sku="TEE"),
        row(amazon_order_id="111-2", fulfillment_channel="Merchant", is_prime="true"),
    ])


def test_typed_orders_and_lines_match_the_models():
    typed = _typed()
    orders, lines = typed.orders(), typed.lines()
    assert validate_orders(orders, US) == []
    assert validate_order_lines(lines, US) == []
    assert list(orders.columns) == list(OrdersModel.to_schema().columns)
    assert list(lines.columns) == list(OrderLinesModel.to_schema().columns)
    assert orders["item_price"].dtype == pd.ArrowDtype(pa.decimal128(18, 4))


def test_a_duplicated_order_a_negative_quantity_and_a_foreign_currency_are_named():
    orders = _typed().orders()
    bad = pd.concat([orders, orders.iloc[[0]]], ignore_index=True)
    bad.loc[1, "quantity"] = -2
    bad["currency"] = bad["currency"].astype(object)
    bad.loc[1, "currency"] = "EUR"
    bad["currency"] = bad["currency"].astype(orders["currency"].dtype)

    failures = validate_orders(bad, US)
    assert "order id not unique per partition: 111-1 appears more than once in demo-US 2026-11-20" in failures
    assert "quantity below 0: 111-2 has quantity -2" in failures
    assert "currency is not USD (storefront demo-US): 111-2 is in EUR" in failures
    assert any(f.startswith("OrdersModel: column quantity fails greater_than_or_equal_to(0)") for f in failures)


def test_a_float_money_column_or_a_missing_column_fails_the_model():
    orders = _typed().orders()
    floats = orders.assign(item_price=orders["item_price"].astype("float64"))
    assert any("column item_price" in f and "dtype" in f for f in validate_orders(floats, US))
    missing = orders.drop(columns=["order_total"])
    assert any("order_total" in f for f in validate_orders(missing, US))


def test_lines_must_be_unique_per_order_and_line_number():
    lines = _typed().lines()
    doubled = pd.concat([lines, lines.iloc[[0]]], ignore_index=True)
    failures = validate_order_lines(doubled, US)
    assert failures == [
        "order id + line number not unique per partition: 111-1 appears more than once in demo-US 2026-11-20"
    ]


def test_long_failure_lists_are_capped():
    orders = _typed().orders()
    many = pd.concat([orders.iloc[[1]]] * 30, ignore_index=True)
    many["quantity"] = pd.array([-1] * 30, dtype=orders["quantity"].dtype)
    failures = [f for f in validate_orders(many, US) if f.startswith("quantity below 0")]
    assert len(failures) == 21 and failures[-1] == "quantity below 0: … and 10 more"
    assert Decimal(str(orders["item_price"].iloc[0])) == Decimal("39.98")


# --- the same checks run inside DuckDB ---------------------------------------------------------------------


def _in_duckdb(typed, name: str, frame: pd.DataFrame) -> str:
    """The frame as a DuckDB table with the warehouse's column types."""
    typed.con.register("frame", frame)
    typed.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
    return name


def test_the_checks_in_duckdb_pass_typed_orders_and_lines():
    typed = _typed()
    assert validate_orders_in(typed.con, "typed_orders", US) == []
    assert validate_order_lines_in(typed.con, "typed_order_lines", US) == []
    day = typed.orders()["day"].iloc[0]
    assert validate_orders_in(typed.con, "typed_orders", US, day=day) == []


def test_the_checks_in_duckdb_name_the_same_failures_as_on_a_frame():
    typed = _typed()
    orders = typed.orders()
    bad = pd.concat([orders, orders.iloc[[0]]], ignore_index=True)
    bad.loc[1, "quantity"] = -2
    for column, at, value in (("currency", 1, "EURO"), ("channel", 0, "Drone"), ("order_status", 2, None)):
        bad[column] = bad[column].astype(object)
        bad.loc[at, column] = value
        bad[column] = bad[column].astype(orders[column].dtype)

    in_duckdb = validate_orders_in(typed.con, _in_duckdb(typed, "bad_orders", bad), US)
    on_frame = validate_orders(bad, US)
    assert sorted(in_duckdb) == sorted(on_frame)
    assert "order id not unique per partition: 111-1 appears more than once in demo-US 2026-11-20" in in_duckdb
    assert "quantity below 0: 111-2 has quantity -2" in in_duckdb
    assert "OrdersModel: column order_status fails not_nullable (1 rows, e.g. <NA>)" in in_duckdb
    assert "OrdersModel: column currency fails str_length(3, 3) (1 rows, e.g. EURO)" in in_duckdb


def test_the_checks_in_duckdb_see_a_float_money_column_and_cap_long_lists():
    typed = _typed()
    orders = typed.orders()
    floats = orders.assign(item_price=orders["item_price"].astype("float64"))
    failures = validate_orders_in(typed.con, _in_duckdb(typed, "float_orders", floats), US)
    assert any("column item_price" in f and "dtype" in f for f in failures)

    lines = typed.lines()
    many = pd.concat([lines.iloc[[0]]] * 30, ignore_index=True)
    many["line_number"] = pd.array(range(1, 31), dtype=lines["line_number"].dtype)
    many["quantity"] = pd.array([-1] * 30, dtype=lines["quantity"].dtype)
    failures = validate_order_lines_in(typed.con, _in_duckdb(typed, "many_lines", many), US)
    below = [f for f in failures if f.startswith("quantity below 0")]
    assert len(below) == 21 and below[-1] == "quantity below 0: … and 10 more"
    assert sorted(failures) == sorted(validate_order_lines(many, US))
