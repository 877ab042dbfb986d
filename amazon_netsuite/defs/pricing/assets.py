"""What the pricing flow reads: NetSuite's prices and scheduled price changes, as `price_list` per storefront-day,
gated by a blocking check against a price moving too far at once or under cost.

A price list is NetSuite's prices as of the run with the scheduled changes of its day applied: today's is what
Amazon should show now; a future day's is a preview (tomorrow's shows the changes that start tomorrow). A past day
keeps what was computed that day, so an analyst can ask what the price list said on the 3rd.
"""

from datetime import date

import dagster as dg

from amazon_netsuite.defs.helpers import Flow, counted_markdown, listed_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.settings import load_settings

GATE_CHECK = "prices_are_safe"
GATES = {GATE_CHECK: "Refuses a price list where a price moved by more than pricing.max_change_share since Amazon "
                     "last accepted it, or fell under the item's cost; names the SKUs. Tag a run "
                     "`pricing/override_gate: true` to push anyway, once."}
OVERRIDE_TAG = "pricing/override_gate"


def today() -> date:
    # Through the module, so one clock serves the flow (and a test can move it).
    return postings.utc_now().date()


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="price_list", kinds={"netsuite", "duckdb"},
        check_specs=flow.blocking_checks("price_list", GATES),
        description="The price of every mapped SKU for the storefront and day: the storefront's NetSuite price level "
                    "in its currency (else the Base Price), a scheduled change (custom record "
                    "customrecord_amz_price_change) in effect that day replacing it, rounded once to the currency. "
                    "A SKU without a price is held back with the reason.")
    def price_list(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
        from amazon_netsuite.lib.pricing.netsuite_prices import (
            UnknownPriceReference,
            read_costs,
            read_price_changes,
            read_prices,
        )
        from amazon_netsuite.lib.pricing.run import gate_for, write_price_list

        storefront, day = split_partition_key(context.partition_key)
        if day < today():
            raise dg.Failure(f"NetSuite's prices are read as of now, so a past day ({day}) cannot be computed again: "
                             "it keeps the price list computed that day")
        settings = load_settings()
        chosen = settings.storefront_prices(storefront)
        currency = settings.storefront(storefront).currency
        with netsuite.client() as client:
            try:
                prices = read_prices(client, chosen.price_level, currency)
            except UnknownPriceReference as exc:
                raise dg.Failure(f"{storefront}: {exc}") from exc
            changes = read_price_changes(client)
            costs = read_costs(client)
        override = context.run.tags.get(OVERRIDE_TAG, "").lower() == "true"
        with warehouse.connection() as con:
            listed = write_price_list(con, settings, storefront, day, prices, changes, costs, postings.utc_now())
            gate = gate_for(con, settings, storefront, day)
        rows = listed.to_pylist()
        yield dg.MaterializeResult(asset_key="price_list", metadata={
            "dagster/row_count": len(rows), "price_level": chosen.price_level, "currency": currency,
            "priced": sum(1 for r in rows if r["price"] is not None),
            "scheduled_changes": listed_markdown(sorted(f"{r['sku']}: {r['price']} ({r['source']})" for r in rows
                                                        if (r["source"] or "").startswith("scheduled")),
                                                 empty="none in effect"),
            "held_back": counted_markdown(sorted(((r["held_back_reason"], 1) for r in rows
                                                  if r["held_back_reason"])), empty="nothing held back")})
        yield dg.AssetCheckResult(
            check_name=GATE_CHECK, asset_key="price_list", passed=gate.passed or override,
            metadata={"reasons": listed_markdown(gate.reasons, empty="safe to push"),
                      "skus": listed_markdown(gate.skus[:50]), "overridden": override and not gate.passed})

    return dg.Definitions(assets=[price_list])
