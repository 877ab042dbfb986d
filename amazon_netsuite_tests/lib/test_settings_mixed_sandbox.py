"""Live on one side, sandbox on the other: live Amazon credentials with no NetSuite credentials would post real
orders to the loopback NetSuite sandbox (and the ledger would call them posted); the Amazon sandbox with live
NetSuite credentials would post generated orders to real books. Both are refused unless the settings allow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from amazon_netsuite.lib.settings import (
    SettingsError,
    amazon_connection,
    is_sandbox_mode,
    load_settings,
    netsuite_connection,
)

DEMO = Path(__file__).resolve().parents[2] / "data" / "accounts.yaml"
LIVE_AMAZON = {
    "DEMO_NA_LWA_CLIENT_ID": "id-na", "DEMO_NA_LWA_CLIENT_SECRET": "s-na", "DEMO_NA_REFRESH_TOKEN": "Atzr|na",
    "DEMO_EU_LWA_CLIENT_ID": "id-eu", "DEMO_EU_LWA_CLIENT_SECRET": "s-eu", "DEMO_EU_REFRESH_TOKEN": "Atzr|eu",
    "DEMO_VENDOR_LWA_CLIENT_ID": "id-v", "DEMO_VENDOR_LWA_CLIENT_SECRET": "s-v", "DEMO_VENDOR_REFRESH_TOKEN": "Atzr|v",
}


def _live_netsuite(tmp_path: Path) -> dict[str, str]:
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n")
    return {"NETSUITE_CLIENT_ID": "cid", "NETSUITE_CERTIFICATE_ID": "kid", "NETSUITE_PRIVATE_KEY_PATH": str(key)}


def _allowing(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(DEMO.read_text(encoding="utf-8") + "\nallow_mixed_sandbox: true\n", encoding="utf-8")
    return path


def test_live_amazon_credentials_without_netsuite_credentials_are_refused_naming_the_way_out():
    settings = load_settings(DEMO)
    for start in (lambda: netsuite_connection(settings, LIVE_AMAZON),
                  lambda: amazon_connection(settings, "demo-na", LIVE_AMAZON),
                  lambda: is_sandbox_mode(settings, LIVE_AMAZON)):  # what `sync` asks first
        with pytest.raises(SettingsError) as refused:
            start()
        message = str(refused.value)
        assert "live Amazon credentials are set (seller accounts demo-na, demo-eu)" in message
        assert "NETSUITE_CLIENT_ID" in message and "loopback NetSuite sandbox" in message
        assert "allow_mixed_sandbox: true" in message


def test_the_amazon_sandbox_with_live_netsuite_credentials_is_refused(tmp_path):
    settings = load_settings(DEMO)
    with pytest.raises(SettingsError, match=r"NetSuite credentials are set \(account 1234567_SB1\).*"
                                            r"allow_mixed_sandbox: true"):
        netsuite_connection(settings, _live_netsuite(tmp_path))


def test_with_allow_mixed_sandbox_the_mix_loads_and_the_ledger_names_the_sandbox(tmp_path):
    settings = load_settings(_allowing(tmp_path))
    assert settings.allow_mixed_sandbox
    env = {**LIVE_AMAZON, "AMAZON_NETSUITE_SANDBOX_URL": "http://127.0.0.1:9999"}
    assert not is_sandbox_mode(settings, env)
    assert amazon_connection(settings, "demo-eu", env).endpoint == "https://sellingpartnerapi-eu.amazon.com"
    netsuite = netsuite_connection(settings, env)
    assert netsuite.sandbox and netsuite.base_url == "http://127.0.0.1:9999"
    assert netsuite.ledger_account == "sandbox"
    live = netsuite_connection(settings, _live_netsuite(tmp_path))
    assert not live.sandbox and live.ledger_account == "1234567_SB1"


def test_both_sides_live_or_both_in_the_sandbox_need_no_permission(tmp_path):
    settings = load_settings(DEMO)
    assert netsuite_connection(settings, {**LIVE_AMAZON, **_live_netsuite(tmp_path)}).ledger_account == "1234567_SB1"
    assert netsuite_connection(settings, {}).ledger_account == "sandbox"
    assert is_sandbox_mode(settings, {})
