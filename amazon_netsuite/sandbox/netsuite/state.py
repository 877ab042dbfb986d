"""What the NetSuite half of the sandbox holds: the record store, SuiteQL, logins, the governance gate and the knobs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from dataclasses import dataclass, field

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.netsuite.auth import AccessTokens
from amazon_netsuite.sandbox.netsuite.fields import custom_fields_of
from amazon_netsuite.sandbox.netsuite.seed import SEED_VERSION, seed_records
from amazon_netsuite.sandbox.netsuite.store import RecordStore
from amazon_netsuite.sandbox.netsuite.suiteql import SuiteQL
from amazon_netsuite.sandbox.netsuite.tba import TbaVerifier
from amazon_netsuite.sandbox.world import World


@dataclass
class NetSuiteState:
    store: RecordStore
    suiteql: SuiteQL
    concurrency_limit: int
    latency_ms: int
    tba: TbaVerifier
    tokens: AccessTokens = field(default_factory=AccessTokens)
    in_flight: int = 0  # only touched on the event loop, so no lock
    rejected: int = 0  # requests refused with 429, for tests and benchmarks
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one validate-then-store at a time
    custom_fields: frozenset[str] = frozenset()  # the custom fields the account defines (fields.py)

    @classmethod
    def open(cls, config: SandboxConfig, world: World) -> "NetSuiteState":
        config.state_dir.mkdir(parents=True, exist_ok=True)
        store = RecordStore(config.state_dir / "netsuite.sqlite")
        if store.meta("seed_version") != SEED_VERSION:
            # Seeding adds only what is missing, so an older state directory gains the newer seed records.
            seed_records(store, world.settings, today=(config.clock or datetime.now(timezone.utc)).date())
            store.set_meta("seed_version", SEED_VERSION)
        return cls(store, SuiteQL(store), config.netsuite_concurrency_limit, config.netsuite_latency_ms,
                   TbaVerifier(config.settings.netsuite.account_id),
                   custom_fields=custom_fields_of(config.settings) | custom_fields_of(world.settings))

    def close(self) -> None:
        self.suiteql.close()
        self.store.close()
