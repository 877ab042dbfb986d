"""What the NetSuite half of the sandbox holds: the record store, SuiteQL, the governance gate and the knobs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.netsuite.seed import seed_records
from amazon_netsuite.sandbox.netsuite.store import RecordStore
from amazon_netsuite.sandbox.netsuite.suiteql import SuiteQL
from amazon_netsuite.sandbox.world import World


@dataclass
class NetSuiteState:
    store: RecordStore
    suiteql: SuiteQL
    concurrency_limit: int
    latency_ms: int
    in_flight: int = 0  # only touched on the event loop, so no lock
    rejected: int = 0  # requests refused with 429, for tests and benchmarks
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one validate-then-store at a time

    @classmethod
    def open(cls, config: SandboxConfig, world: World) -> "NetSuiteState":
        config.state_dir.mkdir(parents=True, exist_ok=True)
        store = RecordStore(config.state_dir / "netsuite.sqlite")
        if store.meta("seeded") is None:
            seed_records(store, world.settings)
            store.set_meta("seeded", "1")
        return cls(store, SuiteQL(store), config.netsuite_concurrency_limit, config.netsuite_latency_ms)

    def close(self) -> None:
        self.suiteql.close()
        self.store.close()
