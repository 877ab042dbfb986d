"""What to look at before switching a new account on, with the values it has now (copied or defaulted), as
Celigo lists after a clone: locations, posting statuses (auto-billing), currency, price level, variation settings,
customer, subsidiary; for a vendor account its targets, currency, auto-acknowledge per program and rejection
reason."""

from __future__ import annotations

from amazon_netsuite.lib.accounts.editing import PLACEHOLDER_VENDOR_CODE
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.settings.vendor import VendorAccount


def _value(value: object, default: bool) -> str:
    return f"{value} (default)" if default else str(value)


def revisit_lines(settings: Settings, account_key: str) -> list[str]:
    """One block per storefront of the account, after the account's own placeholders."""
    account = settings.account(account_key)
    names = account.credentials.env_names()
    lines = [f"seller_accounts.{account.key}.seller_id: {account.seller_id}"
             + (" (a placeholder: put the account's seller id, its merchant token, here)"
                if account.seller_id.startswith("SELLER-ID-OF-") else ""),
             f"credentials: set {', '.join(names)} in the environment (never in the file)",
             f"active: {str(account.active).lower()} (its sensors and schedules stay off until you set "
             "`active: true`, after `amazon-netsuite accounts check " f"{account.key}` is clean)"]
    for storefront in account.storefronts:
        key = storefront.key
        given = settings.order_posting.storefronts.get(key)
        written = given.model_fields_set if given else set()
        posting = settings.storefront_posting(key)
        stock_given = key in settings.inventory.storefronts and bool(settings.inventory.storefronts[key].locations)
        prices = settings.storefront_prices(key)
        listings = settings.listings.storefronts.get(key)
        lines += [
            f"{key} ({storefront.sales_channel}, marketplace {storefront.marketplace_id}):",
            f"  subsidiary: {_value(posting.subsidiary, 'subsidiary' not in written)}",
            f"  locations: Sales Orders {_value(posting.location, 'location' not in written)}, FBA Cash Sales "
            f"{_value(posting.fba_location, 'fba_location' not in written)}, stock pushed from "
            f"{_value(', '.join(settings.storefront_stock(key).locations), not stock_given)}",
            f"  customer: {_value(posting.customer, 'customer' not in written)}",
            f"  currency: {storefront.currency}"
            + (f", prices include VAT at {storefront.vat_rate}%" if storefront.prices_include_vat else ""),
            f"  price level: {_value(prices.price_level, key not in settings.pricing.storefronts)}"
            f" (push {'on' if prices.push else 'off'})",
            f"  posting statuses: orders {'post' if storefront.post_orders else 'do not post'} (post_orders), "
            f"Sales Orders {_value(posting.sales_order_status, 'sales_order_status' not in written)}, "
            f"billed by settlements {settings.settlement_posting(key)}",
            f"  class / department: {posting.class_ or 'none'} / {posting.department or 'none'}",
            f"  variation settings (matrix items as Amazon families): listings publish "
            f"{_value('on' if (listings.publish if listings else True) else 'off', listings is None)}, "
            f"update_existing {str(settings.listings.update_existing).lower()}",
        ]
    return lines


PROGRAMS = ("retail_procurement", "direct_fulfillment")


def _active(active: bool) -> str:
    return "active" if active else "inactive (sensors and schedules off)"


def _program(vendor: VendorAccount, name: str, why: bool = True) -> str:
    program = vendor.program(name)
    if not program.enabled:
        return "off"
    if not why:
        return f"on, auto-acknowledge {'on' if program.auto_acknowledge else 'off'}"
    return "on, auto-acknowledge " + ("on (Sales Orders post Pending Fulfillment, acknowledged at once)"
                                      if program.auto_acknowledge
                                      else "off (Sales Orders post Pending Approval, acknowledged once approved)")


def vendor_revisit_lines(settings: Settings, key: str) -> list[str]:
    """A vendor account's placeholders, NetSuite targets, currency, programs and rejection reason."""
    vendor = settings.vendor_account(key)
    written = vendor.netsuite.model_fields_set
    posting = vendor.posting
    placeholder = vendor.vendor_code == PLACEHOLDER_VENDOR_CODE
    return [
        f"vendor_accounts.{key}.vendor_code: {vendor.vendor_code}"
        + (" (a placeholder: put the account's vendor code, Amazon's sellingParty partyId, here)" if placeholder
           else ""),
        f"credentials: set {', '.join(vendor.credentials.env_names())} in the environment (never in the file)",
        f"active: {str(vendor.active).lower()} (its sensors and schedules stay off until you set `active: true`, "
        f"after `amazon-netsuite accounts check {key}` is clean)",
        f"NetSuite customer: {_value(posting.customer, 'customer' not in written)}",
        f"NetSuite subsidiary: {_value(posting.subsidiary, 'subsidiary' not in written)}",
        f"NetSuite location: {_value(posting.location, 'location' not in written)}",
        f"class / department: {posting.class_ or 'none'} / {posting.department or 'none'}",
        f"currency: {vendor.currency} (marketplace {vendor.marketplace_id})",
        *(f"{name}: {_program(vendor, name)}" for name in PROGRAMS),
        "rejection reason (quantities a Sales Order does not approve): "
        + _value(vendor.rejection_reason, "rejection_reason" not in vendor.model_fields_set),
    ]


def accounts_lines(settings: Settings) -> list[str]:
    """`accounts list`: each seller account, its region, seller id and whether it is active, with its storefronts;
    then each vendor account, its vendor code, and its programs."""
    lines = []
    for account in settings.seller_accounts:
        lines.append(f"{account.key:<14} {account.region}  seller {account.seller_id:<22} {_active(account.active)}")
        lines += [f"  {s.key:<14} {s.marketplace_id:<16} {s.sales_channel:<16} {s.currency}"
                  for s in account.storefronts]
    for vendor in settings.vendor_accounts:
        lines.append(f"{vendor.key:<14} {vendor.region}  vendor {vendor.vendor_code:<22} {_active(vendor.active)}")
        lines += [f"  {name:<18} {_program(vendor, name, why=False)}" for name in PROGRAMS]
    return lines
