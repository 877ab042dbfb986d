"""available_to_sell from a NetSuite snapshot: safety stock, locations and their shares, kits, FBA and held-back SKUs."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from amazon_netsuite.lib.inventory.available import compute_available_to_sell
from amazon_netsuite_tests.lib.inventory.conftest import DAY, TAKEN_AT, fba, kit, settings_with, stock

COMPUTED_AT = datetime(2026, 11, 16, 8, 5)


def available(con, settings, storefront="demo-US"):
    """sku → (quantity, safety stock, held-back reason) after computing the storefront-day."""
    compute_available_to_sell(con, settings, storefront, DAY, COMPUTED_AT)
    return {sku: (quantity, safety, reason) for sku, quantity, safety, reason in con.execute(
        "SELECT sku, quantity, safety_stock, held_back_reason FROM available_to_sell WHERE storefront = ? "
        "ORDER BY sku", [storefront]).fetchall()}


def test_available_is_on_hand_less_committed_less_safety_stock_floored_at_zero(con):
    stock(con, "A", 10, 3)
    stock(con, "B", 2, 0)
    stock(con, "C", 4, 9)  # more committed than on hand: nothing to sell, never a negative quantity
    assert available(con, settings_with(safety_stock={"default": 2})) == {
        "A": (5, 2, None), "B": (0, 2, None), "C": (0, 2, None)}


def test_safety_stock_is_the_items_then_the_storefronts_then_the_default(con):
    for storefront in ("demo-US", "demo-CA"):
        stock(con, "A", 20, storefront=storefront)
        stock(con, "B", 20, storefront=storefront)
    settings = settings_with(safety_stock={"default": 1, "storefronts": {"demo-US": 3}, "items": {"A": 5}})
    assert available(con, settings, "demo-US") == {"A": (15, 5, None), "B": (17, 3, None)}
    assert available(con, settings, "demo-CA") == {"A": (15, 5, None), "B": (19, 1, None)}


def test_only_the_storefronts_own_non_fba_locations_count_summed(con):
    stock(con, "A", 10, 1, location="WH-na")
    stock(con, "A", 7, 2, location="WH-2")
    stock(con, "A", 100, location="WH-eu")        # another storefront's warehouse
    stock(con, "A", 50, location="WH-2", fba=True)  # a location flagged FBA never counts, even when listed
    settings = settings_with(storefronts={"demo-US": {"locations": ["WH-na", "WH-2"]}})
    assert available(con, settings) == {"A": (14, 0, None)}
    assert con.execute("SELECT on_hand, committed FROM available_to_sell").fetchone() == (Decimal(17), Decimal(3))


def test_a_split_location_gives_each_storefront_its_share_floored_to_whole_units(con):
    for storefront in ("demo-US", "demo-CA"):
        stock(con, "A", 7, 0, storefront=storefront)
        stock(con, "B", 12, 2, storefront=storefront)
    settings = settings_with(split_locations={"WH-na": {"demo-US": "0.5", "demo-CA": "0.3"}})
    assert available(con, settings, "demo-US") == {"A": (3, 0, None), "B": (5, 0, None)}  # ⌊3.5⌋, ⌊5⌋
    assert available(con, settings, "demo-CA") == {"A": (2, 0, None), "B": (3, 0, None)}  # ⌊2.1⌋, ⌊3⌋
    assert con.execute("SELECT on_hand, committed FROM available_to_sell WHERE storefront = 'demo-CA' AND sku = 'B'"
                       ).fetchone() == (Decimal("3.6"), Decimal("0.6"))


def test_a_split_location_that_does_not_name_the_storefront_gives_it_nothing(con):
    stock(con, "A", 10, storefront="demo-CA")
    settings = settings_with(split_locations={"WH-na": {"demo-US": "0.5"}})
    assert available(con, settings, "demo-CA") == {"A": (0, 0, None)}


def test_a_kit_is_its_scarcest_member_over_the_member_quantity_less_its_own_safety_stock(con):
    stock(con, "MUG", 11, 0)     # 11 ÷ 2 → 5 kits
    stock(con, "SPOON", 4, 1)    # 3 ÷ 1 → 3 kits
    stock(con, "KIT", 0, item_type="Kit")
    kit(con, "KIT", [("MUG", 2), ("SPOON", 1)])
    # member safety stock does not reduce the kit: member available is counted before it
    settings = settings_with(safety_stock={"items": {"KIT": 1, "SPOON": 2}})
    assert available(con, settings) == {"KIT": (2, 1, None), "MUG": (11, 0, None), "SPOON": (1, 2, None)}
    assert con.execute("SELECT is_kit, on_hand FROM available_to_sell WHERE sku = 'KIT'").fetchone() == (True, None)


def test_a_kit_member_with_more_committed_than_on_hand_makes_the_kit_zero(con):
    stock(con, "MUG", 2, 5)
    stock(con, "SPOON", 10)
    kit(con, "KIT", [("MUG", 1), ("SPOON", 1)])
    assert available(con, settings_with())["KIT"] == (0, 0, None)


def test_a_member_without_stock_rows_counts_as_none_in_stock(con):
    stock(con, "MUG", 10)
    kit(con, "KIT", [("MUG", 1), ("LID", 1)])
    assert available(con, settings_with())["KIT"] == (0, 0, None)


def test_fba_skus_and_matrix_parents_get_no_row(con):
    stock(con, "MFN", 5)
    stock(con, "FBA-ONLY", 5)
    fba(con, "FBA-ONLY", 40)
    fba(con, "FBA-OTHER-STORE", 40, storefront="demo-CA")
    stock(con, "FBA-OTHER-STORE", 6)  # FBA in another storefront only: pushed here
    stock(con, "SHIRT", 0, matrix_type="PARENT")
    stock(con, "SHIRT-M", 3, matrix_type="CHILD")
    assert available(con, settings_with()) == {"FBA-OTHER-STORE": (6, 0, None), "MFN": (5, 0, None),
                                               "SHIRT-M": (3, 0, None)}


def test_negative_or_fractional_stock_is_held_back_with_what_and_where(con):
    stock(con, "NEG", -2, 0)
    stock(con, "FRAC", Decimal("1.5"), 0, location="WH-2")
    stock(con, "FRAC", 4, Decimal("-0.25"))
    stock(con, "OK", 3)
    settings = settings_with(storefronts={"demo-US": {"locations": ["WH-na", "WH-2"]}}, safety_stock={"default": 1})
    assert available(con, settings) == {
        "FRAC": (None, 1, "fractional on hand 1.5 at WH-2; negative committed -0.25, fractional committed -0.25 at "
                          "WH-na"),
        "NEG": (None, 1, "negative on hand -2 at WH-na"),
        "OK": (2, 1, None),
    }


def test_a_kit_with_a_missing_or_held_back_member_is_held_back(con):
    stock(con, "MUG", 10)
    stock(con, "BAD", -1)
    kit(con, "KIT-MISSING", [("MUG", 1), (None, 2)])
    kit(con, "KIT-BAD", [("MUG", 1), ("BAD", 1)])
    stock(con, "KIT-EMPTY", 0, item_type="Kit")  # NetSuite shows a kit the member read did not return
    rows = available(con, settings_with())
    assert rows["KIT-MISSING"] == (None, 0, "kit: member item member-2 is missing or inactive")
    assert rows["KIT-BAD"] == (None, 0, "kit: member BAD: negative on hand -1 at WH-na")
    assert rows["KIT-EMPTY"] == (None, 0, "kit without members in the snapshot")
    assert rows["MUG"] == (10, 0, None)


def test_computing_again_replaces_the_storefront_day_only(con):
    stock(con, "A", 5)
    stock(con, "A", 9, storefront="demo-CA")
    settings = settings_with()
    assert compute_available_to_sell(con, settings, "demo-CA", DAY, COMPUTED_AT) == 1
    assert compute_available_to_sell(con, settings, "demo-US", DAY, COMPUTED_AT) == 1
    con.execute("UPDATE netsuite_inventory_snapshot SET quantity_on_hand = 6 WHERE storefront = 'demo-US'")
    assert compute_available_to_sell(con, settings, "demo-US", DAY, COMPUTED_AT) == 1
    assert con.execute("SELECT storefront, quantity, snapshot_taken_at, computed_at FROM available_to_sell "
                       "ORDER BY storefront").fetchall() == [("demo-CA", 9, TAKEN_AT, COMPUTED_AT),
                                                             ("demo-US", 6, TAKEN_AT, COMPUTED_AT)]


def test_computed_at_must_be_naive_utc(con):
    with pytest.raises(ValueError, match="naive UTC"):
        compute_available_to_sell(con, settings_with(), "demo-US", DAY, COMPUTED_AT.replace(tzinfo=timezone.utc))
