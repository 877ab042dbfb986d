"""The nightly refresh, so the check in the UI follows what changed in NetSuite during the day."""

import dagster as dg

netsuite_metadata_job = dg.define_asset_job(
    "netsuite_metadata_job", selection=dg.AssetSelection.assets("netsuite_metadata"),
    description="Read NetSuite's setup records and check the settings' mappings against them.")


def definitions() -> dg.Definitions:
    nightly = dg.ScheduleDefinition(
        name="netsuite_metadata_nightly", job=netsuite_metadata_job, cron_schedule="10 0 * * *",
        execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Refreshes netsuite_metadata and its check every night at 00:10 UTC.")
    return dg.Definitions(jobs=[netsuite_metadata_job], schedules=[nightly])
