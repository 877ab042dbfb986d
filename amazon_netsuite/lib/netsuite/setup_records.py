"""NetSuite's setup records read by SuiteQL, and the settings' mappings that name a record NetSuite does not have,
or has inactive (used by `netsuite refresh-metadata`, its asset and `accounts check`).

Tables and columns are SuiteQL's (`shipitem`, `paymentmethod`, `location`, `subsidiary`, `pricelevel`, `currency`,
`classification`, `department`, each with `id`, `externalid`, `isinactive`); a currency is named by its `symbol`,
the ISO code. Not verified against a live account: the `shipitem` table (the REST record is `shipItem`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.settings.netsuite_records import NamedRecord

QUERIES: dict[str, str] = {
    "shipitem": "SELECT id, externalid, itemid AS name, isinactive FROM shipitem",
    "paymentmethod": "SELECT id, externalid, name, isinactive FROM paymentmethod",
    "location": "SELECT id, externalid, name, isinactive FROM location",
    "subsidiary": "SELECT id, externalid, name, isinactive FROM subsidiary",
    "pricelevel": "SELECT id, externalid, name, isinactive FROM pricelevel",
    "currency": "SELECT id, NULL AS externalid, symbol AS name, isinactive FROM currency",
    "classification": "SELECT id, externalid, name, isinactive FROM classification",
    "department": "SELECT id, externalid, name, isinactive FROM department",
}
RECORD_TYPES = tuple(QUERIES)
CUSTOMERS = "SELECT id, externalid, entityid AS name, isinactive FROM customer WHERE externalid IN ({})"


@dataclass(frozen=True)
class MetadataRecord:
    record_type: str
    internal_id: str
    external_id: str | None
    name: str | None
    inactive: bool


def _record(record_type: str, row: dict) -> MetadataRecord:
    return MetadataRecord(record_type, str(row["id"]), row.get("externalid"), row.get("name"),
                          row.get("isinactive") == "T")


def read_metadata(client: NetSuiteClient) -> list[MetadataRecord]:
    """Every record of the setup types, inactive ones included (a mapping to one is flagged, not lost)."""
    return [_record(record_type, row) for record_type, query in QUERIES.items()
            for row in client.suiteql_by_key(query)]


def read_customers(client: NetSuiteClient, external_ids: Iterable[str]) -> list[MetadataRecord]:
    """The customers of these external ids (only those: an account may hold a customer per buyer)."""
    wanted = sorted(set(external_ids))
    if not wanted:
        return []
    query = CUSTOMERS.format(", ".join("?" * len(wanted)))
    return [_record("customer", row) for row in client.suiteql_by_key(query, wanted)]


@dataclass(frozen=True)
class StaleMapping:
    """A mapping whose record is missing (`found` None) or inactive."""

    named: NamedRecord
    found: MetadataRecord | None

    def message(self) -> str:
        n = self.named
        what = f"{n.record_type} {'named' if n.by == 'name' else 'with external id'} {n.value}"
        where = f"{n.path}{' (the default)' if n.default else ''}"
        if self.found is None:
            return (f"{where} names {what}, which NetSuite does not have: create it in NetSuite, or set {n.path} "
                    "in the settings file to one that exists")
        return (f"{where} names {what}, which is inactive in NetSuite (internal id {self.found.internal_id}): "
                f"reactivate it, or set {n.path} to an active one")


def _matches(named: NamedRecord, record: MetadataRecord) -> bool:
    if record.record_type != named.record_type:
        return False
    if named.by == "external_id":
        return record.external_id == named.value
    if named.record_type == "currency":
        return (record.name or "").upper() == named.value.upper()
    return record.name == named.value


def stale_mappings(named: Iterable[NamedRecord], records: list[MetadataRecord],
                   read_types: Iterable[str] = RECORD_TYPES) -> list[StaleMapping]:
    """The mappings naming a record of one of `read_types` that is not among `records`, or is inactive there; a
    mapping of a type not read (customers, unless read) is not judged."""
    read_types = set(read_types)
    problems = []
    for n in named:
        if n.record_type not in read_types:
            continue
        found = [r for r in records if _matches(n, r)]
        active = [r for r in found if not r.inactive]
        if not active:
            problems.append(StaleMapping(n, found[0] if found else None))
    return problems
