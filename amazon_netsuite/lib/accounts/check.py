"""`accounts check KEY`: one seller or vendor account against both APIs. Amazon: its LWA credentials give a token
and the Sellers API lists its storefronts' marketplaces among its participations (a vendor account: the Vendor
Orders API answers, for its vendor code). NetSuite: every record its mappings name (a seller account's with the
shared ones: return locations, Amazon-label ship methods) exists and is active. Each problem is one line saying what
to fix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import islice
from typing import TypeVar

from amazon_netsuite.lib import postings
from amazon_netsuite.lib.accounts.editing import PLACEHOLDER_VENDOR_CODE
from amazon_netsuite.lib.amazon import AuthError, SpApiClient, SpApiError, SpApiUnreachable
from amazon_netsuite.lib.amazon.sellers import SellersApi
from amazon_netsuite.lib.amazon.vendor_orders import VendorOrdersApi
from amazon_netsuite.lib.netsuite import NetSuiteClient, NetSuiteError
from amazon_netsuite.lib.netsuite.setup_records import (
    RECORD_TYPES,
    read_customers,
    read_metadata,
    stale_mappings,
)
from amazon_netsuite.lib.settings import (
    SellerAccount,
    Settings,
    SettingsError,
    amazon_connection,
    netsuite_connection,
)
from amazon_netsuite.lib.settings.netsuite_records import named_records
from amazon_netsuite.lib.settings.vendor import VendorAccount

T = TypeVar("T")


def _ask_amazon(settings: Settings, account: SellerAccount | VendorAccount, api: str,
                ask: Callable[[SpApiClient], T]) -> T | str:
    """`ask(client)`'s answer over the account's connection, or the problem that kept it from answering."""
    try:
        with SpApiClient(amazon_connection(settings, account.key), max_attempts=3,
                         max_total_seconds=60) as client:
            return ask(client)
    except (SettingsError, KeyError) as exc:
        return f"amazon: credentials of {account.key}: {exc}"
    except AuthError as exc:
        names = ", ".join(account.credentials.env_names())
        return (f"amazon: Login with Amazon refused the credentials of {account.key} ({exc}): set {names} to the "
                "app's client id and secret and the account's refresh token")
    except (SpApiError, SpApiUnreachable) as exc:
        return f"amazon: the {api} did not answer for {account.key}: {exc}"


def vendor_amazon_problems(settings: Settings, account_key: str, now: datetime) -> list[str]:
    """A vendor account: its vendor code is not the placeholder, its credentials give a token, and the Vendor
    Orders API lists its purchase orders of the last day (one page of one order); an order it lists for another
    selling party means the vendor code is wrong."""
    vendor = settings.vendor_account(account_key)
    problems = []
    path = f"vendor_accounts.{vendor.key}.vendor_code"
    if vendor.vendor_code == PLACEHOLDER_VENDOR_CODE:
        problems.append(f"amazon: {path} is the placeholder {vendor.vendor_code}: put the account's vendor code "
                        "(Vendor Central > Settings > Account Settings, the selling party of its purchase orders)")
    answer = _ask_amazon(settings, vendor, "Vendor Orders API", lambda client: list(islice(
        VendorOrdersApi(client).purchase_orders(created_after=now - timedelta(days=1), created_before=now,
                                                page_size=1), 1)))
    if isinstance(answer, str):
        return [*problems, answer]
    parties = {o.order_details.selling_party.party_id for o in answer
               if o.order_details and o.order_details.selling_party}
    if parties and vendor.vendor_code not in parties:
        problems.append(f"amazon: {path} is {vendor.vendor_code}, but Amazon's purchase orders for these "
                        f"credentials are to selling party {', '.join(sorted(parties))}: set {path} to it")
    return problems


def amazon_problems(settings: Settings, account_key: str) -> list[str]:
    account = settings.account(account_key)
    problems = []
    if account.seller_id.startswith("SELLER-ID-OF-"):
        problems.append(f"amazon: seller_accounts.{account.key}.seller_id is the placeholder {account.seller_id}: "
                        "put the account's seller id (merchant token, Seller Central > Settings > Account Info)")
    participations = _ask_amazon(settings, account, "Sellers API",
                                 lambda client: SellersApi(client).marketplace_participations())
    if isinstance(participations, str):
        return [*problems, participations]
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


def check_account(settings: Settings, account_key: str, now: datetime | None = None) -> list[str]:
    """Every problem of the seller or vendor account, Amazon's first; empty when it is ready to switch on. `now`
    ends a vendor account's one-day window of purchase orders (default: the clock)."""
    if account_key in {v.key for v in settings.vendor_accounts}:
        amazon = vendor_amazon_problems(settings, account_key, now or postings.utc_now().replace(tzinfo=timezone.utc))
    else:
        amazon = amazon_problems(settings, account_key)
    return [*amazon, *netsuite_problems(settings, account_key)]
