"""Fixtures of the settlement posting tests: a NetSuite sandbox per module, a counting client, a fresh warehouse."""

from amazon_netsuite_tests.lib.settlements.settlement_warehouse import client, sandbox, warehouse  # noqa: F401
