"""A Seller Central sandbox on loopback and an SP-API client pointed at it, with fast buckets and short backoffs."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable

import httpx
import pytest

from amazon_netsuite.lib.amazon import ReportsApi, RetryPolicy, SpApiClient
from amazon_netsuite.lib.settings import AmazonConnection, amazon_connection, load_settings

# The sandbox's world clock in these tests: frozen at a Friday noon.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
# Buckets refill 100x faster than Amazon's, on both sides, so usage plans still apply but cost milliseconds.
RATE_SCALE = 100.0
ORDER_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
US = "ATVPDKIKX0DER"


class RetrySleeps:
    """The retry policy's sleep: records each backoff and sleeps a hundredth of it (capped)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(min(seconds / 100, 0.05))


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture
def start_sandbox(tmp_path, settings):
    """Start a sandbox with the given SandboxConfig overrides; all are stopped at the end of the test."""
    # Imported here so the unit tests of this package still run while the sandbox package changes.
    from amazon_netsuite.sandbox.server import SandboxConfig, start_in_thread

    running = []

    def start(**overrides):
        config = {
            "settings": settings,
            "state_dir": tmp_path / f"sandbox{len(running)}",
            "clock": NOW,
            "report_delay_seconds": 0.2,
            "rate_scale": RATE_SCALE,
            **overrides,
        }
        sandbox = start_in_thread(SandboxConfig(**config), port=0)
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        sandbox.stop()


@pytest.fixture
def sandbox(start_sandbox):
    return start_sandbox()


def connection_to(sandbox, settings, seller_account: str = "demo-na") -> AmazonConnection:
    return amazon_connection(settings, seller_account, environ={"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})


@pytest.fixture
def connection(sandbox, settings) -> AmazonConnection:
    return connection_to(sandbox, settings)


@pytest.fixture
def retry_sleeps() -> RetrySleeps:
    return RetrySleeps()


@pytest.fixture
def make_client(retry_sleeps) -> Callable[..., SpApiClient]:
    clients: list[SpApiClient] = []

    def make(connection: AmazonConnection, *, max_attempts: int = 12, timeout: float = 5.0) -> SpApiClient:
        policy = RetryPolicy(max_attempts=max_attempts, max_total_seconds=120.0, sleep=retry_sleeps)
        client = SpApiClient(connection, timeout=timeout, rate_scale=RATE_SCALE, retry_policy=policy)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client, connection) -> SpApiClient:
    return make_client(connection)


@pytest.fixture
def reports(client) -> ReportsApi:
    return ReportsApi(client)


def set_faults(sandbox, **knobs) -> dict:
    response = httpx.post(f"{sandbox.url}/_sandbox/faults", json=knobs)
    response.raise_for_status()
    return response.json()


def advance_world_clock(sandbox, seconds: float) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": seconds}).raise_for_status()
