"""What differs by marketplace: ship-to places, how tax works, order-id prefixes and currency formatting."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from amazon_netsuite.lib.settings import Storefront

CENT = Decimal("0.01")

# sales-channel → ISO country, for the marketplaces a settings file is likely to name.
COUNTRY_BY_SALES_CHANNEL = {
    "amazon.com": "US",
    "amazon.ca": "CA",
    "amazon.com.mx": "MX",
    "amazon.com.br": "BR",
    "amazon.de": "DE",
    "amazon.co.uk": "GB",
    "amazon.fr": "FR",
    "amazon.it": "IT",
    "amazon.es": "ES",
    "amazon.nl": "NL",
    "amazon.se": "SE",
    "amazon.pl": "PL",
    "amazon.com.be": "BE",
    "amazon.co.jp": "JP",
    "amazon.com.au": "AU",
}

# Real order ids start with a marketplace-specific 3-digit group.
ORDER_ID_PREFIXES = {
    "US": ("111", "112", "113"),
    "CA": ("702",),
    "MX": ("701",),
    "DE": ("302", "028"),
    "GB": ("202", "203", "204", "205", "206"),
    "FR": ("402", "403", "404", "405", "406", "407", "408"),
    "IT": ("402", "403", "404", "405", "406", "407", "408"),
    "ES": ("402", "403", "404", "405", "406", "407", "408"),
    "JP": ("249", "250", "503"),
}

# Rough USD → local price factors; catalog prices are set in USD and rounded to .99 locally.
PRICE_FACTORS = {"USD": Decimal("1"), "CAD": Decimal("1.37"), "EUR": Decimal("1.05"), "GBP": Decimal("0.9"),
                 "MXN": Decimal("18"), "JPY": Decimal("150"), "SEK": Decimal("11"), "PLN": Decimal("4.3")}

ZERO_DECIMAL_CURRENCIES = {"JPY"}


@dataclass(frozen=True)
class ShipTo:
    city: str
    state: str
    postal_code: str
    country: str
    tax_rate: Decimal  # sales tax / GST+PST rate in percent; unused where prices include VAT


_US = [
    ShipTo("Seattle", "WA", "98101", "US", Decimal("10.35")),
    ShipTo("Los Angeles", "CA", "90012", "US", Decimal("9.5")),
    ShipTo("New York", "NY", "10001", "US", Decimal("8.875")),
    ShipTo("Austin", "TX", "78701", "US", Decimal("8.25")),
    ShipTo("Miami", "FL", "33101", "US", Decimal("7")),
    ShipTo("Chicago", "IL", "60601", "US", Decimal("10.25")),
    ShipTo("Portland", "OR", "97201", "US", Decimal("0")),
    ShipTo("Boston", "MA", "02108", "US", Decimal("6.25")),
    ShipTo("Denver", "CO", "80202", "US", Decimal("8.81")),
    ShipTo("Atlanta", "GA", "30303", "US", Decimal("8.9")),
]
_CA = [
    ShipTo("Toronto", "ON", "M5H 2N2", "CA", Decimal("13")),
    ShipTo("Montréal", "QC", "H2Y 1C6", "CA", Decimal("14.975")),
    ShipTo("Québec", "QC", "G1R 4P5", "CA", Decimal("14.975")),
    ShipTo("Vancouver", "BC", "V6B 1A1", "CA", Decimal("12")),
    ShipTo("Calgary", "AB", "T2P 1J9", "CA", Decimal("5")),
    ShipTo("Halifax", "NS", "B3H 1A1", "CA", Decimal("14")),
]
_DE = [
    ShipTo("Berlin", "Berlin", "10115", "DE", Decimal("0")),
    ShipTo("München", "Bayern", "80331", "DE", Decimal("0")),
    ShipTo("Köln", "Nordrhein-Westfalen", "50667", "DE", Decimal("0")),
    ShipTo("Düsseldorf", "Nordrhein-Westfalen", "40213", "DE", Decimal("0")),
    ShipTo("Hamburg", "Hamburg", "20095", "DE", Decimal("0")),
    ShipTo("Frankfurt am Main", "Hessen", "60311", "DE", Decimal("0")),
    ShipTo("Nürnberg", "Bayern", "90402", "DE", Decimal("0")),
]
_FR = [
    ShipTo("Paris", "Île-de-France", "75001", "FR", Decimal("0")),
    ShipTo("Lyon", "Auvergne-Rhône-Alpes", "69001", "FR", Decimal("0")),
    ShipTo("Marseille", "Provence-Alpes-Côte d'Azur", "13001", "FR", Decimal("0")),
    ShipTo("Toulouse", "Occitanie", "31000", "FR", Decimal("0")),
    ShipTo("Lille", "Hauts-de-France", "59000", "FR", Decimal("0")),
    ShipTo("Bordeaux", "Nouvelle-Aquitaine", "33000", "FR", Decimal("0")),
]
SHIP_TO = {"US": _US, "CA": _CA, "DE": _DE, "FR": _FR}


@dataclass(frozen=True)
class Market:
    """One storefront's marketplace rules, derived from its settings entry."""

    storefront: Storefront
    country: str
    order_id_prefixes: tuple[str, ...]
    places: tuple[ShipTo, ...]
    vat_rate: Decimal | None  # set when prices include VAT
    marketplace_facilitator: bool  # Amazon collects and remits the sales tax (US)

    @property
    def currency(self) -> str:
        return self.storefront.currency

    def money(self, amount: Decimal) -> str:
        """Amazon flat-file amounts: `.` decimals, two places (none for JPY)."""
        places = Decimal(1) if self.currency in ZERO_DECIMAL_CURRENCIES else CENT
        return str(amount.quantize(places, rounding=ROUND_HALF_UP))

    def local_price(self, usd: Decimal) -> Decimal:
        factor = PRICE_FACTORS.get(self.currency, Decimal(1))
        if self.currency in ZERO_DECIMAL_CURRENCIES:
            return (usd * factor).quantize(Decimal(10), rounding=ROUND_HALF_UP)
        # Round to a whole unit, then .99: the way shelf prices look.
        return max((usd * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP) - CENT, Decimal("0.99"))

    def tax_on(self, amount: Decimal, place: ShipTo) -> Decimal:
        """Tax for an amount: the VAT part included in it, or sales tax added on top."""
        places = Decimal(1) if self.currency in ZERO_DECIMAL_CURRENCIES else CENT
        if self.vat_rate is not None:
            return (amount * self.vat_rate / (100 + self.vat_rate)).quantize(places, rounding=ROUND_HALF_UP)
        return (amount * place.tax_rate / 100).quantize(places, rounding=ROUND_HALF_UP)


def market_for(storefront: Storefront) -> Market:
    channel = storefront.sales_channel.lower()
    country = COUNTRY_BY_SALES_CHANNEL.get(channel) or channel.rsplit(".", 1)[-1].upper()
    places = SHIP_TO.get(country) or [ShipTo("Capital City", "", "10000", country, Decimal("0"))]
    vat = storefront.vat_rate if storefront.prices_include_vat else None
    return Market(
        storefront=storefront,
        country=country,
        order_id_prefixes=ORDER_ID_PREFIXES.get(country, ("171",)),
        places=tuple(places),
        vat_rate=vat,
        marketplace_facilitator=country == "US",
    )
