"""Fixtures of the settlement posting tests: a NetSuite sandbox per module, a counting client, a fresh warehouse."""

import pytest

from amazon_netsuite_tests.lib.settlements.settlement_warehouse import CountingClient, Warehouse, start_netsuite


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_netsuite(tmp_path_factory)
    yield running
    running.stop()


@pytest.fixture
def client(sandbox):
    with CountingClient(sandbox) as client:
        yield client


@pytest.fixture
def warehouse(tmp_path):
    return Warehouse(tmp_path / "warehouse.duckdb")
