"""Retail Procurement purchase orders as Amazon sees them at an instant: state, items after Amazon's changes, what
the vendor's acknowledgements accepted and rejected, and the business rules an acknowledgement must pass.

The rules (https://developer-docs.amazon.com/sp-api/docs/submit-order-acknowledgement, and the Retail Procurement
use case guide): an update replaces the earlier acknowledgement of the lines it names; lines never acknowledged are
implicitly rejected; no line may be acknowledged above its ordered quantity; a rejected line cannot be changed to
Accepted or Backordered; the net cost must not be zero or negative; a Backordered quantity gives its scheduledShipDate or
scheduledDeliveryDate (the model's ItemAcknowledgement: "provides a scheduledShipDate or scheduledDeliveryDate").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from amazon_netsuite.sandbox.vendor_central.store import Acknowledgement
from amazon_netsuite.sandbox.world.vendor import PurchaseOrder, PurchaseOrderItem

NEW, ACKNOWLEDGED, CLOSED = "New", "Acknowledged", "Closed"
ACCEPTED, BACKORDERED, REJECTED = "Accepted", "Backordered", "Rejected"
ACK_CODES = (ACCEPTED, BACKORDERED, REJECTED)
REJECTION_REASONS = ("TemporarilyUnavailable", "InvalidProductIdentifier", "ObsoleteProduct")


@dataclass
class ItemAcknowledged:
    """What the acknowledgements in effect say of one line, in eaches."""

    accepted: int = 0
    rejected: int = 0  # rejected explicitly
    history: list[tuple[datetime, int, int]] = field(default_factory=list)  # (at, accepted, rejected)


@dataclass(frozen=True)
class PurchaseOrderView:
    order: PurchaseOrder
    as_of: datetime
    items: tuple[PurchaseOrderItem, ...]  # as of the view's instant
    state: str
    state_changed_at: datetime
    acknowledged: dict[int, ItemAcknowledged] | None  # by item sequence; None before any acknowledgement
    last_updated: datetime

    def confirmation(self, item: PurchaseOrderItem) -> tuple[str, int, int]:
        """(ACCEPTED | PARTIALLY_ACCEPTED | REJECTED | UNCONFIRMED, accepted eaches, rejected eaches)."""
        if self.acknowledged is None:
            return "UNCONFIRMED", 0, 0
        line = self.acknowledged.get(item.sequence, ItemAcknowledged())
        accepted = min(line.accepted, item.eaches)
        rejected = item.eaches - accepted
        if accepted == 0:
            return "REJECTED", 0, rejected
        return ("ACCEPTED" if rejected == 0 else "PARTIALLY_ACCEPTED"), accepted, rejected


def matching_item(items: tuple[PurchaseOrderItem, ...], ack_item: dict) -> PurchaseOrderItem | None:
    """The line an acknowledged item names: by itemSequenceNumber, else the vendor's, else Amazon's identifier."""
    sequence = ack_item.get("itemSequenceNumber")
    if sequence is not None:
        return next((i for i in items if str(i.sequence) == str(sequence).lstrip("0")), None)
    for key, attr in (("vendorProductIdentifier", "vendor_product_identifier"),
                      ("amazonProductIdentifier", "amazon_product_identifier")):
        if ack_item.get(key):
            return next((i for i in items if getattr(i, attr) == ack_item[key]), None)
    return None


def eaches(quantity: dict, item: PurchaseOrderItem) -> int:
    """An ItemQuantity in eaches; the unit and case size default to the line's own."""
    unit = quantity.get("unitOfMeasure") or item.unit
    size = (quantity.get("unitSize") or item.unit_size) if unit == "Cases" else 1
    return int(quantity.get("amount") or 0) * int(size)


def _split(ack_item: dict, item: PurchaseOrderItem) -> tuple[int, int]:
    accepted = rejected = 0
    for line in ack_item.get("itemAcknowledgements") or []:
        n = eaches(line.get("acknowledgedQuantity") or {}, item)
        if line.get("acknowledgementCode") == REJECTED:
            rejected += n
        else:
            accepted += n
    return accepted, rejected


def acknowledged_lines(order: PurchaseOrder, acks: list[Acknowledgement]) -> dict[int, ItemAcknowledged] | None:
    """Each line's acknowledgement after every update in `acks` (oldest first): the last one naming it wins."""
    if not acks:
        return None
    lines: dict[int, ItemAcknowledged] = {}
    for ack in acks:
        items = order.items_as_of(ack.at)
        for ack_item in ack.body.get("items") or []:
            item = matching_item(items, ack_item)
            if item is None:
                continue
            accepted, rejected = _split(ack_item, item)
            line = lines.setdefault(item.sequence, ItemAcknowledged())
            line.accepted, line.rejected = accepted, rejected
            line.history.append((ack.at, accepted, rejected))
    return lines


def view(order: PurchaseOrder, acks: list[Acknowledgement], as_of: datetime) -> PurchaseOrderView:
    """The order at `as_of`, given the acknowledgements in effect then. Acknowledged from the first of them;
    Closed once its delivery window has ended (or at once when every line is rejected)."""
    items = order.items_as_of(as_of)
    lines = acknowledged_lines(order, acks)
    state, changed = NEW, order.placed_at
    if lines is not None:
        first = acks[0].at
        state, changed = ACKNOWLEDGED, first
        nothing_accepted = all(lines.get(i.sequence, ItemAcknowledged()).accepted == 0 for i in items)
        closes = acks[-1].at if nothing_accepted else max(first, order.delivery_window[1])
        if closes <= as_of:
            state, changed = CLOSED, closes
    events = [order.placed_at, changed, *(a.at for a in acks)]
    if order.changed_at(as_of):
        events.append(order.change.at)
    return PurchaseOrderView(order, as_of, items, state, changed, lines, max(events))


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def acknowledgement_problems(order: PurchaseOrder, as_of: datetime, prior: list[Acknowledgement],
                             ack: dict) -> list[dict]:
    """Why Amazon would fail this order's acknowledgement (transaction errors), or [] when it passes."""
    number, problems = order.number, []

    def problem(code: str, message: str, details: str) -> None:
        problems.append({"code": code, "message": message, "details": f"Purchase order {number}: {details}"})

    party = (ack.get("sellingParty") or {}).get("partyId")
    if party != order.vendor_code:
        problem("INVALID_SELLING_PARTY", "Invalid selling party.",
                f"sellingParty {party!r} is not the order's selling party {order.vendor_code!r}")
    items = order.items_as_of(as_of)
    before = acknowledged_lines(order, prior) or {}
    for ack_item in ack.get("items") or []:
        item = matching_item(items, ack_item)
        if item is None:
            named = (ack_item.get("itemSequenceNumber") or ack_item.get("vendorProductIdentifier")
                     or ack_item.get("amazonProductIdentifier"))
            problem("INVALID_ITEM", "Invalid item.", f"item {named!r} is not on the order")
            continue
        what = f"item {item.sequence} ({item.vendor_product_identifier})"
        cost = _decimal((ack_item.get("netCost") or {}).get("amount"))
        if cost is None or cost <= 0:
            problem("INVALID_NET_COST", "Invalid net cost.", f"{what}: netCost must be given and more than zero")
        accepted, rejected = _split(ack_item, item)
        if accepted + rejected > item.eaches:
            problem("INVALID_QUANTITY", "Cannot acknowledge more than the ordered quantity.",
                    f"{what}: {accepted + rejected} eaches acknowledged, {item.eaches} ordered")
        earlier = before.get(item.sequence)
        was_rejected = (earlier is not None and earlier.rejected > 0) or (bool(prior) and earlier is None)
        if was_rejected and accepted > (earlier.accepted if earlier else 0):
            problem("INVALID_ACKNOWLEDGEMENT_CODE", "A rejected item cannot be changed to Accepted or Backordered.",
                    f"{what} was rejected by an earlier acknowledgement")
        for line in ack_item.get("itemAcknowledgements") or []:
            if line.get("acknowledgementCode") == BACKORDERED and not (line.get("scheduledShipDate")
                                                                       or line.get("scheduledDeliveryDate")):
                problem("INVALID_ACKNOWLEDGEMENT", "Backordered needs a scheduled date.",
                        f"{what}: a Backordered quantity must give scheduledShipDate or scheduledDeliveryDate")
            reason = line.get("rejectionReason")
            if reason is not None and reason not in REJECTION_REASONS:
                problem("INVALID_REJECTION_REASON", "Invalid rejection reason.",
                        f"{what}: {reason!r} is not one of {', '.join(REJECTION_REASONS)}")
    return problems
