"""`netsuite_metadata`: NetSuite's setup records kept in the warehouse, replaced whole by each refresh, and the
settings' mappings judged against them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.netsuite.setup_records import (
    RECORD_TYPES,
    MetadataRecord,
    StaleMapping,
    read_customers,
    read_metadata,
    stale_mappings,
)
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.settings.netsuite_records import NamedRecord, named_records


def judged_mappings(settings: Settings) -> list[NamedRecord]:
    """The mappings the refresh judges: every one, but customers only of active accounts. A clone's customer
    (`AMZ-CUSTOMER-{storefront}`, `AMZ-VENDOR-{key}`) is a new record to create before it is switched on, which
    `accounts check` says; until then it would fail the nightly check for an account that posts nothing."""
    active = {a.key for a in (*settings.seller_accounts, *settings.vendor_accounts) if a.active}
    return [n for n in named_records(settings) if n.record_type != "customer" or n.account in active]


def settings_stale(settings: Settings, records: list[MetadataRecord]) -> list[StaleMapping]:
    """The judged mappings naming a record missing from `records` (a refresh: setup records and named customers)
    or inactive there."""
    return stale_mappings(judged_mappings(settings), records, read_types=(*RECORD_TYPES, "customer"))


def store_metadata(con: duckdb.DuckDBPyConnection, records: list[MetadataRecord], refreshed_at: datetime) -> None:
    """Replace the table with this refresh: a record deleted in NetSuite disappears from it."""
    at = refreshed_at.replace(tzinfo=None)
    con.execute("BEGIN")
    con.execute("DELETE FROM netsuite_metadata")
    if records:
        con.executemany("INSERT INTO netsuite_metadata VALUES (?, ?, ?, ?, ?, ?)",
                        [(r.record_type, r.internal_id, r.external_id, r.name, r.inactive, at) for r in records])
    con.execute("COMMIT")


def stored_metadata(con: duckdb.DuckDBPyConnection) -> list[MetadataRecord]:
    rows = con.execute("SELECT record_type, internal_id, external_id, name, inactive FROM netsuite_metadata "
                       "ORDER BY record_type, internal_id").fetchall()
    return [MetadataRecord(*row) for row in rows]


@dataclass(frozen=True)
class Refresh:
    counts: dict[str, int]  # record type → records read, inactive included
    stale: list[StaleMapping]


def refresh_metadata(connection: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
                     client: NetSuiteClient, settings: Settings, now: datetime) -> Refresh:
    """Read every setup record and the customers the judged mappings name into `netsuite_metadata` (the warehouse
    opened only once NetSuite has answered) and judge the settings' mappings against them."""
    customers = [n.value for n in judged_mappings(settings) if n.record_type == "customer"]
    records = read_metadata(client) + read_customers(client, customers)
    with connection() as con:
        store_metadata(con, records, now)
    counts = {t: sum(1 for r in records if r.record_type == t) for t in (*RECORD_TYPES, "customer")}
    return Refresh(counts, settings_stale(settings, records))
