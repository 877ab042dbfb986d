"""How the seller's warehouse ships an MFN order, as a pure function of the world's order: the ship method (a NetSuite
shipping item named after the carrier service), the packages with their weight and tracking number (none for an
untracked service), and whether part of the order leaves later the same day (a partial shipment)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from amazon_netsuite.sandbox.world.orders import Order


@dataclass(frozen=True)
class ShipMethod:
    name: str  # the shipping item's itemId, as a warehouse names it: carrier and service
    tracked: bool
    tracking_format: str  # per character: # a digit, A a capital letter or digit, else itself


SHIP_METHODS = (
    ShipMethod("UPS Ground", True, "1ZAAAAAA03########"),
    ShipMethod("USPS Priority Mail", True, "9400##################"),
    ShipMethod("FedEx Home Delivery", True, "############"),
    ShipMethod("UPS Standard", True, "1ZAAAAAA11########"),
    ShipMethod("DHL Paket", True, "00340434############"),
    ShipMethod("Royal Mail Tracked 48", True, "RM#########GB"),
    ShipMethod("Royal Mail 48", False, ""),  # Royal Mail's untracked 48-hour service
    # A local courier Amazon's carrier list does not have, handing over no tracking number.
    ShipMethod("Metro Courier", False, ""),
)
BY_NAME = {m.name: m for m in SHIP_METHODS}
# Ship methods the warehouse uses per destination country (weights add up to 100); other countries: UPS Standard.
_CHOICES = {
    "US": (("UPS Ground", 40), ("USPS Priority Mail", 30), ("FedEx Home Delivery", 20), ("Metro Courier", 10)),
    "CA": (("UPS Standard", 100),),
    "DE": (("DHL Paket", 90), ("Metro Courier", 10)),
    "GB": (("Royal Mail Tracked 48", 60), ("Royal Mail 48", 40)),
    "UK": (("Royal Mail Tracked 48", 60), ("Royal Mail 48", 40)),
}
# Seller-Fulfilled Prime needs a tracked premium service: never an untracked one.
_SFP = {"US": "UPS Ground", "DE": "DHL Paket", "GB": "Royal Mail Tracked 48", "UK": "Royal Mail Tracked 48"}
PARTIAL_SHARE = 0.3  # of orders of two or more units
REST_DELAY = timedelta(hours=3)  # the rest of a partial shipment leaves the same day, this much later


@dataclass(frozen=True)
class Package:
    description: str
    weight: Decimal  # the account's weight unit (lb in the demo)
    tracking_number: str | None


def _rng(order: Order, part: str) -> random.Random:
    return random.Random(hashlib.sha256(f"{order.amazon_order_id}/{part}".encode()).digest())


def ship_method(order: Order, country: str) -> ShipMethod:
    """The service the warehouse ships the order with."""
    if order.is_prime and country in _SFP:
        return BY_NAME[_SFP[country]]
    choices = _CHOICES.get(country, (("UPS Standard", 100),))
    names, weights = zip(*choices)
    return BY_NAME[_rng(order, "method").choices(names, weights)[0]]


def rest_ships_at(order: Order) -> datetime | None:
    """When the rest of a partial shipment leaves (None: the order ships whole): some orders of two or more units,
    the same UTC day as the first part, so both fulfillments post COGS on the ship day."""
    if order.shipped_at is None or sum(line.quantity for line in order.lines) < 2:
        return None
    later = order.shipped_at + REST_DELAY
    if later.date() != order.shipped_at.date() or _rng(order, "partial").random() >= PARTIAL_SHARE:
        return None
    return later


def first_part(lines: list[dict]) -> list[dict]:
    """The lines (`orderLine`, `quantity`) of the first part of a partial shipment: every line but the last, or
    half of a single line's units."""
    if len(lines) > 1:
        return lines[:-1]
    (line,) = lines
    return [{**line, "quantity": line["quantity"] - line["quantity"] // 2}] if line["quantity"] >= 2 else lines


def packages(order: Order, part: str, units: int, method: ShipMethod) -> list[Package]:
    """One carton for one or two units, two or three for more; a tracking number each for a tracked service."""
    rng = _rng(order, f"packages/{part}")
    count = 1 if units <= 1 else (rng.choice((1, 2)) if units == 2 else min(units, rng.choice((2, 3))))
    result = []
    for index in range(count):
        in_box = units // count + (1 if index < units % count else 0)
        weight = Decimal("0.4") + Decimal("0.7") * in_box + Decimal(rng.randint(0, 50)) / 100
        tracking = "".join(rng.choice("0123456789") if c == "#" else
                           rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") if c == "A" else c
                           for c in method.tracking_format) if method.tracked else None
        result.append(Package(f"Carton {index + 1} of {count}", weight.quantize(Decimal("0.01")), tracking))
    return result
