"""Amazon's FBA stock: one pool per seller account, moved by ledger events (a pure function of seed and clock).

The pool of an account (Amazon pools a region's marketplaces) holds the FBA-listed SKUs, starting at
`world.first_day` with `starting_stock(sku, "FBA-{region}")` sellable units. Every movement is a ledger event, as
`GET_LEDGER_DETAIL_VIEW_DATA` lists them:

- Shipments: each FBA order line not cancelled leaves at the order's `shipped_at` (kits as their members);
- CustomerReturns: a refunded FBA line comes back at the refund time, mostly SELLABLE, some CUSTOMER_DAMAGED;
- Receipts: inbound shipments (`FBA15…`) at the world's start and then weekly per SKU, sized to cover the units
  ordered until the next receipt, so fulfillable stock never goes below zero (the seller forecasts perfectly);
- Adjustments: now and then a unit lost (reason M), found (F) or damaged in the warehouse (E: SELLABLE −1 and
  WAREHOUSE_DAMAGED +1);
- VendorReturns: every two weeks per SKU, the unsellable units are removed.

Units of FBA orders placed and neither shipped nor cancelled are reserved (pendingCustomerOrder): fulfillable is
sellable on hand minus reserved. Reason codes and event names follow public code, not a list Amazon publishes
(not verified; see the sandbox README).
"""

from __future__ import annotations

import hashlib
import zlib
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_COLUMNS
from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.listings import FBA_SKUS, fba_units, starting_stock
from amazon_netsuite.sandbox.world.orders import FBA, Order, World, as_utc
from amazon_netsuite.sandbox.world.refunds import refund_of

SHIPMENTS, CUSTOMER_RETURNS, RECEIPTS, ADJUSTMENTS, VENDOR_RETURNS = (
    "Shipments", "CustomerReturns", "Receipts", "Adjustments", "VendorReturns",
)
SELLABLE, CUSTOMER_DAMAGED, WAREHOUSE_DAMAGED = "SELLABLE", "CUSTOMER_DAMAGED", "WAREHOUSE_DAMAGED"
LOST, FOUND, DAMAGED = "M", "F", "E"  # reason codes of Adjustments rows (public code; Amazon's list not verified)

RECEIPT_CYCLE_DAYS = 7
REMOVAL_CYCLE_DAYS = 14
SAFETY_UNITS = 5  # what a receipt leaves on top of the units ordered until the next one
INBOUND_SHIPPED_DAYS = 3  # a shipment shows as inbound shipped this long before it is received …
RECEIVING_HOURS = 6  # … and as receiving for the last hours
CUSTOMER_DAMAGED_PER_100 = 15
LOST_PER_1000, FOUND_PER_1000, DAMAGED_PER_1000 = 12, 8, 10  # per SKU-day
FULFILLMENT_CENTERS = {"na": ("SEA8", "PHX7", "ONT8"), "eu": ("LEJ1", "MUC3", "ORY1"), "fe": ("NRT5", "KIX2")}
_HORIZON_DAYS = 28  # events are computed this far past the instant asked about (next receipt, its window)


@dataclass(frozen=True)
class LedgerEvent:
    """One movement of the pool, as a ledger detail row."""

    at: datetime
    sku: str
    event_type: str
    reference_id: str
    quantity: int  # signed: units into (+) or out of (−) the disposition
    disposition: str
    fulfillment_center: str
    country: str
    reason: str = ""


@dataclass(frozen=True)
class FbaQuantities:
    """One SKU's stock in the pool at an instant."""

    sellable: int  # on hand, sellable (reserved units included)
    reserved: int  # pendingCustomerOrder
    customer_damaged: int
    warehouse_damaged: int
    inbound_shipped: int
    inbound_receiving: int
    last_updated: datetime  # the latest movement or reservation change

    @property
    def fulfillable(self) -> int:
        return self.sellable - self.reserved

    @property
    def unfulfillable(self) -> int:
        return self.customer_damaged + self.warehouse_damaged

    @property
    def total(self) -> int:
        """Amazon's totalQuantity: in the fulfilment centres plus inbound."""
        return self.sellable + self.unfulfillable + self.inbound_shipped + self.inbound_receiving


def fnsku(sku: str) -> str:
    """Amazon's fulfilment-network SKU for the seller's SKU (X00 + seven characters)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digest = hashlib.sha1(f"fnsku|{sku}".encode()).digest()
    return "X00" + "".join(alphabet[b % 36] for b in digest[:7])


def _roll(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def _account_storefronts(world: World, seller_account: str) -> list[str]:
    return [s.key for s in world.settings.account(seller_account).storefronts]


def _fc(world: World, seller_account: str, *parts: object) -> str:
    centres = FULFILLMENT_CENTERS[world.settings.account(seller_account).region]
    return centres[_roll(world.seed, *parts) % len(centres)]


def _home_country(world: World, seller_account: str) -> str:
    """Where receipts, adjustments and removals happen: the account's first storefront's country."""
    return world.markets[_account_storefronts(world, seller_account)[0]].country


def _order_units(order: Order) -> list[tuple[int, str, int]]:
    """(line index, sku, units) of the FBA-listed units an FBA order's lines take, cancelled line excluded."""
    if order.fulfillment_channel != FBA:
        return []
    return [
        (i, sku, units)
        for i, line in enumerate(order.lines)
        if i != order.cancelled_line
        for sku, units in fba_units(line.product, line.quantity)
    ]


@dataclass(frozen=True)
class _Timeline:
    """Every event of an account's pool up to `horizon`, and the reservations (placed, released, sku, units)."""

    events: dict[str, list[LedgerEvent]]  # per SKU, in time order
    reservations: dict[str, list[tuple[datetime, datetime | None, int]]]  # per SKU: placed, released, units
    upcoming: dict[str, list[LedgerEvent]]  # receipts per SKU (also in events), for inbound quantities


def _orders(world: World, seller_account: str, last_day: date) -> list[Order]:
    return [
        order
        for key in _account_storefronts(world, seller_account)
        for order in world.orders_placed(key, world.first_day, last_day)
        if order.fulfillment_channel == FBA
    ]


def _independent_events(world: World, seller_account: str, end: datetime) -> tuple[
    dict[str, list[LedgerEvent]], dict[str, list[tuple[datetime, datetime | None, int]]]
]:
    """Shipments, returns and adjustments before `end` (none depends on stock), and every reservation."""
    events: dict[str, list[LedgerEvent]] = defaultdict(list)
    reservations: dict[str, list[tuple[datetime, datetime | None, int]]] = defaultdict(list)
    for order in _orders(world, seller_account, end.date()):
        country = world.markets[order.storefront_key].country
        units = _order_units(order)
        for _, sku, qty in units:
            reservations[sku].append((order.purchase_date, order.shipped_at or order.cancelled_at, qty))
        if order.shipped_at is None:
            continue
        centre = _fc(world, seller_account, order.amazon_order_id)
        if order.shipped_at < end:
            for _, sku, qty in units:
                events[sku].append(LedgerEvent(order.shipped_at, sku, SHIPMENTS, order.amazon_order_id, -qty,
                                               SELLABLE, centre, country))
        refund = refund_of(world.seed, order)
        if refund is not None and refund.posted < end and refund.line_index != order.cancelled_line:
            line = order.lines[refund.line_index]
            for sku, qty in fba_units(line.product, line.quantity):
                damaged = _roll(world.seed, "return", order.amazon_order_id, sku) % 100 < CUSTOMER_DAMAGED_PER_100
                events[sku].append(LedgerEvent(refund.posted, sku, CUSTOMER_RETURNS, order.amazon_order_id, qty,
                                               CUSTOMER_DAMAGED if damaged else SELLABLE, centre, country))
    home = _home_country(world, seller_account)
    day = world.first_day
    while _midnight(day) < end:
        for sku in FBA_SKUS:
            roll = _roll(world.seed, "adjust", seller_account, sku, day.isoformat())
            kind = roll % 1000
            at = _midnight(day) + timedelta(seconds=60 + roll // 1000 % 86000)
            if at >= end:
                continue
            ref = f"{roll % 10**10:010d}"
            centre = _fc(world, seller_account, "adjust", ref)
            if kind < LOST_PER_1000:
                events[sku].append(LedgerEvent(at, sku, ADJUSTMENTS, ref, -1, SELLABLE, centre, home, LOST))
            elif kind < LOST_PER_1000 + FOUND_PER_1000:
                events[sku].append(LedgerEvent(at, sku, ADJUSTMENTS, ref, 1, SELLABLE, centre, home, FOUND))
            elif kind < LOST_PER_1000 + FOUND_PER_1000 + DAMAGED_PER_1000:
                events[sku].append(LedgerEvent(at, sku, ADJUSTMENTS, ref, -1, SELLABLE, centre, home, DAMAGED))
                events[sku].append(LedgerEvent(at, sku, ADJUSTMENTS, ref, 1, WAREHOUSE_DAMAGED, centre, home, DAMAGED))
        day += timedelta(days=1)
    return events, reservations


def _cycle_times(world: World, seller_account: str, sku: str, kind: str, cycle: int, end: datetime) -> list[datetime]:
    """Instants of a weekly (or fortnightly) event of the SKU, staggered by SKU, before `end`."""
    roll = _roll(world.seed, kind, seller_account, sku)
    at = _midnight(world.first_day) + timedelta(days=roll % cycle, seconds=3600 + roll // cycle % 36000)
    times = []
    while at < end:
        times.append(at)
        at += timedelta(days=cycle)
    return times


@lru_cache(maxsize=64)
def _timeline(world: World, seller_account: str, horizon: date) -> _Timeline:
    end = _midnight(horizon)
    independent, reservations = _independent_events(world, seller_account, end)
    home = _home_country(world, seller_account)
    region = world.settings.account(seller_account).region
    events: dict[str, list[LedgerEvent]] = {}
    receipts: dict[str, list[LedgerEvent]] = {}
    for sku in FBA_SKUS:
        moves = sorted(independent.get(sku, ()), key=lambda e: e.at)
        placed = sorted(reservations.get(sku, ()), key=lambda r: r[0])
        placed_at = [p for p, _, _ in placed]
        # Receipt instants: the world's start, then weekly. The last window may reach past the horizon.
        starts = [_midnight(world.first_day), *_cycle_times(world, seller_account, sku, "receipt",
                                                            RECEIPT_CYCLE_DAYS, end)]
        starts = sorted(set(starts))
        removals = _cycle_times(world, seller_account, sku, "removal", REMOVAL_CYCLE_DAYS, end)
        timeline: list[LedgerEvent] = []
        stock = {SELLABLE: starting_stock(sku, f"FBA-{region}"), CUSTOMER_DAMAGED: 0, WAREHOUSE_DAMAGED: 0}
        i = 0  # next independent move

        def advance_to(at: datetime) -> None:
            nonlocal i
            while i < len(moves) and moves[i].at < at:
                move = moves[i]
                stock[move.disposition] += move.quantity
                timeline.append(move)
                i += 1

        stops = sorted([(t, 0) for t in starts] + [(t, 1) for t in removals])
        for at, kind in stops:
            advance_to(at)
            if kind == 1:  # removal of every unsellable unit
                for disposition in (CUSTOMER_DAMAGED, WAREHOUSE_DAMAGED):
                    if stock[disposition] > 0:
                        ref = f"RMV{_roll(world.seed, 'removal', sku, at.isoformat()) % 10**7:07d}"
                        timeline.append(LedgerEvent(at, sku, VENDOR_RETURNS, ref, -stock[disposition], disposition,
                                                    _fc(world, seller_account, ref), home))
                        stock[disposition] = 0
                continue
            nxt = next((t for t in starts if t > at), at + timedelta(days=RECEIPT_CYCLE_DAYS))
            lo, hi = bisect_right(placed_at, at), bisect_right(placed_at, nxt)
            ordered = sum(units for _, _, units in placed[lo:hi])
            reserved = sum(units for p, released, units in placed[:lo] if released is None or released > at)
            losses = sum(-m.quantity for m in moves[i:] if m.at < nxt and m.disposition == SELLABLE
                         and m.quantity < 0 and m.event_type == ADJUSTMENTS)
            quantity = ordered + losses + SAFETY_UNITS - (stock[SELLABLE] - reserved)
            if quantity > 0:
                ref = f"FBA15{_roll(world.seed, 'inbound', sku, at.isoformat()) % 36**5:07X}"
                receipt = LedgerEvent(at, sku, RECEIPTS, ref, quantity, SELLABLE, _fc(world, seller_account, ref),
                                      home)
                stock[SELLABLE] += quantity
                timeline.append(receipt)
                receipts.setdefault(sku, []).append(receipt)
        advance_to(end)
        events[sku] = timeline
    return _Timeline(events, dict(reservations), receipts)


def _timeline_for(world: World, seller_account: str, as_of: datetime) -> _Timeline:
    # Horizons in whole weeks from the world's start, so successive instants share one computed timeline.
    days = (as_of.date() - world.first_day).days + _HORIZON_DAYS
    return _timeline(world, seller_account, world.first_day + timedelta(days=days - days % 7 + 7))


def ledger_events(world: World, seller_account: str, start: datetime, end: datetime) -> list[LedgerEvent]:
    """The pool's events in [start, end] (inclusive), in time order."""
    start, end = as_utc(start), as_utc(end)
    timeline = _timeline_for(world, seller_account, end)
    found = [e for events in timeline.events.values() for e in events if start <= e.at <= end]
    return sorted(found, key=lambda e: (e.at, e.sku, e.event_type, e.disposition))


def fba_stock(world: World, seller_account: str, as_of: datetime) -> dict[str, FbaQuantities]:
    """Every FBA-listed SKU's stock in the account's pool at `as_of`."""
    as_of = as_utc(as_of)
    timeline = _timeline_for(world, seller_account, as_of)
    start = _midnight(world.first_day)
    region = world.settings.account(seller_account).region
    stock: dict[str, FbaQuantities] = {}
    for sku in FBA_SKUS:
        on_hand = {SELLABLE: starting_stock(sku, f"FBA-{region}"), CUSTOMER_DAMAGED: 0, WAREHOUSE_DAMAGED: 0}
        changed = start
        for event in timeline.events.get(sku, ()):
            if event.at > as_of:
                break
            on_hand[event.disposition] += event.quantity
            changed = max(changed, event.at)
        reserved = 0
        for placed, released, units in timeline.reservations.get(sku, ()):
            if placed <= as_of and (released is None or released > as_of):
                reserved += units
            for moment in (placed, released):
                if moment is not None and moment <= as_of:
                    changed = max(changed, moment)
        shipped = receiving = 0
        for receipt in timeline.upcoming.get(sku, ()):
            if as_of < receipt.at <= as_of + timedelta(days=INBOUND_SHIPPED_DAYS):
                if receipt.at - as_of <= timedelta(hours=RECEIVING_HOURS):
                    receiving += receipt.quantity
                else:
                    shipped += receipt.quantity
        stock[sku] = FbaQuantities(on_hand[SELLABLE], reserved, on_hand[CUSTOMER_DAMAGED],
                                   on_hand[WAREHOUSE_DAMAGED], shipped, receiving, changed)
    return stock



def ledger_report_rows(
    world: World, seller_account: str, marketplace_ids: list[str], start: datetime, end: datetime,
    event_type: str | None = None,
) -> list[dict[str, str]]:
    """`GET_LEDGER_DETAIL_VIEW_DATA` rows: the pool's events in [start, end] in a requested marketplace's country.

    Date is MM/DD/YYYY and "Date and Time" ISO 8601 with offset, as public parsers of the file expect (not verified
    against a real file); reconciliation columns are 0 (the sandbox reconciles nothing).
    """
    countries = {world.markets[s.key].country for s in world.settings.account(seller_account).storefronts
                 if s.marketplace_id in marketplace_ids}
    rows = []
    for event in ledger_events(world, seller_account, start, end):
        if event.country not in countries or (event_type and event.event_type != event_type):
            continue
        product = PRODUCTS_BY_SKU[event.sku]
        rows.append({
            "Date": event.at.strftime("%m/%d/%Y"), "FNSKU": fnsku(event.sku), "ASIN": product.asin,
            "MSKU": event.sku, "Title": product.name, "Event Type": event.event_type,
            "Reference ID": event.reference_id, "Quantity": str(event.quantity),
            "Fulfillment Center": event.fulfillment_center, "Disposition": event.disposition,
            "Reason": event.reason, "Country": event.country, "Reconciled Quantity": "0",
            "Unreconciled Quantity": "0", "Date and Time": event.at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        })
    return rows


def ledger_report_text(rows: list[dict[str, str]]) -> str:
    """The tab-separated file: header, then one line per row."""
    lines = ["\t".join(LEDGER_COLUMNS), *("\t".join(row[c] for c in LEDGER_COLUMNS) for row in rows)]
    return "\n".join(lines) + "\n"
