"""Pandera models of `orders` and `order_lines` as `fetch_df` returns them, and the blocking checks on them.

The models pin the exact shape (strict, ordered, Arrow-backed dtypes: money is `decimal128(18, 4)`, never float).
`validate_orders` / `validate_order_lines` run the model and the business rules and return readable failures
that name the offending orders; an empty list means the partition may go on to NetSuite.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.typing import Series

from amazon_netsuite.lib.settings import Storefront

Text = Series[Annotated[pd.ArrowDtype, pyarrow.string()]]
Day = Series[Annotated[pd.ArrowDtype, pyarrow.date32()]]
Timestamp = Series[Annotated[pd.ArrowDtype, pyarrow.timestamp("us")]]
Int = Series[Annotated[pd.ArrowDtype, pyarrow.int32()]]
Flag = Series[Annotated[pd.ArrowDtype, pyarrow.bool_()]]
Money = Series[Annotated[pd.ArrowDtype, pyarrow.decimal128(18, 4)]]

CHANNELS = ("FBA", "MFN", "SFP")
_SHOWN = 20  # failures listed per rule; the count says how many more


def _optional() -> pa.Field:
    return pa.Field(nullable=True)


class OrdersModel(pa.DataFrameModel):
    """One order's latest state in a storefront-day (table `orders`)."""

    storefront: Text
    day: Day
    amazon_order_id: Text
    merchant_order_id: Text = _optional()
    purchase_date: Timestamp
    last_updated_date: Timestamp
    order_status: Text
    channel: Text = pa.Field(isin=CHANNELS)
    sales_channel: Text
    ship_service_level: Text = _optional()
    currency: Text = pa.Field(str_length={"min_value": 3, "max_value": 3})
    is_business_order: Flag
    purchase_order_number: Text = _optional()
    line_count: Int = pa.Field(ge=1)
    quantity: Int = pa.Field(ge=0)
    item_price: Money = _optional()
    item_tax: Money = _optional()
    shipping_price: Money = _optional()
    shipping_tax: Money = _optional()
    gift_wrap_price: Money = _optional()
    gift_wrap_tax: Money = _optional()
    item_promotion_discount: Money = _optional()
    ship_promotion_discount: Money = _optional()
    marketplace_facilitator_tax: Money = _optional()
    seller_collected_tax: Money = _optional()
    order_total: Money = _optional()
    has_gift_wrap: Flag
    promotion_ids: Text = _optional()
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
    asin: Text = _optional()
    product_name: Text = _optional()
    item_status: Text = _optional()
    quantity: Int = pa.Field(ge=0)
    currency: Text = pa.Field(str_length={"min_value": 3, "max_value": 3})
    unit_price: Money = _optional()
    item_price: Money = _optional()
    item_tax: Money = _optional()
    shipping_price: Money = _optional()
    shipping_tax: Money = _optional()
    gift_wrap_price: Money = _optional()
    gift_wrap_tax: Money = _optional()
    item_promotion_discount: Money = _optional()
    ship_promotion_discount: Money = _optional()
    tax_collection_model: Text = _optional()
    marketplace_facilitator_tax: Money = _optional()
    seller_collected_tax: Money = _optional()
    promotion_ids: Text = _optional()
    price_designation: Text = _optional()
    report_id: Text
    row_number: Int = pa.Field(ge=1)

    class Config:
        strict = True
        ordered = True


def _schema_failures(model: type[pa.DataFrameModel], df: pd.DataFrame) -> list[str]:
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        failures = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            examples = ", ".join(str(v) for v in group["failure_case"].head(5))
            if column == model.__name__:  # a frame-level failure: missing, extra or misplaced columns
                failures.append(f"{model.__name__}: {check}: {examples}")
            else:
                failures.append(f"{model.__name__}: column {column} fails {check} ({len(group)} rows, e.g. {examples})")
        return failures
    return []


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


def validate_orders(df: pd.DataFrame, storefront: Storefront) -> list[str]:
    """Blocking check of `orders`: shape, one row per order per partition, quantities ≥ 0, storefront currency."""
    failures = _schema_failures(OrdersModel, df)
    if set(OrdersModel.to_schema().columns) <= set(df.columns):
        failures += _common_rules(df, storefront, ["storefront", "day", "amazon_order_id"], "order id")
    return failures


def validate_order_lines(df: pd.DataFrame, storefront: Storefront) -> list[str]:
    """Blocking check of `order_lines`: shape, unique line numbers per order, quantities ≥ 0, storefront currency."""
    failures = _schema_failures(OrderLinesModel, df)
    if set(OrderLinesModel.to_schema().columns) <= set(df.columns):
        failures += _common_rules(
            df, storefront, ["storefront", "day", "amazon_order_id", "line_number"], "order id + line number"
        )
    return failures
