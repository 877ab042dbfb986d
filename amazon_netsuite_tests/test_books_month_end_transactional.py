"""The books of a month that ends inside a settlement period where the orders post (transactional), proven by
NetSuite's own trial balance.

demo-US posts its orders: FBA orders as Cash Sales, MFN and SFP orders as Sales Orders that the shipments flow bills
once fully shipped, dated the day they shipped (`sales_orders_billed`). The sandbox clock first stands at 3 November
2026 noon, its world starting on 26 September. The sync runs as the product's would, day by day: orders loaded and
posted, the sandbox's warehouse ships the MFN orders, the shipments flow confirms and bills them, the finances flow
loads each day's transactions and posts the refunds, the settlements of 26 Sep–10 Oct and 10–24 Oct post (the one of
24 Oct–7 Nov is still open), then the month-end accrual (fees, reimbursements and other only: the order records
carry the sales). October's revenue, fees and reimbursements then equal the sandbox world's truth for October to the
cent (Amazon's settlement lines posted in October, `sandbox/world/books.py`), but for one known cut-off, pinned here
rather than hidden: an FBA Cash Sale is dated the day the order was bought (the order report carries no ship date)
while Amazon posts the sale when it ships, so FBA orders bought in October and shipped in November are October
revenue in NetSuite and November's in Amazon's lines (and those bought in September and shipped in October the other
way round). It is computed from the world, never from the integration's records.

Then the clock moves to 10 November: the sync runs on for the week, the open settlement posts (paying the invoices
billed on fulfilment, matching the refunds already posted, its October fees in a part dated 31 October), the accrual
run again finds nothing left, and October still equals the truth plus the cut-off as of then: nothing is counted
twice. Every day is in the past, so the sync's own clock (today) sees them all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.lib.shipments.netsuite_fulfillments import read_fulfillments
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.world.books import order_books, world_orders
from amazon_netsuite_tests.test_books_month_end_accrual import (
    AFTER,
    BEFORE,
    FIRST_DAY,
    NOVEMBER,
    OCTOBER,
    US,
    _accrue,
    _books,
    _sync_settlements,
    _truth,
    us_project,
    us_sandbox,
)
from amazon_netsuite_tests.test_books_trial_balance import _seller_has_every_item

pytestmark = pytest.mark.books

ZERO = Decimal(0)
REPORT_LAG = timedelta(minutes=2)  # an order report ends this long before Amazon's clock


def fba_cut_off(world, synced_until: datetime) -> Decimal:
    """October revenue NetSuite books and Amazon's settlement lines do not (debit − credit, as `_books` reads it):
    the FBA orders bought in October and shipped in November by `synced_until` (their Cash Sales dated October, their
    settlement lines November), less those bought in September and shipped in October."""
    market = world.markets[US]
    moved = ZERO
    for order in world_orders(world, [US], synced_until).values():
        if order.channel != "FBA" or order.shipped_at is None or order.shipped_at >= synced_until:
            continue
        bought, shipped = order.purchase_date, order.shipped_at
        if OCTOBER <= bought < NOVEMBER <= shipped:
            moved += order_books(market, order).net
        elif bought < OCTOBER <= shipped < NOVEMBER:
            moved -= order_books(market, order).net
    return -moved


def _run(job: str, day: date, instance) -> None:
    from amazon_netsuite.definitions import defs

    result = defs().resolve_job_def(job).execute_in_process(
        partition_key=partition_key(US, day), instance=instance, raise_on_error=False)
    assert result.success, (job, day, [e.message for e in result.all_events if e.is_failure])


def _ship_days(since: date, until: date) -> list[date]:
    """The days in [since, until] on which NetSuite holds shipped item fulfillments of demo-US's orders."""
    with NetSuiteClient(netsuite_connection(load_settings())) as client:
        return sorted({r["ship_date"] for r in read_fulfillments(client).to_pylist()
                       if r["storefront"] == US and since <= r["ship_date"] <= until})


def _sync(instance, since: date, clock: datetime) -> None:
    """The product's sync of demo-US from `since` to the clock: the orders of the window loaded (one report up to two
    minutes before the clock, as `amazon-netsuite sync` asks) and posted, the sandbox's warehouse ships, each ship
    day's packages confirmed and Sales Orders billed, each whole day's Finances API transactions and refunds, then
    every settlement deposited so far."""
    from amazon_netsuite.sync import sandbox_warehouse_ships, sync_orders

    days = (clock.date() - since).days + 1
    assert sync_orders(days, instance=instance, say=lambda _: None, poll_seconds=0.1, now=clock).failed == []
    sandbox_warehouse_ships(load_settings(), say=lambda _: None)
    for day in _ship_days(since, clock.date()):
        _run("shipments_job", day, instance)
    for day in (since + timedelta(days=n) for n in range(days - 1)):
        _run("finances_job", day, instance)
    _sync_settlements(instance)


def _billed_revenue(period: str) -> Decimal:
    """What the invoices billed on fulfilment hold, in the month (the storefront's currency)."""
    with connect(read_only=True) as con:
        (total,) = con.execute("SELECT coalesce(sum(amount), 0) FROM sales_orders_billed WHERE storefront = ? AND "
                               "strftime(tran_date, '%Y-%m') = ?", [US, period]).fetchone()
    return total


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    yield from us_project(tmp_path_factory, "books-transactional", post_orders=True)


def test_a_month_ending_inside_a_settlement_matches_the_worlds_truth_when_the_orders_post(project):
    tmp, mp, instance = project
    running, sandbox = us_sandbox(tmp, mp, BEFORE)
    try:
        world = sandbox.app.state.sandbox.world
        assert world.first_day == FIRST_DAY
        _seller_has_every_item(sandbox.url)
        october = _truth(world, OCTOBER, NOVEMBER)
        _sync(instance, FIRST_DAY, BEFORE)
        assert load_settings().settlement_posting(US) == "transactional"
        assert _accrue(instance)["journal"] == "AMZ-ACR-demo-US-202610"
        cut_off = fba_cut_off(world, BEFORE - REPORT_LAG)
        assert cut_off != 0  # the cut-off is real in this world: a test that pins it must see it
        assert _books("2026-10") == {**october, "revenue": october["revenue"] + cut_off}
        assert october["revenue"] < 0 and october["fees"] > 0
        assert _billed_revenue("2026-10") > 0  # MFN revenue came from the invoices billed on fulfilment
    finally:
        running.__exit__(None, None, None)

    running, sandbox = us_sandbox(tmp, mp, AFTER)  # the same NetSuite records and warehouse, a week later
    try:
        world = sandbox.app.state.sandbox.world
        _sync(instance, BEFORE.date(), AFTER)
        assert _accrue(instance)["journal"] == "nothing to accrue"
        cut_off = fba_cut_off(world, AFTER - REPORT_LAG)
        # The settlement's October part replaced the accrual and paid the invoices: nothing counted twice.
        assert _books("2026-10") == {**october, "revenue": october["revenue"] + cut_off}
        with connect(read_only=True) as con:
            assert con.execute("SELECT count(*) FROM netsuite_postings WHERE flow = 'settlements' AND "
                               "record_type = 'invoice'").fetchall() == [(0,)]  # every invoice was ours already
    finally:
        running.__exit__(None, None, None)
