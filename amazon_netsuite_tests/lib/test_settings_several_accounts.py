"""Several seller accounts in one settings file: a storefront is one seller in one marketplace, two active accounts
never share a sales channel, and an inactive account's storefronts keep their partitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from amazon_netsuite.lib.settings import SettingsError, load_settings

NA = """
  - key: {key}
    seller_id: {seller}
    region: na
    {active}
    credentials: {{lwa_client_id_env: {key}_A, lwa_client_secret_env: {key}_B, refresh_token_env: {key}_C}}
    storefronts:
      - {{key: {key}-US, marketplace_id: ATVPDKIKX0DER, currency: USD, sales_channel: Amazon.com}}
"""


def settings_file(tmp_path: Path, *accounts: tuple[str, str, bool]) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text("seller_accounts:" + "".join(
        NA.format(key=key, seller=seller, active="" if active else "active: false") for key, seller, active in accounts))
    return path


def test_two_storefronts_of_one_seller_in_one_marketplace_are_refused_naming_both(tmp_path):
    path = settings_file(tmp_path, ("acme", "A1SELLER", True), ("acme2", "A1SELLER", False))
    with pytest.raises(SettingsError) as refused:
        load_settings(path)
    message = str(refused.value)
    assert "storefronts acme-US and acme2-US are both seller A1SELLER in marketplace ATVPDKIKX0DER" in message
    assert "keep one of them" in message


def test_an_inactive_account_may_sell_on_an_active_ones_marketplace_and_is_not_scheduled(tmp_path):
    settings = load_settings(settings_file(tmp_path, ("acme", "A1SELLER", True), ("beta", "A2SELLER", False)))
    assert settings.storefront_keys == ["acme-US", "beta-US"]  # both partitioned, for backfills
    assert [a.key for a in settings.active_accounts] == ["acme"]
    assert [s.key for s in settings.active_storefronts] == ["acme-US"]
    assert settings.storefront_by_sales_channel["amazon.com"].key == "acme-US"  # the active account's


def test_two_active_accounts_on_one_sales_channel_are_refused_saying_what_to_switch_off(tmp_path):
    with pytest.raises(SettingsError, match="sales channel Amazon.com is sold by two active storefronts, acme-US "
                                            "and beta-US.*set `active: false` on the other account"):
        load_settings(settings_file(tmp_path, ("acme", "A1SELLER", True), ("beta", "A2SELLER", True)))


def test_accounts_are_active_unless_the_settings_say_otherwise(tmp_path):
    settings = load_settings(settings_file(tmp_path, ("acme", "A1SELLER", True)))
    assert settings.account("acme").active is True


def test_one_account_may_not_have_two_storefronts_on_one_sales_channel_even_inactive(tmp_path):
    path = settings_file(tmp_path, ("acme", "A1SELLER", False))
    path.write_text(path.read_text() + "      - {key: acme-CA, marketplace_id: A2EUQ1WTGCTBG2, currency: CAD, "
                                       "sales_channel: amazon.com}\n")
    with pytest.raises(SettingsError, match="seller account acme: two storefronts have the same sales channel"):
        load_settings(path)
