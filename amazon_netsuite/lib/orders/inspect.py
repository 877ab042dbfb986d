"""`amazon-netsuite reports inspect FILE` for an order report: what is in the file, as the pipeline would load it.

The file goes through the same parse, routing and typing as a sync, so "loaded" and "quarantined" mean exactly what
they mean in the warehouse. Sales channels the settings do not know are inspected as storefronts of their own, in
the currency most of their rows carry, so any order report can be inspected without configuring it first.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
from amazon_netsuite.lib.money import decimal_text
from amazon_netsuite.lib.orders.report_file import parse_order_report, route_order_rows
from amazon_netsuite.lib.orders.typing import type_order_rows
from amazon_netsuite.lib.settings import Settings


def _settings_for_file(channels: list[tuple[str | None, str | None]], settings: Settings | None) -> Settings:
    """The configured storefronts plus one made-up storefront per sales channel they do not cover."""
    known = settings.storefront_by_sales_channel if settings else {}
    # One storefront per sales channel (an inactive clone's give way), as one made-up seller account.
    storefronts = [s.model_dump() for s in known.values()]
    currencies: dict[str, Counter[str]] = {}
    for channel, currency in channels:
        name = (channel or "").strip()
        if name and name.lower() not in known:
            currencies.setdefault(name.lower(), Counter())[(currency or "").strip().upper()] += 1
    for i, (channel, counts) in enumerate(sorted(currencies.items()), start=1):
        currency = next((c for c, _ in counts.most_common() if len(c) == 3 and c.isalpha()), "XXX")
        storefronts.append(
            {"key": f"file-{i}", "marketplace_id": f"unknown-{i}", "currency": currency, "sales_channel": channel}
        )
    return Settings.model_validate(
        {
            "seller_accounts": [
                {
                    "key": "inspect",
                    "seller_id": "INSPECT",
                    "region": "na",
                    "credentials": {
                        "lwa_client_id_env": "UNUSED",
                        "lwa_client_secret_env": "UNUSED",
                        "refresh_token_env": "UNUSED",
                    },
                    "storefronts": storefronts or [
                        {"key": "file-0", "marketplace_id": "unknown", "currency": "XXX", "sales_channel": "-"}
                    ],
                }
            ]
        }
    )


def inspect_order_report(path: Path, settings: Settings | None = None) -> dict[str, Any]:
    parsed = parse_order_report(path, report_id=path.name)
    pairs = parsed.rows.select(["sales_channel", "currency"]).group_by(["sales_channel", "currency"]).aggregate([])
    channels = list(zip(pairs["sales_channel"].to_pylist(), pairs["currency"].to_pylist()))
    file_settings = _settings_for_file(channels, settings)
    routed = route_order_rows(parsed, file_settings)

    quarantined = routed.unroutable.num_rows
    con = duckdb.connect()
    try:
        con.register("routed_rows", routed.rows)
        con.execute(
            "CREATE TEMP TABLE loaded (amazon_order_id VARCHAR, fulfillment_channel VARCHAR, "
            "currency VARCHAR, item_price DECIMAL(18,4))"
        )
        for storefront in file_settings.storefronts:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE storefront_rows AS SELECT * FROM routed_rows WHERE storefront = ?",
                [storefront.key],
            )
            counts = type_order_rows(con, "storefront_rows", storefront)
            quarantined += counts.quarantined_rows
            con.execute(
                """
                INSERT INTO loaded
                SELECT l.amazon_order_id, r.fulfillment_channel, l.currency, l.item_price
                FROM typed_order_lines AS l JOIN storefront_rows AS r USING (report_id, row_number)
                """
            )
        (order_count,) = con.execute("SELECT count(DISTINCT amazon_order_id) FROM loaded").fetchone()
        by_channel = con.execute(
            "SELECT fulfillment_channel, count(DISTINCT amazon_order_id) FROM loaded GROUP BY ALL ORDER BY 1"
        ).fetchall()
        totals = con.execute("SELECT currency, sum(item_price) FROM loaded GROUP BY ALL ORDER BY 1").fetchall()
    finally:
        con.close()
    return {
        "report_type": ORDER_REPORT_TYPE,
        "row_count": parsed.data_rows,
        "order_count": order_count,
        "quarantined": quarantined,
        "by_fulfillment_channel": {channel: n for channel, n in by_channel},
        "totals_by_currency": {currency: decimal_text(total) for currency, total in totals},
    }

