"""Marks that move when a NetSuite table changed, for the sensors that start a run when it did: the newest
modification time of the table's records and their count (so a new or deleted record moves it too)."""

from __future__ import annotations

from amazon_netsuite.lib.netsuite.client import NetSuiteClient

_TIME = "'YYYY-MM-DD HH24:MI:SS'"


def table_watermark(client: NetSuiteClient, table: str, modified_column: str) -> tuple[str | None, int]:
    """(newest `modified_column` as text, record count) of a SuiteQL table."""
    (row,) = list(client.suiteql(f"SELECT TO_CHAR(MAX({modified_column}), {_TIME}) AS changed, COUNT(*) AS records "
                                 f"FROM {table}"))
    return row.get("changed"), int(row.get("records") or 0)


def item_watermark(client: NetSuiteClient) -> str | None:
    """The items' mark (`item.lastmodifieddate`); None when NetSuite has no item."""
    changed, records = table_watermark(client, "item", "lastmodifieddate")
    return f"items {changed} ({records})" if records else None
