"""Sellers API v1: getMarketplaceParticipations, the marketplaces a seller account sells in
(https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference). The sandbox's account participates in
the marketplaces of its storefronts in the sandbox's settings, none suspended."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.marketplaces import country_of, language_of
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation

PATH = "/sellers/v1/marketplaceParticipations"


def participations(settings, account_key: str) -> list[dict]:
    """The account's participations as Amazon lists them: `marketplace` (id, name, country, currency, language,
    domain) and `participation`."""
    return [{
        "marketplace": {"id": s.marketplace_id, "name": s.sales_channel,
                        "countryCode": country_of(s.marketplace_id) or "US",
                        "defaultCurrencyCode": s.currency, "defaultLanguageCode": language_of(s.marketplace_id),
                        "domainName": f"www.{s.sales_channel.lower()}"},
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
    } for s in settings.account(account_key).storefronts]


@sp_api_operation("getMarketplaceParticipations")
async def get_marketplace_participations(request: Request, state, account: str) -> Response:
    return JSONResponse({"payload": participations(state.settings, account)})


routes = [Route(PATH, get_marketplace_participations, methods=["GET"])]
