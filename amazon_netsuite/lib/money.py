"""Money as text: exact decimals written the same way in every summary, message and payload."""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal | None) -> str:
    """An exact decimal as text with at least two places (`12.5000` → `12.50`, `0.1234` stays)."""
    value = Decimal(0) if value is None else value
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())
