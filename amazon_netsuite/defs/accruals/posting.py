"""What the accruals flow writes: on a month's last day the month's accrual journal (`month_end_accruals`,
externalId AMZ-ACR-{storefront}-{YYYYMM}), dated that day, which NetSuite reverses on the 1st of the next month.

`accruals_automation` (running by default, switched by the accruals flow) posts it once the day's `daily_accrual`
is computed; computed again (after a settlement of the month posted), the journal is updated to what is left.
Other days have nothing to post.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.settings import load_settings


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="month_end_accruals", deps=["daily_accrual"], kinds={"netsuite", "duckdb"},
        automation_condition=post_when_loaded(),
        description="On a month's last day, the month's accrual journal AMZ-ACR-{storefront}-{YYYYMM}: every GL "
                    "account of the month's Finances API money no posted settlement carries, net of VAT where prices "
                    "include it, deferred (DD7) money on lines of its own, against the Amazon clearing account; "
                    "reversed by NetSuite on the 1st. Refusals go to integration_errors.")
    def month_end_accruals(context: dg.AssetExecutionContext, warehouse: Warehouse,
                           netsuite: NetSuite) -> dg.MaterializeResult:
        from amazon_netsuite.lib.accruals.run import AccrualNotPostable, accrual_journal, post_accrual
        from amazon_netsuite.lib.gl_journal import month_end
        from amazon_netsuite.lib.gl_mapping import load_gl_mapping

        storefront, day = split_partition_key(context.partition_key)
        if day != month_end(day):
            return dg.MaterializeResult(metadata={"journal": f"none: {day} is not the month's last day"})
        settings = load_settings()
        mapping = load_gl_mapping()
        chosen = settings.storefront(storefront)
        with warehouse.connection() as con, netsuite.client() as client:
            try:
                journal = accrual_journal(
                    con, storefront, day, mapping, currency=chosen.currency,
                    subsidiary=mapping.subsidiary(storefront, settings.account_of(storefront).region),
                    vat_rate=chosen.vat_rate if chosen.prices_include_vat else None,
                    orders_post=settings.settlement_posting(storefront) == "transactional")
            except AccrualNotPostable as exc:
                raise dg.Failure(str(exc)) from exc
            internal_id = post_accrual(con, client, journal)
        if journal.posting is not None and internal_id is None:
            raise dg.Failure(f"{journal.posting.label} was not posted: see integration_errors (flow accruals)")
        return dg.MaterializeResult(metadata={
            "journal": journal.posting.external_id if journal.posting else "nothing to accrue",
            "internal_id": internal_id or "", "accrued": str(journal.accrued), "deferred": str(journal.deferred)})

    automation = flow.automation(
        "accruals_automation", month_end_accruals,
        description="Posts (or updates) a month's accrual journal once its last day's daily accrual is computed.")
    return dg.Definitions(assets=[month_end_accruals], sensors=[automation])
