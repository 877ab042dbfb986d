"""Finances API 2024-06-19 listTransactions over HTTP: the sandbox's transactions are the settlements' money, cut
per order, refund and fee; deferred orders mature with the clock; the client follows pages; every answer matches
Amazon's model."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.lib.amazon import RetryPolicy, SpApiClient
from amazon_netsuite.lib.amazon.finances import (
    DEFERRED,
    DEFERRED_RELEASED,
    RELEASED,
    FinancesApi,
    Transaction,
    transactions_table,
)
from amazon_netsuite.lib.settings import amazon_connection
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world.refunds import REFUND, refund_of
from amazon_netsuite.sandbox.world.settlements import settlement, settlement_period, settlement_streams
from amazon_netsuite.sandbox.world.transactions import deferral_of, financial_event_group_id, period_transactions
from amazon_netsuite_tests.conftest import SPAPI_MODELS

from .conftest import NOW
from .helpers import CA, US, Answers, assert_conforms, seller_client

PATH = "/finances/2024-06-19/transactions"
MODEL = SPAPI_MODELS / "finances_2024-06-19.json"
OPERATION = "listTransactions"
LATER = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # period 0 (Nov 6–20) is settled by then


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def start(sandbox_config):
    running = []

    def start(**overrides):
        config = sandbox_config.model_copy(update={"rate_scale": 1000.0, **overrides})
        running.append(start_in_thread(config))
        return running[-1].__enter__()

    yield start
    for sandbox in running:
        sandbox.__exit__(None, None, None)


def _later(start):
    """A sandbox five days after NOW whose world starts on the same day as NOW's (same periods, same ids)."""
    return start(clock=LATER, history_days=19)


def _api(sandbox, settings) -> FinancesApi:
    connection = amazon_connection(settings, "demo-na", environ={"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    policy = RetryPolicy(max_attempts=5, max_total_seconds=30.0, sleep=lambda s: time.sleep(min(s, 0.05)))
    return FinancesApi(SpApiClient(connection, timeout=30, rate_scale=1000.0, retry_policy=policy))


def _us_period(world, number: int):
    return settlement_period(world, settlement_streams(world.settings)[0], number)


def test_the_client_pages_through_a_window_and_gets_every_transaction_the_settlement_carries(start, settings, world):
    sandbox = start(finances_page_size=100)
    since, until = datetime(2026, 11, 10, tzinfo=timezone.utc), datetime(2026, 11, 12, tzinfo=timezone.utc)
    got = list(_api(sandbox, settings).transactions(since, until, marketplace_id=US))
    truth = [t for t in period_transactions(world, _us_period(world, 0)) if since <= t.posted < until]
    assert len(truth) > 200  # several pages of 100
    assert [t.transaction_id for t in got] == [t.transaction_id for t in truth]
    assert sum(t.total for t in got) == sum(t.total for t in truth)
    lines = [ln for ln in settlement(world, _us_period(world, 0)).lines
             if since <= ln.posted < until and ln.transaction_type == "Order"]
    assert sum(t.total for t in got if t.transaction_type == "Shipment") == sum(ln.amount for ln in lines)
    assert {t.marketplace_id for t in got} == {US}


def test_a_refund_carries_its_order_id_and_the_amount_its_settlement_carries(start, settings, world):
    sandbox = _later(start)
    period = _us_period(world, 0)
    found = settlement(world, period)
    refunded = next(ln for ln in found.lines
                    if ln.transaction_type == REFUND and ln.order_id not in found.unknown_order_ids)
    assert refund_of(world.seed, _order(world, refunded.order_id)).posted == refunded.posted
    got = list(_api(sandbox, settings).transactions(None, related=("ORDER_ID", refunded.order_id)))
    refunds = [t for t in got if t.transaction_type == "Refund"]
    assert len(refunds) == 1 and refunds[0].description == "Refund Order"
    settled = sum(ln.amount for ln in settlement(world, period).lines
                  if ln.order_id == refunded.order_id and ln.transaction_type == REFUND)
    assert refunds[0].total == settled < 0
    assert refunds[0].order_id == refunded.order_id
    assert refunds[0].related("SETTLEMENT_ID") == period.settlement_id
    assert {t.order_id for t in got} == {refunded.order_id}
    assert {t.transaction_type for t in got} == {"Shipment", "Refund"}


def _order(world, order_id: str):
    for day in range(14):
        for order in world.orders_for_day("demo-US", world.first_day + timedelta(days=day)):
            if order.amazon_order_id == order_id:
                return order
    raise KeyError(order_id)


def test_a_dd7_order_is_deferred_until_its_maturity_and_deferred_released_after(start, settings, world):
    order = next(o for day in range(14) for o in world.orders_for_day("demo-US", world.first_day + timedelta(days=day))
                 if (d := deferral_of(world.seed, o)) is not None and NOW < d.maturity < LATER
                 and o.shipped_at < NOW - timedelta(hours=1))
    maturity = deferral_of(world.seed, order).maturity
    before = list(_api(start(), settings).transactions(None, related=("ORDER_ID", order.amazon_order_id)))
    after = list(_api(_later(start), settings).transactions(None, related=("ORDER_ID", order.amazon_order_id)))
    for found in (before, after):
        shipment = next(t for t in found if t.transaction_type == "Shipment")
        assert (shipment.deferral_reason, shipment.maturity_date) == ("DD7", maturity)
    assert [t.status for t in before if t.transaction_type == "Shipment"] == [DEFERRED]
    assert [t.status for t in after if t.transaction_type == "Shipment"] == [DEFERRED_RELEASED]
    assert NOW < maturity < LATER


def test_the_status_filter_keeps_only_transactions_of_that_status(start, settings):
    api = _api(start(), settings)
    since, until = datetime(2026, 11, 16, tzinfo=timezone.utc), datetime(2026, 11, 17, tzinfo=timezone.utc)
    deferred = list(api.transactions(since, until, marketplace_id=US, status=DEFERRED))
    released = list(api.transactions(since, until, marketplace_id=US, status=RELEASED))
    everything = list(api.transactions(since, until, marketplace_id=US))
    assert deferred and released
    assert {t.status for t in deferred} == {DEFERRED} and {t.deferral_reason for t in deferred} == {"DD7"}
    assert {t.status for t in released} == {RELEASED} and {t.deferral_reason for t in released} == {None}
    assert len(deferred) + len(released) == len(everything)


def test_without_a_marketplace_every_marketplace_of_the_account_comes_back(start, settings):
    api = _api(start(), settings)
    since, until = datetime(2026, 11, 16, tzinfo=timezone.utc), datetime(2026, 11, 16, 6, tzinfo=timezone.utc)
    everything = list(api.transactions(since, until))
    assert {t.marketplace_id for t in everything} == {US, CA}
    assert len(everything) == len(list(api.transactions(since, until, marketplace_id=US))) + len(
        list(api.transactions(since, until, marketplace_id=CA)))


def test_the_flat_table_has_a_row_per_item_breakdown_that_adds_up_to_each_transaction(start, settings):
    api = _api(start(), settings)
    since = datetime(2026, 11, 16, tzinfo=timezone.utc)
    found = list(api.transactions(since, since + timedelta(hours=12), marketplace_id=US))
    table = transactions_table(found)
    rows = table.to_pylist()
    assert str(table.schema.field("amount").type) == "decimal128(18, 4)"
    for t in found:
        mine = [r for r in rows if r["transaction_id"] == t.transaction_id]
        assert sum(r["amount"] for r in mine) == t.total
        if t.transaction_type == "Shipment":
            assert all(r["sku"] and r["order_id"] == t.order_id and r["quantity"] >= 1 for r in mine)
            assert {r["fulfillment_network"] for r in mine} <= {"AFN", "MFN"}
    commission = [r for r in rows if r["breakdown_type"] == "Commission" and r["transaction_type"] == "Shipment"]
    assert commission and all(r["amount"] < 0 and r["breakdown_path"] == "AmazonFees/Commission" for r in commission)
    deferred = [r for r in rows if r["transaction_status"] == DEFERRED]
    assert deferred and all(r["deferral_reason"] == "DD7" and r["maturity_date"] > NOW for r in deferred)
    assert all(isinstance(r["amount"], Decimal) for r in rows)


def test_posted_after_is_required_and_windows_follow_amazons_rules(start):
    http = seller_client(start().url)

    def get(**params) -> httpx.Response:
        response = http.get(PATH, params=params)
        assert_conforms(response, OPERATION, MODEL)
        return response

    assert get().status_code == 400
    assert get(postedAfter=_iso(NOW - timedelta(minutes=1))).status_code == 400
    assert get(postedAfter=_iso(NOW - timedelta(days=1)), postedBefore=_iso(NOW)).status_code == 400
    day = NOW - timedelta(days=1)
    assert get(postedAfter=_iso(day), postedBefore=_iso(day - timedelta(hours=1))).status_code == 400
    assert get(postedAfter=_iso(day), transactionStatus="PENDING").status_code == 400
    assert get(postedAfter=_iso(day), marketplaceId="A1PA6795UKMFR9").status_code == 400
    assert get(relatedIdentifierName="SHIPMENT_ID", relatedIdentifierValue="x").status_code == 400
    far = get(postedAfter="2026-01-01T00:00:00Z", postedBefore=_iso(NOW - timedelta(hours=1)))
    assert far.status_code == 200 and far.json()["payload"]["transactions"] == []
    ok = get(postedAfter=_iso(NOW - timedelta(hours=3)))
    posted = [t["postedDate"] for t in ok.json()["payload"]["transactions"]]
    assert posted and max(posted) < _iso(NOW - timedelta(minutes=2))


def test_every_list_transactions_answer_matches_amazons_model(start):
    sandbox = start(rate_scale=1.0, finances_page_size=50)
    http, anonymous, seen = seller_client(sandbox.url), httpx.Client(base_url=sandbox.url), Answers()
    since = _iso(NOW - timedelta(hours=6))
    first = seen.record(OPERATION, http.get(PATH, params={"postedAfter": since}))
    token = first.json()["payload"]["nextToken"]
    seen.record(OPERATION, http.get(PATH, params={"postedAfter": since, "nextToken": token}))
    seen.record(OPERATION, http.get(PATH, params={"postedAfter": since, "nextToken": "garbage"}))
    seen.record(OPERATION, anonymous.get(PATH, params={"postedAfter": since}))
    for _ in range(10):
        seen.record(OPERATION, http.get(PATH, params={"postedAfter": since, "marketplaceId": CA}))
    assert set(seen[OPERATION]) == {200, 400, 403, 429}
    for response in seen[OPERATION].values():
        assert_conforms(response, OPERATION, MODEL)
    transaction = first.json()["payload"]["transactions"][0]
    assert Transaction(transaction).total == sum(
        Transaction(b).total for b in [{"totalAmount": x["breakdownAmount"]} for x in transaction["breakdowns"]])


def test_a_financial_event_group_id_gives_its_settlements_transactions_and_nothing_else(start, settings, world):
    sandbox = _later(start)
    period = settlement_period(world, settlement_streams(world.settings)[1], 0)  # CAD, settled by LATER
    group = financial_event_group_id(world.seed, period)
    got = list(_api(sandbox, settings).transactions(None, related=("FINANCIAL_EVENT_GROUP_ID", group)))
    assert [t.transaction_id for t in got] == [t.transaction_id for t in period_transactions(world, period)]
    assert {t.related("SETTLEMENT_ID") for t in got} == {period.settlement_id}
    reserves = {"Previous Reserve Amount Balance", "Current Reserve Amount"}
    assert sum(t.total for t in got) == sum(
        ln.amount for ln in settlement(world, period).lines if ln.amount_description not in reserves)
