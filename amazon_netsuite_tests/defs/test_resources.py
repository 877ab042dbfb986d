"""The resources refuse live Amazon facing the NetSuite sandbox when a run starts, before any step posts."""

from __future__ import annotations

import dagster as dg
import pytest

from amazon_netsuite.defs.resources import NetSuite, SellerCentral
from amazon_netsuite.lib.settings import SettingsError
from amazon_netsuite_tests.conftest import DEMO_SETTINGS

LIVE_AMAZON = {
    "DEMO_NA_LWA_CLIENT_ID": "id-na", "DEMO_NA_LWA_CLIENT_SECRET": "s-na", "DEMO_NA_REFRESH_TOKEN": "Atzr|na",
    "DEMO_EU_LWA_CLIENT_ID": "id-eu", "DEMO_EU_LWA_CLIENT_SECRET": "s-eu", "DEMO_EU_REFRESH_TOKEN": "Atzr|eu",
    "DEMO_VENDOR_LWA_CLIENT_ID": "id-v", "DEMO_VENDOR_LWA_CLIENT_SECRET": "s-v", "DEMO_VENDOR_REFRESH_TOKEN": "Atzr|v",
}


@pytest.mark.parametrize("resource", [NetSuite, SellerCentral])
def test_a_run_with_live_amazon_and_no_netsuite_credentials_fails_when_its_resources_start(monkeypatch, resource):
    for name, value in LIVE_AMAZON.items():
        monkeypatch.setenv(name, value)
    for name in ("NETSUITE_CLIENT_ID", "NETSUITE_CERTIFICATE_ID", "NETSUITE_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(dg.DagsterResourceFunctionError) as refused:
        with dg.build_resources({"r": resource(settings_file=str(DEMO_SETTINGS))}):
            pass
    cause = refused.value.__cause__
    assert isinstance(cause, SettingsError) and "allow_mixed_sandbox: true" in str(cause)


def test_resources_start_when_both_sides_are_in_the_sandbox(monkeypatch):
    for name in LIVE_AMAZON:
        monkeypatch.delenv(name, raising=False)
    with dg.build_resources({"netsuite": NetSuite(settings_file=str(DEMO_SETTINGS)),
                             "seller_central": SellerCentral(settings_file=str(DEMO_SETTINGS))}) as resources:
        assert resources.netsuite.settings_file == str(DEMO_SETTINGS)
