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

    def blocking_checks(self, asset: str, gates: Mapping[str, str]) -> list[dg.AssetCheckSpec]:
        """One blocking check per gate (name → description), partitioned like the asset, so one storefront-day's
        failure neither blocks nor unblocks another's."""
        with warnings.catch_warnings():
            # Partitioned checks are "preview" in Dagster 1.13, and exactly what gating needs
            # (https://docs.dagster.io/guides/test/asset-checks#partitioned-asset-checks).
            warnings.simplefilter("ignore", dg.PreviewWarning)
            return [dg.AssetCheckSpec(name, asset=asset, blocking=True, partitions_def=self.partitions,
                                      description=description) for name, description in gates.items()]


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
