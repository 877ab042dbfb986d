"""What every flow's Dagster objects are built from, and the Dagster helpers they share.

A flow is built once per code-location load from the settings read then (`Flow`): its partitions, whether its
sensors and schedules run by default, its tags and its blocking checks. Everything else a run needs (posting options,
mappings, credentials) is read from the settings when the run starts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import dagster as dg
from dagster_pandera import pandera_schema_to_dagster_type

from amazon_netsuite.defs.partitions import first_day, partition_key, split_partition_key
from amazon_netsuite.defs.resources import NetSuite
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.settings import Settings

# The Amazon report a run reads, set by the sensor that found it.
REPORT_ID_TAG = "amazon/report_id"


@dataclass(frozen=True)
class Flow:
    """One flow (`orders`, `settlements`, …) as the code location loads it."""

    name: str
    settings: Settings
    partitions: dg.MultiPartitionsDefinition
    # The keys its sensors and schedules start runs for, when not the active storefronts (the vendor flow's are the
    # active vendor accounts).
    run_keys: tuple[str, ...] | None = None

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
    def storefronts(self) -> list[str]:
        """The storefronts the flow's sensors and schedules start runs for: those of active seller accounts (an
        inactive account's storefronts keep their partitions, for backfills)."""
        if self.run_keys is not None:
            return list(self.run_keys)
        return [s.key for s in self.settings.active_storefronts]

    @property
    def seller_accounts(self):
        """The seller accounts the flow's sensors and schedules ask Amazon about: the active ones."""
        return self.settings.active_accounts

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

    def automation(self, name: str, *assets, description: str) -> dg.AutomationConditionSensorDefinition:
        """The sensor that evaluates the automation conditions of the flow's posting assets, running unless the flow
        is off: a condition that no running sensor evaluates does nothing."""
        return dg.AutomationConditionSensorDefinition(name, target=dg.AssetSelection.assets(*assets),
                                                      default_status=self.sensor_status, description=description)

    def every_storefront(self, name: str, job, cron: str, description: str, *, days_back: int = 0):
        """A schedule (UTC, running unless the flow is off) starting one run per active storefront for the
        day of the tick, or `days_back` days before it."""
        storefronts = self.storefronts

        @dg.schedule(name=name, job=job, cron_schedule=cron, execution_timezone="UTC",
                     default_status=self.schedule_status, description=description)
        def every_storefront(context: dg.ScheduleEvaluationContext):
            at = context.scheduled_execution_time
            day = at.date() - timedelta(days=days_back)
            return [dg.RunRequest(run_key=f"{at.isoformat()}|{storefront}", partition_key=partition_key(storefront, day))
                    for storefront in storefronts]

        return every_storefront

    def netsuite_changes(self, name: str, job, storefronts: list[str], watermark: Callable[[Any], str | None], *,
                         interval_seconds: int, description: str):
        """A sensor (running unless the flow is off) that reads a mark of NetSuite's data each tick
        (`watermark(client)`, None while there is nothing) and, when it moved, starts today's run of `job` for each
        of `storefronts`. Run keys (mark × partition) make a mark seen again harmless."""

        @dg.sensor(name=name, job=job, minimum_interval_seconds=interval_seconds, default_status=self.sensor_status,
                   description=description)
        def netsuite_changes(context: dg.SensorEvaluationContext, netsuite: NetSuite) -> dg.SensorResult:
            with netsuite.client() as client:
                mark = watermark(client)
            if mark is None:
                return dg.SensorResult(skip_reason="NetSuite has nothing to watch yet")
            if context.cursor == mark:
                return dg.SensorResult(skip_reason=f"no change since {mark}")
            day = postings.utc_now().date()
            return dg.SensorResult(
                run_requests=[dg.RunRequest(run_key=f"{mark}|{partition_key(storefront, day)}",
                                            partition_key=partition_key(storefront, day)) for storefront in storefronts],
                cursor=mark)

        return netsuite_changes

    def catch_up(self, name: str, job, asset: str, *, days_back: Iterable[int], description: str,
                 interval_seconds: int = 300):
        """A sensor (running unless the flow is off) that starts, for each storefront, the run of each day
        `days_back` before today (0: today) whose `asset` was never materialized, so a product started at 10:00
        has yesterday's data without waiting for tonight's schedule. One attempt per storefront-day (its run key);
        refreshing and retrying stay with the schedules."""
        storefronts = self.storefronts
        days_back = tuple(days_back)

        @dg.sensor(name=name, job=job, minimum_interval_seconds=interval_seconds, default_status=self.sensor_status,
                   description=description)
        def catch_up(context: dg.SensorEvaluationContext):
            today = postings.utc_now().date()
            days = [today - timedelta(days=n) for n in days_back if today - timedelta(days=n) >= first_day(self.partitions)]
            done = context.instance.get_materialized_partitions(dg.AssetKey(asset))
            missing = [key for day in days for storefront in storefronts
                       if (key := str(partition_key(storefront, day))) not in done]
            if not missing:
                return dg.SkipReason(f"{asset} has every storefront's {', '.join(map(str, days))}")
            return [dg.RunRequest(run_key=f"catch-up|{key}", partition_key=key) for key in missing]

        return catch_up

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


def today_only(context: dg.AssetExecutionContext, subject: str, verb: str) -> tuple[str, date]:
    """The run's storefront and day, when the day is today's: what is `verb` (taken, read) as of now cannot be
    `verb` again for another day, which keeps what it had."""
    storefront, day = split_partition_key(context.partition_key)
    today = postings.utc_now().date()
    if day != today:
        raise dg.Failure(f"{subject} is {verb} as of now, so only today's partition ({today}) can be {verb}; "
                         f"{day} keeps what was {verb} that day")
    return storefront, day


_NOT_FINISHED = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                 dg.DagsterRunStatus.STARTED]


def retry_runs(context: dg.ScheduleEvaluationContext, flow: Flow, job, read: Callable[[Any], list[tuple[str, Any]]],
               what: str) -> list[dg.RunRequest] | dg.SkipReason:
    """A retry schedule's tick: one run of `job` per storefront-day `read` (on the warehouse, read-only) finds with
    an open error, but none for a storefront-day whose run of `job` is already queued or running; a reason to skip
    when there is nothing to do or the warehouse is busy. `what` names the errors in the skip reason."""
    from amazon_netsuite.defs.partitions import partition_key
    from amazon_netsuite.lib.postings import peek_warehouse
    from amazon_netsuite.lib.settings import warehouse_path

    found = peek_warehouse(warehouse_path(), read, [])
    if found is None:
        return dg.SkipReason("the warehouse is busy (another process is writing); the next tick looks again")
    if not found:
        return dg.SkipReason(f"no open integration errors {what}")
    partitions = list(dict.fromkeys(str(partition_key(storefront, day)) for storefront, day in found))
    runs = context.instance.get_runs(filters=dg.RunsFilter(job_name=job.name, statuses=_NOT_FINISHED))
    busy = {run.tags.get("dagster/partition") for run in runs}
    todo = [key for key in partitions if key not in busy]
    if not todo:
        return dg.SkipReason(f"the {job.name} run of every storefront-day to retry ({', '.join(partitions)}) is "
                             "already queued or running")
    # Several requests in one tick need a run key each; the scheduler scopes it to the tick.
    return [dg.RunRequest(run_key=key, partition_key=key,
                          tags={**flow.tags, "amazon_netsuite/retry": "integration_errors"}) for key in todo]


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
