"""Unattended acknowledgements. `vendor_catch_up` loads today's and yesterday's purchase orders of a vendor account
that has none yet (a product started at 10:00 does not wait for the next quarter hour). `vendor_acknowledgements_due`
starts the acknowledgement run when something moved: a vendor Sales Order changed in NetSuite (a person approved or
corrected it), or acknowledgements wait for Amazon's answer (asked again each minute)."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.defs.resources import NetSuite
from amazon_netsuite.defs.vendor.jobs import vendor_acknowledgement_job, vendor_job

_ANSWER_EVERY_SECONDS = 60


def definitions(flow: Flow) -> dg.Definitions:
    catch_up = flow.catch_up(
        "vendor_catch_up", vendor_job, "vendor_purchase_orders", days_back=[1, 0], interval_seconds=60,
        description="Loads, posts and acknowledges today's and yesterday's purchase orders of each vendor account "
                    "that has none yet.")
    keys = flow.storefronts

    @dg.sensor(name="vendor_acknowledgements_due", job=vendor_acknowledgement_job, minimum_interval_seconds=60,
               default_status=flow.sensor_status,
               description="Acknowledges what a person approved or corrected in NetSuite, and reads Amazon's "
                           "answers to the acknowledgements sent.")
    def vendor_acknowledgements_due(context: dg.SensorEvaluationContext, netsuite: NetSuite) -> dg.SensorResult:
        from amazon_netsuite.lib.postings import peek_warehouse, utc_now
        from amazon_netsuite.lib.settings import warehouse_path
        from amazon_netsuite.lib.vendor.run import netsuite_mark, waiting_for_amazon

        with netsuite.client() as client:
            mark = netsuite_mark(client)
        waiting = peek_warehouse(warehouse_path(), waiting_for_amazon, 0) or 0
        now = utc_now()
        if mark == context.cursor and not waiting:
            return dg.SensorResult(skip_reason=f"no vendor Sales Order changed since {mark}, and no acknowledgement "
                                               "waits for Amazon")
        slot = int(now.timestamp() // _ANSWER_EVERY_SECONDS) if waiting else ""
        day = now.date()
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"{mark}|{slot}|{partition_key(key, day)}",
                                        partition_key=partition_key(key, day)) for key in keys],
            cursor=mark)

    return dg.Definitions(sensors=[catch_up, vendor_acknowledgements_due])
