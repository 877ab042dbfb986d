"""The seller's catalog: ~60 SKUs with variations and a few kits, the same in every storefront.

Product names carry é, ü, ™ and – on purpose: cp1252 report files must round-trip them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product as cartesian


@dataclass(frozen=True)
class Product:
    sku: str
    asin: str
    name: str
    parent_sku: str | None  # the variation family (e.g. TSHIRT), None for stand-alone products
    price_usd: Decimal
    popularity: int  # relative weight when buyers pick products
    components: tuple[tuple[str, int], ...] = field(default=())  # (sku, quantity) for kits
    options: tuple[str, ...] = field(default=())  # a variation's value per axis of its family (FAMILY_AXES)

    @property
    def is_kit(self) -> bool:
        return bool(self.components)


def _asin(sku: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digest = hashlib.sha1(sku.encode()).digest()
    return "B0" + "".join(alphabet[b % 36] for b in digest[:8])


# (family sku, name pattern, USD price, popularity, variation axes); an axis value is a label or (label, sku part)
_FAMILIES: list[tuple[str, str, str, int, list[list]]] = [
    ("TSHIRT", "Organic Cotton T-Shirt – {0}, {1}", "19.99", 9, [["Red", "Blue", "Black"], ["S", "M", "L"]]),
    ("HOODIE", "Fleece Hoodie – {0}, {1}", "44.99", 5, [["Grey", "Navy"], ["M", "L", "XL"]]),
    ("MUG-CAFE", "Café Crème Coffee Mug™ – {0}", "14.99", 8, [["White", "Black"]]),
    ("SOCKS", "Merino Wool Socks – {0}, {1}", "12.99", 7, [["Grey", "Black"], [("S/M", "SM"), ("L/XL", "LXL")]]),
    ("BOWL-MUSLI", "Müsli Bowl Set – {0} (2 Stück)", "24.99", 3, [["Sage", "Sand"]]),
    ("BOTTLE", "Insulated Water Bottle – {0} ml, {1}", "22.99", 6, [["500", "750"], ["Steel", "Mint"]]),
    ("YOGAMAT", "Non-Slip Yoga Mat – {0}", "34.99", 4, [["Purple", "Green"]]),
    ("NOTEBOOK-A5", "Papeterie Notebook A5 – {0}", "9.99", 6, [["Dot", "Lined", "Grid"]]),
    ("CASE", "Slim Phone Case – {0}, {1}", "15.99", 5,
     [[("iPhone 15", "IP15"), ("iPhone 16", "IP16"), ("Galaxy S24", "GS24")], ["Clear", "Black"]]),
    ("CAP", "Washed Cotton Cap – {0}", "17.99", 3, [["Beige", "Olive"]]),
    ("CANDLE", "Soy Candle – {0}", "18.99", 4,
     [[("Vanille Crème", "VANILLA"), "Cedar", ("Citrus Brûlée", "CITRUS")]]),
    ("TOTE", "Canvas Tote Bag – {0}", "16.99", 3, [["Natural", "Black"]]),
    ("LEGGINGS", "High-Waist Leggings – {0}, {1}", "29.99", 4, [["Black", "Navy"], ["S", "M", "L"]]),
    ("EARBUDS", "Wireless Earbuds™ Pro – {0}", "59.99", 3, [["White", "Black"]]),
    ("COFFEE", "Café Beans – {0}, {1}", "13.99", 6, [["Espresso", "Decaf"], [("250 g", "250G"), ("1 kg", "1KG")]]),
]

# The variation axes of each family, in the order of its name pattern: a NetSuite matrix option per axis.
FAMILY_AXES: dict[str, tuple[str, ...]] = {
    "TSHIRT": ("color", "size"), "HOODIE": ("color", "size"), "MUG-CAFE": ("color",), "SOCKS": ("color", "size"),
    "BOWL-MUSLI": ("color",), "BOTTLE": ("capacity", "color"), "YOGAMAT": ("color",), "NOTEBOOK-A5": ("style",),
    "CASE": ("device_model", "color"), "CAP": ("color",), "CANDLE": ("scent",), "TOTE": ("color",),
    "LEGGINGS": ("color", "size"), "EARBUDS": ("color",), "COFFEE": ("flavor", "size"),
}

_KITS: list[tuple[str, str, str, int, tuple[tuple[str, int], ...]]] = [
    ("KIT-TSHIRT-MUG", "Gift Set – T-Shirt & Café Mug™", "31.99", 2,
     (("TSHIRT-BLACK-M", 1), ("MUG-CAFE-WHITE", 1))),
    ("KIT-YOGA-STARTER", "Yoga Starter Kit – Mat & Bottle", "52.99", 2,
     (("YOGAMAT-GREEN", 1), ("BOTTLE-750-MINT", 1))),
    ("KIT-COFFEE-LOVER", "Coffee Lover’s Set – Beans & Mug", "26.99", 2,
     (("COFFEE-ESPRESSO-250G", 1), ("MUG-CAFE-BLACK", 1))),
    ("KIT-SOCKS-3PK", "Merino Wool Socks – 3 Pack", "34.99", 3, (("SOCKS-GREY-SM", 3),)),
]


def _label_and_part(value: str | tuple[str, str]) -> tuple[str, str]:
    return value if isinstance(value, tuple) else (value, value.upper())


def _build() -> tuple[Product, ...]:
    products = []
    for family, pattern, price, popularity, axes in _FAMILIES:
        for combo in cartesian(*axes):
            labels, parts = zip(*(_label_and_part(v) for v in combo))
            sku = "-".join([family, *parts])
            products.append(Product(sku, _asin(sku), pattern.format(*labels), family, Decimal(price), popularity,
                                    options=labels))
    for sku, name, price, popularity, components in _KITS:
        products.append(Product(sku, _asin(sku), name, None, Decimal(price), popularity, components))
    return tuple(products)


CATALOG: tuple[Product, ...] = _build()
PRODUCTS_BY_SKU: dict[str, Product] = {p.sku: p for p in CATALOG}
