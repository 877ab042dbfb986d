"""`order_posting` settings end to end: a storefront-day posted to the NetSuite sandbox by a real Dagster run, read
back by SuiteQL."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg

from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.conftest import DEMO_SETTINGS
from amazon_netsuite_tests.defs.test_order_posting import (
    STOREFRONT,
    _create_items,
    _day_orders,
    _day_with_an_unmapped_sku,
    _in_netsuite,
    _netsuite,
    _postable,
    _run,
    _suiteql,
    _use_settings,
    posting_project,  # noqa: F401  (fixture)
)


def _yesterday() -> date:
    return datetime.now(timezone.utc).date() - timedelta(days=1)


def _ids(table: str, external_ids: list[str]) -> dict[str, str]:
    marks = ", ".join("?" for _ in external_ids)
    return {r["externalid"]: str(r["id"]) for r in
            _suiteql(f"SELECT id, externalid FROM {table} WHERE externalid IN ({marks})", external_ids)}


def test_status_class_department_channel_field_sfp_flag_and_facilitator_tax_reach_netsuite(
        posting_project, monkeypatch, tmp_path):
    _use_settings(monkeypatch, tmp_path, """
  sales_order_status: pending_approval
  facilitator_tax: post
  storefronts:
    demo-US:
      class: CLASS-AMZ-demo-US
      department: DEPT-MARKETPLACES
      channel_field: {name: custbody_amz_channel, value: Amazon.com}
""")
    _create_items(*MISSING_SKUS)
    instance = dg.DagsterInstance.ephemeral()
    day = _yesterday()
    _run("orders_job", day, instance)
    _run("order_posting_job", day, instance)

    with connect(read_only=True) as con:
        orders = {f"AMZ-{STOREFRONT}-{oid}": (channel, total, tax or 0) for oid, channel, total, tax in con.execute(
            "SELECT amazon_order_id, channel, order_total, marketplace_facilitator_tax FROM orders "
            "WHERE storefront = ? AND day = ?", [STOREFRONT, day]).fetchall()}
    rows = _suiteql("SELECT externalid, type, status, class, department, custbody_amz_channel, custbody_amz_sfp, "
                    f"foreigntotal FROM transaction WHERE externalid LIKE 'AMZ-{STOREFRONT}-%'")
    assert rows and {r["externalid"] for r in rows} == set(_postable(_day_orders(day)))
    segments = {**_ids("classification", ["CLASS-AMZ-demo-US"]), **_ids("department", ["DEPT-MARKETPLACES"])}
    facilitator_taxed = 0
    for row in rows:
        channel, total, facilitator_tax = orders[row["externalid"]]
        assert (str(row["class"]), str(row["department"])) == (segments["CLASS-AMZ-demo-US"],
                                                               segments["DEPT-MARKETPLACES"])
        assert row["custbody_amz_channel"] == "Amazon.com"
        assert Decimal(str(row["foreigntotal"])) == total + facilitator_tax  # the facilitator tax is posted
        facilitator_taxed += facilitator_tax > 0
        if row["type"] == "SalesOrd":
            assert row["status"] == "A"  # Pending Approval
            assert (row.get("custbody_amz_sfp") == "T") == (channel == "SFP")  # SuiteQL leaves nulls out
    assert facilitator_taxed > 0
    assert Counter(orders[r["externalid"]][0] for r in rows if r["type"] == "SalesOrd")["SFP"] > 0
    with _netsuite() as client:
        sfp = next(r["externalid"] for r in rows if orders[r["externalid"]][0] == "SFP")
        record = client.get("salesOrder", f"eid:{sfp}")
    assert record["custbody_amz_sfp"] is True and record["memo"].startswith("[SFP] Amazon Amazon.com order")

    # SFP orders are complete for the orders flow, but the shipments flow confirms them like MFN ones (our warehouse
    # buys their labels): every posted Sales Order waits for its shipment confirmation.
    with connect(read_only=True) as con:
        to_confirm = {r[0] for r in con.execute("SELECT external_id FROM sales_orders_to_confirm_shipment").fetchall()}
    expected = {r["externalid"] for r in rows if r["type"] == "SalesOrd"}
    assert to_confirm == expected and sfp in to_confirm


def test_per_buyer_customers_are_upserted_once_under_a_hash_and_fba_orders_stay_on_the_storefront_customer(
        posting_project, monkeypatch, tmp_path):
    _use_settings(monkeypatch, tmp_path, "  customer: per_buyer\n")
    _create_items(*MISSING_SKUS)
    instance = dg.DagsterInstance.ephemeral()
    day = _yesterday()
    _run("orders_job", day, instance)
    first = _run("order_posting_job", day, instance)

    rows = _suiteql(
        "SELECT t.externalid AS order_eid, t.type, c.externalid AS customer_eid FROM transaction t "
        f"JOIN customer c ON c.id = t.entity WHERE t.externalid LIKE 'AMZ-{STOREFRONT}-%'")
    with connect(read_only=True) as con:
        ship_to = dict(con.execute(
            "SELECT 'AMZ-demo-US-' || amazon_order_id, any_value(ship_postal_code || '|' || ship_city) "
            "FROM order_report_rows WHERE storefront = ? AND day = ? GROUP BY 1", [STOREFRONT, day]).fetchall())
    by_buyer: dict[str, set[str]] = {}
    for row in rows:
        if row["type"] == "CashSale":
            assert row["customer_eid"] == f"AMZ-CUSTOMER-{STOREFRONT}"  # Amazon gives no buyer for FBA
            continue
        assert row["customer_eid"].startswith("AMZ-BUYER-")
        zip_code, city = ship_to[row["order_eid"]].split("|")
        assert zip_code not in row["customer_eid"] and city.upper() not in row["customer_eid"].upper()
        by_buyer.setdefault(row["customer_eid"], set()).add(ship_to[row["order_eid"]])
    # One customer per ship-to (the report gives no e-mail here), and repeat buyers share theirs.
    assert all(len(places) == 1 for places in by_buyer.values())
    assert len(by_buyer) == len({p for places in by_buyer.values() for p in places})
    assert len(by_buyer) < sum(1 for r in rows if r["type"] == "SalesOrd")
    assert first["sales_orders_posted"]["customers_upserted"] == len(by_buyer)
    customers = _suiteql("SELECT externalid, companyname FROM customer WHERE externalid LIKE 'AMZ-BUYER-%'")
    assert {c["externalid"] for c in customers} == set(by_buyer)

    again = _run("order_posting_job", day, instance)  # nothing changed: no customer, no order is sent again
    assert again["sales_orders_posted"]["netsuite_requests"] == 0
    assert again["sales_orders_posted"]["customers_upserted"] == 0


def test_a_sku_map_sends_the_mapped_items_and_refuses_unmapped_skus_before_sending(
        posting_project, monkeypatch, tmp_path):
    from amazon_netsuite.sandbox.world import CATALOG

    instance = dg.DagsterInstance.ephemeral()
    day = _day_with_an_unmapped_sku(instance)
    with connect(read_only=True) as con:
        renamed = con.execute(  # the day's most sold SKU gets the seller's own item number in NetSuite
            "SELECT sku FROM order_lines WHERE storefront = ? AND day = ? AND quantity > 0 "
            "AND sku NOT IN (SELECT unnest(?::VARCHAR[])) GROUP BY sku ORDER BY count(*) DESC, sku LIMIT 1",
            [STOREFRONT, day, sorted(MISSING_SKUS)]).fetchone()[0]
    _create_items(f"NS-{renamed}")
    mapped = [p.sku for p in CATALOG if p.sku not in MISSING_SKUS and p.sku != renamed]
    (tmp_path / "sku-map.csv").write_text("sku,item_external_id\n" + "".join(f"{s},{s}\n" for s in mapped))
    _use_settings(monkeypatch, tmp_path, f"""
  items:
    by: sku_map
    sku_map_csv: {tmp_path / 'sku-map.csv'}
    sku_map: {{{renamed}: NS-{renamed}}}
""")
    result = _run("order_posting_job", day, instance)

    rows = _day_orders(day)
    unmapped = {f"AMZ-{STOREFRONT}-{r[0]}" for r in rows if r[4]}
    expected = {eid: v for eid, v in _postable(rows).items() if eid not in unmapped}
    assert _in_netsuite() == expected
    posted = sum(result[a]["posted"] for a in ("sales_orders_posted", "cash_sales_posted"))
    assert result["sales_orders_posted"]["netsuite_requests"] == posted  # the unmapped were never sent
    with connect(read_only=True) as con:
        errors = con.execute("SELECT key, error_class, message FROM integration_errors").fetchall()
    assert errors and {f"AMZ-{STOREFRONT}-{e[0]}" for e in errors} == set(_postable(rows)) & unmapped
    for key, error_class, message in errors:
        assert error_class == "mapping" and key in message and "is not in the SKU map" in message
        assert any(f"SKU `{sku}`" in message for sku in MISSING_SKUS) and "sku-map.csv" in message
    sold = _suiteql("SELECT i.externalid FROM transactionline l JOIN item i ON i.id = l.item "
                    "WHERE i.externalid IN (?, ?)", [renamed, f"NS-{renamed}"])
    with connect(read_only=True) as con:
        lines = con.execute("SELECT count(*) FROM order_lines WHERE storefront = ? AND day = ? AND sku = ? "
                            "AND quantity > 0 AND 'AMZ-demo-US-' || amazon_order_id IN (SELECT unnest(?::VARCHAR[]))",
                            [STOREFRONT, day, renamed, sorted(expected)]).fetchone()[0]
    assert lines and [r["externalid"] for r in sold] == [f"NS-{renamed}"] * lines


def test_an_alias_field_resolves_skus_by_one_suiteql_query_and_an_sku_no_item_carries_waits(
        posting_project, monkeypatch, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    day = _yesterday()
    _run("orders_job", day, instance)
    with connect(read_only=True) as con:
        skus = [r[0] for r in con.execute(
            "SELECT sku FROM order_lines WHERE storefront = ? AND day = ? AND quantity > 0 GROUP BY sku "
            "ORDER BY count(*) DESC, sku", [STOREFRONT, day]).fetchall()]
        # SKUs of orders that post (the world decides which a day has: one SKU may be only on a pending order)
        posting = {r[0] for r in con.execute(
            "SELECT DISTINCT l.sku FROM order_lines l JOIN orders_latest o USING (storefront, amazon_order_id) "
            "WHERE l.storefront = ? AND l.day = ? AND l.quantity > 0 AND ((o.channel IN ('MFN', 'SFP') AND "
            "o.order_status IN ('Unshipped', 'PartiallyShipped', 'Shipped')) OR (o.channel = 'FBA' AND "
            "o.order_status = 'Shipped'))", [STOREFRONT, day]).fetchall()}
    known = [s for s in skus if s not in MISSING_SKUS]
    left_out = [s for s in known if s in posting][-1]  # an item exists, but nobody set its alias
    known = [s for s in known if s != left_out] + [left_out]
    _create_items()
    with _netsuite() as client:
        for sku in known[:-1]:  # the aliases live on items whose external ids are something else entirely
            client.upsert("inventoryItem", f"ITEM-{sku}", {"itemId": f"Item {sku}", "custitem_amz_sku": sku})
    _use_settings(monkeypatch, tmp_path, "  items: {by: alias_field, alias_field: custitem_amz_sku}\n")
    result = _run("order_posting_job", day, instance)

    posted = sum(result[a]["posted"] for a in ("sales_orders_posted", "cash_sales_posted"))
    assert posted > 0 and result["sales_orders_posted"]["netsuite_requests"] == posted + 1  # + one SuiteQL query
    with connect(read_only=True) as con:
        messages = [r[0] for r in con.execute("SELECT message FROM integration_errors").fetchall()]
    assert any(f"SKU `{left_out}`" in m and f"no active item has custitem_amz_sku = `{left_out}`" in m
               for m in messages)
    lines = _suiteql(f"SELECT i.externalid, i.custitem_amz_sku FROM transaction t JOIN transactionline l "
                     f"ON l.transaction = t.id JOIN item i ON i.id = l.item WHERE t.externalid LIKE "
                     f"'AMZ-{STOREFRONT}-%' AND l.mainline = 'F' AND i.externalid <> 'AMZ-PROMOTION'")
    assert lines and all(r["externalid"] == f"ITEM-{r['custitem_amz_sku']}" for r in lines)
    assert left_out not in {r["custitem_amz_sku"] for r in lines}


def test_a_storefront_with_order_posting_off_loads_its_orders_and_posts_no_cash_sale_or_sales_order(
        posting_project, monkeypatch, tmp_path):
    path = tmp_path / "accounts-no-orders.yaml"
    path.write_text(DEMO_SETTINGS.read_text(encoding="utf-8").replace(
        "sales_channel: Amazon.com\n", "sales_channel: Amazon.com\n        post_orders: false\n"))
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
    instance = dg.DagsterInstance.ephemeral()
    day = _yesterday()
    _run("orders_job", day, instance)
    metadata = _run("order_posting_job", day, instance)

    loaded = _day_orders(day)
    assert loaded  # its reports still load into the warehouse
    assert _suiteql(f"SELECT id FROM transaction WHERE externalid LIKE 'AMZ-{STOREFRONT}-%'") == []
    for asset in ("sales_orders_posted", "cash_sales_posted"):
        assert (metadata[asset]["posted"], metadata[asset]["skipped"]) == (0, len(loaded))
    assert "post_orders: false" in metadata["cash_sales_posted"]["skipped_reasons"]
    with connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM netsuite_postings WHERE flow = 'orders'").fetchone() == (0,)
