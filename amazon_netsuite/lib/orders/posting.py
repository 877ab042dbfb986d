"""NetSuite transactions for Amazon orders: which record an order becomes, and its body. Plain Python, no I/O.

Following NetSuite Connector (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164433264647.html):
MFN and Seller-Fulfilled-Prime orders become Sales Orders once paid (Unshipped, PartiallyShipped or Shipped); FBA
orders become Cash Sales at the storefront's FBA location once Amazon has shipped them. Everything else waits, with
a reason. `order_posting` in the settings chooses the status, the promotion item, facilitator tax, the channel's
class / department / custom field, the SFP flag, the customer and how SKUs find items; its defaults are the
behaviour described here.

Where each piece of money goes (the posted total is the order's `order_total`, to the cent):
- each order line → an item line: the SKU's item, quantity, `amount` = item-price (`rate` = unit price), price
  level Custom (-1) so NetSuite keeps Amazon's price
  (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164086082106.html);
- an item promotion → a discount line right after the line it discounts, on the promotion item
  (NetSuite applies a discount line to the line above it, so the sale and its discount stay side by side);
- shipping → `shippingCost`, net of shipping promotions (Amazon's free-shipping promotion waives the charge);
- gift wrap → `handlingCost`, the transaction's other header charge;
- tax → SuiteTax tax lines with Amazon's amounts (`taxDetailsOverride: true`, `taxDetails` lines naming their item
  line by `taxDetailsReference`): REST takes no legacy tax fields such as `taxTotal` ("REST web services do not
  support legacy tax features", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_161487969808.html).
  - VAT-inclusive storefronts: item lines, discounts, shipping and gift wrap go NET of the VAT Amazon reports
    (`item_tax`, `shipping_tax`, `gift_wrap_tax`), the VAT on tax lines (the `vat_code`), so revenue is net and
    the total is what the buyer paid. Amazon's VAT is on what the buyer paid (price less promotion); a promotion
    takes its share of it (discount × VAT / paid, to the cent) and the price the rest, so item + discount + VAT is
    Amazon's amount exactly.
  - Seller-collected tax (Canada; US when not marketplace facilitator): Amazon's item, shipping and gift-wrap tax,
    each a tax line (the `sales_tax_code`) with its own basis. NetSuite's REST record has no shipping or handling
    line to reference (not verified), so shipping and gift-wrap tax name the item line they were charged with.
  - Marketplace-facilitator tax (US) is omitted (Amazon collects and remits it, so posting it would overstate
    revenue, https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_163014457272.html) unless
    `facilitator_tax: post`.
Amounts are exact decimal strings here (what the ledger hashes); the NetSuite client sends them as JSON numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.netsuite.items import ItemResolver
from amazon_netsuite.lib.netsuite.tax_details import tax_detail
from amazon_netsuite.lib.settings import SALES_ORDER_STATUS_IDS, Settings, TaxCodes

SALES_ORDER = "salesOrder"
CASH_SALE = "cashSale"
PENDING_FULFILLMENT = SALES_ORDER_STATUS_IDS["pending_fulfillment"]
PENDING_APPROVAL = SALES_ORDER_STATUS_IDS["pending_approval"]
CUSTOM_PRICE_LEVEL = {"id": "-1"}
# Header money fields: an update that drops one sends zero, never null (null would clear NetSuite's own value).
HEADER_MONEY = ("shippingCost", "handlingCost")
TAX_DETAILS = "taxDetails"
# Legacy tax fields an old ledger body may hold; REST refuses them, so a change never sends them.
LEGACY_TAX = ("taxTotal",)

PAID_STATUSES = ("Unshipped", "PartiallyShipped", "Shipped")
CANCELLED_BEFORE_POSTING = "cancelled before it was posted: nothing to post"
# Currencies without a minor unit (amounts are whole numbers); every other one has cents.
_MINOR_UNITS = {"JPY": 0}


@dataclass(frozen=True)
class OrderPosting:
    """The NetSuite record one order becomes. `line_keys` names each item line by the Amazon line it comes from
    (`"2"`, or `"2/promotion"` for its discount), so a later change can find the line it closes or replaces."""

    record_type: str
    external_id: str
    body: dict[str, Any]
    line_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotPostable:
    """Why an order is not posted (yet); not an error."""

    reason: str


def record_type_for(order: Mapping[str, Any]) -> str | NotPostable:
    """salesOrder, cashSale, or why the order waits."""
    status, channel = order["order_status"], order["channel"]
    if status == "Cancelled":
        return NotPostable(CANCELLED_BEFORE_POSTING)
    if channel == "FBA":
        if status == "Shipped":
            return CASH_SALE
        return NotPostable(f"FBA order is {status}: it posts as a Cash Sale once Amazon ships it")
    if status in PAID_STATUSES:
        return SALES_ORDER
    if status == "Pending":
        return NotPostable("awaiting payment (Pending): it posts as a Sales Order once Amazon reports it Unshipped")
    return NotPostable(f"order status {status!r} is not one this integration posts")


def build_order_posting(
    order: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    settings: Settings,
    *,
    items: ItemResolver | None = None,
    customer: str | None = None,
) -> OrderPosting | NotPostable:
    """The Sales Order or Cash Sale for one row of `orders` and its `order_lines` rows, or why there is none.

    `items` resolves SKUs (default: the external id is the SKU) and raises UnmappedSku for one it cannot;
    `customer` is a per-buyer customer's external id (default: the storefront's customer)."""
    record_type = record_type_for(order)
    if isinstance(record_type, NotPostable):
        return record_type
    options = settings.order_posting
    storefront = settings.storefront(order["storefront"])
    targets = settings.storefront_posting(storefront.key)
    items = items or ItemResolver(options.items)
    currency = order["currency"]
    places = _MINOR_UNITS.get(currency, 2)
    order_id = order["amazon_order_id"]

    # Lines Amazon cancelled carry no quantity; they are not sold, so they are not posted.
    sold = [line for line in sorted(lines, key=lambda l: l["line_number"]) if line["quantity"] > 0]
    if not sold:
        return NotPostable("no line with a quantity to sell")
    if any(line["unit_price"] is None or line["item_price"] is None for line in sold):
        return NotPostable("Amazon has not reported prices for every line yet")

    tax = _Tax(targets.tax, storefront.prices_include_vat, options.facilitator_tax == "post", places)
    item_lines: list[dict[str, Any]] = []
    keys: list[str] = []
    for line in sold:
        key = str(line["line_number"])
        amount, discount = tax.item(key, line)
        item_lines.append({
            "item": items.reference(line["sku"]),
            "quantity": line["quantity"],
            "rate": _rate(line["unit_price"] if amount == line["item_price"]
                          else (amount / line["quantity"]).quantize(Decimal("0.0001"))),
            "price": dict(CUSTOM_PRICE_LEVEL),
            "amount": _amount(amount, places),
            "description": f"{line['sku']} (Amazon line {line['line_number']})",
        })
        keys.append(key)
        if discount:
            item_lines.append({
                "item": {"externalId": options.promotion_item},
                "amount": _amount(discount, places),
                "description": f"Amazon promotion {line.get('promotion_ids') or ''}".strip(),
            })
            keys.append(f"{key}/promotion")

    memo = f"Amazon {order['sales_channel']} order {order_id} ({order['channel']})"
    if order["channel"] == "SFP":
        memo = options.sfp.memo_prefix + memo
    location = targets.fba_location if record_type == CASH_SALE else targets.location
    body: dict[str, Any] = {
        "externalId": order_external_id(storefront.key, order_id),
        "tranDate": order["purchase_date"].date().isoformat(),
        "otherRefNum": order_id,
        "memo": memo,
        "entity": {"externalId": customer or targets.customer},
        "subsidiary": {"externalId": targets.subsidiary},
        "currency": {"externalId": currency},
        "location": {"externalId": location},
        "item": {"items": item_lines},
    }
    if targets.class_:
        body["class"] = {"externalId": targets.class_}
    if targets.department:
        body["department"] = {"externalId": targets.department}
    if targets.channel_field:
        body[targets.channel_field.name] = targets.channel_field.value
    if record_type == SALES_ORDER:
        body["orderStatus"] = {"id": SALES_ORDER_STATUS_IDS[targets.sales_order_status]}
        if order["channel"] == "SFP" and options.sfp.checkbox:
            body[options.sfp.checkbox] = True
    shipping = sum((tax.charge(str(line["line_number"]), line, "shipping") for line in sold), Decimal(0))
    gift_wrap = sum((tax.charge(str(line["line_number"]), line, "gift_wrap") for line in sold), Decimal(0))
    for field, value in zip(HEADER_MONEY, (shipping, gift_wrap)):
        if value:
            body[field] = _amount(value, places)
    if tax.lines:
        for key, line in zip(keys, item_lines):
            line["taxDetailsReference"] = tax_reference(key)
        body["taxDetailsOverride"] = True
        body[TAX_DETAILS] = {"items": tax.lines}
    return OrderPosting(record_type, body["externalId"], body, tuple(keys))


def tax_reference(line_key: str) -> str:
    """The `taxDetailsReference` of the item line with this key: any string the tax lines repeat."""
    return f"AMZ-{line_key}"


class _Tax:
    """An order's SuiteTax lines, built line by line, and the net amounts of what they tax."""

    def __init__(self, codes: TaxCodes, vat: bool, facilitator: bool, places: int) -> None:
        self.vat, self.facilitator, self.places = vat, facilitator, places
        code, tax_type = (codes.vat_code, codes.vat_type) if vat else (codes.sales_tax_code, codes.sales_tax_type)
        self.code, self.type = code, tax_type
        self.lines: list[dict[str, Any]] = []

    def _tax_of(self, line: Mapping[str, Any], name: str) -> Decimal:
        """The line's tax on `name` (item, shipping, gift_wrap) that posts: VAT always; sales tax when
        seller-collected, or facilitator tax set to post. The item's is the rest of the line's tax, so the tax lines
        add up to Amazon's line tax whatever columns it reported."""
        columns = ("seller_collected_tax", "marketplace_facilitator_tax") if self.vat or self.facilitator \
            else ("seller_collected_tax",)
        total = sum((_zero_if_none(line.get(c)) for c in columns), Decimal(0))
        if not total:
            return Decimal(0)
        charges = {c: _zero_if_none(line.get(f"{c}_tax")) for c in ("shipping", "gift_wrap")}
        return charges[name] if name in charges else total - sum(charges.values(), Decimal(0))

    def _add(self, key: str, basis: Decimal, amount: Decimal) -> None:
        if not amount:
            return
        self.lines.append(tax_detail(tax_reference(key), self.type, self.code, _amount(basis, self.places),
                                     _amount(amount, self.places)))

    def _discount_tax(self, gross: Decimal, discount: Decimal, tax: Decimal) -> Decimal:
        """The part of a VAT-inclusive line's VAT (Amazon's, on what the buyer paid: gross plus its discount) that the
        discount takes away, to the cent: its share of what was paid (VAT Directive art. 79(b),
        https://eur-lex.europa.eu/eli/dir/2006/112/oj: a discount is not part of the taxable amount)."""
        paid = gross + discount
        if not discount or not paid:
            return Decimal(0)
        return (discount * tax / paid).quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP)

    def item(self, key: str, line: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
        """The item line's amount and its discount's, net of VAT on a VAT-inclusive storefront; adds their tax."""
        price, discount = line["item_price"], _zero_if_none(line.get("item_promotion_discount"))
        tax = self._tax_of(line, "item")
        if not self.vat:
            self._add(key, price + discount, tax)
            return price, discount
        discount_tax = self._discount_tax(price, discount, tax)
        self._add(key, price - (tax - discount_tax), tax - discount_tax)
        self._add(f"{key}/promotion", discount - discount_tax, discount_tax)
        return price - (tax - discount_tax), discount - discount_tax

    def charge(self, key: str, line: Mapping[str, Any], name: str) -> Decimal:
        """The line's shipping or gift wrap after its promotion, net of VAT on a VAT-inclusive storefront; adds its
        tax on the item line's reference."""
        gross = _zero_if_none(line.get(f"{name}_price"))
        discount = _zero_if_none(line.get("ship_promotion_discount")) if name == "shipping" else Decimal(0)
        tax = self._tax_of(line, name)
        net = gross + discount - (tax if self.vat else Decimal(0))
        self._add(key, net, tax)
        return net


def posted_total(body: Mapping[str, Any]) -> Decimal:
    """What NetSuite will show as the transaction's total: line amounts, the header charges and the tax lines."""
    lines = sum((Decimal(line["amount"]) for line in body["item"]["items"] if not line.get("isClosed")), Decimal(0))
    tax = sum((Decimal(line["taxAmount"]) for line in body.get(TAX_DETAILS, {}).get("items", [])), Decimal(0))
    return lines + tax + sum((Decimal(body.get(f, "0")) for f in HEADER_MONEY), Decimal(0))


def _zero_if_none(value: Decimal | None) -> Decimal:
    return Decimal(0) if value is None else value


def _amount(value: Decimal, places: int) -> str:
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def _rate(value: Decimal) -> str:
    """A unit price with at least two decimals and no needless trailing zeros (9.9900 → 9.99, 3.3333 stays)."""
    value = Decimal(value)
    exponent = min(value.normalize().as_tuple().exponent, -2)
    return str(value.quantize(Decimal(1).scaleb(exponent)))
