"""`netsuite_metadata`: ship methods, payment methods, locations, subsidiaries, price levels, currencies, classes
and departments read by SuiteQL, and the check `settings_name_existing_records`, which fails naming each mapping
whose record was deleted or made inactive in NetSuite (what `amazon-netsuite netsuite refresh-metadata` prints)."""

import dagster as dg

from amazon_netsuite.defs.helpers import listed_markdown
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib.netsuite_metadata.records import refresh_metadata
from amazon_netsuite.lib.postings import utc_now
from amazon_netsuite.lib.settings import load_settings

CHECK = "settings_name_existing_records"


@dg.asset(
    name="netsuite_metadata",
    group_name="netsuite_metadata",
    kinds={"netsuite", "duckdb"},
    pool="duckdb",
    check_specs=[dg.AssetCheckSpec(CHECK, asset="netsuite_metadata", description=(
        "Every NetSuite record the settings name (subsidiaries, locations, classes, departments, price levels, "
        "currencies, ship methods, the active accounts' customers; vendor accounts' too) exists and is active; fails "
        "naming the mapping and the record."))],
)
def netsuite_metadata(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
    """NetSuite's setup records, the whole table replaced by each refresh, so a record deleted in NetSuite leaves
    it. Refreshed before the first flow of `amazon-netsuite sync` and every night."""
    settings = load_settings(netsuite.settings_file or None)
    with netsuite.client() as client:
        refreshed = refresh_metadata(warehouse.connection, client, settings, utc_now())
    messages = [stale.message() for stale in refreshed.stale]
    yield dg.MaterializeResult(metadata={
        **{f"{record_type} records": n for record_type, n in refreshed.counts.items()},
        "mappings naming a missing or inactive record": len(messages),
    })
    yield dg.AssetCheckResult(
        check_name=CHECK, passed=not messages,
        description="; ".join(messages) or "every mapping names an active NetSuite record",
        metadata={"mappings": listed_markdown(messages)})


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=[netsuite_metadata])
