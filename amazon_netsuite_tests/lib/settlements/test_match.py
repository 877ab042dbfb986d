"""Every settlement line finds the NetSuite record of its order in the posting ledger, or says why it has none."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from amazon_netsuite.lib.netsuite.errors import UserError
from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.orders.posting import CASH_SALE, SALES_ORDER
from amazon_netsuite.lib.postings import PostingAttempt, record_attempts
from amazon_netsuite.lib.settlements.match import MATCH_SCHEMA, match_lines, match_summary, order_external_ids
from amazon_netsuite.lib.settlements.parse import parse_settlement
from amazon_netsuite.lib.settlements.tables import TABLES
from amazon_netsuite.schema import ensure_schema
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    US_ORDER,
    US_ORDER_2,
    line,
    period,
    settlement_text,
)

NEVER_SEEN = "111-9999999-9999999"


def _ledger(path) -> duckdb.DuckDBPyConnection:
    """A warehouse whose posting ledger holds a posted Cash Sale and a Sales Order NetSuite refused."""
    con = duckdb.connect(str(path))
    ensure_schema(con)
    at = datetime(2026, 10, 1, 12, 0)
    record_attempts(con, [
        PostingAttempt(flow="orders", storefront="demo-US", key=US_ORDER, record_type=CASH_SALE,
                       external_id=order_external_id("demo-US", US_ORDER), payload={"tranId": US_ORDER}, at=at,
                       internal_id="501"),
        PostingAttempt(flow="orders", storefront="demo-US", key=US_ORDER_2, record_type=SALES_ORDER,
                       external_id=order_external_id("demo-US", US_ORDER_2), payload={"tranId": US_ORDER_2}, at=at,
                       error=UserError(400, "USER_ERROR", "Please enter a value for Department.")),
        # The same order id in another storefront is another record.
        PostingAttempt(flow="orders", storefront="demo-CA", key=NEVER_SEEN, record_type=CASH_SALE,
                       external_id=order_external_id("demo-CA", NEVER_SEEN), payload={}, at=at, internal_id="900"),
    ], account="sandbox")
    return con


def test_each_line_is_matched_to_its_orders_record_or_told_why_not(tmp_path):
    parsed = parse_settlement(settlement_text([
        line(),
        line(amount_type="ItemFees", amount_description="Commission", amount=Decimal("-3.00")),
        line(order_id=US_ORDER_2, amount=Decimal("24.50")),
        line(order_id=NEVER_SEEN, amount=Decimal("9.99")),
        period("other-transaction", "other-transaction", "Storage Fee", "-12.34"),
    ]))
    con = _ledger(tmp_path / "warehouse.duckdb")
    ledger = con.sql("SELECT * FROM netsuite_postings WHERE flow = 'orders' AND storefront = 'demo-US'")

    matches = match_lines(parsed.lines, ledger, "demo-US")
    assert matches.schema == MATCH_SCHEMA
    rows = matches.to_pylist()
    assert [(r["line_number"], r["match_status"], r["external_id"], r["record_type"], r["internal_id"])
            for r in rows] == [
        (3, "matched", f"AMZ-demo-US-{US_ORDER}", "cashSale", "501"),
        (4, "matched", f"AMZ-demo-US-{US_ORDER}", "cashSale", "501"),
        (5, "unmatched", f"AMZ-demo-US-{US_ORDER_2}", None, None),
        (6, "unmatched", f"AMZ-demo-US-{NEVER_SEEN}", None, None),
        (7, "not_an_order", None, None, None),
    ]
    assert [r["amount"] for r in rows] == [Decimal("19.99"), Decimal("-3.00"), Decimal("24.50"), Decimal("9.99"),
                                          Decimal("-12.34")]
    assert rows[0]["reason"] is None
    assert rows[2]["reason"].startswith(f"order {US_ORDER_2} did not post to NetSuite (failed): ")
    assert "Please enter a value for Department." in rows[2]["reason"]
    assert rows[3]["reason"] == (
        f"order {NEVER_SEEN} has no NetSuite record AMZ-demo-US-{NEVER_SEEN}: the orders flow never posted it "
        "(not in the report, quarantined, or another storefront)"
    )
    assert rows[4]["reason"] == "not an order line: it posts on the settlement journal"
    assert match_summary(matches) == {"matched": 2, "unmatched": 2, "not_an_order": 1}

    # The matches insert into their warehouse table as they are.
    con.execute("CREATE TEMP VIEW m AS SELECT 'demo-US' AS storefront, DATE '2026-10-04' AS day, * FROM matches")
    con.execute("INSERT INTO settlement_line_matches BY NAME SELECT * FROM m")
    assert con.execute("SELECT count(*), sum(amount) FROM settlement_line_matches").fetchall() == [
        (5, Decimal("39.1400"))]
    con.close()


def test_external_ids_are_the_ones_the_orders_flow_posts_under():
    import pyarrow as pa

    ids = order_external_ids(pa.array([US_ORDER, None]), "demo-DE")
    assert ids.to_pylist() == [order_external_id("demo-DE", US_ORDER), None]


def test_the_settlement_tables_are_created_with_the_warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"settlements", "settlement_lines", "settlement_line_quarantine", "settlement_line_matches",
            "settlement_gl_summary"} <= tables
    assert sum("CREATE TABLE" in statement for statement in TABLES) == 9
    parsed = parse_settlement(settlement_text([line(), line(amount="bad")]))
    lines, quarantine = parsed.lines, parsed.quarantine  # noqa: F841 (read by DuckDB below)
    con.execute("INSERT INTO settlement_lines BY NAME SELECT 'demo-US' AS storefront, DATE '2026-10-04' AS day, * "
                "FROM lines")
    con.execute("INSERT INTO settlement_line_quarantine BY NAME SELECT 'demo-US' AS storefront, "
                "DATE '2026-10-04' AS day, * FROM quarantine")
    assert con.execute("SELECT line_number, amount FROM settlement_lines").fetchall() == [(3, Decimal("19.9900"))]
    assert con.execute("SELECT line_number FROM settlement_line_quarantine").fetchall() == [(4,)]
    con.close()


def test_a_settlement_belongs_to_the_storefront_of_its_marketplace():
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.lib.settlements.match import UnknownStorefront, storefront_of
    from amazon_netsuite_tests.conftest import DEMO_SETTINGS

    settings = load_settings(DEMO_SETTINGS)
    assert storefront_of(parse_settlement(settlement_text([line()])), settings).key == "demo-US"
    canada = parse_settlement(settlement_text([line(marketplace_name="Amazon.ca")], currency="CAD"))
    assert storefront_of(canada, settings).key == "demo-CA"
    # Only period lines, no marketplace named: the home storefront (listed first) of the one account in that currency.
    fees_only = parse_settlement(settlement_text(
        [period("other-transaction", "other-transaction", "Subscription", "-39.99", marketplace_name="")],
        currency="EUR"))
    assert storefront_of(fees_only, settings).key == "demo-DE"
    with pytest.raises(UnknownStorefront, match=r"marketplace Amazon.co.uk, GBP\) matches no single storefront"):
        storefront_of(parse_settlement(settlement_text([line(marketplace_name="Amazon.co.uk")], currency="GBP")),
                      settings)
    with pytest.raises(UnknownStorefront, match="is in EUR but storefront demo-US"):
        storefront_of(parse_settlement(settlement_text([line()], currency="EUR")), settings)


FR_ORDER = "402-0000003-0000003"
DE_ORDER = "302-0000004-0000004"


def test_a_unified_eu_settlement_is_stored_once_and_each_line_matches_in_its_own_marketplaces_storefront(tmp_path):
    """Amazon's unified EU account settles amazon.de and amazon.fr in one EUR settlement. The settlement is stored
    once, in the home storefront's partition (demo-DE, listed first); a French order's lines match the Cash Sale
    the orders flow posted as AMZ-demo-FR-…, a German order's AMZ-demo-DE-…; fees naming no marketplace belong to
    demo-DE."""
    from functools import partial

    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.lib.settlements.store import store_settlement_file
    from amazon_netsuite.lib.warehouse import connect
    from amazon_netsuite_tests.conftest import DEMO_SETTINGS
    from amazon_netsuite_tests.lib.settlements.settlement_builder import write_settlement

    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    ensure_schema(con)
    at = datetime(2026, 10, 1, 12, 0)
    record_attempts(con, [
        PostingAttempt(flow="orders", storefront=storefront, key=order, record_type=CASH_SALE,
                       external_id=order_external_id(storefront, order), payload={"tranId": order}, at=at,
                       internal_id=internal)
        for storefront, order, internal in (("demo-FR", FR_ORDER, "701"), ("demo-DE", DE_ORDER, "702"))
    ], account="sandbox")
    con.close()
    lines = [
        line(order_id=FR_ORDER, marketplace_name="Amazon.fr", amount=Decimal("29.99")),
        line(order_id=FR_ORDER, marketplace_name="Amazon.fr", amount_type="ItemFees",
             amount_description="Commission", amount=Decimal("-4.50")),
        line(order_id=DE_ORDER, marketplace_name="Amazon.de", amount=Decimal("19.99")),
        line(order_id=DE_ORDER, marketplace_name="Amazon.de", amount_type="ItemFees",
             amount_description="Commission", amount=Decimal("-3.00")),
        period("other-transaction", "other-transaction", "Subscription", "-39.00", marketplace_name=""),
    ]
    settings = load_settings(DEMO_SETTINGS)
    stored = store_settlement_file(write_settlement(tmp_path / "eu.txt", lines, currency="EUR"),
                                   connect=partial(connect, str(path)), settings=settings)

    assert (stored.document.storefront, stored.blocking) == ("demo-DE", [])
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT storefront, count(*) FROM settlements GROUP BY 1").fetchall() == [("demo-DE", 1)]
        matches = con.execute(
            "SELECT line_number, line_storefront, match_status, external_id, internal_id "
            "FROM settlement_line_matches ORDER BY line_number").fetchall()
    assert matches == [
        (3, "demo-FR", "matched", f"AMZ-demo-FR-{FR_ORDER}", "701"),
        (4, "demo-FR", "matched", f"AMZ-demo-FR-{FR_ORDER}", "701"),
        (5, "demo-DE", "matched", f"AMZ-demo-DE-{DE_ORDER}", "702"),
        (6, "demo-DE", "matched", f"AMZ-demo-DE-{DE_ORDER}", "702"),
        (7, "demo-DE", "not_an_order", None, None),
    ]


def test_a_marketplace_the_settings_do_not_configure_belongs_to_the_home_storefront():
    from amazon_netsuite.lib.settings import load_settings
    import pyarrow as pa

    from amazon_netsuite.lib.settlements.match import line_storefronts
    from amazon_netsuite_tests.conftest import DEMO_SETTINGS

    settings = load_settings(DEMO_SETTINGS)
    names = pa.array(["Amazon.fr", "amazon.de", "Amazon.it", None, "", "Amazon.com"])
    assert line_storefronts(names, settings.storefront("demo-DE"), settings).to_pylist() == [
        "demo-FR", "demo-DE", "demo-DE", "demo-DE", "demo-DE", "demo-DE"]
