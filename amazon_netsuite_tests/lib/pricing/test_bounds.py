"""The minimum and maximum allowed prices sent with a price: in the currency's minor unit, around the price."""

from decimal import Decimal

import pytest

from amazon_netsuite.lib.pricing.run import bounds


@pytest.mark.parametrize("price, currency, low, high, expected", [
    ("21.13", "USD", "0.9", "1.2", ("19.01", "25.36")),  # 19.017 down, 25.356 up
    ("1999", "JPY", "0.85", "1.15", ("1699", "2299")),   # 1699.15 down, 2298.85 up: whole yen
    ("10.00", "EUR", None, "1.5", (None, "15.00")),
    ("10.00", "EUR", None, None, (None, None)),
])
def test_the_minimum_rounds_down_and_the_maximum_up_so_the_price_always_lies_between(price, currency, low, high,
                                                                                     expected):
    got = bounds(Decimal(price), currency, Decimal(low) if low else None, Decimal(high) if high else None)
    assert got == tuple(Decimal(e) if e else None for e in expected)
    assert all(b is None or b.as_tuple().exponent == (0 if currency == "JPY" else -2) for b in got)
