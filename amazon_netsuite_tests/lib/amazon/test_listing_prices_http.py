"""Prices over HTTP against the Seller Central sandbox: `purchasable_offer` sent by patchListingsItem and by
JSON_LISTINGS_FEED, read back from getListingsItem (offers, attributes), sales inside their window, the replace trap,
and every refusal Amazon's price rules give."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.lib.amazon import FeedsApi, ListingsApi, ProcessingStatus
from amazon_netsuite.lib.amazon.listings import ListedPrice, Sale, listed_price, price_message, price_patch
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.sandbox.world.catalog import CATALOG, PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.listings import MFN_SKUS
from amazon_netsuite.sandbox.world.markets import market_for
from amazon_netsuite_tests.conftest import LISTINGS_MODEL
from amazon_netsuite_tests.sandbox.helpers import assert_conforms, seller_client

from .conftest import NOW, US, advance_world_clock, connection_to

SELLER = "A2DEMOSELLERNA1"
CA, JP = "A2EUQ1WTGCTBG2", "A1VC38T7YXB528"
SKU = next(s for s in MFN_SKUS if not s.startswith("KIT-"))
OTHER = [s for s in MFN_SKUS if not s.startswith("KIT-")][1]
SHELF = PRODUCTS_BY_SKU[SKU].price_usd  # the US shelf price: the world's price in USD
TODAY = NOW.date()
DAY = 24 * 3600


@pytest.fixture
def listings(client) -> ListingsApi:
    return ListingsApi(client)


@pytest.fixture
def feeds(client) -> FeedsApi:
    return FeedsApi(client)


def _admin_prices(sandbox, marketplace: str = US, account: str = "demo-na") -> dict[str, tuple[str, str]]:
    response = httpx.get(f"{sandbox.url}/_sandbox/listings", params={"seller_account": account,
                                                                     "marketplace_id": marketplace})
    response.raise_for_status()
    return {row["sku"]: (row["price"], row["currency"]) for row in response.json()["listings"]}


def _live(listings: ListingsApi, seller: str, sku: str, marketplace: str, audience: str = "ALL") -> tuple:
    listed = listings.get_price(seller, sku, marketplace, audience)
    return listed.price, listed.currency


def _refusal(listings: ListingsApi, patch: dict, sku: str = SKU, marketplace: str = US) -> tuple[str, str]:
    """Send a patch Amazon must refuse; (its one issue's code, message), after checking nothing changed."""
    before = listings.get_price(SELLER, sku, marketplace)
    answer = listings.patch_listings_item(SELLER, sku, marketplace, [patch])
    assert answer["status"] == "INVALID", answer
    assert listings.get_price(SELLER, sku, marketplace) == before
    (issue,) = answer["issues"]
    assert issue["severity"] == "ERROR"
    return issue["code"], issue["message"]


# --- the initial offers ------------------------------------------------------------------------------------


def test_every_catalog_sku_starts_with_the_worlds_price_in_each_marketplace_currency(sandbox, settings):
    for storefront in settings.storefronts:
        account = settings.account_of(storefront.key).key
        market = market_for(storefront)
        expected = {p.sku: (str(market.local_price(p.price_usd)), storefront.currency) for p in CATALOG}
        assert _admin_prices(sandbox, storefront.marketplace_id, account) == expected
    assert _admin_prices(sandbox)[SKU] == (str(SHELF), "USD")


def test_a_listing_shows_its_offer_and_stored_purchasable_offer(listings):
    item = listings.get_listings_item(SELLER, SKU, US, included_data=("offers", "attributes"))
    assert item["offers"] == [{"marketplaceId": US, "offerType": "B2C", "price": {"currencyCode": "USD",
                                                                                  "amount": str(SHELF)},
                               "audience": {"value": "ALL", "displayName": "All"}}]
    assert listed_price(item, US) == ListedPrice(SHELF, "USD", {
        "marketplace_id": US, "currency": "USD", "audience": "ALL",
        "our_price": [{"schedule": [{"value_with_tax": float(SHELF)}]}]})


# --- accepted changes --------------------------------------------------------------------------------------


def test_an_accepted_price_change_is_read_back_with_its_minimum_and_maximum(listings, sandbox):
    patch = price_patch(US, "USD", Decimal("17.49"), minimum=Decimal("10.00"), maximum=Decimal("30.00"))
    answer = listings.patch_listings_item(SELLER, SKU, US, [patch])
    assert (answer["status"], answer["issues"]) == ("ACCEPTED", [])
    listed = listings.get_price(SELLER, SKU, US)
    assert (listed.price, listed.currency) == (Decimal("17.49"), "USD")
    assert listed.offer["minimum_seller_allowed_price"] == [{"schedule": [{"value_with_tax": 10}]}]
    assert listed.offer["maximum_seller_allowed_price"] == [{"schedule": [{"value_with_tax": 30}]}]
    assert _admin_prices(sandbox)[SKU] == ("17.49", "USD")
    assert _admin_prices(sandbox)[OTHER] == (str(PRODUCTS_BY_SKU[OTHER].price_usd), "USD")


def test_prices_sent_by_feed_are_applied_per_message_and_a_refused_message_changes_nothing(feeds, listings):
    document = {"header": {"sellerId": SELLER, "version": "2.0"}, "messages": [
        price_message(1, SKU, price_patch(US, "USD", Decimal("21.00"))),
        price_message(2, OTHER, price_patch(US, "USD", Decimal("5.00"), minimum=Decimal("8.00"))),
    ]}
    outcome = feeds.submit_json_listings_feed(document, [US], poll_seconds=0.05, timeout=15)
    assert outcome.processing_status is ProcessingStatus.DONE
    assert [(i["messageId"], i["sku"], i["code"], i["attributeName"]) for i in outcome.report["issues"]] == [
        (2, OTHER, "PRICE_BELOW_MINIMUM", "purchasable_offer")]
    assert outcome.report["summary"]["messagesAccepted"] == 1
    assert listings.get_price(SELLER, SKU, US).price == Decimal("21.00")
    assert listings.get_price(SELLER, OTHER, US).price == PRODUCTS_BY_SKU[OTHER].price_usd


def test_a_feed_for_two_marketplaces_sets_each_its_own_currency(feeds, listings):
    patch = price_patch(US, "USD", Decimal("18.00"))
    patch["value"].append(price_patch(CA, "CAD", Decimal("24.50"))["value"][0])
    document = {"header": {"sellerId": SELLER, "version": "2.0"}, "messages": [price_message(1, SKU, patch)]}
    outcome = feeds.submit_json_listings_feed(document, [US, CA], poll_seconds=0.05, timeout=15)
    assert outcome.report["issues"] == []
    assert _live(listings, SELLER, SKU, US) == (Decimal("18.00"), "USD")
    assert _live(listings, SELLER, SKU, CA) == (Decimal("24.50"), "CAD")


def test_a_b2b_offer_with_a_quantity_discount_plan_shows_as_a_b2b_offer(listings):
    patch = price_patch(US, "USD", Decimal("16.00"), audience="B2B")
    patch["value"][0]["quantity_discount_plan"] = [{"schedule": [{"discount_type": "percent", "levels": [
        {"lower_bound": 10, "value": 5}, {"lower_bound": 50, "value": 10}]}]}]
    assert listings.patch_listings_item(SELLER, SKU, US, [patch])["status"] == "ACCEPTED"
    assert _live(listings, SELLER, SKU, US, audience="B2B") == (Decimal("16.00"), "USD")
    assert listings.get_price(SELLER, SKU, US).price == SHELF  # the merge kept the consumers' offer
    item = listings.get_listings_item(SELLER, SKU, US, included_data=("offers",))
    assert sorted(o["offerType"] for o in item["offers"]) == ["B2B", "B2C"]


# --- sales: the window and the replace trap ----------------------------------------------------------------


def test_a_sale_is_live_only_inside_its_window(listings, sandbox):
    sale = Sale(Decimal("12.99"), TODAY + timedelta(days=1), TODAY + timedelta(days=2))
    answer = listings.patch_listings_item(SELLER, SKU, US, [price_patch(US, "USD", SHELF, sale=sale)])
    assert answer["status"] == "ACCEPTED"
    assert listings.get_price(SELLER, SKU, US).price == SHELF  # before: today noon
    advance_world_clock(sandbox, DAY)  # tomorrow noon: inside the two days
    assert listings.get_price(SELLER, SKU, US).price == Decimal("12.99")
    assert _admin_prices(sandbox)[SKU] == ("12.99", "USD")
    advance_world_clock(sandbox, 2 * DAY)  # the day after the sale's last day
    assert listings.get_price(SELLER, SKU, US).price == SHELF


def test_a_sale_with_date_times_starts_and_ends_at_those_instants(start_sandbox, settings, make_client):
    starts = NOW + timedelta(hours=1)
    first = start_sandbox()
    prices = ListingsApi(make_client(connection_to(first, settings)))
    sale = Sale(Decimal("9.99"), starts, starts + timedelta(hours=2))
    assert prices.patch_listings_item(SELLER, SKU, US, [price_patch(US, "USD", SHELF, sale=sale)])[
        "status"] == "ACCEPTED"
    assert prices.get_price(SELLER, SKU, US).price == SHELF
    # A second sandbox on the same state, its clock frozen inside the window.
    inside = start_sandbox(state_dir=first.state.config.state_dir, clock=starts + timedelta(minutes=30))
    later = ListingsApi(make_client(connection_to(inside, settings)))
    assert later.get_price(SELLER, SKU, US).price == Decimal("9.99")


def _running_sale(listings: ListingsApi) -> None:
    sale = Sale(Decimal("14.99"), TODAY - timedelta(days=1), TODAY + timedelta(days=5))
    assert listings.patch_listings_item(SELLER, SKU, US, [price_patch(US, "USD", SHELF, sale=sale)])[
        "status"] == "ACCEPTED"
    assert listings.get_price(SELLER, SKU, US).price == Decimal("14.99")


def test_a_merge_changes_our_price_and_keeps_the_running_sale(listings):
    _running_sale(listings)
    assert listings.patch_listings_item(SELLER, SKU, US, [price_patch(US, "USD", Decimal("22.00"))])[
        "status"] == "ACCEPTED"
    listed = listings.get_price(SELLER, SKU, US)
    assert listed.price == Decimal("14.99")
    assert listed.offer["our_price"] == [{"schedule": [{"value_with_tax": 22}]}]
    assert listed.offer["discounted_price"][0]["schedule"][0]["value_with_tax"] == 14.99


def test_a_replace_rewrites_the_whole_offer_and_drops_the_running_sale(listings):
    _running_sale(listings)
    patch = {**price_patch(US, "USD", Decimal("22.00")), "op": "replace"}
    assert listings.patch_listings_item(SELLER, SKU, US, [patch])["status"] == "ACCEPTED"
    listed = listings.get_price(SELLER, SKU, US)
    assert listed.price == Decimal("22.00") and "discounted_price" not in listed.offer



def test_by_feed_too_a_merge_keeps_the_sale_and_a_replace_drops_it(feeds, listings):
    _running_sale(listings)
    merge = price_patch(US, "USD", Decimal("23.00"))
    replace = {**price_patch(US, "USD", Decimal("24.00")), "op": "replace"}
    header = {"sellerId": SELLER, "version": "2.0"}
    kept = feeds.submit_json_listings_feed({"header": header, "messages": [price_message(1, SKU, merge)]}, [US],
                                           poll_seconds=0.05, timeout=15)
    assert kept.report["issues"] == [] and listings.get_price(SELLER, SKU, US).price == Decimal("14.99")
    dropped = feeds.submit_json_listings_feed({"header": header, "messages": [price_message(1, SKU, replace)]}, [US],
                                              poll_seconds=0.05, timeout=15)
    assert dropped.report["issues"] == [] and listings.get_price(SELLER, SKU, US).price == Decimal("24.00")

def test_a_delete_removes_the_offer(listings, sandbox):
    patch = {"op": "delete", "path": "/attributes/purchasable_offer",
             "value": [{"marketplace_id": US, "currency": "USD", "audience": "ALL"}]}
    assert listings.patch_listings_item(SELLER, SKU, US, [patch])["status"] == "ACCEPTED"
    assert listings.get_price(SELLER, SKU, US) is None
    assert _admin_prices(sandbox)[SKU] == (None, None)


# --- refusals, one rule each -------------------------------------------------------------------------------


def test_a_currency_that_is_not_the_marketplaces_is_refused(listings):
    assert _refusal(listings, price_patch(US, "EUR", Decimal("17.00"))) == (
        "INVALID_CURRENCY", f"'purchasable_offer[{US}/EUR/ALL]': currency EUR is not the currency of marketplace "
                            "ATVPDKIKX0DER (USD)")


def test_a_price_with_more_decimals_than_the_currency_allows_is_refused(listings):
    assert _refusal(listings, price_patch(US, "USD", Decimal("17.999"))) == (
        "INVALID_PRICE_PRECISION",
        f"'purchasable_offer[{US}/USD/ALL][our_price]': 17.999 USD has more decimals than USD allows (2)")


def test_a_yen_price_with_decimals_is_refused_and_whole_yen_accepted(start_sandbox, settings, make_client):
    raw = settings.model_dump(mode="json")
    raw["seller_accounts"][0]["storefronts"].append(
        {"key": "demo-JP", "marketplace_id": JP, "currency": "JPY", "sales_channel": "Amazon.co.jp"})
    with_japan = Settings.model_validate(raw)
    sandbox = start_sandbox(settings=with_japan)
    listings = ListingsApi(make_client(connection_to(sandbox, with_japan)))
    shelf = market_for(with_japan.storefront("demo-JP")).local_price(PRODUCTS_BY_SKU[SKU].price_usd)
    assert _live(listings, SELLER, SKU, JP) == (shelf, "JPY")
    assert _refusal(listings, price_patch(JP, "JPY", Decimal("2980.5")), marketplace=JP) == (
        "INVALID_PRICE_PRECISION",
        f"'purchasable_offer[{JP}/JPY/ALL][our_price]': 2980.5 JPY has more decimals than JPY allows (0)")
    assert listings.patch_listings_item(SELLER, SKU, JP, [price_patch(JP, "JPY", Decimal("2980"))])[
        "status"] == "ACCEPTED"
    assert _live(listings, SELLER, SKU, JP) == (Decimal("2980"), "JPY")


def test_our_price_below_the_minimum_allowed_price_is_refused(listings):
    assert _refusal(listings, price_patch(US, "USD", Decimal("9.50"), minimum=Decimal("10.00"))) == (
        "PRICE_BELOW_MINIMUM", f"'purchasable_offer[{US}/USD/ALL][our_price]': 9.50 USD is below the "
                               "minimum_seller_allowed_price 10.00 USD")


def test_our_price_above_the_maximum_allowed_price_is_refused(listings):
    assert _refusal(listings, price_patch(US, "USD", Decimal("45.00"), maximum=Decimal("40.00"))) == (
        "PRICE_ABOVE_MAXIMUM", f"'purchasable_offer[{US}/USD/ALL][our_price]': 45.00 USD is above the "
                               "maximum_seller_allowed_price 40.00 USD")


def test_a_stored_minimum_refuses_a_later_price_under_it(listings):
    accepted = listings.patch_listings_item(SELLER, SKU, US, [price_patch(US, "USD", SHELF, minimum=Decimal("15"))])
    assert accepted["status"] == "ACCEPTED"
    code, _ = _refusal(listings, price_patch(US, "USD", Decimal("14.00")))
    assert code == "PRICE_BELOW_MINIMUM"


def test_a_discounted_price_without_our_price_is_refused(listings):
    patch = price_patch(US, "USD", SHELF, sale=Sale(Decimal("9.99"), TODAY, TODAY + timedelta(days=3)))
    del patch["value"][0]["our_price"]
    assert _refusal(listings, patch) == (
        "MISSING_OUR_PRICE", f"The offer for {US}/USD/ALL sends discounted_price without our_price: our_price is "
                             "required with a discounted price")


def test_a_discounted_price_without_its_end_is_refused(listings):
    patch = price_patch(US, "USD", SHELF, sale=Sale(Decimal("9.99"), TODAY, TODAY + timedelta(days=3)))
    del patch["value"][0]["discounted_price"][0]["schedule"][0]["end_at"]
    assert _refusal(listings, patch) == (
        "INVALID_ATTRIBUTE_VALUE",
        f"'purchasable_offer[{US}/USD/ALL][discounted_price][0][schedule][0]': 'end_at' is a required property")


def test_a_quantity_discount_plan_outside_b2b_is_refused(listings):
    patch = price_patch(US, "USD", SHELF)
    patch["value"][0]["quantity_discount_plan"] = [{"schedule": [{"discount_type": "fixed", "levels": [
        {"lower_bound": 10, "value": 1}]}]}]
    code, _ = _refusal(listings, patch)
    assert code == "INVALID_ATTRIBUTE_VALUE"


def test_a_nested_purchasable_offer_path_is_an_invalid_path(listings):
    patch = {"op": "replace", "path": "/attributes/purchasable_offer/0",
             "value": [{"our_price": [{"schedule": [{"value_with_tax": 9.99}]}]}]}
    assert _refusal(listings, patch) == (
        "INVALID_PATCH_PATH", "Invalid path '/attributes/purchasable_offer/0': only top-level listings item "
                              "attributes can be patched")


# --- the official model ------------------------------------------------------------------------------------


def test_price_answers_match_the_listings_items_model(sandbox):
    http = seller_client(sandbox.url)
    items = f"/listings/2021-08-01/items/{SELLER}/{SKU}"
    sale = Sale(Decimal("14.99"), TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    for patch in (price_patch(US, "USD", SHELF, sale=sale), price_patch(US, "USD", Decimal("1.00"),
                                                                         minimum=Decimal("2.00"))):
        answer = http.patch(items, params={"marketplaceIds": US}, json={"productType": "PRODUCT", "patches": [patch]})
        assert_conforms(answer, "patchListingsItem", LISTINGS_MODEL)
    assert answer.json()["issues"][0]["categories"] == ["INVALID_PRICE"]
    got = http.get(items, params={"marketplaceIds": US, "includedData": "summaries,attributes,offers,issues"})
    assert_conforms(got, "getListingsItem", LISTINGS_MODEL)
    assert got.json()["offers"][0]["price"] == {"currencyCode": "USD", "amount": "14.99"}
    broken = {**got.json(), "offers": [{**got.json()["offers"][0], "price": {"amount": 14.99}}]}
    with pytest.raises(Exception, match="currencyCode|is not of type"):
        assert_conforms(httpx.Response(200, json=broken, headers=got.headers), "getListingsItem", LISTINGS_MODEL)



def test_a_merge_with_a_null_discounted_price_ends_the_sale_and_keeps_our_price(listings):
    _running_sale(listings)
    end = {"op": "merge", "path": "/attributes/purchasable_offer",
           "value": [{"marketplace_id": US, "currency": "USD", "audience": "ALL", "discounted_price": None}]}
    assert listings.patch_listings_item(SELLER, SKU, US, [end])["status"] == "ACCEPTED"
    listed = listings.get_price(SELLER, SKU, US)
    assert listed.price == SHELF and "discounted_price" not in listed.offer


def test_a_state_directory_from_before_prices_keeps_its_quantities_and_gains_the_initial_prices(start_sandbox,
                                                                                               tmp_path):
    state = tmp_path / "old-state"
    state.mkdir()
    old = sqlite3.connect(state / "listings.sqlite3")
    old.executescript("""
        create table listings (seller_account text not null, marketplace_id text not null, sku text not null,
            fulfillment_availability text, deleted integer not null default 0, changed_at text not null,
            primary key (seller_account, marketplace_id, sku));""")
    old.execute("insert into listings values (?, ?, ?, ?, 0, ?)",
                ("demo-na", US, SKU, '[{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]', NOW.isoformat()))
    old.commit()
    old.close()
    sandbox = start_sandbox(state_dir=state)
    row = httpx.get(f"{sandbox.url}/_sandbox/listings",
                    params={"seller_account": "demo-na", "marketplace_id": US}).json()["listings"]
    (mine,) = [r for r in row if r["sku"] == SKU]
    assert (mine["quantity"], mine["price"], mine["currency"]) == (7, str(SHELF), "USD")
