"""What the finances flow reads: the day's Finances API transactions of a storefront's marketplace."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="finance_transactions", kinds={"amazon", "duckdb"},
        description="Every Finances API 2024-06-19 transaction (listTransactions) the storefront's marketplace posted "
                    "on the day (UTC, up to two minutes before now), DEFERRED ones included: one row per "
                    "transaction × breakdown leaf (per item where it has items), so a transaction's rows add up to "
                    "its total. A re-run replaces the day.")
    def finance_transactions(context: dg.AssetExecutionContext, warehouse: Warehouse,
                             seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.finances import FinancesApi
        from amazon_netsuite.lib.finances.run import DayNotStarted, load_transactions

        storefront, day = split_partition_key(context.partition_key)
        settings = load_settings()
        shop = settings.storefront(storefront)
        with seller_central.client(settings.account_of(storefront).key) as client, warehouse.connection() as con:
            try:
                written = load_transactions(con, FinancesApi(client), storefront, shop.marketplace_id, day,
                                            postings.utc_now())
            except DayNotStarted as exc:
                raise dg.Failure(str(exc)) from exc
            kinds = con.execute(
                "SELECT transaction_type, count(DISTINCT transaction_id) FROM finance_transactions "
                "WHERE storefront = ? AND day = ? GROUP BY ALL ORDER BY 1", [storefront, day]).fetchall()
        return dg.MaterializeResult(metadata={"dagster/row_count": written,
                                              "transactions": {kind or "?": count for kind, count in kinds}})

    return dg.Definitions(assets=[finance_transactions])
