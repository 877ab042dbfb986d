"""`amazon-netsuite accounts list | clone | check` and `netsuite refresh-metadata` for the vendor account of the demo
settings (`demo-vendor`), on copies of the file, over HTTP against a sandbox whose clock is frozen (its purchase
orders of the last day are the same whatever day the suite runs)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from amazon_netsuite.cli import main
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.lib.settings.netsuite_records import named_records
from amazon_netsuite.lib.warehouse import connect

from .conftest import start_sandbox

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
PROGRAMS = "    direct_fulfillment: {auto_acknowledge: true}\n"


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory):
    """The module's sandbox (`settings_copy` points the project at it), its world clock frozen at NOW."""
    with start_sandbox(tmp_path_factory.mktemp("sandbox"), clock=NOW) as running:
        yield running


@pytest.fixture
def frozen(settings_copy, monkeypatch):
    """The project's clock at NOW too: `accounts check` asks for the purchase orders of the day before it."""
    monkeypatch.setattr(postings, "utc_now", lambda: NOW.replace(tzinfo=None))
    return settings_copy


def _vendor_settings(path, *lines: str) -> None:
    """Add setting lines under demo-vendor (the first vendor account), editing the text so the comments stay."""
    text = path.read_text()
    assert PROGRAMS in text
    path.write_text(text.replace(PROGRAMS, PROGRAMS + "".join(f"    {line}\n" for line in lines), 1))


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_list_shows_the_vendor_account_its_code_and_each_program_with_its_auto_acknowledge(settings_copy, capsys):
    text = settings_copy.read_text()
    settings_copy.write_text(text.replace("retail_procurement: {auto_acknowledge: false}",
                                          "retail_procurement: {enabled: false}"))
    assert main(["accounts", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3:] == ["demo-vendor    na  vendor DEMOV                  active",
                          "  retail_procurement off",
                          "  direct_fulfillment on, auto-acknowledge on"]
    assert "demo-na        na  seller A2DEMOSELLERNA1        active" in lines


def test_clone_of_the_vendor_account_copies_programs_and_targets_switched_off_and_lists_what_to_revisit(
        settings_copy, capsys):
    _vendor_settings(settings_copy, "netsuite: {location: WH-eu, class: CLASS-VENDOR}",
                     "rejection_reason: ObsoleteProduct")
    before = settings_copy.read_text()
    assert main(["accounts", "clone", "demo-vendor", "acme-vendor"]) == 0
    out = capsys.readouterr().out
    settings = load_settings(settings_copy)
    acme = settings.vendor_account("acme-vendor")
    assert (acme.active, acme.vendor_code, acme.region, acme.currency) == (False, "VENDORCODE", "na", "USD")
    assert acme.credentials.env_names() == ["ACME_VENDOR_LWA_CLIENT_ID", "ACME_VENDOR_LWA_CLIENT_SECRET",
                                            "ACME_VENDOR_REFRESH_TOKEN"]
    assert (acme.retail_procurement.auto_acknowledge, acme.direct_fulfillment.auto_acknowledge) == (False, True)
    assert acme.posting.model_dump(by_alias=True) == {
        "subsidiary": "SUB-na", "location": "WH-eu", "customer": "AMZ-VENDOR-acme-vendor", "class": "CLASS-VENDOR",
        "department": None}
    assert acme.rejection_reason == "ObsoleteProduct"
    demo = settings.vendor_account("demo-vendor")
    assert (demo.active, demo.vendor_code) == (True, "DEMOV")
    after = settings_copy.read_text()
    assert _comments(after) == _comments(before)  # every comment kept, in order
    assert after.index("key: acme-vendor") > after.index("key: demo-vendor")
    assert after.index("key: acme-vendor") < after.index("# Flow switches")
    assert out.splitlines()[:2] == [
        f"cloned demo-vendor as vendor account acme-vendor in {settings_copy}, inactive: its sensors and schedules "
        "stay off", "Settings to revisit before switching it on (current values):"]
    for revisit in ("vendor_accounts.acme-vendor.vendor_code: VENDORCODE (a placeholder",
                    "credentials: set ACME_VENDOR_LWA_CLIENT_ID, ACME_VENDOR_LWA_CLIENT_SECRET, "
                    "ACME_VENDOR_REFRESH_TOKEN in the environment",
                    "active: false", "NetSuite customer: AMZ-VENDOR-acme-vendor (default)",
                    "NetSuite subsidiary: SUB-na (default)", "NetSuite location: WH-eu\n",
                    "class / department: CLASS-VENDOR / none", "currency: USD (marketplace ATVPDKIKX0DER)",
                    "retail_procurement: on, auto-acknowledge off (Sales Orders post Pending Approval",
                    "direct_fulfillment: on, auto-acknowledge on (Sales Orders post Pending Fulfillment",
                    "rejection reason (quantities a Sales Order does not approve): ObsoleteProduct\n"):
        assert revisit in out


@pytest.mark.parametrize(("taken", "kind"), [("demo-na", "seller account"), ("demo-US", "storefront"),
                                             ("demo-vendor", "vendor account")])
def test_a_vendor_clone_onto_a_key_already_taken_is_refused_and_the_file_is_untouched(settings_copy, capsys, taken,
                                                                                      kind):
    before = settings_copy.read_bytes()
    assert main(["accounts", "clone", "demo-vendor", taken]) == 2
    assert capsys.readouterr().err == (
        f"amazon-netsuite: cannot clone demo-vendor as {taken}: {kind} {taken} already exists in {settings_copy}; "
        "choose another key (nothing was written)\n")
    assert settings_copy.read_bytes() == before
    assert not list(settings_copy.parent.glob(".accounts.yaml*"))


def test_the_vendor_account_names_its_targets_and_currency_defaults_marked(settings_copy):
    named = named_records(load_settings(settings_copy), "demo-vendor")
    assert [n.described() for n in named] == [
        "vendor_accounts.demo-vendor.netsuite.customer = AMZ-VENDOR-demo-vendor (default): customer external id "
        "AMZ-VENDOR-demo-vendor",
        "vendor_accounts.demo-vendor.netsuite.subsidiary = SUB-na (default): subsidiary external id SUB-na",
        "vendor_accounts.demo-vendor.netsuite.location = WH-na (default): location external id WH-na",
        "vendor_accounts.demo-vendor.currency = USD: currency named USD"]
    assert {n.path for n in named_records(load_settings(settings_copy))} >= {n.path for n in named}


def test_check_is_clean_for_the_demo_vendor_account(frozen, capsys):
    assert main(["accounts", "check", "demo-vendor"]) == 0
    assert capsys.readouterr().out == (
        "demo-vendor: Amazon credentials, the Vendor Orders API and every NetSuite record its mappings name are in "
        "order\n")


def test_check_names_the_fix_for_a_vendor_location_netsuite_lacks_and_a_wrong_vendor_code(frozen, capsys):
    text = frozen.read_text().replace("vendor_code: DEMOV", "vendor_code: DEMOX")
    frozen.write_text(text)
    _vendor_settings(frozen, "netsuite: {location: WH-VENDOR}")
    assert main(["accounts", "check", "demo-vendor"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "amazon: vendor_accounts.demo-vendor.vendor_code is DEMOX, but Amazon's purchase orders for these credentials "
        "are to selling party DEMOV: set vendor_accounts.demo-vendor.vendor_code to it",
        "netsuite: vendor_accounts.demo-vendor.netsuite.location names location with external id WH-VENDOR, which "
        "NetSuite does not have: create it in NetSuite, or set vendor_accounts.demo-vendor.netsuite.location in the "
        "settings file to one that exists"]


def test_refresh_metadata_flags_a_vendor_customer_deleted_in_netsuite_but_not_an_inactive_clones(settings_copy,
                                                                                                 capsys):
    """The clone's customer AMZ-VENDOR-acme-vendor is still to be created: switched off, it is `accounts check`'s
    to report, not the refresh's."""
    assert main(["accounts", "clone", "demo-vendor", "acme-vendor"]) == 0
    _vendor_settings(settings_copy, "netsuite: {customer: AMZ-VENDOR-POPUP}")
    assert load_settings(settings_copy).vendor_account("acme-vendor").posting.customer == "AMZ-VENDOR-acme-vendor"
    capsys.readouterr()
    with NetSuiteClient(netsuite_connection(load_settings(settings_copy))) as client:
        client.upsert("customer", "AMZ-VENDOR-POPUP", {
            "externalId": "AMZ-VENDOR-POPUP", "entityId": "Amazon pop-up vendor", "companyName": "Amazon",
            "isPerson": False, "subsidiary": {"externalId": "SUB-na"}})
        assert main(["netsuite", "refresh-metadata"]) == 0
        assert "every mapping in the settings names a NetSuite record that exists" in capsys.readouterr().out
        client.delete("customer", "eid:AMZ-VENDOR-POPUP")
    assert main(["netsuite", "refresh-metadata"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(", 2 department, 4 customer")  # demo's four storefronts; the vendor's is gone
    assert out[1:] == [
        "vendor_accounts.demo-vendor.netsuite.customer names customer with external id AMZ-VENDOR-POPUP, which "
        "NetSuite does not have: create it in NetSuite, or set vendor_accounts.demo-vendor.netsuite.customer in the "
        "settings file to one that exists"]
    with connect() as con:
        stored = con.execute("SELECT external_id FROM netsuite_metadata WHERE record_type = 'customer' "
                             "ORDER BY external_id").fetchall()
    assert stored == [("AMZ-CUSTOMER-demo-CA",), ("AMZ-CUSTOMER-demo-DE",), ("AMZ-CUSTOMER-demo-FR",),
                      ("AMZ-CUSTOMER-demo-US",)]
    assert main(["accounts", "check", "acme-vendor"]) == 1
    placeholder, credentials, customer = capsys.readouterr().out.splitlines()
    assert placeholder == (
        "amazon: vendor_accounts.acme-vendor.vendor_code is the placeholder VENDORCODE: put the account's vendor code "
        "(Vendor Central > Settings > Account Settings, the selling party of its purchase orders)")
    assert credentials.startswith("amazon: Login with Amazon refused the credentials of acme-vendor (")
    assert credentials.endswith("): set ACME_VENDOR_LWA_CLIENT_ID, ACME_VENDOR_LWA_CLIENT_SECRET, "
                                "ACME_VENDOR_REFRESH_TOKEN to the app's client id and secret and the account's "
                                "refresh token")
    assert customer == (
        "netsuite: vendor_accounts.acme-vendor.netsuite.customer (the default) names customer with external id "
        "AMZ-VENDOR-acme-vendor, which NetSuite does not have: create it in NetSuite, or set "
        "vendor_accounts.acme-vendor.netsuite.customer in the settings file to one that exists")
