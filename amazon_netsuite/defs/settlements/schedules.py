"""The settlements flow's schedule: retry what could not post.

Every storefront-day holding a settlement with an open `integration_errors` row (a record NetSuite refused, a
deposit waiting for its journal) runs `settlement_posting_job` again. A retry is the posting run itself, not a job
of its own: the gates are run again, what is posted unchanged is not sent (upserts by external id), what now goes
through resolves its error, and the partition turns green in the UI once everything is in NetSuite. The schedule
ticks every 30 minutes like the orders flow's retry, skips when nothing is open, and does not queue a second run for
a storefront-day whose posting run is already queued or running (behind the `duckdb` pool, say).
"""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, retry_runs
from amazon_netsuite.defs.settlements.jobs import settlement_posting_job
from amazon_netsuite.lib.settlements.posting_run import open_posting_errors


def definitions(flow: Flow) -> dg.Definitions:
    @flow.every_30_minutes(
        "retry_failed_settlement_postings_every_30_minutes", settlement_posting_job,
        "Runs settlement_posting_job again for each storefront-day with an open settlement posting error (a refused "
        "record, a deposit waiting for its journal); skips when none is open.",
    )
    def retry_failed_settlement_postings_every_30_minutes(context: dg.ScheduleEvaluationContext):
        return retry_runs(context, flow, settlement_posting_job,
                          lambda con: [(e.storefront, e.day) for e in open_posting_errors(con)],
                          "in the settlements flow")

    return dg.Definitions(schedules=[retry_failed_settlement_postings_every_30_minutes])
