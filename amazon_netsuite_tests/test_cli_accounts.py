"""`amazon-netsuite accounts list | add | clone | check` and `netsuite refresh-metadata` on copies of the demo
settings file (`settings_copy`), over HTTP against the module's sandbox (Amazon's LWA and Sellers API, NetSuite's
SuiteQL)."""

from __future__ import annotations

import yaml

from amazon_netsuite.cli import main
from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.lib.warehouse import connect


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_clone_copies_the_account_and_its_mappings_inactive_and_lists_what_to_revisit(settings_copy, capsys):
    before = settings_copy.read_text()
    assert main(["accounts", "clone", "demo-na", "acme"]) == 0
    out = capsys.readouterr().out
    settings = load_settings(settings_copy)
    acme = settings.account("acme")
    assert (acme.active, acme.region, acme.seller_id) == (False, "na", "SELLER-ID-OF-acme")
    assert acme.credentials.env_names() == ["ACME_LWA_CLIENT_ID", "ACME_LWA_CLIENT_SECRET", "ACME_REFRESH_TOKEN"]
    assert [(s.key, s.marketplace_id, s.currency, s.sales_channel) for s in acme.storefronts] == [
        ("acme-US", "ATVPDKIKX0DER", "USD", "Amazon.com"), ("acme-CA", "A2EUQ1WTGCTBG2", "CAD", "Amazon.ca")]
    assert settings.storefront_prices("acme-US").price_level == "Amazon US"  # pricing.storefronts.demo-US, copied
    assert settings.account("demo-na").active and [s.key for s in settings.active_storefronts] == [
        "demo-US", "demo-CA", "demo-DE", "demo-FR"]
    after = settings_copy.read_text()
    assert _comments(after) == _comments(before)  # every comment kept, in order
    assert after.index("acme-US") < after.index("# Flow switches")  # the new account sits before flows' comment
    for revisit in ("seller_accounts.acme.seller_id: SELLER-ID-OF-acme (a placeholder",
                    "subsidiary: SUB-na (default)",
                    "locations: Sales Orders WH-na (default), FBA Cash Sales FBA-na (default)",
                    "customer: AMZ-CUSTOMER-acme-US (default)", "currency: CAD", "price level: Amazon US",
                    "posting statuses: orders post (post_orders), Sales Orders pending_fulfillment (default)",
                    "variation settings (matrix items as Amazon families): listings publish on (default)"):
        assert revisit in out


def test_clone_onto_an_existing_key_is_refused_and_the_file_is_untouched(settings_copy, capsys):
    before = settings_copy.read_bytes()
    assert main(["accounts", "clone", "demo-na", "demo-eu"]) == 2
    err = capsys.readouterr().err
    assert "seller account demo-eu already exists" in err and "nothing was written" in err
    assert settings_copy.read_bytes() == before
    assert not list(settings_copy.parent.glob(".accounts.yaml*"))


def test_add_appends_an_inactive_account_per_marketplace_with_its_channel_and_currency(settings_copy, capsys):
    assert main(["accounts", "add", "jp-one", "--seller-id", "A1JPSELLER", "--region", "fe",
                 "--marketplace", "A1VC38T7YXB528", "--marketplace", "A39IBJ37TRP1C6:jp-one-AUS"]) == 0
    account = load_settings(settings_copy).account("jp-one")
    assert account.active is False and account.seller_id == "A1JPSELLER"
    assert [(s.key, s.currency, s.sales_channel) for s in account.storefronts] == [
        ("jp-one-JP", "JPY", "Amazon.co.jp"), ("jp-one-AUS", "AUD", "Amazon.com.au")]
    assert main(["accounts", "list"]) == 0
    listed = capsys.readouterr().out
    assert "jp-one         fe  seller A1JPSELLER             inactive (sensors and schedules off)" in listed
    assert "demo-na        na  seller A2DEMOSELLERNA1        active" in listed
    before = settings_copy.read_bytes()
    assert main(["accounts", "add", "uk-one", "--seller-id", "A1UK", "--region", "na",
                 "--marketplace", "A1F83G8C2ARO7P"]) == 2
    assert "Amazon.co.uk is in SP-API region eu, not na" in capsys.readouterr().err
    assert settings_copy.read_bytes() == before


def test_check_is_clean_for_the_demo_account(settings_copy, capsys):
    assert main(["accounts", "check", "demo-na"]) == 0
    assert "demo-na: Amazon credentials, marketplaces and every NetSuite record" in capsys.readouterr().out


def test_check_names_a_storefront_in_a_marketplace_the_seller_does_not_sell_in(settings_copy, capsys):
    data = yaml.safe_load(settings_copy.read_text())
    data["seller_accounts"][0]["storefronts"].append(
        {"key": "demo-MX", "marketplace_id": "A1AM78C64UM0Y8", "currency": "MXN", "sales_channel": "Amazon.com.mx"})
    settings_copy.write_text(yaml.safe_dump(data))
    assert main(["accounts", "check", "demo-na"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert ("amazon: storefront demo-MX: marketplace A1AM78C64UM0Y8 (Amazon.com.mx) is not among the marketplaces "
            "seller account demo-na participates in (A2EUQ1WTGCTBG2, ATVPDKIKX0DER): fix its marketplace_id, or "
            "remove the storefront") in lines
    assert ("netsuite: seller_accounts.demo-na.storefronts[2].currency names currency named MXN, which NetSuite "
            "does not have: create it in NetSuite, or set seller_accounts.demo-na.storefronts[2].currency in the "
            "settings file to one that exists") in lines


def test_a_location_deleted_in_netsuite_is_flagged_by_refresh_metadata_and_check(settings_copy, capsys):
    """refresh-metadata reads the location while it exists, then, once it is deleted in NetSuite, names the
    mapping that points at it; so does `accounts check` of the account whose storefront uses it."""
    data = yaml.safe_load(settings_copy.read_text())
    data["inventory"] = {"storefronts": {"demo-US": {"locations": ["WH-na", "WH-POPUP"]}}}
    settings_copy.write_text(yaml.safe_dump(data))
    with NetSuiteClient(netsuite_connection(load_settings(settings_copy))) as client:
        client.upsert("location", "WH-POPUP", {"externalId": "WH-POPUP", "name": "Pop-up store",
                                               "subsidiary": {"externalId": "SUB-na"}})
        assert main(["netsuite", "refresh-metadata"]) == 0
        assert "every mapping in the settings names a NetSuite record that exists" in capsys.readouterr().out
        client.delete("location", "eid:WH-POPUP")
    assert main(["netsuite", "refresh-metadata"]) == 1
    out = capsys.readouterr().out
    assert "netsuite_metadata: 8 shipitem, 1 paymentmethod, 4 location, 2 subsidiary, 3 pricelevel" in out
    flagged = ("inventory.storefronts.demo-US.locations[1] names location with external id WH-POPUP, which NetSuite "
               "does not have: create it in NetSuite, or set inventory.storefronts.demo-US.locations[1] in the "
               "settings file to one that exists")
    assert out.splitlines()[1:] == [flagged]
    with connect() as con:
        stored = con.execute("SELECT external_id FROM netsuite_metadata WHERE record_type = 'location' "
                             "ORDER BY external_id").fetchall()
    assert stored == [("FBA-eu",), ("FBA-na",), ("WH-eu",), ("WH-na",)]
    assert main(["accounts", "check", "demo-na"]) == 1
    assert capsys.readouterr().out.splitlines() == [f"netsuite: {flagged}"]
