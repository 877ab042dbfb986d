"""What every flow's Dagster objects are built from, and the Dagster helpers they share.

A flow is built once per code-location load from the settings read then (`Flow`): its partitions, whether its
sensors and schedules run by default, its tags and its blocking checks. Everything else a run needs (posting options,
mappings, credentials) is read from the settings when the run starts.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import dagster as dg
from dagster_pandera import pandera_schema_to_dagster_type

from amazon_netsuite.lib.settings import Settings

# The Amazon report a run reads, set by the sensor that found it.
REPORT_ID_TAG = "amazon/report_id"


@dataclass(frozen=True)
class Flow:
    """One flow (`orders`, `settlements`, …) as the code location loads it."""

    name: str
    settings: Settings
    partitions: dg.MultiPartitionsDefinition

    @property
    def on(self) -> bool:
        """The flow's switch in `accounts.yaml` (`flows:`)."""
        return bool(getattr(self.settings.flows, self.name))

    @property
    def sensor_status(self) -> dg.DefaultSensorStatus:
        return dg.DefaultSensorStatus.RUNNING if self.on else dg.DefaultSensorStatus.STOPPED

    @property
    def schedule_status(self) -> dg.DefaultScheduleStatus:
        return dg.DefaultScheduleStatus.RUNNING if self.on else dg.DefaultScheduleStatus.STOPPED

    @property
    def tags(self) -> dict[str, str]:
        return {"flow": self.name}

    def asset_spec(self, name: str, description: str, *, deps=(), kinds=("duckdb",), model=None,
                   **attributes) -> dg.AssetSpec:
        """A spec of one of the flow's tables: in the flow's group and tags, with the Pandera model's columns."""
        return dg.AssetSpec(name, deps=list(deps), description=description, group_name=self.name, kinds=set(kinds),
                            tags=self.tags, metadata=column_schema(model) if model else None, **attributes)

    def partitioned_asset(self, **attributes):
        """`@dg.asset` partitioned by storefront-day in the flow's group, tags and the `duckdb` pool."""
        return dg.asset(partitions_def=self.partitions, group_name=self.name, tags=self.tags, pool="duckdb",
                        **attributes)

    def partitioned_tables(self, *specs: dg.AssetSpec, check_specs=()):
        """`@dg.multi_asset` writing several of the flow's tables per storefront-day, in the `duckdb` pool."""
        return dg.multi_asset(specs=list(specs), check_specs=list(check_specs), partitions_def=self.partitions,
                              pool="duckdb")

    def every_30_minutes(self, name: str, job, description: str):
        """The decorator of a flow's retry schedule: every 30 minutes in UTC, running unless the flow is off."""
        return dg.schedule(name=name, job=job, cron_schedule="*/30 * * * *", execution_timezone="UTC",
                           default_status=self.schedule_status, description=description)

    def blocking_checks(self, asset: str, gates: Mapping[str, str]) -> list[dg.AssetCheckSpec]:
        """One blocking check per gate (name → description), partitioned like the asset, so one storefront-day's
        failure neither blocks nor unblocks another's."""
        with warnings.catch_warnings():
            # Partitioned checks are "preview" in Dagster 1.13, and exactly what gating needs
            # (AssetCheckSpec `partitions_def`: https://docs.dagster.io/api/asset-checks).
            warnings.simplefilter("ignore", dg.PreviewWarning)
            return [dg.AssetCheckSpec(name, asset=asset, blocking=True, partitions_def=self.partitions,
                                      description=description) for name, description in gates.items()]


_NOT_FINISHED = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                 dg.DagsterRunStatus.STARTED]


def busy_partitions(instance: dg.DagsterInstance, job_name: str) -> set[str]:
    """The partitions whose run of `job_name` is queued or running: a retry schedule does not queue a second."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=_NOT_FINISHED))
    return {run.tags.get("dagster/partition") for run in runs}


def column_schema(model) -> dict:
    """A Pandera model's columns as the asset's column schema, so the UI shows what the checks enforce."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return {"dagster/column_schema": pandera_schema_to_dagster_type(model).metadata["schema"].value}


def counted_markdown(counts: Iterable[tuple[str, int]], empty: str = "none") -> dg.MetadataValue:
    """`(reason, n)` pairs, most common first as given, as a list of "n × reason" lines."""
    return dg.MetadataValue.md("\n".join(f"- {n} × {reason}" for reason, n in counts) or empty)


def listed_markdown(items: Iterable[object], empty: str = "none") -> dg.MetadataValue:
    return dg.MetadataValue.md("\n".join(f"- {item}" for item in items) or empty)
