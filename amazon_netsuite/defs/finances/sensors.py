"""The finances flow watches nothing: Amazon has no notification of a new transaction that this project subscribes
to, so the schedules read each day (and `finances_automation` in posting.py posts what loaded)."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions()
