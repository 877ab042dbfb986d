"""The V2 settlement flat file as Amazon writes it: tab-separated, Amazon's header names, a totals row first.

The first data row carries settlement-id, the period, deposit-date, total-amount and currency with every detail
column empty; detail rows repeat only settlement-id. Amounts and dates follow the marketplace: North American files
write `1234.56` and ISO 8601 instants (`2026-10-02T10:11:12+00:00`), continental European ones decimal commas with
`.` thousands (`1.234,56`) and `dd.mm.yyyy` dates (`02.10.2026 10:11:12 UTC`).
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from amazon_netsuite.sandbox.world.markets import ZERO_DECIMAL_CURRENCIES
from amazon_netsuite.sandbox.world.orders import World
from amazon_netsuite.sandbox.world.settlements import Settlement

# Amazon's documented attributes in file order, then the promotion-id column real files carry.
SETTLEMENT_COLUMNS: list[str] = [
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
]

_DECIMAL_COMMA_COUNTRIES = frozenset({"DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE"})
_DAY_FIRST_COUNTRIES = _DECIMAL_COMMA_COUNTRIES | {"GB"}


@dataclass(frozen=True)
class FileLocale:
    """How a marketplace writes amounts, dates and bytes."""

    decimal_comma: bool
    day_first: bool
    encoding: str  # Python codec
    charset: str  # as the download's Content-Type declares it

    @property
    def content_type(self) -> str:
        return f"text/plain; charset={self.charset}"


def file_locale(country: str) -> FileLocale:
    """The flat-file conventions of a marketplace country."""
    if country == "JP":
        return FileLocale(False, False, "cp932", "Shift_JIS")
    if country in _DAY_FIRST_COUNTRIES:
        return FileLocale(country in _DECIMAL_COMMA_COUNTRIES, True, "utf-8", "UTF-8")
    return FileLocale(False, False, "cp1252", "Cp1252")


def format_amount(amount: Decimal, currency: str, locale: FileLocale) -> str:
    """`1234.56`, or `1.234,56` with decimal commas; no decimals for JPY."""
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    if not locale.decimal_comma:
        return f"{amount:.{places}f}"
    return f"{amount:,.{places}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_instant(at: datetime, locale: FileLocale) -> str:
    at = at.astimezone(timezone.utc)
    return at.strftime("%d.%m.%Y %H:%M:%S UTC") if locale.day_first else at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def format_day(at: datetime, locale: FileLocale) -> str:
    at = at.astimezone(timezone.utc)
    return at.strftime("%d.%m.%Y") if locale.day_first else at.strftime("%Y-%m-%d")


def locale_of(world: World, found: Settlement) -> FileLocale:
    """The settlement's file conventions: those of its account's first storefront in that currency."""
    return file_locale(world.markets[found.period.stream.storefront_keys[0]].country)


def settlement_file_text(world: World, found: Settlement) -> str:
    """The whole file: header, totals row, one row per line; LF line ends."""
    period, currency = found.period, found.period.stream.currency
    locale = locale_of(world, found)
    money = {}  # most amounts repeat: format each once

    def amount(value: Decimal) -> str:
        text = money.get(value)
        if text is None:
            text = money[value] = format_amount(value, currency, locale)
        return text

    sid = period.settlement_id
    out = ["\t".join(SETTLEMENT_COLUMNS), "\t".join([
        sid, format_instant(period.start, locale), format_instant(period.end, locale),
        format_instant(period.deposit, locale), amount(found.total), currency, *[""] * 18,
    ])]
    instants: dict[datetime, tuple[str, str]] = {}
    for ln in found.lines:
        posted = instants.get(ln.posted)
        if posted is None:
            posted = instants[ln.posted] = (format_day(ln.posted, locale), format_instant(ln.posted, locale))
        out.append("\t".join((
            sid, "", "", "", "", "", ln.transaction_type, ln.order_id, "", ln.adjustment_id, ln.shipment_id,
            ln.marketplace_name, ln.amount_type, ln.amount_description, amount(ln.amount), ln.fulfillment_id,
            posted[0], posted[1], ln.order_item_code, "", "", ln.sku,
            "" if ln.quantity is None else str(ln.quantity), ln.promotion_id,
        )))
    return "\n".join(out) + "\n"


def settlement_document(
    world: World, found: Settlement, *, truncated: float = 0.0, wrong_charset: float = 0.0
) -> tuple[bytes, str]:
    """(gzip bytes, Content-Type) of the report document. The fault shares act like those of order reports:
    seeded by the report id, so the same settlement always gets the same faults."""
    locale = locale_of(world, found)
    rng = random.Random(f"document|{world.seed}|{found.period.report_id}")
    encoding = "utf-8" if rng.random() < wrong_charset else locale.encoding
    data = gzip.compress(settlement_file_text(world, found).encode(encoding), compresslevel=6, mtime=0)
    if rng.random() < truncated:
        data = data[: len(data) // 2]
    return data, locale.content_type
