"""Returns of shipped orders, as the two returns reports list them, derived from the world's refunds.

- FBA: every CustomerReturns event of the FBA ledger (`world/fba.py`: a refunded FBA line coming back at the refund
  time, SELLABLE or CUSTOMER_DAMAGED) is one row of `GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA`: same SKU, units,
  instant, fulfilment centre and disposition, so the ledger, this report and the settlement's refund agree.
  Chargebacks and A-to-z claims are refunds without a return, so they are not in it, as on Amazon.
- MFN: each refunded MFN or SFP line (kind Refund) was first a return request, two to three days before the refund,
  delivered back to the seller half a day or so before it; `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE` lists it by
  its request date, with the refunded amount once the refund is posted.

Reason codes, statuses, label fields and date formats follow public code, not a list Amazon publishes (not
verified; see the sandbox README).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU
from amazon_netsuite.sandbox.world.fba import CUSTOMER_RETURNS, SELLABLE, fnsku, ledger_events
from amazon_netsuite.sandbox.world.orders import MFN, Order, World, as_utc
from amazon_netsuite.sandbox.world.refunds import MAX_REFUND_DAYS, REFUND, Refund, refund_of
from amazon_netsuite.sandbox.world.settlement_lines import refund_lines

FBA_REASONS = ("UNWANTED_ITEM", "DEFECTIVE", "NOT_AS_DESCRIBED", "ORDERED_WRONG_ITEM", "NO_REASON_GIVEN")
MFN_REASONS = ("CR-UNWANTED_ITEM", "CR-DEFECTIVE", "AMZ-PG-BAD-DESC", "CR-ORDERED_WRONG_ITEM", "CR-SWITCHEROO")
UNIT_RETURNED = "Unit returned to inventory"  # the FBA report's status of a processed return (public code)
_SHIPPING_DAYS = 10  # an order ships within this many days of its purchase: how far back to look for one


def _roll(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _base36(number: int, width: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(alphabet[number // 36**i % 36] for i in reversed(range(width)))


@dataclass(frozen=True)
class FbaReturn:
    """One row of the FBA customer returns report: units of one SKU back at a fulfilment centre."""

    returned_at: datetime
    order_id: str
    sku: str
    quantity: int
    fulfillment_center: str
    disposition: str
    country: str
    reason: str
    license_plate_number: str


def fba_returns(world: World, seller_account: str, marketplace_ids: list[str], start: datetime,
                end: datetime) -> list[FbaReturn]:
    """The account's FBA returns in [start, end] (inclusive) of orders in the requested marketplaces' countries."""
    countries = {world.markets[s.key].country for s in world.settings.account(seller_account).storefronts
                 if s.marketplace_id in marketplace_ids}
    found = []
    for event in ledger_events(world, seller_account, start, end):
        if event.event_type != CUSTOMER_RETURNS or event.country not in countries:
            continue
        roll = _roll(world.seed, "fba-return", event.reference_id, event.sku)
        found.append(FbaReturn(event.at, event.reference_id, event.sku, event.quantity, event.fulfillment_center,
                               event.disposition, event.country, FBA_REASONS[roll % len(FBA_REASONS)],
                               f"LPN{_base36(roll, 7)}"))
    return found


def fba_returns_rows(returns: list[FbaReturn]) -> list[dict[str, str]]:
    """The report's rows; return-date is ISO 8601 with offset, as public parsers of the file expect."""
    return [{
        "return-date": r.returned_at.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "order-id": r.order_id, "sku": r.sku,
        "asin": PRODUCTS_BY_SKU[r.sku].asin, "fnsku": fnsku(r.sku), "product-name": PRODUCTS_BY_SKU[r.sku].name,
        "quantity": str(r.quantity), "fulfillment-center-id": r.fulfillment_center,
        "detailed-disposition": r.disposition, "reason": r.reason,
        "status": UNIT_RETURNED if r.disposition == SELLABLE else "Unit damaged", "license-plate-number":
        r.license_plate_number, "customer-comments": "",
    } for r in returns]


@dataclass(frozen=True)
class MfnReturn:
    """A seller-fulfilled order line the buyer sent back, and the refund that closed it."""

    refund: Refund
    requested_at: datetime
    delivered_at: datetime
    rma_id: str
    tracking_id: str
    reason: str

    @property
    def order(self) -> Order:
        return self.refund.order


def mfn_return_of(seed: int, order: Order) -> MfnReturn | None:
    """The return behind an MFN order's refund, if it has one."""
    refund = refund_of(seed, order)
    if order.fulfillment_channel != MFN or refund is None or refund.kind != REFUND:
        return None
    roll = _roll(seed, "mfn-return", order.amazon_order_id)
    requested = refund.posted - timedelta(days=2, seconds=roll % 86400)  # refunds come ≥ 3 days after shipment
    delivered = refund.posted - timedelta(seconds=3600 + roll // 86400 % 43200)
    return MfnReturn(refund, requested, delivered, f"D{_base36(roll, 9)}RRMA", f"1Z{roll % 10**16:016d}",
                     MFN_REASONS[roll % len(MFN_REASONS)])


def mfn_returns(world: World, seller_account: str, marketplace_ids: list[str], start: datetime,
                end: datetime) -> list[MfnReturn]:
    """The account's MFN returns requested in [start, end] (inclusive) in the requested marketplaces."""
    start, end = as_utc(start), as_utc(end)
    first = max(world.first_day, (start - timedelta(days=MAX_REFUND_DAYS + _SHIPPING_DAYS)).date())
    found = []
    for storefront in world.settings.account(seller_account).storefronts:
        if storefront.marketplace_id not in marketplace_ids:
            continue
        for order in world.orders_placed(storefront.key, first, end.date()):
            returned = mfn_return_of(world.seed, order)
            if returned is not None and start <= returned.requested_at <= end:
                found.append(returned)
    return sorted(found, key=lambda r: (r.requested_at, r.order.amazon_order_id))


def refunded_amount(world: World, returned: MfnReturn) -> Decimal:
    """What the buyer got back: the settlement's refund of the item (price, promotion and tax), made positive."""
    lines = refund_lines(world.markets[returned.order.storefront_key], returned.refund)
    return -sum((line.amount for line in lines if line.amount_type in ("ItemPrice", "Promotion")), Decimal(0))


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def mfn_returns_rows(world: World, returns: list[MfnReturn], as_of: datetime) -> list[dict[str, str]]:
    """The report's rows as of `as_of`: a return whose refund is not posted yet is Approved, without an amount."""
    rows = []
    for r in returns:
        order, market = r.order, world.markets[r.order.storefront_key]
        line = order.lines[r.refund.line_index]
        lines = [ln for i, ln in enumerate(order.lines) if i != order.cancelled_line]
        closed = r.refund.posted <= as_of
        row = dict.fromkeys(
            ("Merchant RMA ID", "Invoice number", "SafeT Action reason", "SafeT claim id", "SafeT claim state",
             "SafeT claim creation time", "SafeT claim reimbursement amount"), "")
        row.update({
            "Order ID": order.amazon_order_id, "Order date": _iso(order.purchase_date),
            "Return request date": _iso(r.requested_at), "Return request status": "Closed" if closed else "Approved",
            "Amazon RMA ID": r.rma_id, "Label type": "AmazonUnPaidLabel", "Label cost": market.money(Decimal("0")),
            "Currency code": market.currency, "Return carrier": "UPS", "Tracking ID": r.tracking_id,
            "Label to be paid by": "Customer", "A-to-Z Claim": "N", "Is prime": "Y" if order.is_prime else "N",
            "ASIN": line.product.asin, "Merchant SKU": line.product.sku, "Item Name": line.product.name,
            "Return quantity": str(line.quantity), "Return Reason": r.reason, "In policy": "Y",
            "Return type": "C-Returns", "Resolution": "StandardRefund",
            "Return delivery date": _iso(r.delivered_at) if r.delivered_at <= as_of else "",
            "Order Amount": market.money(sum((ln.item_price for ln in lines), Decimal(0))),
            "Order quantity": str(sum(ln.quantity for ln in lines)),
            "Refunded Amount": market.money(refunded_amount(world, r)) if closed else "",
        })
        rows.append(row)
    return rows


def returns_report_text(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    """A tab-separated file: header, then one line per row."""
    lines = ["\t".join(columns), *("\t".join(row[c] for c in columns) for row in rows)]
    return "\n".join(lines) + "\n"
