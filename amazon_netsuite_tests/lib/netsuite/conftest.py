"""A sandbox serving NetSuite on loopback, and a NetSuiteClient pointed at it with short backoffs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite_tests.conftest import DEMO_SETTINGS
from amazon_netsuite_tests.conftest import start_sandbox as start_test_sandbox


def short_sleep(seconds: float) -> None:
    time.sleep(min(seconds, 0.05))


@pytest.fixture(scope="module")
def start_sandbox(tmp_path_factory):
    """Start sandboxes with SandboxConfig overrides (a tiny world); all stop when the module ends."""
    from amazon_netsuite.sandbox.server import SandboxConfig, start_in_thread

    running = []

    def start(**overrides):
        config = SandboxConfig(settings=load_settings(DEMO_SETTINGS), state_dir=tmp_path_factory.mktemp("netsuite"),
                               orders_per_day=2, history_days=1, **overrides)
        running.append(start_in_thread(config, port=0))
        return running[-1]

    yield start
    for sandbox in running:
        sandbox.stop()


@pytest.fixture(scope="module")
def sandbox(start_sandbox):
    return start_sandbox()


def connect(sandbox, **overrides):
    connection = netsuite_connection(load_settings(DEMO_SETTINGS), {"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    return connection.model_copy(update=overrides) if overrides else connection


@pytest.fixture
def client(sandbox):
    with NetSuiteClient(connect(sandbox), timeout=10, initial_backoff=0.01, max_backoff=0.05,
                        sleep=short_sleep) as client:
        yield client


@contextmanager
def frozen_client(state_dir: Path, clock: datetime) -> Iterator[NetSuiteClient]:
    """A NetSuiteClient on a tiny sandbox of its own whose clock stands still at `clock`."""
    with start_test_sandbox(state_dir, orders_per_day=2, history_days=1, clock=clock) as running:
        with NetSuiteClient(connect(running), timeout=10, initial_backoff=0.01, max_backoff=0.05) as client:
            yield client
