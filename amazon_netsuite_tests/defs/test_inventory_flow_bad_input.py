"""The inventory flow's bad input, end to end through real Dagster runs against the sandbox: each case ends in a clear
`integration_errors` row (flow `inventory`) or a clear refusal, and the rest of the push proceeds."""

from __future__ import annotations

import math

import dagster as dg
import httpx

from amazon_netsuite.defs.resources import NetSuite
from amazon_netsuite_tests.defs.test_inventory_flow import (  # noqa: F401 (inventory_project is a fixture)
    KIT_MEMBERS,
    STOREFRONT,
    _amazon_quantities,
    _available,
    _last_push,
    _move,
    _open_errors,
    _rows,
    _run,
    _today,
    inventory_project,
)

OVERRIDE = {"inventory/override_gate": "true"}


def _first_push(sandbox, refused: tuple[str, ...] = ()) -> dict[str, int]:
    """Run the flow once; the SKUs it pushed and their quantities (Amazon now shows them, but the `refused`)."""
    assert _run("inventory_job", STOREFRONT, _today(), dg.DagsterInstance.ephemeral()).success
    pushed = {sku: q for sku, q in _available().items() if q is not None}
    shown = _amazon_quantities(sandbox)
    assert pushed and {sku: shown.get(sku) for sku in pushed if sku not in refused} == {
        sku: q for sku, q in pushed.items() if sku not in refused}
    return pushed


def _plain(pushed: dict[str, int], least: int = 3) -> list[str]:
    """Pushed SKUs that are neither kits nor kit members, with at least `least` units: moving one moves nothing else."""
    kits = {sku for sku, in _rows("SELECT sku FROM available_to_sell WHERE is_kit")}
    return sorted(s for s, q in pushed.items() if q >= least and s not in KIT_MEMBERS and s not in kits)


def _item_id(sku: str) -> str:
    return _rows("SELECT DISTINCT item_id FROM netsuite_inventory_snapshot WHERE sku = ?", [sku])[0][0]


def _on_hand(sku: str) -> str:
    """The SKU's on hand at WH-na in today's snapshot, as the held-back reason writes it."""
    on_hand = _rows("SELECT quantity_on_hand FROM netsuite_inventory_snapshot WHERE sku = ? AND location = 'WH-na' "
                    "AND day = ?", [sku, _today()])[0][0]
    return format(on_hand.normalize(), "f")


def _accepted() -> dict[str, int]:
    return dict(_rows("SELECT sku, quantity FROM amazon_listing_quantities WHERE storefront = ?", [STOREFRONT]))


def test_a_sku_amazon_does_not_know_is_a_mapping_error_and_the_other_messages_are_accepted(inventory_project):
    sandbox = inventory_project
    unknown = "NS-ONLY-WIDGET"
    with NetSuite().client() as client:  # an item NetSuite has and Amazon's catalogue does not
        item_id = client.upsert("inventoryItem", unknown, {"itemId": unknown, "displayName": "Not on Amazon"})
    _move(sandbox, unknown, set_on_hand=7)

    pushed = _first_push(sandbox, refused=(unknown,))
    assert pushed[unknown] == 7
    outcomes = _last_push()
    feed_id, = {f for f, in _rows("SELECT DISTINCT feed_id FROM inventory_feed_submissions")}
    assert outcomes[unknown] == (7, "rejected")
    assert {s for s, (_, outcome) in outcomes.items() if outcome != "accepted"} == {unknown}
    error_class, message = _open_errors()[f"listing:{unknown}"]
    assert error_class == "mapping"
    assert unknown in message and STOREFRONT in message and feed_id in message and "SKU_NOT_FOUND" in message
    assert set(_open_errors()) == {f"listing:{unknown}"}
    assert unknown not in _accepted() and unknown not in _amazon_quantities(sandbox)

    # The item is retired in NetSuite: the next run no longer sends it, and the error is settled.
    with NetSuite().client() as client:
        client.patch("inventoryItem", item_id or f"eid:{unknown}", {"isInactive": True})
    sent = _rows("SELECT count(*) FROM inventory_feed_submissions")[0][0]
    assert _run("inventory_job", STOREFRONT, _today(), dg.DagsterInstance.ephemeral()).success
    assert unknown not in _available()
    assert _rows("SELECT count(*) FROM inventory_feed_submissions")[0][0] == sent
    assert _open_errors() == {}
    assert _rows("SELECT resolution FROM integration_errors WHERE key = ?", [f"listing:{unknown}"]) == [
        ("the SKU is no longer pushed",)]


def test_negative_and_fractional_stock_is_held_back_until_netsuite_is_fixed(inventory_project):
    sandbox = inventory_project
    pushed = _first_push(sandbox)
    negative, fractional, retired, sold = _plain(pushed)[:4]
    _move(sandbox, negative, set_on_hand=-4)
    _move(sandbox, fractional, set_on_hand=2.5)
    _move(sandbox, retired, adjust_by=-0.5)
    _move(sandbox, sold, adjust_by=-1)
    instance = dg.DagsterInstance.ephemeral()
    assert _run("inventory_job", STOREFRONT, _today(), instance).success

    held = dict(_rows("SELECT sku, held_back_reason FROM available_to_sell WHERE quantity IS NULL"))
    assert held == {negative: "negative on hand -4 at WH-na", fractional: "fractional on hand 2.5 at WH-na",
                    retired: f"fractional on hand {_on_hand(retired)} at WH-na"}
    errors = _open_errors()
    assert set(errors) == {f"stock:{negative}", f"stock:{fractional}", f"stock:{retired}"}
    assert errors[f"stock:{negative}"][0] == errors[f"stock:{fractional}"][0] == "validation"
    assert "negative on hand -4" in errors[f"stock:{negative}"][1] and STOREFRONT in errors[f"stock:{negative}"][1]
    # Held back is not zero: Amazon keeps what it had, and the rest of the push proceeds.
    assert _last_push() == {sold: (pushed[sold] - 1, "accepted")}
    shown = _amazon_quantities(sandbox)
    assert (shown[negative], shown[fractional], shown[sold]) == (pushed[negative], pushed[fractional],
                                                                 pushed[sold] - 1)

    _move(sandbox, negative, set_on_hand=40)
    _move(sandbox, fractional, set_on_hand=30)
    with NetSuite().client() as client:  # the third is retired rather than fixed: nothing is left to fix
        client.patch("inventoryItem", _item_id(retired), {"isInactive": True})
    assert _run("inventory_job", STOREFRONT, _today(), instance).success
    available = _available()
    assert available[negative] is not None and available[fractional] is not None
    assert _last_push() == {negative: (available[negative], "accepted"), fractional: (available[fractional],
                                                                                       "accepted")}
    assert (_amazon_quantities(sandbox)[negative], _amazon_quantities(sandbox)[fractional]) == (
        available[negative], available[fractional])
    assert retired not in available and _open_errors() == {}
    assert dict(_rows("SELECT key, resolution FROM integration_errors WHERE flow = 'inventory' AND resolved IS NOT "
                      "NULL")) == {f"stock:{negative}": "resolved", f"stock:{fractional}": "resolved",
                                   f"stock:{retired}": "the SKU is no longer pushed"}


def test_a_kit_whose_member_is_inactive_is_held_back_as_a_mapping_error(inventory_project):
    sandbox = inventory_project
    pushed = _first_push(sandbox)
    kit, member, member_id = _rows(
        "SELECT k.kit_sku, k.member_sku, k.member_item_id FROM netsuite_kit_members k JOIN available_to_sell a "
        "ON a.sku = k.kit_sku AND a.quantity IS NOT NULL ORDER BY k.kit_sku, k.member_sku LIMIT 1")[0]
    sold = _plain(pushed)[0]
    with NetSuite().client() as client:
        client.patch("inventoryItem", member_id, {"isInactive": True})
    _move(sandbox, sold, adjust_by=-1)
    assert _run("inventory_job", STOREFRONT, _today(), dg.DagsterInstance.ephemeral()).success

    reason, = _rows("SELECT held_back_reason FROM available_to_sell WHERE sku = ? AND quantity IS NULL", [kit])[0]
    assert reason == f"kit: member item {member_id} is missing or inactive"
    error_class, message = _open_errors()[f"stock:{kit}"]
    assert error_class == "mapping" and kit in message and member_id in message
    assert _last_push() == {sold: (pushed[sold] - 1, "accepted")}
    assert _amazon_quantities(sandbox)[kit] == pushed[kit]  # Amazon keeps the kit's last quantity

    with NetSuite().client() as client:  # the member is back: the kit counts again
        client.patch("inventoryItem", member_id, {"isInactive": False})
    assert _run("inventory_job", STOREFRONT, _today(), dg.DagsterInstance.ephemeral()).success
    assert _available()[kit] == pushed[kit] and _open_errors() == {}


def test_a_fatal_feed_is_read_back_and_the_next_run_sends_exactly_what_amazon_did_not_take(inventory_project):
    sandbox = inventory_project
    pushed = _first_push(sandbox)
    changed = _plain(pushed)[:4]
    for sku in changed:
        _move(sandbox, sku, adjust_by=-1)
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"fatal_feeds_next": 1}, timeout=30).status_code == 200
    instance = dg.DagsterInstance.ephemeral()
    assert _run("inventory_job", STOREFRONT, _today(), instance).success

    statuses = _rows("SELECT DISTINCT feed_status, outcome FROM inventory_feed_submissions WHERE feed_status <> "
                     "'DONE'")
    assert statuses == [("FATAL", "read_back")]
    shown = _amazon_quantities(sandbox)
    taken = [sku for sku in changed if shown[sku] == pushed[sku] - 1]
    assert len(taken) == 2  # the sandbox applies the first half of a FATAL feed's messages
    assert {sku: shown[sku] for sku in changed} == {sku: _accepted()[sku] for sku in changed}
    assert _open_errors() == {}  # nothing is lost: the next run resends what Amazon did not take

    assert _run("inventory_job", STOREFRONT, _today(), instance).success
    assert _last_push() == {sku: (pushed[sku] - 1, "accepted") for sku in changed if sku not in taken}
    assert {sku: _amazon_quantities(sandbox)[sku] for sku in changed} == {sku: pushed[sku] - 1 for sku in changed}


def test_the_gate_refuses_a_push_zeroing_too_many_skus_until_the_operator_overrides_it(inventory_project):
    sandbox = inventory_project
    pushed = _first_push(sandbox)
    in_stock = [sku for sku, q in pushed.items() if q > 0]
    zeroed = _plain(pushed, least=1)[:math.floor(len(in_stock) * 0.2) + 1]
    for sku in zeroed:
        _move(sandbox, sku, set_on_hand=0)
    sent = _rows("SELECT count(*) FROM inventory_feed_submissions")[0][0]
    instance = dg.DagsterInstance.ephemeral()

    refused = _run("inventory_job", STOREFRONT, _today(), instance)
    assert not refused.success
    check, = refused.get_asset_check_evaluations()
    assert check.check_name == "push_is_safe" and not check.passed
    named = check.metadata["skus"].value
    assert all(sku in named for sku in zeroed)
    assert _rows("SELECT count(*) FROM inventory_feed_submissions")[0][0] == sent
    assert all(_amazon_quantities(sandbox)[sku] == pushed[sku] for sku in zeroed)

    assert _run("inventory_job", STOREFRONT, _today(), instance, tags=OVERRIDE).success
    shown = _amazon_quantities(sandbox)
    assert {sku: shown[sku] for sku in zeroed} == {sku: 0 for sku in zeroed}
    assert {sku for sku, (q, outcome) in _last_push().items() if q == 0 and outcome == "accepted"} >= set(zeroed)
