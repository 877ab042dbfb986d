"""NetSuite's setup records in the warehouse (`netsuite_metadata`), refreshed daily and by `sync` before its first
flow, with the check that every mapping of the settings names one that exists. Not partitioned and with no flow
switch: every flow posts to these records."""

import dagster as dg

from amazon_netsuite.defs.netsuite_metadata import assets, schedules


def definitions() -> dg.Definitions:
    return dg.Definitions.merge(assets.definitions(), schedules.definitions())
