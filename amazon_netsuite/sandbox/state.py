"""Everything a running sandbox holds: config, world, clock, reports registry, rate limiter, faults, listings and
feeds, and the vendor accounts' worlds and acknowledgements."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.sandbox.clock import WorldClock
from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.seller_central.faults import FaultInjector
from amazon_netsuite.sandbox.seller_central.listing_store import ListingStore
from amazon_netsuite.sandbox.seller_central.rate_limits import RateLimiter
from amazon_netsuite.sandbox.seller_central.report_store import ReportStore
from amazon_netsuite.sandbox.seller_central.shipment_store import ShipmentStore
from amazon_netsuite.sandbox.vendor_central.store import VendorStore
from amazon_netsuite.sandbox.world import World
from amazon_netsuite.sandbox.world.markets import market_for
from amazon_netsuite.sandbox.world.vendor import VendorWorld


@dataclass
class SandboxState:
    config: SandboxConfig
    world: World
    clock: WorldClock
    reports: ReportStore
    limiter: RateLimiter
    faults: FaultInjector
    stopping: threading.Event
    listings: ListingStore
    shipments: ShipmentStore
    vendor_worlds: dict[str, VendorWorld]
    vendor: VendorStore
    finishing: asyncio.Lock = field(default_factory=asyncio.Lock)  # one report document built at a time

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def seller_keys(self) -> frozenset[str]:
        return frozenset(a.key for a in self.settings.seller_accounts)

    @property
    def vendor_keys(self) -> frozenset[str]:
        return frozenset(self.vendor_worlds)

    @property
    def account_keys(self) -> frozenset[str]:
        """Every account the LWA endpoint issues tokens to: seller and vendor accounts."""
        return self.seller_keys | self.vendor_keys

    @classmethod
    def open(cls, config: SandboxConfig) -> "SandboxState":
        config.state_dir.mkdir(parents=True, exist_ok=True)
        clock = WorldClock(config.clock)
        reports = ReportStore(config.state_dir)
        # History starts history_days before today, but never later than on a previous run: a restart the next
        # day must not make yesterday's earliest orders vanish.
        first_day = clock.now().date() - timedelta(days=config.history_days)
        stored = reports.meta("world_first_day")
        if stored and reports.meta("world_seed") == str(config.seed):
            first_day = min(first_day, date.fromisoformat(stored))
        reports.set_meta("world_first_day", first_day.isoformat())
        reports.set_meta("world_seed", str(config.seed))
        world = World(config.settings, config.seed, config.orders_per_day, config.history_days, first_day=first_day)
        stopping = threading.Event()
        return cls(
            config=config,
            world=world,
            clock=clock,
            reports=reports,
            limiter=RateLimiter(config.rate_scale),
            faults=FaultInjector(config.faults, config.seed, stopping),
            stopping=stopping,
            listings=ListingStore(config.state_dir, {a.key: a.region for a in config.settings.seller_accounts},
                                  {s.marketplace_id: market_for(s) for s in config.settings.storefronts}),
            shipments=ShipmentStore(config.state_dir),
            vendor_worlds={v.key: VendorWorld(v.key, v.vendor_code, v.currency, v.warehouse_id, config.seed, first_day,
                                              v.purchase_orders_per_day, v.direct_fulfillment_orders_per_day)
                           for v in config.vendor_accounts},
            vendor=VendorStore(config.state_dir),
        )

    def close(self) -> None:
        self.stopping.set()
        self.reports.close()
        self.listings.close()
        self.shipments.close()
        self.vendor.close()
