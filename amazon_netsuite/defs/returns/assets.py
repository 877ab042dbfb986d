"""The returns flow's tables: the two returns reports per storefront-day, and what they became in NetSuite."""

from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
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
    return dg.MaterializeResult(metadata={"dagster/row_count": landed.rows, "report_id": landed.report_id,
                                          "quarantined": landed.quarantined})


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(name="fba_customer_returns", kinds={"amazon", "duckdb"},
                            description="The storefront-day's FBA customer returns "
                                        "(GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA) with their disposition; "
                                        "malformed rows in returns_quarantine with the reason.")
    def fba_customer_returns(context: dg.AssetExecutionContext, warehouse: Warehouse,
                             seller_central: SellerCentral) -> dg.MaterializeResult:
        return _land(context, warehouse, seller_central, "fba")

    @flow.partitioned_asset(name="mfn_returns", kinds={"amazon", "duckdb"},
                            description="The storefront-day's seller-fulfilled returns by request date "
                                        "(GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE); malformed rows in "
                                        "returns_quarantine with the reason.")
    def mfn_returns(context: dg.AssetExecutionContext, warehouse: Warehouse,
                    seller_central: SellerCentral) -> dg.MaterializeResult:
        return _land(context, warehouse, seller_central, "mfn")

    @flow.partitioned_asset(
        name="return_receipts_posted", deps=["fba_customer_returns", "mfn_returns"], kinds={"netsuite", "duckdb"},
        description="Per return, a NetSuite return authorization from the order's Cash Sale (FBA) or Sales Order "
                    "(MFN) and its item receipt: sellable units into the FBA location or the returns location, "
                    "unsellable ones into returns.damaged_location or written off; external ids AMZ-RMA-{hash}. "
                    "Returns NetSuite cannot take go to integration_errors.")
    def return_receipts_posted(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.returns.run import post_returns

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        with netsuite.client() as client:
            result = post_returns(warehouse.connection, client, settings, storefront, day,
                                  account=netsuite.ledger_account())
        for error in result.errors:
            context.log.warning(error)
        return dg.MaterializeResult(metadata={"posted": result.posted, "unchanged": result.unchanged,
                                              "failed": result.failed})

    return dg.Definitions(assets=[fba_customer_returns, mfn_returns, return_receipts_posted])
