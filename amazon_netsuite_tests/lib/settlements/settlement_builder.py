"""Small V2 settlement files for tests, written the way Amazon writes them.

Tab-separated, a header line, the totals row first (settlement-id, dates, total-amount, currency; detail columns
empty), then one line per amount with the totals columns empty except settlement-id. Amounts are given as Decimal
and written in the file's locale; the total is the sum of the lines unless a test says otherwise.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from amazon_netsuite.lib.settlements.columns import DOCUMENTED_COLUMNS

COLUMNS = list(DOCUMENTED_COLUMNS)
SETTLEMENT_ID = "11223344556"
US_ORDER = "111-0000001-0000001"
US_ORDER_2 = "111-0000002-0000002"

# One FBA sale on Amazon.com; tests override what they are about.
DEFAULT_LINE = {
    "transaction-type": "Order",
    "order-id": US_ORDER,
    "merchant-order-id": "",
    "adjustment-id": "",
    "shipment-id": "DgK3bVhRN",
    "marketplace-name": "Amazon.com",
    "amount-type": "ItemPrice",
    "amount-description": "Principal",
    "amount": Decimal("19.99"),
    "fulfillment-id": "AFN",
    "posted-date": "10/02/26",
    "posted-date-time": "2026-10-02 10:11:12 UTC",
    "order-item-code": "52986411826454",
    "merchant-order-item-id": "",
    "merchant-adjustment-item-id": "",
    "sku": "TSHIRT-RED-M",
    "quantity-purchased": "1",
    "promotion-id": "",
}


def line(base: dict | None = None, **changes) -> dict:
    """A detail line: `base` (default: a US Principal) with changes given as python names (amount_type=...)."""
    result = dict(base or DEFAULT_LINE)
    result.update({name.replace("_", "-"): value for name, value in changes.items()})
    return result


def _amount(text: str) -> Decimal | str:
    """A Decimal when the text is a number; otherwise the text itself, written to the file as it is."""
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def fee(description: str, amount: str, **changes) -> dict:
    return line(amount_type="ItemFees", amount_description=description, amount=_amount(amount), **changes)


def period(transaction_type: str, amount_type: str, description: str, amount: str, **changes) -> dict:
    """A line of no order (storage, subscription, reserve, reimbursement)."""
    return line(transaction_type=transaction_type, order_id="", shipment_id="", order_item_code="", sku="",
                quantity_purchased="", amount_type=amount_type, amount_description=description,
                amount=_amount(amount), **changes)


def us_settlement_lines() -> list[dict]:
    """An ordinary two-week US settlement: a sale with its tax and fees, a refund, period fees, a reserve."""
    return [
        line(amount=Decimal("19.99")),
        line(amount_description="Tax", amount=Decimal("1.60")),
        line(amount_type="ItemWithheldTax", amount_description="MarketplaceFacilitatorTax-Principal",
             amount=Decimal("-1.60")),
        fee("Commission", "-3.00"),
        fee("FBAPerUnitFulfillmentFee", "-3.22"),
        line(order_id=US_ORDER_2, amount_type="Promotion", amount_description="Principal", amount=Decimal("-2.00"),
             promotion_id="PROMO-10OFF"),
        line(order_id=US_ORDER_2, amount=Decimal("124.50")),
        line(order_id=US_ORDER_2, amount_description="Shipping", amount=Decimal("4.99")),
        line(transaction_type="Refund", order_id=US_ORDER, amount=Decimal("-19.99"), adjustment_id="amzn1.adj.1"),
        line(transaction_type="Refund", order_id=US_ORDER, amount_type="ItemFees", amount_description="Commission",
             amount=Decimal("3.00"), adjustment_id="amzn1.adj.1"),
        line(transaction_type="Refund", order_id=US_ORDER, amount_type="ItemFees",
             amount_description="RefundCommission", amount=Decimal("-0.60"), adjustment_id="amzn1.adj.1"),
        period("other-transaction", "other-transaction", "Storage Fee", "-12.34"),
        period("other-transaction", "other-transaction", "Subscription", "-39.99"),
        period("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", "-15.00"),
        period("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", "8.63"),
        period("other-transaction", "other-transaction", "Previous Reserve Amount Balance", "40.00"),
        period("other-transaction", "other-transaction", "Current Reserve Amount", "-50.00"),
    ]


def format_amount(value: Decimal | str, decimal_comma: bool = False, grouping: bool = False) -> str:
    """`1234.5` → `1234.50`, `1,234.50` (grouping), `1234,50` / `1.234,50` (decimal comma)."""
    if isinstance(value, str):
        return value  # written exactly as given
    text = f"{value:,.2f}" if grouping else f"{value:.2f}"
    if decimal_comma:
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def settlement_text(
    lines: list[dict],
    *,
    settlement_id: str = SETTLEMENT_ID,
    total: Decimal | str | None = None,
    currency: str = "USD",
    start: str = "2026-09-18 00:00:00 UTC",
    end: str = "2026-10-02 00:00:00 UTC",
    deposit: str = "2026-10-04 00:00:00 UTC",
    columns: list[str] | None = None,
    decimal_comma: bool = False,
    grouping: bool = False,
    newline: str = "\n",
) -> str:
    """The file as text; `total` defaults to the exact sum of the lines' Decimal amounts."""
    columns = columns or COLUMNS
    if total is None:
        total = sum((ln["amount"] for ln in lines if isinstance(ln["amount"], Decimal)), Decimal(0))
    totals = {"settlement-id": settlement_id, "settlement-start-date": start, "settlement-end-date": end,
              "deposit-date": deposit, "total-amount": format_amount(total, decimal_comma, grouping),
              "currency": currency}
    rows = [totals]
    for ln in lines:
        row = {"settlement-id": settlement_id, **ln}
        row["amount"] = format_amount(ln["amount"], decimal_comma, grouping)
        rows.append(row)
    text_rows = ["\t".join(columns), *("\t".join(str(r.get(c, "")) for c in columns) for r in rows)]
    return newline.join(text_rows) + newline


def write_settlement(path: Path, lines: list[dict], *, encoding: str = "utf-8", bom: bool = False, **options) -> Path:
    """Write the file in `encoding` (Amazon: Cp1252 for Europe and America, Shift_JIS for Japan)."""
    data = settlement_text(lines, **options).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path
