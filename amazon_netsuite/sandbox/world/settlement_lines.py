"""The detail lines of a settlement for one order: the `Order` transaction when it ships, and the money back when
it is refunded, charged back or claimed under the A-to-z Guarantee. Amounts are Decimal in the currency's minor
unit, signed as the flat file shows them (money to the seller positive, fees negative).
"""

from __future__ import annotations

import zlib
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from amazon_netsuite.sandbox.world.markets import Market
from amazon_netsuite.sandbox.world.orders import FBA, Order
from amazon_netsuite.sandbox.world.refunds import REFUND, Refund
from amazon_netsuite.sandbox.world.settlement_fees import fee_profile, local_fee, referral_fee, refund_admin_fee


class SettlementLine(NamedTuple):
    """One detail row of the flat file, amounts as Decimal in the currency's minor unit."""

    transaction_type: str
    order_id: str
    adjustment_id: str
    shipment_id: str
    marketplace_name: str
    amount_type: str
    amount_description: str
    amount: Decimal
    fulfillment_id: str
    posted: datetime
    order_item_code: str
    sku: str
    quantity: int | None
    promotion_id: str


def item_code(order_id_: str, index: int) -> str:
    return f"{zlib.crc32(f'{order_id_}|{index}'.encode()) * 4099 % 10**14:014d}"


def _shipment_id(order_id_: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz"
    n = zlib.crc32(f"shipment|{order_id_}".encode()) * 2654435761
    return "D" + "".join(alphabet[(n >> (6 * i)) % len(alphabet)] for i in range(8))


def _item_commission(line, currency: str, with_shipping: bool = True) -> Decimal:
    sales = line.item_price + (line.item_promotion_discount or 0)
    if with_shipping:
        sales += line.shipping_price + (line.ship_promotion_discount or 0) + (line.gift_wrap_price or 0)
    return referral_fee(fee_profile(line.product), sales, line.quantity, currency)


def _per_unit(usd: Decimal, line, currency: str) -> Decimal:
    """A per-unit fee for the line's quantity, negative as the settlement shows it."""
    return -local_fee(usd, currency) * line.quantity


def order_lines(market: Market, order: Order) -> list[SettlementLine]:
    """The `Order` transaction of a shipped order: what the buyer paid, the promotions, the fees, withheld tax."""
    currency, channel = market.currency, market.storefront.sales_channel
    fba = order.fulfillment_channel == FBA
    fulfillment, shipment = ("AFN", _shipment_id(order.amazon_order_id)) if fba else ("MFN", "")
    sales_tax = market.vat_rate is None  # tax added on top; VAT is included in the prices
    oid, posted = order.amazon_order_id, order.shipped_at
    out: list[SettlementLine] = []
    for i, line in enumerate(order.lines):
        if i == order.cancelled_line:
            continue  # cancelled before shipment: never charged
        code, sku, quantity = item_code(oid, i), line.product.sku, line.quantity
        item_promo = line.promotion_ids[0] if line.item_promotion_discount else ""
        ship_promo = line.promotion_ids[-1] if line.ship_promotion_discount else ""
        rows = [("ItemPrice", "Principal", line.item_price, ""),
                ("ItemPrice", "Shipping", line.shipping_price, ""),
                ("ItemPrice", "GiftWrap", line.gift_wrap_price, "")]
        if sales_tax:
            rows += [("ItemPrice", "Tax", line.item_tax, ""), ("ItemPrice", "ShippingTax", line.shipping_tax, ""),
                     ("ItemPrice", "GiftWrapTax", line.gift_wrap_tax, "")]
            if market.marketplace_facilitator:
                rows += [("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -line.item_tax, ""),
                         ("ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", -line.shipping_tax, ""),
                         ("ItemWithheldTax", "MarketplaceFacilitatorTax-Other", -(line.gift_wrap_tax or 0), "")]
        rows += [("Promotion", "Principal", line.item_promotion_discount, item_promo),
                 ("Promotion", "Shipping", line.ship_promotion_discount, ship_promo),
                 ("ItemFees", "Commission", -_item_commission(line, currency), "")]
        profile = fee_profile(line.product)
        if fba:
            per_unit_fee = _per_unit(profile.fba_per_unit_usd, line, currency)
            rows.append(("ItemFees", "FBAPerUnitFulfillmentFee", per_unit_fee, ""))
            if profile.fba_weight_usd:
                rows.append(("ItemFees", "FBAWeightBasedFee", _per_unit(profile.fba_weight_usd, line, currency), ""))
            # Amazon shipped it: the shipping credited to the seller is charged back.
            rows.append(("ItemFees", "ShippingChargeback", -line.shipping_price, ""))
        if profile.closing_fee_usd:
            rows.append(("ItemFees", "VariableClosingFee", _per_unit(profile.closing_fee_usd, line, currency), ""))
        out.extend(
            SettlementLine("Order", oid, "", shipment, channel, amount_type, description, amount, fulfillment,
                           posted, code, sku, quantity, promotion)
            for amount_type, description, amount, promotion in rows if amount
        )
    return out


def refund_lines(market: Market, refund: Refund) -> list[SettlementLine]:
    """A refund, chargeback or A-to-z claim of one order line: the money back, the commission back, less
    Amazon's refund administration fee (RefundCommission)."""
    order, line, currency = refund.order, refund.order.lines[refund.line_index], market.currency
    sales_tax = market.vat_rate is None
    rows = [("ItemPrice", "Principal", -line.item_price),
            ("Promotion", "Principal", -(line.item_promotion_discount or 0))]
    if sales_tax:
        rows.append(("ItemPrice", "Tax", -line.item_tax))
        if market.marketplace_facilitator:
            rows.append(("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", line.item_tax))
    if refund.kind != REFUND and line.shipping_price and not line.ship_promotion_discount:
        rows.append(("ItemPrice", "Shipping", -line.shipping_price))  # a claim returns what the buyer paid
        if sales_tax:
            rows.append(("ItemPrice", "ShippingTax", -line.shipping_tax))
            if market.marketplace_facilitator:
                rows.append(("ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", line.shipping_tax))
    commission = _item_commission(line, currency, with_shipping=False)
    rows += [("ItemFees", "Commission", commission),
             ("ItemFees", "RefundCommission", -refund_admin_fee(commission, line.quantity, currency))]
    fulfillment = "AFN" if order.fulfillment_channel == FBA else "MFN"
    code = item_code(order.amazon_order_id, refund.line_index)
    return [
        SettlementLine(refund.kind, order.amazon_order_id, refund.adjustment_id, "", market.storefront.sales_channel,
                       amount_type, description, amount, fulfillment, refund.posted, code, line.product.sku, None, "")
        for amount_type, description, amount in rows if amount
    ]
