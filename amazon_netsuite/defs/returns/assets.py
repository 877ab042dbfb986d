"""The returns flow's tables: the two returns reports per storefront-day, each with the rows it set aside."""

from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib.settings import load_settings


def _land(context, warehouse: Warehouse, seller_central: SellerCentral, report: str):
    """Request the storefront-day's report, parse it and replace the day's rows and quarantine."""
    from amazon_netsuite.lib.amazon.reports import ReportsApi
    from amazon_netsuite.lib.returns.landing import land_returns

    storefront, day = split_partition_key(context.partition_key)
    settings = load_settings()
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    end = min(start + timedelta(days=1), datetime.now(timezone.utc) - timedelta(minutes=2))
    with seller_central.client(settings.account_of(storefront).key) as client:
        landed = land_returns(warehouse.connection, ReportsApi(client), report, storefront,
                              settings.storefront(storefront).marketplace_id, day, start, end)
    table = {"fba": "fba_customer_returns", "mfn": "mfn_returns"}[report]
    yield dg.MaterializeResult(asset_key=table, metadata={"dagster/row_count": landed.rows,
                                                          "report_id": landed.report_id})
    yield dg.MaterializeResult(asset_key=f"{table}_quarantine", metadata={"dagster/row_count": landed.quarantined})


def definitions(flow: Flow) -> dg.Definitions:
    spec = flow.asset_spec

    @flow.partitioned_tables(
        spec("fba_customer_returns", "The storefront-day's FBA customer returns "
             "(GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA) with their disposition.", kinds=("amazon", "duckdb")),
        spec("fba_customer_returns_quarantine", "FBA returns rows that could not be read, each with the reason."))
    def fba_customer_returns(context: dg.AssetExecutionContext, warehouse: Warehouse,
                             seller_central: SellerCentral):
        yield from _land(context, warehouse, seller_central, "fba")

    @flow.partitioned_tables(
        spec("mfn_returns", "The storefront-day's seller-fulfilled returns by request date "
             "(GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE).", kinds=("amazon", "duckdb")),
        spec("mfn_returns_quarantine", "MFN returns rows that could not be read, each with the reason."))
    def mfn_returns(context: dg.AssetExecutionContext, warehouse: Warehouse, seller_central: SellerCentral):
        yield from _land(context, warehouse, seller_central, "mfn")

    return dg.Definitions(assets=[fba_customer_returns, mfn_returns])
