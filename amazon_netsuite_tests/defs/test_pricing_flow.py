"""The pricing flow end to end, through real Dagster runs against the sandbox: after every run Amazon's price equals
`price_list` for every mapped SKU, a change scheduled in NetSuite for tomorrow goes live from tomorrow's run and not
before, a running sale survives a price change, the gate holds a price that jumped, and a price Amazon refuses ends
in `integration_errors` while the rest proceeds."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import dagster as dg
import httpx
import pytest

from amazon_netsuite.lib.amazon.listings import Sale, price_patch
from amazon_netsuite_tests.defs.test_inventory_flow import ACCOUNT, MARKETPLACE, STOREFRONT, _inventory_sandbox, _rows, _run

SELLER_ID = "A2DEMOSELLERNA1"


@pytest.fixture
def pricing_project(monkeypatch, tmp_path):
    with _inventory_sandbox(monkeypatch, tmp_path, history_days=1, only_north_america=True,
                            storefronts={STOREFRONT}) as sandbox:
        yield sandbox


def _amazon_prices(sandbox) -> dict[str, tuple[Decimal, str]]:
    listings = httpx.get(f"{sandbox.url}/_sandbox/listings",
                         params={"seller_account": ACCOUNT, "marketplace_id": MARKETPLACE}, timeout=30).json()
    return {l["sku"]: (Decimal(str(l["price"])), l["currency"]) for l in listings["listings"]
            if l.get("price") is not None}


def _price_list(day) -> dict[str, tuple[Decimal, str]]:
    return {sku: (price, currency) for sku, price, currency in _rows(
        "SELECT sku, price, currency FROM price_list WHERE storefront = ? AND day = ? AND price IS NOT NULL",
        [STOREFRONT, day])}


def _today():
    from amazon_netsuite.lib import postings

    return postings.utc_now().date()


@contextmanager
def _clock_at(monkeypatch, moment: datetime):
    """The project's clock (one function, `lib.postings.utc_now`) and Dagster's (which partitions exist) at
    `moment`; the sandbox keeps its own."""
    from dagster._core.test_utils import freeze_time

    from amazon_netsuite.lib import postings

    with monkeypatch.context() as patched, freeze_time(moment):
        patched.setattr(postings, "utc_now", lambda: moment.replace(tzinfo=None))  # naive UTC, as it is
        yield


def _scheduled(level: str = "Amazon US", currency: str = "USD") -> list[dict]:
    """The scheduled price changes NetSuite holds for a price level and currency."""
    from amazon_netsuite.lib.pricing.netsuite_prices import read_price_changes
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import load_settings, netsuite_connection

    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        changes = read_price_changes(client).to_pylist()
    return [c for c in changes if c["price_level"] == level and c["currency"] == currency]


def _set_netsuite_price(sku: str, price: str, level: str = "PRICELEVEL-AMAZON-US", currency: str = "USD") -> None:
    from amazon_netsuite.lib.netsuite.client import NetSuiteClient
    from amazon_netsuite.lib.settings import load_settings, netsuite_connection

    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        client.patch("inventoryItem", f"eid:{sku}", {"price": {"items": [
            {"currencyPage": {"externalId": currency}, "priceLevel": {"externalId": level}, "quantity": {"value": 0},
             "price": Decimal(price)}]}})


def test_tomorrows_scheduled_price_goes_live_from_tomorrows_run_not_before_and_amazon_always_equals_the_price_list(
        pricing_project, monkeypatch):
    sandbox = pricing_project
    instance = dg.DagsterInstance.ephemeral()
    today = _today()
    tomorrow = today + timedelta(days=1)
    assert _run("pricing_job", STOREFRONT, today, instance).success

    listed = _price_list(today)
    assert len(listed) > 40 and {c for _, c in listed.values()} == {"USD"}
    amazon = _amazon_prices(sandbox)
    assert {sku: amazon.get(sku) for sku in listed} == listed  # every mapped SKU, to the cent
    # The change that starts tomorrow, and the SKU it moves.
    (change,) = [c for c in _scheduled() if c["start_date"] == tomorrow]
    sku = change["sku"]
    assert listed[sku][0] != change["price"]

    # Later today (the hourly run) the change is still tomorrow's: nothing is sent.
    assert _run("pricing_job", STOREFRONT, today, instance).success
    assert _amazon_prices(sandbox)[sku] == listed[sku]
    assert _rows("SELECT count(*) FROM price_feed_submissions") == [(len(listed),)]

    # Tomorrow, two minutes past midnight (the schedule's first run): live, and the only message of that run.
    with _clock_at(monkeypatch, datetime.combine(tomorrow, time(0, 2), tzinfo=timezone.utc)):
        assert _run("pricing_job", STOREFRONT, tomorrow, instance).success
    assert _amazon_prices(sandbox)[sku] == (change["price"], "USD")
    assert _rows("SELECT sku, price, previous_price, outcome FROM price_feed_submissions WHERE day = ?",
                 [tomorrow]) == [(sku, change["price"], listed[sku][0], "accepted")]
    after = _price_list(tomorrow)
    amazon = _amazon_prices(sandbox)
    assert {s: amazon.get(s) for s in after} == after
    # The history says since when each price was live.
    history = _rows("SELECT price, live_from, live_until FROM price_history WHERE storefront = ? AND sku = ? "
                    "ORDER BY live_from", [STOREFRONT, sku])
    assert [(p, u is None) for p, _, u in history] == [(listed[sku][0], False), (change["price"], True)]
    assert history[1][1] == datetime(tomorrow.year, tomorrow.month, tomorrow.day, 0, 2)


def test_a_running_sale_survives_a_price_change_and_the_gate_holds_a_price_that_jumped(pricing_project, monkeypatch):
    sandbox = pricing_project
    instance = dg.DagsterInstance.ephemeral()
    today = _today()
    assert _run("pricing_job", STOREFRONT, today, instance).success
    listed = _price_list(today)
    on_sale, jumped, refused = sorted(s for s in listed if s.startswith(("TSHIRT", "HOODIE", "MUG")))[:3]

    # In Seller Central the seller runs a sale on one SKU and sets a minimum price on another.
    now = sandbox.state.clock.now()
    sale = Sale(Decimal("9.99"), now - timedelta(hours=1), now + timedelta(days=2))
    minimum = listed[refused][0] - Decimal("0.50")
    _seller_patch(sandbox, on_sale, price_patch(MARKETPLACE, "USD", listed[on_sale][0], sale=sale))
    _seller_patch(sandbox, refused, price_patch(MARKETPLACE, "USD", listed[refused][0], minimum=minimum))
    assert _amazon_prices(sandbox)[on_sale] == (Decimal("9.99"), "USD")

    # NetSuite: a small rise on the SKU on sale, a typo (+100%) on another, a cut under the Amazon minimum.
    new_sale_price = listed[on_sale][0] + 1
    _set_netsuite_price(on_sale, str(new_sale_price))
    _set_netsuite_price(jumped, str(listed[jumped][0] * 2))
    _set_netsuite_price(refused, str(listed[refused][0] - 1))
    sent = _rows("SELECT count(*) FROM price_feed_submissions")
    run = _run("pricing_job", STOREFRONT, today, instance)
    (check,) = [e for e in run.get_asset_check_evaluations() if e.check_name == "prices_are_safe"]
    assert not check.passed
    assert jumped in str(check.metadata["skus"].value) and on_sale not in str(check.metadata["skus"].value)
    assert _rows("SELECT count(*) FROM price_feed_submissions") == sent  # nothing sent

    # The seller confirms the jump once: the push goes, the sale keeps running, the refused price waits.
    assert _run("pricing_job", STOREFRONT, today, instance, tags={"pricing/override_gate": "true"}).success
    last = {sku: (outcome, running) for sku, outcome, running in _rows(
        "SELECT sku, outcome, running_sale FROM price_feed_submissions WHERE submitted_at = "
        "(SELECT max(submitted_at) FROM price_feed_submissions)")}
    assert set(last) == {on_sale, jumped, refused}
    assert last[on_sale][0] == "accepted" and last[on_sale][1].startswith("sale at 9.99 from ")
    assert last[jumped] == ("accepted", None)
    assert last[refused][0] == "rejected"
    amazon = _amazon_prices(sandbox)
    assert amazon[on_sale] == (Decimal("9.99"), "USD")  # the sale still live
    assert amazon[jumped] == (listed[jumped][0] * 2, "USD")
    assert amazon[refused] == listed[refused]
    errors = _rows("SELECT key, error_class, message FROM integration_errors WHERE flow = 'pricing' "
                   "AND resolved IS NULL")
    assert [(k, c) for k, c, _ in errors] == [(f"price:{refused}", "validation")]
    assert "PRICE_BELOW_MINIMUM" in errors[0][2]
    # Under the sale, the offer's own price is the new one: it shows once the sale ends.
    from amazon_netsuite.lib.amazon.listings import ListingsApi, offer_value

    with _seller_client() as client:
        shown = ListingsApi(client).get_price(SELLER_ID, on_sale, MARKETPLACE)
    assert offer_value(shown.offer) == new_sale_price


def _seller_client():
    from amazon_netsuite.defs.resources import SellerCentral

    return SellerCentral().client(ACCOUNT)


def _seller_patch(sandbox, sku: str, patch: dict) -> None:
    from amazon_netsuite.lib.amazon.listings import ListingsApi

    with _seller_client() as client:
        answer = ListingsApi(client).patch_listings_item(SELLER_ID, sku, MARKETPLACE, [patch])
    assert answer["status"] == "ACCEPTED", answer


def test_a_price_with_sub_cent_digits_is_rounded_once_and_the_allowed_bounds_go_with_every_price(pricing_project):
    """Bad input from NetSuite (a USD price with a tenth of a cent) reaches Amazon rounded once, never refused for
    its precision; with bounds configured every message carries minimum and maximum allowed prices around it."""
    import os

    import yaml

    from amazon_netsuite.lib.amazon.listings import ListingsApi, offer_value

    path = os.environ["AMAZON_NETSUITE_ACCOUNTS"]
    settings = yaml.safe_load(open(path, encoding="utf-8"))
    settings["pricing"]["storefronts"][STOREFRONT].update(minimum_allowed_share="0.9", maximum_allowed_share="1.2")
    with open(path, "w", encoding="utf-8") as file:
        yaml.safe_dump(settings, file, sort_keys=False)
    sku = "CAP-BEIGE"
    _set_netsuite_price(sku, "21.125")  # NetSuite keeps sub-cent prices
    instance = dg.DagsterInstance.ephemeral()
    today = _today()
    assert _run("pricing_job", STOREFRONT, today, instance).success

    assert _price_list(today)[sku] == (Decimal("21.13"), "USD")  # half away from zero, once
    assert _rows("SELECT price, minimum_price, maximum_price, outcome FROM price_feed_submissions WHERE sku = ?",
                 [sku]) == [(Decimal("21.13"), Decimal("19.01"), Decimal("25.36"), "accepted")]
    with _seller_client() as client:
        shown = ListingsApi(client).get_price(SELLER_ID, sku, MARKETPLACE)
    assert (shown.price, offer_value(shown.offer, "minimum_seller_allowed_price"),
            offer_value(shown.offer, "maximum_seller_allowed_price")) == (
        Decimal("21.13"), Decimal("19.01"), Decimal("25.36"))
    assert not _rows("SELECT key FROM integration_errors WHERE flow = 'pricing' AND resolved IS NULL")


def test_a_price_edited_in_netsuite_starts_a_pricing_run_and_the_hourly_schedule_cuts_over_at_two_past_midnight(
        pricing_project):
    from amazon_netsuite.defs.partitions import partition_key
    from amazon_netsuite.definitions import defs
    from amazon_netsuite.defs.resources import NetSuite

    sandbox = pricing_project
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs().resolve_sensor_def("netsuite_price_changes")

    def tick(cursor):
        return sensor(dg.build_sensor_context(instance=instance, cursor=cursor, resources={"netsuite": NetSuite()}))

    first = tick(None)  # the first look: today's prices go out
    today = _today()
    assert [r.partition_key for r in first.run_requests] == [partition_key(STOREFRONT, today)]
    assert tick(first.cursor).run_requests == []  # nothing changed since
    assert _run("pricing_job", STOREFRONT, today, instance).success
    sku = "MUG-CAFE-WHITE"
    price = _price_list(today)[sku][0] + Decimal("0.50")
    _set_netsuite_price(sku, str(price))
    second = tick(first.cursor)
    assert second.cursor != first.cursor
    assert [r.partition_key for r in second.run_requests] == [partition_key(STOREFRONT, today)]
    assert _run("pricing_job", STOREFRONT, today, instance).success
    assert _amazon_prices(sandbox)[sku] == (price, "USD")

    schedule = defs().resolve_schedule_def("prices_hourly")
    assert schedule.cron_schedule == "2 * * * *" and schedule.execution_timezone == "UTC"
    at = datetime.combine(today, time(0, 2), tzinfo=timezone.utc)
    requests = schedule(dg.build_schedule_context(instance=instance, scheduled_execution_time=at))
    assert [r.partition_key for r in requests] == [partition_key(STOREFRONT, today)]
