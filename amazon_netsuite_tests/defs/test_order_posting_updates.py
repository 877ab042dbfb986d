"""Changes to posted orders: Amazon's later states of the same order reach NetSuite, once, in the right order.

The sandbox world knows when each order was paid, cancelled or lost a line; freezing the sandbox clock before and
after such an event gives two reports of the same order, as two hourly reports a day apart would.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import pytest

from amazon_netsuite.lib.orders.updates import STALE_OLDER_THAN_SENT, STALE_SUPERSEDED
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.conftest import _project_env, start_sandbox
from amazon_netsuite_tests.defs.test_order_posting import (
    STOREFRONT,
    _create_items,
    _day_report,
    _netsuite,
    _report_tag,
    _run,
    _suiteql,
)

UTC = timezone.utc


@pytest.fixture
def world_project(monkeypatch, tmp_path):
    """A sandbox whose clock the test moves, with every catalog item in NetSuite so every paid order posts."""
    with start_sandbox(tmp_path / "sandbox", orders_per_day=50, history_days=12) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        _create_items(*MISSING_SKUS)
        yield sandbox


def _at(sandbox, instant: datetime) -> None:
    import httpx

    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": instant.isoformat()}).raise_for_status()


def _load_and_post(sandbox, storefront: str, day, as_of: datetime, instance) -> dict:
    """With the world clock at `as_of`: the day's report, then the orders and posting runs of that partition."""
    _at(sandbox, as_of)
    report_id = _day_report(storefront, day, end=as_of)
    _run("orders_job", day, instance, storefront, tags={_report_tag(): report_id})
    return _run("order_posting_job", day, instance, storefront)


def _find(sandbox, wanted):
    """(storefront, order) of the first self-fulfilled order of the world that `wanted` accepts."""
    now = datetime.now(UTC) - timedelta(minutes=10)
    world = sandbox.state.world
    for storefront in ("demo-US", "demo-CA", "demo-DE"):
        for order in world.orders_placed(storefront, world.first_day, now.date()):
            if order.fulfillment_channel == "Merchant" and order.unshipped_at and wanted(order, now):
                return storefront, order
    pytest.fail("the sandbox world has no such order in its window; raise orders_per_day")


def _midway(a: datetime, b: datetime) -> datetime:
    return a + (b - a) / 2


def _sales_order(storefront: str, order_id: str) -> tuple[dict, list[dict]]:
    eid = f"AMZ-{storefront}-{order_id}"
    (header,) = _suiteql("SELECT id, status, foreigntotal, shippingcost FROM transaction WHERE externalid = ?", [eid])
    lines = _suiteql("SELECT l.linesequencenumber, l.isclosed, l.quantity, i.externalid AS item FROM transactionline l "
                     "JOIN item i ON i.id = l.item WHERE l.transaction = ? AND l.mainline = 'F' "
                     "ORDER BY l.linesequencenumber", [header["id"]])
    return header, lines


def _ledger(storefront: str, order_id: str) -> tuple:
    with connect(read_only=True) as con:
        return con.execute("SELECT status, attempts, complete, source_updated, internal_id FROM netsuite_postings "
                           "WHERE flow = 'orders' AND storefront = ? AND key = ?", [storefront, order_id]).fetchone()


def test_a_cancellation_closes_the_posted_sales_order_and_re_running_the_older_day_never_reopens_it(world_project):
    sandbox = world_project
    storefront, order = _find(sandbox, lambda o, now: o.cancelled_at and o.unshipped_at < o.cancelled_at < now
                              and o.unshipped_at.date() != o.cancelled_at.date())
    oid, paid_day, cancel_day = order.amazon_order_id, order.unshipped_at.date(), order.cancelled_at.date()
    instance = dg.DagsterInstance.ephemeral()

    _load_and_post(sandbox, storefront, paid_day, _midway(order.unshipped_at, order.cancelled_at), instance)
    header, lines = _sales_order(storefront, oid)
    assert header["status"] == "B" and {l["isclosed"] for l in lines} == {"F"}  # Pending Fulfillment, lines open

    # The cancelled state is loaded but not yet posted: re-posting the older day must leave the order to the
    # newer day's posting (superseded), not send its older state again.
    cancelled_as_of = order.cancelled_at + timedelta(seconds=1)
    _at(sandbox, cancelled_as_of)
    _run("orders_job", cancel_day, instance, storefront,
         tags={_report_tag(): _day_report(storefront, cancel_day, end=cancelled_as_of)})
    older = _run("order_posting_job", paid_day, instance, storefront)
    assert STALE_SUPERSEDED in older["sales_orders_posted"]["skipped_reasons"]
    assert _sales_order(storefront, oid)[0]["status"] == "B" and _ledger(storefront, oid)[1] == 1

    cancelled = _run("order_posting_job", cancel_day, instance, storefront)
    closed, closed_lines = _sales_order(storefront, oid)
    assert closed["id"] == header["id"] and closed["status"] == "H"  # the same record, now Closed
    assert len(closed_lines) == len(lines) and {l["isclosed"] for l in closed_lines} == {"T"}
    assert cancelled["sales_orders_posted"]["closed"] >= 1
    status, attempts, complete, source_updated, _ = _ledger(storefront, oid)
    assert (status, attempts, complete) == ("posted", 2, True)  # nothing left to confirm to Amazon
    assert source_updated == order.cancelled_at.replace(tzinfo=None)
    with _netsuite() as client:
        assert client.get("salesOrder", f"eid:AMZ-{storefront}-{oid}")["status"]["refName"] == "Closed"

    # Partitions are re-run out of order: the older state (Unshipped) of day `paid_day` must not reopen it. The
    # ledger already holds the newer state, so that is the reason given.
    older = _run("order_posting_job", paid_day, instance, storefront)
    assert STALE_OLDER_THAN_SENT in older["sales_orders_posted"]["skipped_reasons"]
    assert _sales_order(storefront, oid)[0]["status"] == "H" and _ledger(storefront, oid)[1] == 2

    # Even when the warehouse no longer holds the newer state, the ledger knows what was sent last.
    with connect() as con:
        con.execute("DELETE FROM orders WHERE storefront = ? AND day = ? AND amazon_order_id = ?",
                    [storefront, cancel_day, oid])
    older = _run("order_posting_job", paid_day, instance, storefront)
    assert STALE_OLDER_THAN_SENT in older["sales_orders_posted"]["skipped_reasons"]
    assert _sales_order(storefront, oid)[0]["status"] == "H" and _ledger(storefront, oid)[1] == 2


def test_a_partial_cancellation_closes_only_the_cancelled_line_and_the_total_follows(world_project):
    sandbox = world_project
    storefront, order = _find(sandbox, lambda o, now: o.line_cancelled_at and o.unshipped_at < o.line_cancelled_at
                              < now)
    oid = order.amazon_order_id
    instance = dg.DagsterInstance.ephemeral()
    _load_and_post(sandbox, storefront, order.unshipped_at.date(),
                   _midway(order.unshipped_at, order.line_cancelled_at), instance)
    header, lines = _sales_order(storefront, oid)
    assert {l["isclosed"] for l in lines} == {"F"}

    later = order.line_cancelled_at + timedelta(seconds=1)
    _load_and_post(sandbox, storefront, later.date(), later, instance)
    after, after_lines = _sales_order(storefront, oid)
    with connect(read_only=True) as con:
        total, line_statuses = con.execute(
            "SELECT order_total, (SELECT list(item_status ORDER BY line_number) FROM order_lines l "
            "  WHERE l.storefront = o.storefront AND l.day = o.day AND l.amazon_order_id = o.amazon_order_id) "
            "FROM orders o WHERE storefront = ? AND day = ? AND amazon_order_id = ?",
            [storefront, later.date(), oid]).fetchone()
    assert after["id"] == header["id"] and after["status"] == "B"  # still open for the lines that ship
    assert line_statuses.count("Cancelled") == 1
    # Each Amazon line is one item line, followed by a discount line when it had a promotion (closed with it).
    item_lines = [l for l in after_lines if l["item"] != "AMZ-PROMOTION"]
    assert [l["isclosed"] == "T" for l in item_lines] == [s == "Cancelled" for s in line_statuses]
    for line, following in zip(after_lines, after_lines[1:]):
        if following["item"] == "AMZ-PROMOTION":
            assert following["isclosed"] == line["isclosed"]
    assert Decimal(str(after["foreigntotal"])) == total  # to the cent, shipping of the cancelled line gone too
    # The rest still ships: the write-back confirms it to Amazon, unless Amazon already has the tracking (SFP).
    assert _ledger(storefront, oid)[2] is (order.channel == "SFP")


def test_an_edited_order_is_one_patch_of_the_changed_record_and_an_unchanged_re_run_sends_nothing(world_project):
    from amazon_netsuite.lib.orders.posting_run import post_storefront_day
    from amazon_netsuite.defs.resources import Warehouse

    instance = dg.DagsterInstance.ephemeral()
    day = datetime.now(UTC).date() - timedelta(days=2)
    # The world as the first report after that day saw it: its MFN orders are still unshipped, whatever the hour
    # the suite runs at.
    _at(world_project, datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(minutes=30))
    _run("orders_job", day, instance)
    _run("order_posting_job", day, instance)
    with connect() as con:
        oid, line_number, unit = con.execute(
            "SELECT o.amazon_order_id, l.line_number, l.unit_price FROM orders o JOIN order_lines l "
            "USING (storefront, day, amazon_order_id) WHERE o.storefront = ? AND o.day = ? AND o.channel = 'MFN' "
            "AND o.order_status = 'Unshipped' AND l.quantity > 0 ORDER BY 1, 2 LIMIT 1", [STOREFRONT, day]).fetchone()
        # Amazon reports one more unit and a dearer shipping for that line (as a corrected report would).
        con.execute("UPDATE order_lines SET quantity = quantity + 1, item_price = item_price + unit_price, "
                    "shipping_price = coalesce(shipping_price, 0) + 1 WHERE storefront = ? AND day = ? "
                    "AND amazon_order_id = ? AND line_number = ?", [STOREFRONT, day, oid, line_number])
        con.execute("UPDATE orders SET quantity = quantity + 1, order_total = order_total + ? + 1 "
                    "WHERE storefront = ? AND day = ? AND amazon_order_id = ?", [unit, STOREFRONT, day, oid])
        new_total = con.execute("SELECT order_total FROM orders WHERE storefront = ? AND day = ? "
                                "AND amazon_order_id = ?", [STOREFRONT, day, oid]).fetchone()[0]
    before, _ = _sales_order(STOREFRONT, oid)

    sent = []
    with _netsuite() as client:
        client.http.event_hooks["request"].append(
            lambda request: sent.append((request.method, request.url.path, dict(request.url.params)))
            if "/services/rest/" in request.url.path and "/auth/" not in request.url.path else None)
        result = post_storefront_day(Warehouse(), client, STOREFRONT, day)
    assert sent == [("PATCH", f"/services/rest/record/v1/salesOrder/{before['id']}", {"replace": "item"})]
    assert (sum(result.updated.values()), sum(result.posted.values())) == (1, 0)
    after, lines = _sales_order(STOREFRONT, oid)
    assert after["id"] == before["id"] and Decimal(str(after["foreigntotal"])) == new_total
    assert len(_suiteql("SELECT id FROM transaction WHERE otherrefnum = ?", [oid])) == 1

    again = _run("order_posting_job", day, instance)
    assert again["sales_orders_posted"]["netsuite_requests"] == 0
    assert again["sales_orders_posted"]["updated"] == again["sales_orders_posted"]["posted"] == 0
