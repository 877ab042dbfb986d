"""The one partitioning of the project: storefront × UTC day, for every flow's partitioned assets and checks."""

from __future__ import annotations

from datetime import date

import dagster as dg

from amazon_netsuite.lib.settings import Settings

STOREFRONT = "storefront"
DATE = "date"


def storefront_days(settings: Settings) -> dg.MultiPartitionsDefinition:
    """Static storefront keys from the settings file × daily UTC dates up to today. Keys read `2026-11-20|demo-US`."""
    return dg.MultiPartitionsDefinition(
        {
            STOREFRONT: dg.StaticPartitionsDefinition(settings.storefront_keys),
            # end_offset=1: today is a partition too, refreshed by each hourly report until the day is over.
            DATE: dg.DailyPartitionsDefinition(start_date=settings.partitions.start_date.isoformat(), end_offset=1),
        }
    )


def vendor_days(settings: Settings) -> dg.MultiPartitionsDefinition:
    """Vendor accounts × daily UTC dates: the vendor flow's partitions, with the same dimension names so one key
    reader serves both (a vendor account is the vendor flow's storefront)."""
    return dg.MultiPartitionsDefinition(
        {
            STOREFRONT: dg.StaticPartitionsDefinition([v.key for v in settings.vendor_accounts]),
            DATE: dg.DailyPartitionsDefinition(start_date=settings.partitions.start_date.isoformat(), end_offset=1),
        }
    )


def first_day(partitions: dg.MultiPartitionsDefinition) -> date:
    return partitions.get_partitions_def_for_dimension(DATE).start.date()


def last_day(partitions: dg.MultiPartitionsDefinition) -> date:
    """Today (UTC) while the partitions reach it: the newest day a report or a deposit can land on."""
    return date.fromisoformat(partitions.get_partitions_def_for_dimension(DATE).get_last_partition_key())


def partition_key(storefront: str, day: date | str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({STOREFRONT: storefront, DATE: str(day)})


def split_partition_key(key: str | dg.MultiPartitionKey) -> tuple[str, date]:
    """(storefront, day) of a storefront × day partition key."""
    if isinstance(key, dg.MultiPartitionKey):
        dims = key.keys_by_dimension
        return dims[STOREFRONT], date.fromisoformat(dims[DATE])
    day, storefront = str(key).split("|")  # dimensions are sorted by name: date first
    return storefront, date.fromisoformat(day)
