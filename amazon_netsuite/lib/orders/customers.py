"""Which NetSuite customer an order is sold to: one per storefront (default) or, as an option, one per buyer.

Per buyer, the customer's external id is a hash of the buyer's identity as the order report gives it (the buyer's
e-mail when the report carries one, else the ship-to city, state, postal code and country), salted with the
storefront so the same buyer in two currencies gets two customers. The raw e-mail never goes into the external id:
external ids show up in URLs, logs and exports. The customer record itself does hold what the report gave (the
ship-to, and the e-mail when present): that copy of personal data into the ERP is the trade-off README.md
describes. FBA orders always go to the storefront's customer: Amazon gives no buyer for them
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164086082106.html).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amazon_netsuite.lib.settings import Settings

BUYER_PREFIX = "AMZ-BUYER-"


@dataclass(frozen=True)
class ShipTo:
    """What the order report tells about the buyer (no name or street: those need Amazon's restricted data)."""

    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    email: str | None = None

    def identity(self) -> str | None:
        """The normalised text the buyer is recognised by, or None when the report gave nothing usable."""
        if self.email and self.email.strip():
            return "email:" + self.email.strip().lower()
        parts = [(p or "").strip().upper() for p in (self.country, self.state, self.postal_code, self.city)]
        return "ship-to:" + "|".join(parts) if any(parts) else None


@dataclass(frozen=True)
class CustomerPosting:
    external_id: str
    body: dict[str, Any]


def buyer_customer_id(storefront: str, identity: str) -> str:
    digest = hashlib.sha256(f"{storefront}\n{identity}".encode()).hexdigest()
    return f"{BUYER_PREFIX}{digest[:32]}"


def customer_for(order: Mapping[str, Any], ship_to: ShipTo | None, settings: Settings) -> CustomerPosting | None:
    """The per-buyer customer to upsert before this order's transaction, or None for the storefront's customer."""
    if settings.order_posting.customer != "per_buyer" or order["channel"] == "FBA" or ship_to is None:
        return None
    identity = ship_to.identity()
    if identity is None:
        return None
    storefront = order["storefront"]
    targets = settings.storefront_posting(storefront)
    external_id = buyer_customer_id(storefront, identity)
    body: dict[str, Any] = {
        "externalId": external_id,
        "isPerson": False,
        "companyName": f"Amazon buyer {external_id[len(BUYER_PREFIX):][:10]} ({storefront})",
        "subsidiary": {"externalId": targets.subsidiary},
        "currency": {"externalId": order["currency"]},
    }
    if ship_to.email:
        body["email"] = ship_to.email.strip()
    address = {k: v for k, v in (("city", ship_to.city), ("state", ship_to.state), ("zip", ship_to.postal_code))
               if v}
    if ship_to.country:
        address["country"] = {"id": ship_to.country}
    if address:
        body["addressBook"] = {"items": [{"defaultShipping": True, "addressBookAddress": address}]}
    return CustomerPosting(external_id, body)
