"""What Amazon charges per item sold, in the storefront's money: referral fee by category, FBA fulfilment fees,
the media closing fee, and the account-level fees (subscription, storage, coupons) of a settlement.

Rates follow Amazon's published US schedule in shape, not to the cent; other currencies convert the US figure
with the world's price factors and keep the currency's minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from amazon_netsuite.sandbox.world.catalog import PRODUCTS_BY_SKU, Product
from amazon_netsuite.sandbox.world.markets import CENT, PRICE_FACTORS, ZERO_DECIMAL_CURRENCIES


@dataclass(frozen=True)
class FeeProfile:
    category: str
    referral_rate: Decimal
    fba_per_unit_usd: Decimal
    fba_weight_usd: Decimal | None  # bulky items pay a weight-based FBA fee on top of the per-unit fee
    closing_fee_usd: Decimal | None  # media categories pay a variable closing fee per unit


def _profile(category: str, rate: str, per_unit: str, weight: str | None = None,
             closing: str | None = None) -> FeeProfile:
    return FeeProfile(category, Decimal(rate), Decimal(per_unit), Decimal(weight) if weight else None,
                      Decimal(closing) if closing else None)


_BY_FAMILY: dict[str, FeeProfile] = {
    "TSHIRT": _profile("Clothing & Accessories", "0.17", "3.22"),
    "HOODIE": _profile("Clothing & Accessories", "0.17", "4.75", weight="0.42"),
    "MUG-CAFE": _profile("Home & Kitchen", "0.15", "4.08"),
    "SOCKS": _profile("Clothing & Accessories", "0.17", "3.06"),
    "BOWL-MUSLI": _profile("Home & Kitchen", "0.15", "5.12", weight="0.38"),
    "BOTTLE": _profile("Sports & Outdoors", "0.15", "4.41"),
    "YOGAMAT": _profile("Sports & Outdoors", "0.15", "6.10", weight="0.96"),
    # Blank journals are listed in Books, a media category: they pay the variable closing fee.
    "NOTEBOOK-A5": _profile("Books", "0.15", "3.22", closing="1.80"),
    "CASE": _profile("Electronics Accessories", "0.15", "3.06"),
    "CAP": _profile("Clothing & Accessories", "0.17", "3.22"),
    "CANDLE": _profile("Home & Kitchen", "0.15", "4.41"),
    "TOTE": _profile("Luggage & Travel Accessories", "0.15", "3.86"),
    "LEGGINGS": _profile("Clothing & Accessories", "0.17", "3.40"),
    "EARBUDS": _profile("Consumer Electronics", "0.08", "3.86"),
    "COFFEE": _profile("Grocery & Gourmet", "0.08", "4.08"),
}
_KIT_WEIGHT_USD = Decimal("0.55")  # kits ship as one bulkier box

REFERRAL_MINIMUM_USD = Decimal("0.30")  # per unit
REFUND_ADMIN_SHARE = Decimal("0.20")  # RefundCommission: 20 % of the referral fee refunded...
REFUND_ADMIN_CAP_USD = Decimal("5.00")  # ...at most $5 per unit
COUPON_REDEMPTION_USD = Decimal("0.60")
SUBSCRIPTION = {"USD": Decimal("39.99"), "CAD": Decimal("29.99"), "EUR": Decimal("39.00"), "GBP": Decimal("25.00")}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency: 0.01, or 1 for JPY."""
    return Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else CENT


def in_minor_units(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def local_fee(usd: Decimal, currency: str) -> Decimal:
    """A US-dollar fee in the currency (price factor applied), rounded to its minor unit."""
    return in_minor_units(usd * PRICE_FACTORS.get(currency, Decimal(1)), currency)


def subscription_fee(currency: str) -> Decimal:
    return SUBSCRIPTION.get(currency) or local_fee(SUBSCRIPTION["USD"], currency)


def fee_profile(product: Product) -> FeeProfile:
    """The fee profile of a product; a kit takes its first component's category and pays a weight fee."""
    if product.is_kit:
        base = fee_profile(PRODUCTS_BY_SKU[product.components[0][0]])
        return FeeProfile(base.category, base.referral_rate, base.fba_per_unit_usd + Decimal("1.10"),
                          _KIT_WEIGHT_USD, base.closing_fee_usd)
    return _BY_FAMILY[product.parent_sku or product.sku]


def referral_fee(profile: FeeProfile, sales_amount: Decimal, quantity: int, currency: str) -> Decimal:
    """Amazon's Commission on the sales amount (item, shipping, gift wrap, after promotions), never below the
    per-unit minimum. Positive; the settlement line carries it negative."""
    minimum = local_fee(REFERRAL_MINIMUM_USD, currency) * quantity
    return max(in_minor_units(sales_amount * profile.referral_rate, currency), minimum)


def refund_admin_fee(commission: Decimal, quantity: int, currency: str) -> Decimal:
    """RefundCommission: what Amazon keeps of a refunded referral fee. Positive."""
    cap = local_fee(REFUND_ADMIN_CAP_USD, currency) * quantity
    return min(in_minor_units(commission * REFUND_ADMIN_SHARE, currency), cap)
