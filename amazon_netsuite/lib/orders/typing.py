"""From report rows (text, as received) to typed `orders` and `order_lines`, in DuckDB SQL.

Each storefront-day is typed on its own. Each row is typed and checked; an order keeps only its rows with the
newest last-updated-date (its latest state); an order with any bad line, or with two identical lines, is
quarantined whole, so NetSuite never receives half an order (nor a doubled one). All of it is set work in SQL:
one typed pass over the rows, narrow side tables for the orders held back, then the lines and orders are written.

`type_order_rows` types one storefront into temp tables (the assets replace a partition from them);
`store_typed_orders` types many storefronts at once straight into the warehouse tables (a whole report).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb

from amazon_netsuite.lib.orders.columns import (
    MONEY_COLUMNS,
    TRUE_WORDS,
    header_name,
    raw_row_json_sql,
    utc_timestamp_sql,
)
from amazon_netsuite.lib.orders.tables import ORDER_REPORT_TEXT_COLUMNS
from amazon_netsuite.lib.settings import Storefront
from amazon_netsuite.lib.warehouse.sql import sql_literal, utc_session
from amazon_netsuite.lib.warehouse.tables import MONEY

__all__ = ["TypedCounts", "store_typed_orders", "type_order_rows"]


@dataclass(frozen=True)
class TypedCounts:
    """What typing did, for the asset's metadata (superseded rows are dropped, not quarantined;
    `duplicate_rows` counts rows identical to an earlier row of their order, which is then held back whole)."""

    rows: int
    orders: int
    order_lines: int
    quarantined_rows: int
    quarantined_orders: int
    duplicate_rows: int
    superseded_rows: int


@dataclass(frozen=True)
class _Scope:
    """The storefronts being typed. With one, every source row is typed as that storefront (the assets' case);
    with several, each row's own `storefront` column says which one it belongs to."""

    storefronts: tuple[Storefront, ...]
    single: bool

    def source_key(self) -> str:
        return sql_literal(self.storefronts[0].key) if self.single else "storefront"

    def where(self) -> str:
        if self.single:
            return ""
        return f"WHERE storefront IN ({', '.join(sql_literal(s.key) for s in self.storefronts)})"

    def each(self, value: Callable[[Storefront], str]) -> str:
        """SQL of a per-storefront value for the row's `storefront`."""
        if self.single:
            return value(self.storefronts[0])
        return (
            "CASE storefront "
            + " ".join(f"WHEN {sql_literal(s.key)} THEN {value(s)}" for s in self.storefronts)
            + " END"
        )


def _money_sql(text: str) -> str:
    """A money text → DECIMAL(18,4); `1234.56`, `-6.5`, and comma locales `1.234,56` / `95,00` / `1,234.56`.

    Rule (deterministic): with both separators the last one is the decimal mark; a lone comma followed by one or
    two digits at the end is a decimal comma; any other comma groups thousands.
    """
    t = text
    normalised = f"""CASE
        WHEN contains({t}, '.') THEN
            CASE WHEN strpos(reverse({t}), ',') < strpos(reverse({t}), '.')
                 THEN replace(replace(replace({t}, ' ', ''), '.', ''), ',', '.')
                 ELSE replace(replace({t}, ' ', ''), ',', '') END
        WHEN regexp_full_match({t}, '[+-]?[0-9]+,[0-9]{{1,2}}') THEN replace({t}, ',', '.')
        ELSE replace(replace({t}, ' ', ''), ',', '') END"""
    # Plain `1234.56` takes the fast cast; only texts with a comma go through the locale rules.
    return (
        f"coalesce(try_cast({t} AS {MONEY}), "
        f"CASE WHEN contains({t}, ',') THEN try_cast({normalised} AS {MONEY}) END)"
    )


def _quoted(text: str) -> str:
    return f"'''' || {text} || ''''"


def _checks_sql(scope: _Scope) -> str:
    """One text per problem found in a row, joined; NULL when the row is good."""
    money_problems = [
        f"CASE WHEN {c} IS NULL AND {c}_text IS NOT NULL THEN '{header_name(c)} ' || {_quoted(c + '_text')}"
        " || ' is not a number' END"
        for c in MONEY_COLUMNS
    ]
    not_its_currency = scope.each(
        lambda s: sql_literal(f" is not the currency of storefront {s.key} ({s.currency})")
    )
    problems = [
        "CASE WHEN amazon_order_id IS NULL THEN 'amazon-order-id is empty' END",
        "CASE WHEN sku IS NULL THEN 'sku is empty' END",
        "CASE WHEN order_status IS NULL THEN 'order-status is empty' END",
        "CASE WHEN purchase_date IS NULL THEN 'purchase-date ' || "
        f"coalesce({_quoted('purchase_date_text')} || ' is not a date', 'is empty') END",
        "CASE WHEN last_updated_date IS NULL THEN 'last-updated-date ' || "
        f"coalesce({_quoted('last_updated_text')} || ' is not a date', 'is empty') END",
        "CASE WHEN quantity IS NULL THEN 'quantity ' || "
        f"coalesce({_quoted('quantity_text')} || ' is not a whole number of 0 or more', 'is empty') END",
        "CASE WHEN channel IS NULL THEN 'fulfillment-channel ' || "
        f"coalesce({_quoted('fulfillment_channel')}, 'empty') || ' is not Amazon/AFN or Merchant/MFN' END",
        "CASE WHEN currency IS NULL THEN 'currency is empty' "
        f"WHEN currency <> expected_currency THEN 'currency ' || {_quoted('currency')} || {not_its_currency} END",
        *money_problems,
    ]
    return "NULLIF(concat_ws('; ', " + ", ".join(problems) + "), '')"


_TAX = (
    "CASE WHEN item_tax IS NULL AND shipping_tax IS NULL AND gift_wrap_tax IS NULL THEN NULL "
    "ELSE coalesce(item_tax, 0) + coalesce(shipping_tax, 0) + coalesce(gift_wrap_tax, 0) END"
)
# Marketplace-facilitator tax is collected and remitted by Amazon (US states); any other tax is the seller's.
_FACILITATOR = "coalesce(lower(tax_collection_model) = 'marketplacefacilitator', false)"


def _is_bad_sql() -> str:
    """Cheap test for 'something is wrong with this row', so the wording is only built for bad rows."""
    money = " OR ".join(f"({c} IS NULL AND {c}_text IS NOT NULL)" for c in MONEY_COLUMNS)
    return (
        "amazon_order_id IS NULL OR sku IS NULL OR order_status IS NULL OR purchase_date IS NULL "
        "OR last_updated_date IS NULL OR quantity IS NULL OR channel IS NULL OR currency IS NULL "
        f"OR currency <> expected_currency OR {money}"
    )


def _rows_sql(source: str, scope: _Scope, parse_error: str = "parse_error") -> str:
    """Every source row typed, with `problem` saying what is wrong with it (NULL for a good row)."""
    money_text = ", ".join(f"NULLIF({c}, '') AS {c}_text" for c in MONEY_COLUMNS)
    money = ", ".join(f"{_money_sql(c + '_text')} AS {c}" for c in MONEY_COLUMNS)
    no_money = " AND ".join(f"{c}_text IS NULL" for c in MONEY_COLUMNS)
    texts = (
        "purchase_date_text", "last_updated_text", "quantity_text", "currency_text", "fulfillment_channel",
        "expected_currency",
    )
    return f"""
    CREATE OR REPLACE TEMP TABLE _typing_rows AS
    WITH t AS (
        SELECT {scope.source_key()} AS storefront, report_id, row_number, day,
               NULLIF(amazon_order_id, '') AS amazon_order_id,
               NULLIF(merchant_order_id, '') AS merchant_order_id,
               NULLIF(purchase_date, '') AS purchase_date_text,
               NULLIF(last_updated_date, '') AS last_updated_text,
               NULLIF(order_status, '') AS order_status,
               NULLIF(fulfillment_channel, '') AS fulfillment_channel,
               coalesce(lower(is_prime) IN {TRUE_WORDS}, false) AS is_prime,
               NULLIF(sales_channel, '') AS sales_channel,
               NULLIF(ship_service_level, '') AS ship_service_level,
               NULLIF(product_name, '') AS product_name,
               NULLIF(sku, '') AS sku,
               NULLIF(asin, '') AS asin,
               NULLIF(item_status, '') AS item_status,
               NULLIF(quantity, '') AS quantity_text,
               upper(NULLIF(currency, '')) AS currency_text,
               {money_text},
               NULLIF(tax_collection_model, '') AS tax_collection_model,
               NULLIF(promotion_ids, '') AS promotion_ids,
               coalesce(lower(is_business_order) IN {TRUE_WORDS}, false) AS is_business_order,
               NULLIF(purchase_order_number, '') AS purchase_order_number,
               NULLIF(price_designation, '') AS price_designation,
               {parse_error} AS parse_error
        FROM {source}
        {scope.where()}
    ), v AS (
        SELECT t.*,
               {scope.each(lambda s: sql_literal(s.currency))} AS expected_currency,
               {utc_timestamp_sql("purchase_date_text")} AS purchase_date,
               {utc_timestamp_sql("last_updated_text")} AS last_updated_date,
               CASE WHEN regexp_full_match(quantity_text, '[0-9]{{1,9}}') THEN CAST(quantity_text AS INTEGER) END
                   AS quantity,
               CASE lower(fulfillment_channel)
                   WHEN 'amazon' THEN 'FBA' WHEN 'afn' THEN 'FBA'
                   WHEN 'merchant' THEN CASE WHEN is_prime THEN 'SFP' ELSE 'MFN' END
                   WHEN 'mfn' THEN CASE WHEN is_prime THEN 'SFP' ELSE 'MFN' END
               END AS channel,
               {money}
        FROM t
    ), w AS (
        -- Pending MFN orders carry neither prices nor currency: that is the storefront's currency.
        SELECT v.*, coalesce(currency_text, CASE WHEN {no_money} THEN expected_currency END) AS currency
        FROM v
    )
    SELECT * EXCLUDE ({", ".join(texts)}, {", ".join(c + "_text" for c in MONEY_COLUMNS)}, is_prime, parse_error),
           CAST(CASE WHEN {_FACILITATOR} THEN {_TAX} ELSE {_TAX} * 0 END AS {MONEY}) AS marketplace_facilitator_tax,
           CAST(CASE WHEN {_FACILITATOR} THEN {_TAX} * 0 ELSE {_TAX} END AS {MONEY}) AS seller_collected_tax,
           hash(amazon_order_id, sku) AS line_key,
           -- A line the parser could not split has only its parse error to tell.
           CASE WHEN parse_error IS NOT NULL THEN parse_error
                WHEN {_is_bad_sql()} THEN {_checks_sql(scope)} END AS problem
    FROM w
    """


def _set_aside_sql(source: str) -> list[str]:
    """Rows that never become lines: older states of an order (superseded, dropped) and every row of an order
    with a bad row or two identical rows (held back whole)."""
    every_column = ", ".join(f"s.{c}" for c in (*ORDER_REPORT_TEXT_COLUMNS, "extra_columns"))
    return [
        # Most orders appear in one state only; the few reported in several keep the newest.
        """
        CREATE OR REPLACE TEMP TABLE _typing_superseded AS
        SELECT r.report_id, r.row_number
        FROM _typing_rows AS r
        JOIN (SELECT storefront, day, amazon_order_id, max(last_updated_date) AS latest
              FROM _typing_rows GROUP BY storefront, day, amazon_order_id
              HAVING min(last_updated_date) <> max(last_updated_date)) AS m USING (storefront, day, amazon_order_id)
        WHERE r.last_updated_date < m.latest
        """,
        # Only rows sharing order id and sku can be identical; those few are compared on every column received.
        f"""
        CREATE OR REPLACE TEMP TABLE _typing_identical AS
        WITH candidates AS (
            SELECT storefront, report_id, row_number FROM _typing_rows
            WHERE (storefront, day, line_key) IN (SELECT storefront, day, line_key FROM _typing_rows
                                                  GROUP BY storefront, day, line_key HAVING count(*) > 1)
        ), copies AS (
            SELECT s.report_id, s.row_number,
                   min(s.row_number) OVER (PARTITION BY c.storefront, s.day, {every_column}) AS first_copy
            FROM {source} AS s JOIN candidates AS c USING (report_id, row_number)
        )
        SELECT c.* FROM copies AS c ANTI JOIN _typing_superseded AS s USING (report_id, row_number)
        WHERE c.row_number <> c.first_copy
        """,
        # The report has no line id: identical rows may be two units bought as two items or one row sent twice.
        # One line could be short and two could be doubled, so such an order is held like one with a bad row.
        """
        CREATE OR REPLACE TEMP TABLE _typing_held AS
        WITH latest AS (
            SELECT * FROM _typing_rows ANTI JOIN _typing_superseded USING (report_id, row_number)
        ), bad AS (
            SELECT storefront, day, amazon_order_id, 1 AS rank,
                   'row ' || min(row_number) || ' (sku ' || coalesce(arg_min(sku, row_number), 'empty')
                   || ') has: ' || arg_min(problem, row_number) AS why
            FROM latest WHERE problem IS NOT NULL
            GROUP BY storefront, day, amazon_order_id
        ), identical AS (
            SELECT r.storefront, r.day, r.amazon_order_id, 2 AS rank,
                   'rows ' || arg_min(i.first_copy, i.row_number) || ' and ' || min(i.row_number)
                   || ' are identical (sku ' || coalesce(arg_min(r.sku, i.row_number), 'empty')
                   || '); the report has no line id to tell two items from one row sent twice' AS why
            FROM _typing_identical AS i JOIN _typing_rows AS r USING (report_id, row_number)
            GROUP BY r.storefront, r.day, r.amazon_order_id
        )
        SELECT storefront, day, amazon_order_id,
               'order ' || amazon_order_id || ' held back whole: ' || string_agg(why, '; ' ORDER BY rank) AS reason
        FROM (SELECT * FROM bad UNION ALL SELECT * FROM identical)
        GROUP BY storefront, day, amazon_order_id
        """,
    ]


_KEPT = """
    (SELECT * FROM _typing_rows WHERE problem IS NULL) AS r
    ANTI JOIN _typing_superseded USING (report_id, row_number)
    ANTI JOIN _typing_held USING (storefront, day, amazon_order_id)
"""


def _unit_price_sql() -> str:
    """item_price / quantity rounded half-even to 4 places, in integer ten-thousandths so it stays exact."""
    p = "CAST(item_price * 10000 AS BIGINT)"
    a, q = f"abs({p})", "quantity"
    half_even = f"CASE WHEN 2 * ({a} % {q}) > {q} OR (2 * ({a} % {q}) = {q} AND ({a} // {q}) % 2 = 1) THEN 1 ELSE 0 END"
    ten_thousandths = f"sign({p}) * ({a} // {q} + {half_even})"
    return (
        f"CASE WHEN quantity > 0 AND item_price IS NOT NULL "
        f"THEN CAST(CAST({ten_thousandths} AS DECIMAL(18,0)) * CAST(0.0001 AS DECIMAL(5,4)) AS {MONEY}) END"
    )


def _lines_sql() -> str:
    return f"""
    SELECT storefront, day, amazon_order_id,
           CAST(row_number() OVER (PARTITION BY storefront, day, amazon_order_id ORDER BY row_number) AS INTEGER)
               AS line_number,
           sku, asin, product_name, item_status, quantity, currency,
           {_unit_price_sql()} AS unit_price,
           {", ".join(MONEY_COLUMNS)},
           tax_collection_model,
           marketplace_facilitator_tax, seller_collected_tax,
           promotion_ids, price_designation, report_id, row_number
    FROM {_KEPT}
    """


def _orders_sql(scope: _Scope) -> str:
    sums = ", ".join(
        f"CAST(sum({c}) AS {MONEY}) AS {c}"
        for c in (*MONEY_COLUMNS, "marketplace_facilitator_tax", "seller_collected_tax")
    )
    # EU prices already contain VAT; only storefronts that add tax on top add the seller-collected tax.
    tax_on_top = scope.each(
        lambda s: "0" if s.prices_include_vat else "coalesce(sum(seller_collected_tax), 0)"
    )
    total = (
        "CASE WHEN count(item_price) + count(shipping_price) + count(gift_wrap_price) = 0 THEN NULL ELSE "
        "coalesce(sum(item_price), 0) + coalesce(sum(shipping_price), 0) + coalesce(sum(gift_wrap_price), 0)"
        " + coalesce(sum(item_promotion_discount), 0) + coalesce(sum(ship_promotion_discount), 0)"
        f" + {tax_on_top} END"
    )
    # A line's promotion-ids is a comma-separated list; an order's is the sorted union over its lines.
    merged_promotions = (
        "NULLIF(array_to_string(list_sort(list_distinct(string_split(string_agg(promotion_ids, ','), ','))), ','), '')"
    )
    # Order-level columns repeat on every line of the order; min() reads them deterministically and cheaply.
    return f"""
    SELECT storefront, day, amazon_order_id,
           min(merchant_order_id) AS merchant_order_id,
           min(purchase_date) AS purchase_date,
           max(last_updated_date) AS last_updated_date,
           min(order_status) AS order_status,
           min(channel) AS channel,
           min(sales_channel) AS sales_channel,
           min(ship_service_level) AS ship_service_level,
           min(currency) AS currency,
           bool_or(is_business_order) AS is_business_order,
           min(purchase_order_number) AS purchase_order_number,
           CAST(count(*) AS INTEGER) AS line_count,
           CAST(sum(quantity) AS INTEGER) AS quantity,
           {sums},
           CAST({total} AS {MONEY}) AS order_total,
           coalesce(bool_or(gift_wrap_price <> 0), false) AS has_gift_wrap,
           CASE WHEN count(*) = 1 THEN min(promotion_ids) ELSE {merged_promotions} END AS promotion_ids,
           min(report_id) AS report_id
    FROM {_KEPT}
    GROUP BY storefront, day, amazon_order_id
    """


def _quarantine_sql(source: str) -> str:
    # A held order lands whole, every row with its money, so the quarantine accounts for all it holds back.
    return f"""
    WITH q AS (
        SELECT r.storefront, r.day, r.report_id, r.row_number, r.amazon_order_id,
               coalesce(r.problem, h.reason) AS reason
        FROM _typing_rows AS r JOIN _typing_held AS h USING (storefront, day, amazon_order_id)
        ANTI JOIN _typing_superseded USING (report_id, row_number)
        UNION ALL
        SELECT r.storefront, r.day, r.report_id, r.row_number, r.amazon_order_id, r.problem
        FROM _typing_rows AS r
        WHERE r.problem IS NOT NULL AND r.amazon_order_id IS NULL
    )
    SELECT q.storefront, q.day, q.report_id, q.row_number, q.amazon_order_id,
           q.reason, {raw_row_json_sql("s")} AS raw_row
    FROM q JOIN {source} AS s USING (report_id, row_number)
    ORDER BY q.report_id, q.row_number
    """


_SCRATCH = ("_typing_rows", "_typing_superseded", "_typing_identical", "_typing_held")
# Output tables: the temp table `type_order_rows` creates, and the warehouse table `store_typed_orders` appends to.
_OUTPUTS = (
    ("typed_orders", "orders"),
    ("typed_order_lines", "order_lines"),
    ("typed_order_quarantine", "order_report_quarantine"),
)


def _type(
    con: duckdb.DuckDBPyConnection, source_table: str, scope: _Scope, *, into_warehouse: bool
) -> TypedCounts:
    columns = {row[0] for row in con.execute(f"DESCRIBE {source_table}").fetchall()}
    parse_error = "parse_error" if "parse_error" in columns else "CAST(NULL AS VARCHAR)"
    written: dict[str, int] = {}
    with utc_session(con):
        con.execute(_rows_sql(source_table, scope, parse_error))
        for statement in _set_aside_sql(source_table):
            con.execute(statement)
        for (temp, table), select in zip(_OUTPUTS, (_orders_sql(scope), _lines_sql(), _quarantine_sql(source_table))):
            if into_warehouse:
                (written[temp],) = con.execute(f"INSERT INTO {table} BY NAME {select}").fetchone()
            else:
                con.execute(f"CREATE OR REPLACE TEMP TABLE {temp} AS {select}")
                (written[temp],) = con.execute(f"SELECT count(*) FROM {temp}").fetchone()
    (rows,) = con.execute("SELECT count(*) FROM _typing_rows").fetchone()
    (superseded,) = con.execute("SELECT count(*) FROM _typing_superseded").fetchone()
    (duplicates,) = con.execute("SELECT count(*) FROM _typing_identical").fetchone()
    (held_orders,) = con.execute("SELECT count(amazon_order_id) FROM _typing_held").fetchone()
    for table in _SCRATCH:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return TypedCounts(
        rows=rows,
        orders=written["typed_orders"],
        order_lines=written["typed_order_lines"],
        quarantined_rows=written["typed_order_quarantine"],
        quarantined_orders=held_orders,
        duplicate_rows=duplicates,
        superseded_rows=superseded,
    )


def type_order_rows(con: duckdb.DuckDBPyConnection, source_table: str, storefront: Storefront) -> TypedCounts:
    """Type the report rows of one storefront in `source_table` (the `order_report_rows` columns).

    Each `day` in the source is typed on its own, so one call per storefront-day and one call per storefront
    over many days give the same rows. Creates temp tables `typed_orders`, `typed_order_lines` and
    `typed_order_quarantine`, whose columns insert BY NAME into `orders`, `order_lines`, `order_report_quarantine`.
    """
    return _type(con, source_table, _Scope((storefront,), single=True), into_warehouse=False)


def store_typed_orders(
    con: duckdb.DuckDBPyConnection, source_table: str, storefronts: Sequence[Storefront]
) -> TypedCounts:
    """Type the rows of `source_table` (the `order_report_rows` columns) of every storefront given, all days at
    once, and append them to the warehouse tables `orders`, `order_lines` and `order_report_quarantine`.

    The rows are exactly those `type_order_rows` gives per storefront; appending does not replace anything, so
    the caller makes sure the partitions are empty (a whole report into a fresh warehouse, or after deleting).
    Rows of storefronts not given are left alone.
    """
    if not storefronts:
        raise ValueError("store_typed_orders needs at least one storefront")
    return _type(con, source_table, _Scope(tuple(storefronts), single=False), into_warehouse=True)
