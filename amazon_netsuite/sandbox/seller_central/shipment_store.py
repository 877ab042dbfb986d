"""Shipment confirmations (SQLite) under the sandbox's state directory: one row per order and package."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from amazon_netsuite.sandbox.world.orders import ConfirmedPackage

_SCHEMA = """
create table if not exists shipments (
    seller_account text not null,
    order_id text not null,
    package_reference_id text not null,
    marketplace_id text not null,
    storefront text not null,
    purchase_day text not null,
    body text not null,  -- the request body as sent, canonical JSON: what "the same package" compares
    units text not null,  -- JSON [[line index, quantity], ...]
    confirmed_at text not null,
    primary key (seller_account, order_id, package_reference_id)
);
"""


@dataclass(frozen=True)
class Shipment:
    seller_account: str
    order_id: str
    package_reference_id: str
    marketplace_id: str
    storefront: str
    purchase_day: date
    body: dict
    units: tuple[tuple[int, int], ...]
    confirmed_at: datetime

    def package(self) -> ConfirmedPackage:
        return ConfirmedPackage(self.confirmed_at, self.units)


def canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


class ShipmentStore:
    def __init__(self, state_dir: Path) -> None:
        self._con = sqlite3.connect(state_dir / "shipments.sqlite3", check_same_thread=False)
        self._con.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def _rows(self, where: str, args: tuple) -> list[Shipment]:
        with self._lock:
            rows = self._con.execute(
                "select seller_account, order_id, package_reference_id, marketplace_id, storefront, purchase_day, "
                f"body, units, confirmed_at from shipments where {where} order by confirmed_at, order_id, "
                "cast(package_reference_id as integer)", args).fetchall()
        return [Shipment(a, o, p, m, s, date.fromisoformat(d), json.loads(b), tuple(map(tuple, json.loads(u))),
                         datetime.fromisoformat(c)) for a, o, p, m, s, d, b, u, c in rows]

    def for_order(self, seller_account: str, order_id: str) -> list[Shipment]:
        return self._rows("seller_account = ? and order_id = ?", (seller_account, order_id))

    def for_account(self, seller_account: str, marketplace_id: str | None = None) -> list[Shipment]:
        if marketplace_id:
            return self._rows("seller_account = ? and marketplace_id = ?", (seller_account, marketplace_id))
        return self._rows("seller_account = ?", (seller_account,))

    def add(self, shipment: Shipment) -> None:
        with self._lock, self._con:
            self._con.execute(
                "insert into shipments values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (shipment.seller_account, shipment.order_id, shipment.package_reference_id, shipment.marketplace_id,
                 shipment.storefront, shipment.purchase_day.isoformat(), canonical(shipment.body),
                 json.dumps(shipment.units), shipment.confirmed_at.isoformat()))

    def confirmations(self, seller_account: str) -> tuple[dict[str, tuple[ConfirmedPackage, ...]],
                                                          dict[str, frozenset[date]]]:
        """What the order report applies: packages by order id, and purchase days of confirmed orders by
        storefront."""
        packages: defaultdict[str, list[ConfirmedPackage]] = defaultdict(list)
        days: defaultdict[str, set[date]] = defaultdict(set)
        for s in self.for_account(seller_account):
            packages[s.order_id].append(s.package())
            days[s.storefront].add(s.purchase_day)
        return {k: tuple(v) for k, v in packages.items()}, {k: frozenset(v) for k, v in days.items()}

    def close(self) -> None:
        self._con.close()
