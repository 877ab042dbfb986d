"""`accounts add` and `accounts clone`: a new seller or vendor account appended to the settings file, inactive (its
sensors and schedules off) until someone has checked it and switched it on, as Celigo's clone leaves a cloned
integration's flows off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from amazon_netsuite.lib.accounts.settings_file import AccountsError, SettingsFile, append, plain_copy
from amazon_netsuite.lib.amazon.marketplaces import MARKETPLACES, country_of
from amazon_netsuite.lib.settings import Settings, SettingsError, load_settings
from amazon_netsuite.lib.settings.accounts import VAT_RATES

# Per-storefront sections a clone copies, by their path in the settings file. `inventory.split_locations` is not
# among them: a share copied to a new storefront could split a location past the whole of it.
STOREFRONT_SECTIONS = (("order_posting", "storefronts"), ("inventory", "storefronts"),
                       ("inventory", "safety_stock", "storefronts"), ("pricing", "storefronts"),
                       ("listings", "storefronts"))


# Stands for a clone's vendor code until it is known (Amazon's pattern: 3 to 10 capitals or digits).
PLACEHOLDER_VENDOR_CODE = "VENDORCODE"


@dataclass(frozen=True)
class NewAccount:
    key: str
    storefronts: dict[str, str]  # new storefront key → the source's (clone) or the marketplace id (add); vendor: {}
    settings: Settings  # the settings as written
    kind: str = "seller"  # or "vendor"


def credential_names(account_key: str) -> CommentedMap:
    """The environment variables of the account's LWA credentials, named after its key (demo-na → DEMO_NA_...)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", account_key).strip("_").upper()
    return CommentedMap([("lwa_client_id_env", f"{stem}_LWA_CLIENT_ID"),
                         ("lwa_client_secret_env", f"{stem}_LWA_CLIENT_SECRET"),
                         ("refresh_token_env", f"{stem}_REFRESH_TOKEN")])


def placeholder_seller_id(account_key: str) -> str:
    """Stands for the seller id (merchant token) until it is known; unique per account, so storefronts stay unique
    per seller and marketplace."""
    return f"SELLER-ID-OF-{account_key}"


def _open(path: Path, new_key: str) -> tuple[Settings, SettingsFile]:
    try:
        settings = load_settings(path)
    except SettingsError as exc:
        raise AccountsError(str(exc)) from None
    taken = {**{k: "storefront" for k in settings.storefront_keys},
             **{a.key: "seller account" for a in settings.seller_accounts},
             **{v.key: "vendor account" for v in settings.vendor_accounts}}
    if new_key in taken:  # seller, vendor accounts and storefronts: one name space (connections, partitions)
        raise AccountsError(f"{taken[new_key]} {new_key} already exists in {path}; choose another key "
                            "(nothing was written)")
    return settings, SettingsFile(path)


def _refuse_taken(settings: Settings, keys: list[str], path: Path) -> None:
    taken = [k for k in keys if k in settings.storefront_keys]
    if taken:
        raise AccountsError(f"storefront {', '.join(taken)} already exists in {path}; choose another account key "
                            "or name the storefronts (nothing was written)")
    if len(set(keys)) != len(keys):
        raise AccountsError(f"two new storefronts would have the same key ({', '.join(keys)}); name them "
                            "(nothing was written)")


def _account_node(key: str, seller_id: str, region: str, storefronts: list[CommentedMap]) -> CommentedMap:
    return CommentedMap([("key", key), ("seller_id", seller_id), ("region", region),
                         ("active", False), ("credentials", credential_names(key)),
                         ("storefronts", CommentedSeq(storefronts))])


def clone_vendor_account(file: SettingsFile, source_key: str, new_key: str,
                         vendor_code: str | None = None) -> NewAccount:
    """Copy vendor account `source_key` (programs, NetSuite targets, every other setting) to `new_key`, inactive,
    its vendor code a placeholder unless given and its credential variables named after `new_key`."""
    node = next(v for v in file.doc["vendor_accounts"] if v["key"] == source_key)
    account = plain_copy(node)
    account["key"] = new_key
    account["vendor_code"] = vendor_code or PLACEHOLDER_VENDOR_CODE
    account["credentials"] = credential_names(new_key)
    if "active" in account:
        account["active"] = False
    else:
        account.insert(list(account).index("credentials") + 1, "active", False)
    append(file.doc["vendor_accounts"], account)
    return NewAccount(new_key, {}, file.write(), kind="vendor")


def clone_account(path: Path, source_key: str, new_key: str, seller_id: str | None = None,
                  vendor_code: str | None = None) -> NewAccount:
    """Copy `source_key`'s account and every per-storefront mapping to `new_key`, inactive. Storefront keys are
    `new_key` + the marketplace's country (`acme-US`); the seller id is a placeholder unless given; credential
    variables are named after `new_key`. A vendor account's clone is `clone_vendor_account`."""
    settings, file = _open(path, new_key)
    if source_key in {v.key for v in settings.vendor_accounts}:
        if seller_id:
            raise AccountsError(f"{source_key} is a vendor account: give --vendor-code, not --seller-id")
        return clone_vendor_account(file, source_key, new_key, vendor_code)
    if vendor_code:
        raise AccountsError(f"{source_key} is not a vendor account: --vendor-code is for cloning one")
    try:
        source = settings.account(source_key)
    except KeyError:
        known = ", ".join([*(a.key for a in settings.seller_accounts), *(v.key for v in settings.vendor_accounts)])
        raise AccountsError(f"account {source_key} is not in {path} (known: {known})") from None
    renamed = {s.key: f"{new_key}-{country_of(s.marketplace_id) or s.key.rsplit('-', 1)[-1]}"
               for s in source.storefronts}
    _refuse_taken(settings, list(renamed.values()), path)
    node = next(a for a in file.doc["seller_accounts"] if a["key"] == source_key)
    storefronts = []
    for given in node["storefronts"]:
        copy = plain_copy(given)
        copy["key"] = renamed[given["key"]]
        storefronts.append(copy)
    account = _account_node(new_key, seller_id or placeholder_seller_id(new_key), source.region, storefronts)
    for extra in (k for k in node if k not in account):  # settings added to accounts later travel too
        account[extra] = plain_copy(node[extra])
    append(file.doc["seller_accounts"], account)
    for keys in STOREFRONT_SECTIONS:
        section = file.section(*keys)
        for old, new in renamed.items():
            if section is not None and old in section:
                append(section, plain_copy(section[old]), key=new)
    return NewAccount(new_key, {new: old for old, new in renamed.items()}, file.write())


def _marketplace(value: str, account_key: str, region: str) -> tuple[str, str]:
    """`ID[:STOREFRONT_KEY]` → (marketplace id, storefront key; default `{account}-{country}`)."""
    marketplace_id, _, key = value.partition(":")
    if marketplace_id not in MARKETPLACES:
        raise AccountsError(f"--marketplace {value}: {marketplace_id} is not an Amazon marketplace id "
                            "(https://developer-docs.amazon.com/sp-api/docs/marketplace-ids)")
    channel, _, its_region = MARKETPLACES[marketplace_id]
    if its_region != region:
        raise AccountsError(f"--marketplace {value}: {channel} is in SP-API region {its_region}, not {region}; "
                            "an account of another region is another seller account")
    return marketplace_id, key or f"{account_key}-{country_of(marketplace_id)}"


def add_account(path: Path, key: str, seller_id: str, region: str, marketplaces: list[str]) -> NewAccount:
    """Append a new inactive seller account selling in `marketplaces` (`ID[:STOREFRONT_KEY]`), each storefront with
    the marketplace's sales channel and currency (VAT-inclusive prices in the marketplaces with a standard VAT)."""
    settings, file = _open(path, key)
    if not marketplaces:
        raise AccountsError("name at least one --marketplace ID[:STOREFRONT_KEY]")
    chosen = [_marketplace(m, key, region) for m in marketplaces]
    _refuse_taken(settings, [k for _, k in chosen], path)
    storefronts = []
    for marketplace_id, storefront_key in chosen:
        channel, currency, _ = MARKETPLACES[marketplace_id]
        storefront = CommentedMap([("key", storefront_key), ("marketplace_id", marketplace_id),
                                   ("currency", currency), ("sales_channel", channel)])
        if channel.lower() in VAT_RATES:
            storefront["prices_include_vat"] = True
        storefronts.append(storefront)
    append(file.doc["seller_accounts"], _account_node(key, seller_id, region, storefronts))
    return NewAccount(key, {k: m for m, k in chosen}, file.write())
