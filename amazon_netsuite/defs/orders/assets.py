"""Orders from Seller Central: the order report as received, then typed orders and lines, with bad rows quarantined.

Partitions are storefront × the UTC day of `last-updated-date`: an order appears in the partition of each day it
changed (placed, paid, shipped, cancelled), carrying its state as of that report. `orders_latest` (a view) keeps the
newest state of each order across days.
"""

from datetime import datetime, timezone

import dagster as dg
import pyarrow.compute as pc

from amazon_netsuite.defs.helpers import REPORT_ID_TAG, Flow, counted_markdown, listed_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib.orders.columns import ORDER_REPORT_ROW_COLUMNS
from amazon_netsuite.lib.orders.report_file import (
    ReportFileError,
    parse_order_report,
    partition_rows,
    route_order_rows,
)
from amazon_netsuite.lib.orders.report_requests import ReportSource, ReportUnavailable
from amazon_netsuite.lib.orders.schemas import (
    ORDER_GATES,
    OrderLinesModel,
    OrdersModel,
    validate_order_lines_in,
    validate_orders_in,
)
from amazon_netsuite.lib.orders.typing import type_order_rows
from amazon_netsuite.lib.report_registry import read_landed_document
from amazon_netsuite.lib.warehouse import replace_partition

ORDERS_CHECK, LINES_CHECK = ORDER_GATES


def definitions(flow: Flow) -> dg.Definitions:
    spec = flow.asset_spec

    @flow.partitioned_tables(
        spec("order_report_rows",
             "Rows of the Seller Central order report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL) for "
             "one storefront-day, as received: every column as text, plus the report id and row number they came "
             "from.", kinds=("amazon", "duckdb"), owners=["team:integrations"]),
        spec("order_report_unrouted",
             "Rows of the report this storefront-day read whose sales channel belongs to no storefront of the "
             "settings, kept as received with the reason (keyed by report id and row number)."),
    )
    def order_report_rows(context: dg.AssetExecutionContext, warehouse: Warehouse, seller_central: SellerCentral):
        """Read the storefront-day's order report: its rows as received, routed to storefronts by sales channel.

        The report covers every marketplace of the seller account. A run started by the `new_order_reports` sensor
        reads the report it names; otherwise the newest finished report covering the day is used, or one is
        requested and waited for.
        """
        storefront_key, day = split_partition_key(context.partition_key)
        account = flow.settings.account_of(storefront_key)
        with seller_central.reports(account.key) as reports_api:
            source = ReportSource(
                reports_api=reports_api,
                connection=warehouse.connection,
                seller_account=account.key,
                marketplace_ids=account.marketplace_ids,
                log=context.log,
            )
            try:
                report = source.for_day(day, datetime.now(timezone.utc), context.run.tags.get(REPORT_ID_TAG))
            except ReportUnavailable as exc:
                raise dg.Failure(str(exc)) from exc

        if report.processing_status == "CANCELLED":
            # Amazon cancels an order report when nothing changed in its window: an empty day, not an error.
            with warehouse.connection() as con:
                replace_partition(con, "order_report_rows", storefront_key, str(day), "SELECT * FROM order_report_rows WHERE false")
            metadata = {"report_id": report.report_id, "report_status": "CANCELLED", "dagster/row_count": 0}
            yield dg.MaterializeResult(asset_key="order_report_rows", metadata=metadata)
            yield dg.MaterializeResult(asset_key="order_report_unrouted", metadata=metadata)
            return

        try:
            parsed = parse_order_report(read_landed_document(report), report_id=report.report_id, charset=report.charset)
        except ReportFileError as exc:
            raise dg.Failure(f"{exc} (document kept at {report.document_path})") from exc
        routed = route_order_rows(parsed, flow.settings, account)
        rows = partition_rows(routed.rows, storefront_key, day)
        with warehouse.connection() as con:
            con.register("partition_rows", rows)
            written = replace_partition(
                con,
                "order_report_rows",
                storefront_key,
                str(day),
                f"SELECT {', '.join(ORDER_REPORT_ROW_COLUMNS)} FROM partition_rows",
            )
            unrouted = routed.unroutable
            con.register("unrouted", unrouted)
            con.execute("DELETE FROM order_report_unrouted WHERE report_id = ?", [report.report_id])
            con.execute("INSERT INTO order_report_unrouted BY NAME SELECT report_id, row_number, reason, raw_row FROM unrouted")
        rejected = int(pc.sum(pc.invert(pc.is_null(rows["parse_error"]))).as_py() or 0) if rows.num_rows else 0
        yield dg.MaterializeResult(
            asset_key="order_report_rows",
            metadata={
                "report_id": report.report_id,
                "report_status": report.processing_status,
                "report_data_rows": parsed.data_rows,
                "dagster/row_count": written,
                "rows_not_split_cleanly": rejected,
                "report_rows_unrouted": unrouted.num_rows,
            }
        )
        yield dg.MaterializeResult(
            asset_key="order_report_unrouted",
            metadata={"report_id": report.report_id, "dagster/row_count": unrouted.num_rows},
        )

    @flow.partitioned_tables(
        spec("orders",
             "One row per order and storefront-day: its latest state that day, channel FBA / MFN / SFP, totals "
             "as exact decimals, tax split into marketplace-facilitator and seller-collected.",
             deps=["order_report_rows"], model=OrdersModel),
        spec("order_lines", "The lines of each order: SKU, quantity, unit price and the line's money, exact.",
             deps=["order_report_rows"], model=OrderLinesModel),
        spec("order_report_quarantine",
             "Report rows that could not be loaded, each with the reason; their whole order is held back.",
             deps=["order_report_rows"]),
        check_specs=[*flow.blocking_checks("orders", {ORDERS_CHECK: ORDER_GATES[ORDERS_CHECK]}),
                     *flow.blocking_checks("order_lines", {LINES_CHECK: ORDER_GATES[LINES_CHECK]})],
    )
    def typed_orders(context: dg.AssetExecutionContext, warehouse: Warehouse):
        """Type the day's report rows into orders and order lines; quarantine what cannot be typed."""
        storefront_key, day = split_partition_key(context.partition_key)
        storefront = flow.settings.storefront(storefront_key)
        with warehouse.connection() as con:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE day_rows AS SELECT * FROM order_report_rows WHERE storefront = ? AND day = ?",
                [storefront_key, day],
            )
            # Lines the parser could not split carry parse_error; typing quarantines them with their whole order.
            counts = type_order_rows(con, "day_rows", storefront)
            written = {
                table: replace_partition(con, table, storefront_key, str(day), f"SELECT * FROM {source}")
                for table, source in (
                    ("orders", "typed_orders"),
                    ("order_lines", "typed_order_lines"),
                    ("order_report_quarantine", "typed_order_quarantine"),
                )
            }
            failures = {
                ORDERS_CHECK: validate_orders_in(con, "orders", storefront, day),
                LINES_CHECK: validate_order_lines_in(con, "order_lines", storefront, day),
            }
            by_channel = dict(
                con.execute(
                    "SELECT channel, count(*) FROM orders WHERE storefront = ? AND day = ? GROUP BY channel ORDER BY 1",
                    [storefront_key, day],
                ).fetchall()
            )
            reasons = con.execute(
                "SELECT reason, count(*) FROM order_report_quarantine WHERE storefront = ? AND day = ? "
                "GROUP BY reason ORDER BY 2 DESC LIMIT 20",
                [storefront_key, day],
            ).fetchall()

        yield dg.MaterializeResult(
            asset_key="orders",
            metadata={
                "dagster/row_count": written["orders"],
                "orders_by_channel": {str(k): int(v) for k, v in by_channel.items()},
                "superseded_rows": counts.superseded_rows,
                "quarantined_orders": counts.quarantined_orders,
                "duplicate_rows": counts.duplicate_rows,
            },
        )
        yield dg.MaterializeResult(asset_key="order_lines", metadata={"dagster/row_count": written["order_lines"]})
        yield dg.MaterializeResult(
            asset_key="order_report_quarantine",
            metadata={
                "dagster/row_count": written["order_report_quarantine"],
                "reasons": counted_markdown(reasons, empty="nothing quarantined"),
            },
        )
        for check, asset in ((ORDERS_CHECK, "orders"), (LINES_CHECK, "order_lines")):
            yield dg.AssetCheckResult(
                check_name=check,
                asset_key=asset,
                passed=not failures[check],
                metadata={
                    "failures": listed_markdown(failures[check][:50]),
                    "failure_count": len(failures[check]),
                },
            )

    return dg.Definitions(assets=[order_report_rows, typed_orders])
