from __future__ import annotations

from datetime import datetime, timezone

import pytest

from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import World, demo_settings

# The world clock of these tests: a Friday noon, two weeks of history behind it.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def settings():
    return demo_settings()


@pytest.fixture(scope="session")
def world(settings) -> World:
    return World(settings, seed=7, orders_per_day=100, history_days=14, today=NOW.date())


@pytest.fixture
def sandbox_config(tmp_path, settings) -> SandboxConfig:
    return SandboxConfig(settings=settings, state_dir=tmp_path / "sandbox", clock=NOW, report_delay_seconds=0.2)


@pytest.fixture
def sandbox(sandbox_config):
    """A Seller Central sandbox on a free loopback port, world clock frozen at NOW."""
    with start_in_thread(sandbox_config) as running:
        yield running


@pytest.fixture
def unthrottled_sandbox(sandbox_config):
    """Usage plans refilling 100,000× faster than Amazon's; reports stay IN_QUEUE for half a second."""
    config = sandbox_config.model_copy(update={"rate_scale": 100_000.0, "report_delay_seconds": 1.0})
    with start_in_thread(config) as running:
        yield running
