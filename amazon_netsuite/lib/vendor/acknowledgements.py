"""A vendor purchase order as a NetSuite Sales Order, and its acknowledgement built from that Sales Order as a person
approved it. Plain functions, no I/O.

The Sales Order carries one line per purchase order line, in the same order (line n is the purchase order's n-th
line), in eaches at the vendor's net cost. Approving it is the vendor's decision: a person may lower a line's quantity
or close it before approving (NetSuite's Pending Approval → Pending Fulfillment). The acknowledgement then says, per
line: Accepted for the approved quantity, and for the rest Backordered (when Amazon allows a back order on the line)
or Rejected with the account's reason; an order with nothing approved is Rejected whole. A quantity above the one
ordered is never sent: Amazon would fail the whole transaction
(https://developer-docs.amazon.com/sp-api/docs/vendor-orders-api-v1-reference#itemacknowledgement). Direct
Fulfillment is fill or kill: every unit approved ships (code 00), anything less cancels the order (code 03, out of
stock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from amazon_netsuite.lib.amazon.client import iso_utc
from amazon_netsuite.lib.settings.vendor import VendorAccount
from amazon_netsuite.lib.vendor.purchase_orders import DIRECT, PROGRAM_NAMES, OrderLine, VendorOrder

PENDING_APPROVAL, PENDING_FULFILLMENT = "A", "B"
SHIP_ALL, OUT_OF_STOCK = ("00", "Shipping 100 percent of ordered product"), ("03", "Canceled out of stock")

# The integration status, in the words the Sales Order and `vendor_order_status` show.
AWAITING_APPROVAL = "awaiting approval in NetSuite"
AWAITING_AMAZON = "acknowledged, awaiting Amazon's confirmation"
CONFIRMED = "posted, awaiting shipment"


def external_id(order: VendorOrder) -> str:
    return f"AMZV-{order.storefront}-{order.number}"


def sales_order_body(order: VendorOrder, account: VendorAccount, items: list[dict[str, str]]) -> dict[str, Any]:
    """The Sales Order of a purchase order (`items`: each line's item reference), Pending Fulfillment when its
    program acknowledges automatically, Pending Approval otherwise. The status field is set apart (run.py), so an
    account without it still gets its Sales Orders."""
    posting = account.posting
    auto = account.program(order.program).auto_acknowledge
    body: dict[str, Any] = {
        "entity": {"externalId": posting.customer},
        "subsidiary": {"externalId": posting.subsidiary},
        "location": {"externalId": posting.location},
        "tranDate": order.placed_at.date().isoformat(),
        "otherRefNum": order.number,
        "memo": f"Amazon Vendor Central {PROGRAM_NAMES[order.program]} purchase order {order.number}",
        "orderStatus": {"id": PENDING_FULFILLMENT if auto else PENDING_APPROVAL},
        # A line Amazon cancelled before posting stays, closed, so line n is still the purchase order's n-th.
        "item": {"items": [{"item": ref, "quantity": line.ordered_eaches, "rate": str(line.net_cost),
                            **({"isClosed": True} if line.ordered_eaches == 0 else {})}
                           for line, ref in zip(order.lines, items)]},
    }
    for field, name in (("class_", "class"), ("department", "department")):
        if getattr(posting, field):
            body[name] = {"externalId": getattr(posting, field)}
    return body


@dataclass(frozen=True)
class ApprovedLine:
    line: OrderLine
    approved: int  # eaches
    net_cost: Decimal

    @property
    def short(self) -> int:
        return self.line.ordered_eaches - self.approved


class NotAcknowledgeable(Exception):
    """The Sales Order as approved cannot be acknowledged as it is; the message says what to correct."""


def approved_lines(order: VendorOrder, sales_order: dict[str, Any]) -> list[ApprovedLine]:
    """Each purchase order line with the quantity and rate the Sales Order approves (a closed or missing line: 0)."""
    by_line = {int(line["line"]): line for line in (sales_order.get("item") or {}).get("items", [])}
    approved, problems = [], []
    for line in order.lines:
        so_line = by_line.get(line.line)
        closed = so_line is None or so_line.get("isClosed") in (True, "T")
        quantity = 0 if closed else Decimal(str(so_line.get("quantity") or 0))
        rate = Decimal(str(so_line.get("rate"))) if so_line and so_line.get("rate") is not None else line.net_cost
        what = f"line {line.line} ({line.sku})"
        if quantity != int(quantity) or quantity < 0:
            problems.append(f"{what}: {quantity} is not a whole number of units")
        elif quantity > line.ordered_eaches:
            problems.append(f"{what}: {int(quantity)} approved but Amazon ordered {line.ordered_eaches}; lower the "
                            f"Sales Order line to at most {line.ordered_eaches}")
        elif line.unit == "Cases" and int(quantity) % line.unit_size:
            problems.append(f"{what}: Amazon ordered cases of {line.unit_size}; approve a multiple of "
                            f"{line.unit_size} (not {int(quantity)})")
        approved.append(ApprovedLine(line, int(quantity) if not problems else 0, rate))
    if problems:
        raise NotAcknowledgeable(f"purchase order {order.number}: " + "; ".join(problems))
    return approved


def backorders(line: OrderLine, approved: int, backorder_ship_days: int | None) -> bool:
    """Whether the reduced part of a line is back-ordered rather than rejected: Amazon allows it on the line, the
    account back-orders, and some of the line is accepted now (nothing accepted is a rejection)."""
    return line.back_order_allowed and backorder_ship_days is not None and approved > 0


def _money(amount: Decimal) -> str:
    """At least two decimals (4.5 → "4.50"), never fewer digits than NetSuite gave."""
    cents = amount.quantize(Decimal("0.01"))
    return str(cents if cents == amount else amount)


def _quantity(line: OrderLine, eaches: int) -> dict[str, Any]:
    if line.unit == "Cases":
        return {"amount": eaches // line.unit_size, "unitOfMeasure": "Cases", "unitSize": line.unit_size}
    return {"amount": eaches, "unitOfMeasure": "Eaches"}


def retail_acknowledgement(order: VendorOrder, lines: list[ApprovedLine], at: datetime, reason: str,
                           backorder_ship_days: int | None = None) -> dict:
    """A Retail Procurement `OrderAcknowledgement`, in each line's own unit. A back-order names the day it ships
    (`scheduledShipDate`, `backorder_ship_days` after `at`), as Amazon's model asks of Backordered."""
    items = []
    for approved in lines:
        line = approved.line
        if not line.ordered_eaches:  # cancelled by Amazon: nothing to acknowledge
            continue
        codes = []
        if approved.approved:
            codes.append({"acknowledgementCode": "Accepted", "acknowledgedQuantity": _quantity(line, approved.approved)})
        if approved.short:
            short = {"acknowledgedQuantity": _quantity(line, approved.short)}
            if backorders(line, approved.approved, backorder_ship_days):
                ships = iso_utc(at + timedelta(days=backorder_ship_days))
                codes.append({"acknowledgementCode": "Backordered", "scheduledShipDate": ships, **short})
            else:
                codes.append({"acknowledgementCode": "Rejected", "rejectionReason": reason, **short})
        items.append({"itemSequenceNumber": line.item_sequence_number, "vendorProductIdentifier": line.sku,
                      "amazonProductIdentifier": line.asin,
                      "orderedQuantity": _quantity(line, line.ordered_eaches),
                      "netCost": {"currencyCode": order.currency, "amount": _money(approved.net_cost)},
                      "itemAcknowledgements": codes})
    return {"purchaseOrderNumber": order.number, "sellingParty": {"partyId": order.selling_party},
            "acknowledgementDate": iso_utc(at), "items": items}


def direct_acknowledgement(order: VendorOrder, lines: list[ApprovedLine], at: datetime, vendor_order: str) -> dict:
    """A Direct Fulfillment acknowledgement: ship all (00) when every unit is approved, else cancel (03)."""
    code, description = SHIP_ALL if all(not a.short for a in lines) else OUT_OF_STOCK
    return {"purchaseOrderNumber": order.number, "vendorOrderNumber": vendor_order,
            "acknowledgementDate": iso_utc(at),
            "acknowledgementStatus": {"code": code, "description": description},
            "sellingParty": {"partyId": order.selling_party}, "shipFromParty": {"partyId": order.ship_from_party},
            "itemAcknowledgements": [
                {"itemSequenceNumber": a.line.item_sequence_number, "buyerProductIdentifier": a.line.asin,
                 "vendorProductIdentifier": a.line.sku,
                 "acknowledgedQuantity": {"amount": a.line.ordered_eaches, "unitOfMeasure": "Each"}} for a in lines]}


def acknowledgement(order: VendorOrder, lines: list[ApprovedLine], at: datetime, account: VendorAccount,
                    vendor_order: str) -> dict:
    if order.program == DIRECT:
        return direct_acknowledgement(order, lines, at, vendor_order)
    return retail_acknowledgement(order, lines, at, account.rejection_reason, account.backorder_ship_days)


@dataclass(frozen=True)
class Acknowledged:
    """The units an acknowledgement accepts, back-orders and rejects (eaches), as `acknowledgement` codes them."""

    accepted: int
    backordered: int
    rejected: int


def acknowledged(order: VendorOrder, lines: list[ApprovedLine], account: VendorAccount) -> Acknowledged:
    if order.program == DIRECT:  # fill or kill: a cancelled order accepts nothing
        short = sum(a.short for a in lines)
        return Acknowledged(0 if short else sum(a.approved for a in lines), 0, short)
    backordered = sum(a.short for a in lines if backorders(a.line, a.approved, account.backorder_ship_days))
    return Acknowledged(sum(a.approved for a in lines), backordered, sum(a.short for a in lines) - backordered)


def confirmed_status(program: str, units: Acknowledged, reason: str) -> str:
    """The status once Amazon took the acknowledgement."""
    if program == DIRECT:
        return CONFIRMED if not units.rejected else f"rejected: cancelled ({OUT_OF_STOCK[1]})"
    if not units.accepted and not units.backordered:
        return f"rejected: every line rejected ({reason})"
    total = units.accepted + units.backordered + units.rejected
    return CONFIRMED if units.accepted == total else f"{CONFIRMED} ({units.accepted} of {total} units accepted)"
