"""`retry_failed_postings`: open integration errors of the orders flow are posted again from the newest state of
their orders, and resolve once they post; its schedule skips while nothing is open."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg

from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.defs.test_order_posting import (
    STOREFRONT,
    _create_items,
    _day_orders,
    _day_with_an_unmapped_sku,
    _defs,
    _in_netsuite,
    _postable,
    _run,
    posting_project,  # noqa: F401  (fixture)
)


def _retry(instance, **scope) -> dict:
    result = _defs().resolve_job_def("retry_failed_postings").execute_in_process(
        instance=instance, run_config={"ops": {"repost_open_errors": {"config": scope}}}, raise_on_error=False)
    assert result.success
    (output,) = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    return {k: v.value for k, v in output.event_specific_data.metadata.items()}


def _schedule_tick(instance):
    retry_failed_postings_every_30_minutes = _defs().resolve_schedule_def("retry_failed_postings_every_30_minutes")

    return retry_failed_postings_every_30_minutes(dg.build_schedule_context(instance=instance))


def test_retry_posts_the_waiting_orders_once_after_their_items_exist_and_the_schedule_then_skips(posting_project):
    instance = dg.DagsterInstance.ephemeral()
    assert isinstance(_schedule_tick(instance), dg.SkipReason)  # no warehouse yet, nothing open
    _create_items()
    day = _day_with_an_unmapped_sku(instance)
    _run("order_posting_job", day, instance)
    with connect(read_only=True) as con:
        waiting = {k for (k,) in con.execute("SELECT key FROM integration_errors WHERE resolved IS NULL").fetchall()}
    assert waiting
    assert isinstance(_schedule_tick(instance), dg.RunRequest)

    # Narrowed to another class, or another storefront, nothing is retried.
    assert _retry(instance, error_classes=["auth"])["orders_retried"] == 0
    assert _retry(instance, storefront="demo-CA")["orders_retried"] == 0
    # Retried before anyone fixed the cause: still failing, one open error each, no duplicate rows.
    before = _retry(instance, error_classes=["mapping"])
    assert (before["orders_retried"], before["posted"], before["still_open"]) == (len(waiting), 0, len(waiting))

    _create_items(*MISSING_SKUS)  # the seller creates the missing items in NetSuite
    after = _retry(instance, storefront=STOREFRONT)
    assert (after["orders_retried"], after["posted"], after["failed"], after["still_open"]) == (
        len(waiting), len(waiting), 0, 0)
    assert _in_netsuite() == _postable(_day_orders(day))  # every order once, totals to the cent
    with connect(read_only=True) as con:
        errors = con.execute("SELECT key, resolution, resolved IS NOT NULL FROM integration_errors").fetchall()
        attempts = dict(con.execute("SELECT key, attempts FROM netsuite_postings WHERE key IN "
                                    "(SELECT unnest(?::VARCHAR[]))", [sorted(waiting)]).fetchall())
    assert {k for k, _, _ in errors} == waiting and {(r, done) for _, r, done in errors} == {("posted", True)}
    assert attempts == {k: 3 for k in waiting}  # the day's run, the retry too early, the retry that posted
    assert isinstance(_schedule_tick(instance), dg.SkipReason)

    nothing = _retry(instance)
    assert (nothing["orders_retried"], nothing["netsuite_requests"]) == (0, 0)
    assert sum(Decimal(str(t)) for _, t in _in_netsuite().values()) == sum(
        t for _, t in _postable(_day_orders(day)).values())


def test_an_order_cancelled_before_it_could_post_resolves_its_error_without_posting(posting_project):
    instance = dg.DagsterInstance.ephemeral()
    _create_items()
    day = _day_with_an_unmapped_sku(instance)
    _run("order_posting_job", day, instance)
    with connect() as con:
        (waiting, *others) = [k for (k,) in con.execute(
            "SELECT key FROM integration_errors WHERE resolved IS NULL ORDER BY key").fetchall()]
        # Amazon's next report of the day shows the order cancelled (its lines lose their quantities).
        con.execute("UPDATE orders SET order_status = 'Cancelled', quantity = 0, "
                    "last_updated_date = last_updated_date + INTERVAL 1 MINUTE "
                    "WHERE storefront = ? AND day = ? AND amazon_order_id = ?", [STOREFRONT, day, waiting])
        con.execute("UPDATE order_lines SET quantity = 0, item_status = 'Cancelled' "
                    "WHERE storefront = ? AND day = ? AND amazon_order_id = ?", [STOREFRONT, day, waiting])
    before = _in_netsuite()
    result = _retry(instance)
    assert (result["orders_retried"], result["resolved_without_posting"], result["posted"]) == (
        1 + len(others), 1, 0)
    with connect(read_only=True) as con:
        resolution = con.execute("SELECT resolution FROM integration_errors WHERE key = ?", [waiting]).fetchone()[0]
        still_open = {k for (k,) in con.execute(
            "SELECT key FROM integration_errors WHERE resolved IS NULL").fetchall()}
    assert resolution == "cancelled before it was posted: nothing to post" and still_open == set(others)
    assert _in_netsuite() == before  # nothing was posted for it
