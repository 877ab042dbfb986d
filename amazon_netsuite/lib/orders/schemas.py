"""Pandera models of `orders` and `order_lines` as `fetch_df` returns them, and the blocking checks on them.

The models pin the exact shape (strict, ordered, Arrow-backed dtypes: money is `decimal128(18, 4)`, never float).
`validate_orders` / `validate_order_lines` run the model and the business rules on a frame and return readable
failures that name the offending orders; an empty list means the partition may go on to NetSuite.
`validate_orders_in` / `validate_order_lines_in` run the same checks inside DuckDB on a table, so a million rows
never have to be pulled into pandas (BENCHMARKS.md).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from amazon_netsuite.lib.settings import Storefront
from amazon_netsuite.lib.warehouse.checks import Day, Flag, Int, Money, Text, Timestamp, optional, schema_failures

CHANNELS = ("FBA", "MFN", "SFP")
_SHOWN = 20  # failures listed per rule; the count says how many more


class OrdersModel(pa.DataFrameModel):
    """One order's latest state in a storefront-day (table `orders`)."""

    storefront: Text
    day: Day
    amazon_order_id: Text
    merchant_order_id: Text = optional()
    purchase_date: Timestamp
    last_updated_date: Timestamp
    order_status: Text
    channel: Text = pa.Field(isin=CHANNELS)
    sales_channel: Text
    ship_service_level: Text = optional()
    currency: Text = pa.Field(str_length={"min_value": 3, "max_value": 3})
    is_business_order: Flag
    purchase_order_number: Text = optional()
    line_count: Int = pa.Field(ge=1)
    quantity: Int = pa.Field(ge=0)
    item_price: Money = optional()
    item_tax: Money = optional()
    shipping_price: Money = optional()
    shipping_tax: Money = optional()
    gift_wrap_price: Money = optional()
    gift_wrap_tax: Money = optional()
    item_promotion_discount: Money = optional()
    ship_promotion_discount: Money = optional()
    marketplace_facilitator_tax: Money = optional()
    seller_collected_tax: Money = optional()
    order_total: Money = optional()
    has_gift_wrap: Flag
    promotion_ids: Text = optional()
    report_id: Text

    class Config:
        strict = True
        ordered = True


class OrderLinesModel(pa.DataFrameModel):
    """One line of an order (table `order_lines`)."""

    storefront: Text
    day: Day
    amazon_order_id: Text
    line_number: Int = pa.Field(ge=1)
    sku: Text
    asin: Text = optional()
    product_name: Text = optional()
    item_status: Text = optional()
    quantity: Int = pa.Field(ge=0)
    currency: Text = pa.Field(str_length={"min_value": 3, "max_value": 3})
    unit_price: Money = optional()
    item_price: Money = optional()
    item_tax: Money = optional()
    shipping_price: Money = optional()
    shipping_tax: Money = optional()
    gift_wrap_price: Money = optional()
    gift_wrap_tax: Money = optional()
    item_promotion_discount: Money = optional()
    ship_promotion_discount: Money = optional()
    tax_collection_model: Text = optional()
    marketplace_facilitator_tax: Money = optional()
    seller_collected_tax: Money = optional()
    promotion_ids: Text = optional()
    price_designation: Text = optional()
    report_id: Text
    row_number: Int = pa.Field(ge=1)

    class Config:
        strict = True
        ordered = True


def _listed(rule: str, offenders: list[str], total: int | None = None) -> list[str]:
    """One failure per offending order, capped, plus a count of the rest."""
    total = len(offenders) if total is None else total
    shown = [f"{rule}: {text}" for text in offenders[:_SHOWN]]
    if total > _SHOWN:
        shown.append(f"{rule}: … and {total - _SHOWN} more")
    return shown


def _arrow(df: pd.DataFrame, columns: list[str]) -> pyarrow.Table:
    """The frame's columns as Arrow (zero-copy for the Arrow-backed dtypes fetch_df returns)."""
    return pyarrow.Table.from_pandas(df[columns], preserve_index=False)


def _common_rules(df: pd.DataFrame, storefront: Storefront, key: list[str], what: str) -> list[str]:
    """The rules run as Arrow compute over the whole frame; text is only built for the rows that fail."""
    if df.empty:
        return []
    table = _arrow(df, list(dict.fromkeys([*key, "quantity", "currency"])))
    failures: list[str] = []

    counts = table.group_by(key).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts["count_all"], 1)).sort_by([(k, "ascending") for k in key])
    failures += _listed(
        f"{what} not unique per partition",
        [f"{r['amazon_order_id']} appears more than once in {r['storefront']} {r['day']}"
         for r in repeated.select(["amazon_order_id", "storefront", "day"]).to_pylist()],
    )
    for rule, mask, text in (
        ("quantity below 0", pc.less(table["quantity"], 0), lambda r: f"has quantity {r['quantity']}"),
        (
            f"currency is not {storefront.currency} (storefront {storefront.key})",
            pc.not_equal(table["currency"], storefront.currency),
            lambda r: f"is in {r['currency']}",
        ),
        (
            f"row of another storefront than {storefront.key}",
            pc.not_equal(table["storefront"], storefront.key),
            lambda r: f"belongs to {r['storefront']}",
        ),
    ):
        bad = table.filter(pc.fill_null(mask, True))
        failures += _listed(rule, [f"{r['amazon_order_id']} {text(r)}" for r in bad.slice(0, _SHOWN + 1).to_pylist()],
                            total=bad.num_rows)
    return failures


_ORDER_KEY = ["storefront", "day", "amazon_order_id"]
_LINE_KEY = [*_ORDER_KEY, "line_number"]


def validate_orders(df: pd.DataFrame, storefront: Storefront) -> list[str]:
    """Blocking check of `orders`: shape, one row per order per partition, quantities ≥ 0, storefront currency."""
    failures = schema_failures(OrdersModel, df)
    if set(OrdersModel.to_schema().columns) <= set(df.columns):
        failures += _common_rules(df, storefront, _ORDER_KEY, "order id")
    return failures


def validate_order_lines(df: pd.DataFrame, storefront: Storefront) -> list[str]:
    """Blocking check of `order_lines`: shape, unique line numbers per order, quantities ≥ 0, storefront currency."""
    failures = schema_failures(OrderLinesModel, df)
    if set(OrderLinesModel.to_schema().columns) <= set(df.columns):
        failures += _common_rules(df, storefront, _LINE_KEY, "order id + line number")
    return failures


# The blocking gates of the typed orders, name → what each holds (the check's description in the UI).
ORDER_GATES = {
    "orders_valid": "Unique order id per partition, quantities ≥ 0, currency of the storefront.",
    "order_lines_valid": "Unique line numbers per order, quantities ≥ 0, currency of the storefront.",
}


# --- the same checks inside DuckDB --------------------------------------------------------------------------


def validate_orders_in(
    con: duckdb.DuckDBPyConnection, table: str, storefront: Storefront, day: date | None = None
) -> list[str]:
    """`validate_orders` over the rows of `table` (e.g. `orders`) of this storefront, and of `day` if given."""
    return _validate_in(con, OrdersModel, table, storefront, day, _ORDER_KEY, "order id")


def validate_order_lines_in(
    con: duckdb.DuckDBPyConnection, table: str, storefront: Storefront, day: date | None = None
) -> list[str]:
    """`validate_order_lines` over the rows of `table` (e.g. `order_lines`) of this storefront (and `day`)."""
    return _validate_in(con, OrderLinesModel, table, storefront, day, _LINE_KEY, "order id + line number")


def _validate_in(
    con: duckdb.DuckDBPyConnection,
    model: type[pa.DataFrameModel],
    table: str,
    storefront: Storefront,
    day: date | None,
    key: list[str],
    what: str,
) -> list[str]:
    """The model's shape (columns, order, dtypes) is Pandera's verdict on an empty frame of the table; every value
    check of the model and every blocking rule runs as SQL over all the rows, and only failing rows are fetched.

    Rows are chosen by storefront, so the frame rule "row of another storefront" has nothing to find here.
    """
    where = "storefront = ?" + (" AND day = ?" if day is not None else "")
    params = [storefront.key, *([day] if day is not None else [])]
    empty = con.sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)
    failures = schema_failures(model, empty)
    if not set(model.to_schema().columns) <= set(empty.columns):
        return failures

    def rows(condition: str, columns: str, order: str, limit: int) -> list[tuple]:
        return con.execute(
            f"SELECT {columns} FROM {table} WHERE ({where}) AND ({condition}) ORDER BY {order} LIMIT {limit}", params
        ).fetchall()

    currency = "'" + storefront.currency.replace("'", "''") + "'"
    rules = (
        ("quantity below 0", "quantity IS NULL OR quantity < 0", "quantity", "has quantity {}"),
        (f"currency is not {storefront.currency} (storefront {storefront.key})",
         f"currency IS DISTINCT FROM {currency}", "currency", "is in {}"),
    )
    checks = _value_checks(model)
    # One scan counts every failing row of every check and rule; examples are fetched only for what fails.
    counts = con.execute(
        f"SELECT {', '.join(f'count_if({bad})' for bad in [*(c[2] for c in checks), *(r[1] for r in rules)])} "
        f"FROM {table} WHERE {where}",
        params,
    ).fetchone()
    for (column, check, bad), n in zip(checks, counts):
        if n:
            examples = ", ".join("<NA>" if v is None else str(v) for (v,) in rows(bad, column, "ALL", 5))
            failures.append(f"{model.__name__}: column {column} fails {check} ({n} rows, e.g. {examples})")

    keys = ", ".join(key)
    repeated = con.execute(
        f"SELECT amazon_order_id, storefront, day, count(*) OVER () FROM {table} WHERE {where} "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY {keys} LIMIT {_SHOWN}",
        params,
    ).fetchall()
    failures += _listed(
        f"{what} not unique per partition",
        [f"{order} appears more than once in {sf} {d}" for order, sf, d, _ in repeated],
        total=repeated[0][3] if repeated else 0,
    )
    for (rule, condition, column, text), n in zip(rules, counts[len(checks):]):
        if n:
            bad = rows(condition, f"amazon_order_id, {column}", keys, _SHOWN + 1)
            failures += _listed(rule, [f"{order} {text.format(v)}" for order, v in bad], total=n)
    return failures


def _value_checks(model: type[pa.DataFrameModel]) -> list[tuple[str, str, str]]:
    """(column, check as Pandera names it, SQL that is true for a failing row) for every check of the model."""
    found = []
    for name, column in model.to_schema().columns.items():
        if not column.nullable:
            found.append((name, "not_nullable", f"{name} IS NULL"))
        for check in column.checks:
            stats = check.statistics
            if check.name == "isin":
                allowed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in stats["allowed_values"])
                bad = f"{name} NOT IN ({allowed})"
            elif check.name == "str_length":
                low, high = stats.get("min_value"), stats.get("max_value")
                bad = " OR ".join(
                    [*([f"length({name}) < {low}"] if low is not None else []),
                     *([f"length({name}) > {high}"] if high is not None else [])]
                )
            elif check.name == "greater_than_or_equal_to":
                bad = f"{name} < {stats['min_value']}"
            else:  # a new kind of check must be taught here, never skipped
                raise NotImplementedError(f"{model.__name__}.{name}: no SQL for the check {check.error}")
            found.append((name, check.error, f"coalesce({bad}, false)"))
    return found
