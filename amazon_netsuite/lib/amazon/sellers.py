"""Sellers API v1: the marketplaces a seller account participates in
(https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference, getMarketplaceParticipations)."""

from __future__ import annotations

from dataclasses import dataclass

from amazon_netsuite.lib.amazon.client import SpApiClient

PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"


@dataclass(frozen=True)
class Participation:
    marketplace_id: str
    name: str
    currency: str
    participating: bool
    suspended_listings: bool


class SellersApi:
    def __init__(self, client: SpApiClient) -> None:
        self.client = client

    def marketplace_participations(self) -> list[Participation]:
        response = self.client.request("getMarketplaceParticipations", "GET", PARTICIPATIONS_PATH)
        return [Participation(p["marketplace"]["id"], p["marketplace"]["name"],
                              p["marketplace"]["defaultCurrencyCode"], bool(p["participation"]["isParticipating"]),
                              bool(p["participation"]["hasSuspendedListings"]))
                for p in (response.payload or {}).get("payload") or []]
