"""Resources, chosen in one place: the warehouse file, Seller Central and NetSuite (live or the sandbox) by environment."""


from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from amazon_netsuite.lib.settings import amazon_connection, check_one_world, load_settings, netsuite_connection
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.schema import ensure_schema


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse. Steps that use it run in the `duckdb` pool; connections stay short."""

    path: str = ""

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.path or None) as con:
            ensure_schema(con)
            yield con


class SellerCentral(dg.ConfigurableResource):
    """SP-API clients per seller account. With no credentials in the environment they talk to the sandbox."""

    settings_file: str = ""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # A run refuses live Amazon facing the NetSuite sandbox (or the reverse) before any step talks to either.
        check_one_world(load_settings(self.settings_file or None))

    @contextmanager
    def client(self, seller_account: str):
        """The account's `SpApiClient`, for the API areas over it (feeds, listings, FBA inventory)."""
        from amazon_netsuite.lib.amazon.client import SpApiClient

        settings = load_settings(self.settings_file or None)
        with SpApiClient(amazon_connection(settings, seller_account)) as client:
            yield client

    @contextmanager
    def reports(self, seller_account: str):
        from amazon_netsuite.lib.amazon.client import SpApiClient
        from amazon_netsuite.lib.amazon.reports import ReportsApi

        settings = load_settings(self.settings_file or None)
        with SpApiClient(amazon_connection(settings, seller_account)) as client:
            yield ReportsApi(client)


class NetSuite(dg.ConfigurableResource):
    """The NetSuite REST client for the one account every storefront posts to; the sandbox without credentials."""

    settings_file: str = ""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        check_one_world(load_settings(self.settings_file or None))

    @contextmanager
    def client(self):
        from amazon_netsuite.lib.netsuite.client import NetSuiteClient

        settings = load_settings(self.settings_file or None)
        with NetSuiteClient(netsuite_connection(settings)) as client:
            yield client

    def ledger_account(self) -> str:
        """The account the posting ledger files this NetSuite's records under (realm, or `sandbox`)."""
        return netsuite_connection(load_settings(self.settings_file or None)).ledger_account


def definitions() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(),
            "seller_central": SellerCentral(),
            "netsuite": NetSuite(),
        }
    )
