"""The returns flow's schedules: yesterday's returns of every storefront each night (both reports cover a whole
day only once it is over), and every 30 minutes the returns NetSuite could not take yet (an order not posted), as
the other flows retry theirs."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, retry_runs
from amazon_netsuite.defs.returns.jobs import return_posting_job, returns_job


def definitions(flow: Flow) -> dg.Definitions:
    returns_nightly = flow.every_storefront(
        "returns_nightly", returns_job, "55 0 * * *",
        "Loads yesterday's FBA and MFN returns of every storefront and posts them to NetSuite.", days_back=1)

    @flow.every_30_minutes(
        "retry_failed_returns_every_30_minutes", return_posting_job,
        "Posts again each storefront-day's returns NetSuite refused or could not take yet (the order not posted); "
        "skips when none is open.")
    def retry_failed_returns_every_30_minutes(context: dg.ScheduleEvaluationContext):
        from amazon_netsuite.lib.returns.run import open_return_partitions

        return retry_runs(context, flow, return_posting_job, open_return_partitions, "of returns")

    return dg.Definitions(schedules=[returns_nightly, retry_failed_returns_every_30_minutes])
