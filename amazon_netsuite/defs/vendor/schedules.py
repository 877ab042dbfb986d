"""The vendor flow's schedules: today's purchase orders every 15 minutes (Amazon expects an acknowledgement within
a day, so a quarter of an hour leaves the approver the time), yesterday's once more at night (orders placed in its
last minutes, and Amazon's changes to it), and every 30 minutes the purchase orders NetSuite could not take yet."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, retry_runs
from amazon_netsuite.defs.vendor.jobs import vendor_job, vendor_posting_job


def definitions(flow: Flow) -> dg.Definitions:
    every_15_minutes = flow.every_storefront(
        "vendor_purchase_orders_every_15_minutes", vendor_job, "*/15 * * * *",
        "Loads today's purchase orders of every vendor account, posts them and acknowledges the approved ones.")
    nightly = flow.every_storefront(
        "vendor_purchase_orders_nightly", vendor_job, "20 0 * * *",
        "Loads yesterday's purchase orders of every vendor account once the day is over, with Amazon's changes.",
        days_back=1)

    @flow.every_30_minutes(
        "retry_failed_vendor_orders_every_30_minutes", vendor_posting_job,
        "Posts again each vendor account-day's purchase orders NetSuite refused (an item missing); skips when none "
        "is open.")
    def retry_failed_vendor_orders_every_30_minutes(context: dg.ScheduleEvaluationContext):
        from amazon_netsuite.lib.vendor.run import open_vendor_partitions

        return retry_runs(context, flow, vendor_posting_job, open_vendor_partitions, "of vendor purchase orders")

    return dg.Definitions(schedules=[every_15_minutes, nightly, retry_failed_vendor_orders_every_30_minutes])
