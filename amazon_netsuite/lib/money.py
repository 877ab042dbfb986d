"""Money as text: exact decimals written the same way in every summary, message and payload."""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal | None) -> str:
    """An exact decimal as text with at least two places (`12.5000` → `12.50`, `0.1234` stays)."""
    value = Decimal(0) if value is None else value
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


# ISO 4217 minor units where they are not 2.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}


def minor_units(currency: str) -> int:
    """Decimal places an amount in `currency` may have (JPY 0, USD 2, KWD 3)."""
    return MINOR_UNITS.get(currency.upper(), 2)
