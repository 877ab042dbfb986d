"""`accounts check KEY`: one seller account against both APIs. Amazon: its LWA credentials give a token and the
Sellers API lists its storefronts' marketplaces among its participations. NetSuite: every record its mappings name
(and the shared ones: return locations, Amazon-label ship methods) exists and is active. Each problem is one line
saying what to fix."""

from __future__ import annotations

from amazon_netsuite.lib.amazon import AuthError, SpApiClient, SpApiError, SpApiUnreachable
from amazon_netsuite.lib.amazon.sellers import SellersApi
from amazon_netsuite.lib.netsuite import NetSuiteClient, NetSuiteError
from amazon_netsuite.lib.netsuite.setup_records import (
    RECORD_TYPES,
    read_customers,
    read_metadata,
    stale_mappings,
)
from amazon_netsuite.lib.settings import Settings, SettingsError, amazon_connection, netsuite_connection
from amazon_netsuite.lib.settings.netsuite_records import named_records


def amazon_problems(settings: Settings, account_key: str) -> list[str]:
    account = settings.account(account_key)
    problems = []
    if account.seller_id.startswith("SELLER-ID-OF-"):
        problems.append(f"amazon: seller_accounts.{account.key}.seller_id is the placeholder {account.seller_id}: "
                        "put the account's seller id (merchant token, Seller Central > Settings > Account Info)")
    try:
        with SpApiClient(amazon_connection(settings, account.key), max_attempts=3,
                         max_total_seconds=60) as client:
            participations = SellersApi(client).marketplace_participations()
    except (SettingsError, KeyError) as exc:
        return [*problems, f"amazon: credentials of {account.key}: {exc}"]
    except AuthError as exc:
        names = ", ".join(account.credentials.env_names())
        return [*problems, f"amazon: Login with Amazon refused the credentials of {account.key} ({exc}): set "
                           f"{names} to the app's client id and secret and the seller's refresh token"]
    except (SpApiError, SpApiUnreachable) as exc:
        return [*problems, f"amazon: the Sellers API did not answer for {account.key}: {exc}"]
    taking_part = {p.marketplace_id for p in participations if p.participating}
    listed = ", ".join(sorted(taking_part)) or "none"
    for storefront in account.storefronts:
        if storefront.marketplace_id not in taking_part:
            problems.append(
                f"amazon: storefront {storefront.key}: marketplace {storefront.marketplace_id} "
                f"({storefront.sales_channel}) is not among the marketplaces seller account {account.key} "
                f"participates in ({listed}): fix its marketplace_id, or remove the storefront")
    return problems


def netsuite_problems(settings: Settings, account_key: str) -> list[str]:
    named = named_records(settings, account_key)
    try:
        with NetSuiteClient(netsuite_connection(settings), max_attempts=3) as client:
            records = read_metadata(client)
            records += read_customers(client, (n.value for n in named if n.record_type == "customer"))
    except (SettingsError, NetSuiteError) as exc:
        return [f"netsuite: cannot read the records the mappings name: {exc}"]
    return [f"netsuite: {stale.message()}"
            for stale in stale_mappings(named, records, read_types=(*RECORD_TYPES, "customer"))]


def check_account(settings: Settings, account_key: str) -> list[str]:
    """Every problem of the account, Amazon's first; empty when it is ready to switch on."""
    return [*amazon_problems(settings, account_key), *netsuite_problems(settings, account_key)]
