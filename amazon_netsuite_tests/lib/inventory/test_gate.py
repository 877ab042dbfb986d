"""The zero-drop gate refuses an empty or stale snapshot and a push zeroing too much of what Amazon shows in stock."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from amazon_netsuite.lib.inventory.available import compute_available_to_sell
from amazon_netsuite.lib.inventory.gate import zero_drop_gate
from amazon_netsuite_tests.lib.inventory.conftest import DAY, TAKEN_AT, listed, settings_with, stock

LIMITS = {"max_zeroed_share": Decimal("0.2"), "max_snapshot_age": timedelta(hours=2)}
SOON = TAKEN_AT + timedelta(minutes=10)


def catalogue(con, in_stock, zeroed):
    """`in_stock` SKUs Amazon shows with 5 units, of which the first `zeroed` now have none in NetSuite."""
    for n in range(in_stock):
        sku = f"SKU-{n:03d}"
        stock(con, sku, 0 if n < zeroed else 5)
        listed(con, sku, 5)
    compute_available_to_sell(con, settings_with(), "demo-US", DAY, SOON)


def test_a_fresh_snapshot_changing_a_few_skus_passes(con):
    catalogue(con, 10, 2)  # 20 %: at the limit, not over it
    result = zero_drop_gate(con, "demo-US", DAY, now=SOON, **LIMITS)
    assert (result.passed, result.reasons, result.skus) == (True, [], [])


def test_an_empty_snapshot_is_refused(con):
    listed(con, "A", 5)
    stock(con, "A", 5, storefront="demo-CA")  # another storefront's snapshot is not this one's
    result = zero_drop_gate(con, "demo-US", DAY, now=SOON, **LIMITS)
    assert not result.passed and result.skus == []
    assert result.reasons == ["the NetSuite stock snapshot of storefront demo-US, day 2026-11-16 is empty: nothing is "
                              "pushed, since an empty read would show every listing sold out. Check the NetSuite read."]


def test_a_stale_snapshot_is_refused_and_now_may_be_aware(con):
    catalogue(con, 4, 0)
    late = datetime(2026, 11, 16, 10, 0, 1, tzinfo=timezone.utc)
    result = zero_drop_gate(con, "demo-US", DAY, now=late, **LIMITS)
    assert not result.passed and result.skus == []
    assert result.reasons == ["the NetSuite stock snapshot of storefront demo-US, day 2026-11-16 was taken at "
                              "2026-11-16 08:00:00 UTC, 2:00:01 before now, older than the 2:00:00 allowed: read "
                              "NetSuite again"]
    assert zero_drop_gate(con, "demo-US", DAY, now=late - timedelta(seconds=1), **LIMITS).passed


def test_zeroing_more_than_the_share_names_the_first_twenty_skus_and_the_count(con):
    catalogue(con, 100, 25)
    listed(con, "SOLD-OUT-ALREADY", 0)  # not in stock on Amazon: neither counted nor named
    result = zero_drop_gate(con, "demo-US", DAY, now=SOON, **LIMITS)
    assert not result.passed
    assert result.skus == [f"SKU-{n:03d}" for n in range(25)]
    assert result.reasons == [
        "the push would drop 25 of the 100 SKUs Amazon shows in stock to zero (25.0%, more than the 20.0% allowed): "
        + ", ".join(f"SKU-{n:03d}" for n in range(20))
        + " and 5 more. If the stock really is gone, override the gate for one run."]


def test_held_back_skus_are_not_zeroed_and_a_stale_snapshot_adds_its_reason(con):
    catalogue(con, 5, 2)  # 40 %
    stock(con, "HELD", -3)
    listed(con, "HELD", 5)  # held back: not pushed, so not dropped
    compute_available_to_sell(con, settings_with(), "demo-US", DAY, SOON)
    assert con.execute("SELECT quantity FROM available_to_sell WHERE sku = 'HELD'").fetchall() == [(None,)]
    result = zero_drop_gate(con, "demo-US", DAY, now=TAKEN_AT + timedelta(hours=3), max_zeroed_share=0.3,
                            max_snapshot_age=timedelta(hours=2))
    assert not result.passed and result.skus == ["SKU-000", "SKU-001"]
    assert [r.split(" ")[1:4] for r in result.reasons] == [["NetSuite", "stock", "snapshot"],
                                                          ["push", "would", "drop"]]
    assert "drop 2 of the 6 SKUs" in result.reasons[1] and "(33.3%, more than the 30.0% allowed)" in result.reasons[1]



def test_a_first_push_that_would_show_most_skus_out_of_stock_is_refused(con):
    """Nothing accepted yet: the snapshot alone decides, so a wrong location cannot zero the catalogue at once."""
    for n, units in enumerate((0, 0, 0, 5, 5)):
        stock(con, f"SKU-{n:03d}", units)
    compute_available_to_sell(con, settings_with(), "demo-US", DAY, SOON)
    result = zero_drop_gate(con, "demo-US", DAY, now=SOON, **LIMITS)
    assert not result.passed and result.skus == ["SKU-000", "SKU-001", "SKU-002"]
    assert result.reasons[0].startswith("the first push would show 3 of its 5 SKUs as out of stock (60.0%")
    listed(con, "SKU-003", 5)  # once Amazon accepted something, what it shows is the measure
    assert zero_drop_gate(con, "demo-US", DAY, now=SOON, **LIMITS).passed
