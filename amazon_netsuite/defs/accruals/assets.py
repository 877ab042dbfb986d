"""What the accruals flow reads: `daily_accrual` per storefront-day, the day's Finances API money that no posted
settlement carries yet, per GL account of the settlement mapping, deferred (DD7) money apart. A day computed again
after a settlement posted shrinks by what that settlement carries."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, listed_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import Warehouse
from amazon_netsuite.lib import postings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="daily_accrual", kinds={"duckdb"}, deps=[dg.AssetKey("finance_transactions")],
        description="The day's Finances API transactions (finance_transactions) that no settlement posted to "
                    "NetSuite carries yet, summed per GL account the settlement mapping (data/gl_mapping.yaml) gives "
                    "them, deferred (DD7) money on rows of its own.")
    def daily_accrual(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from amazon_netsuite.lib.accruals.run import write_daily_accrual
        from amazon_netsuite.lib.gl_mapping import load_gl_mapping

        storefront, day = split_partition_key(context.partition_key)
        with warehouse.connection() as con:
            rows = write_daily_accrual(con, storefront, day, load_gl_mapping(), postings.utc_now()).to_pylist()
        return dg.MaterializeResult(metadata={"dagster/row_count": len(rows), "accounts": listed_markdown(
            [f"{r['gl_account']}{' (deferred)' if r['deferred'] else ''}: {r['amount']} {r['currency']}"
             for r in rows], empty="nothing unsettled")})

    return dg.Definitions(assets=[daily_accrual])
