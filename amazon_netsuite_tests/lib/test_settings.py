from decimal import Decimal
from pathlib import Path

import pytest

from amazon_netsuite.lib.settings import (
    SANDBOX_LWA_CLIENT_ID,
    Settings,
    SettingsError,
    Storefront,
    amazon_connection,
    is_sandbox_mode,
    load_settings,
    sandbox_refresh_token,
)

DEMO = Path(__file__).resolve().parents[2] / "data" / "accounts.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_settings_have_four_storefronts_in_two_regions():
    settings = load_settings(DEMO)
    assert settings.storefront_keys == ["demo-US", "demo-CA", "demo-DE", "demo-FR"]
    assert [a.region for a in settings.seller_accounts] == ["na", "eu"]
    assert settings.account_of("demo-CA").key == "demo-na"
    assert settings.storefront_by_sales_channel["amazon.de"].currency == "EUR"
    # The EU account sells on Amazon.de and Amazon.fr: one EUR settlement covers both.
    assert settings.account_of("demo-FR").key == "demo-eu"
    assert settings.storefront_by_sales_channel["amazon.fr"].currency == "EUR"


def test_a_vat_inclusive_storefront_takes_its_marketplaces_standard_vat_rate_unless_the_settings_give_one():
    def storefront(channel: str, **more) -> Storefront:
        return Storefront(key="x", marketplace_id="M", currency="EUR", sales_channel=channel, **more)

    settings = load_settings(DEMO)
    assert (settings.storefront("demo-DE").vat_rate, settings.storefront("demo-FR").vat_rate) == (19, 20)
    assert settings.storefront("demo-US").vat_rate is None  # prices without VAT
    assert storefront("Amazon.it", prices_include_vat=True).vat_rate == Decimal(22)
    assert storefront("Amazon.de", prices_include_vat=True, vat_rate=Decimal("7")).vat_rate == Decimal(7)
    with pytest.raises(ValueError, match="no standard VAT rate known for Amazon.xx; set vat_rate"):
        storefront("Amazon.xx", prices_include_vat=True)


def test_invalid_settings_name_the_file_the_path_and_the_reason(tmp_path):
    path = write(
        tmp_path,
        """
seller_accounts:
  - key: acme
    seller_id: A1
    region: moon
    credentials: {lwa_client_id_env: A, lwa_client_secret_env: B, refresh_token_env: C}
    storefronts:
      - {key: acme-US, marketplace_id: ATVPDKIKX0DER, currency: usd, sales_channel: Amazon.com}
""",
    )
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    message = str(err.value)
    assert str(path) in message
    assert "seller_accounts.0.region" in message
    assert "seller_accounts.0.storefronts.0.currency" in message


def test_storefront_keys_must_be_safe_partition_keys(tmp_path):
    path = write(
        tmp_path,
        """
seller_accounts:
  - key: acme
    seller_id: A1
    region: na
    credentials: {lwa_client_id_env: A, lwa_client_secret_env: B, refresh_token_env: C}
    storefronts:
      - {key: "acme|US", marketplace_id: ATVPDKIKX0DER, currency: USD, sales_channel: Amazon.com}
""",
    )
    with pytest.raises(SettingsError, match=r"storefronts.0.key"):
        load_settings(path)


def test_duplicate_storefronts_are_rejected(tmp_path):
    path = write(
        tmp_path,
        """
seller_accounts:
  - key: acme
    seller_id: A1
    region: na
    credentials: {lwa_client_id_env: A, lwa_client_secret_env: B, refresh_token_env: C}
    storefronts:
      - {key: acme-US, marketplace_id: ATVPDKIKX0DER, currency: USD, sales_channel: Amazon.com}
      - {key: acme-US, marketplace_id: A2EUQ1WTGCTBG2, currency: CAD, sales_channel: Amazon.ca}
""",
    )
    with pytest.raises(SettingsError, match="duplicate storefront key: acme-US"):
        load_settings(path)


def _one_storefront(tmp_path: Path, storefront: str, flows: str = "") -> Path:
    return write(tmp_path, f"""
seller_accounts:
  - key: acme
    seller_id: A1
    region: na
    credentials: {{lwa_client_id_env: A, lwa_client_secret_env: B, refresh_token_env: C}}
    storefronts:
      - {{key: acme-US, marketplace_id: ATVPDKIKX0DER, currency: USD, sales_channel: Amazon.com, {storefront}}}
{flows}""")


def test_the_demo_settings_post_orders_so_every_storefront_settles_transactionally():
    settings = load_settings(DEMO)
    assert {key: settings.settlement_posting(key) for key in settings.storefront_keys} == {
        "demo-US": "transactional", "demo-CA": "transactional", "demo-DE": "transactional",
        "demo-FR": "transactional"}


def test_a_storefront_whose_orders_do_not_post_settles_as_a_summary_journal(tmp_path):
    assert load_settings(_one_storefront(tmp_path, "post_orders: false")).settlement_posting("acme-US") == "summary"
    flows_off = load_settings(_one_storefront(tmp_path, "", "flows: {orders: false}"))
    assert (flows_off.orders_posted("acme-US"), flows_off.settlement_posting("acme-US")) == (False, "summary")
    agreed = load_settings(_one_storefront(tmp_path, "post_orders: false, settlement_posting: summary"))
    assert agreed.settlement_posting("acme-US") == "summary"


def test_summary_settlements_while_orders_post_are_refused_as_revenue_booked_twice(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings(_one_storefront(tmp_path, "settlement_posting: summary"))
    assert ("storefront acme-US: settlement_posting: summary while its orders post (flows.orders and post_orders "
            "are on) would book revenue twice") in str(err.value)
    assert "Remove settlement_posting (it follows order posting: transactional), or set post_orders: false" in str(
        err.value)


def test_transactional_settlements_of_orders_never_posted_are_refused_as_settling_nothing(tmp_path):
    for storefront, flows, why in [("post_orders: false, settlement_posting: transactional", "", "post_orders: false"),
                                   ("settlement_posting: transactional", "flows: {orders: false}",
                                    "flows.orders is off")]:
        with pytest.raises(SettingsError) as err:
            load_settings(_one_storefront(tmp_path, storefront, flows))
        assert (f"storefront acme-US: settlement_posting: transactional while its orders are not posted ({why}) "
                "settles nothing") in str(err.value)
        assert "turn order posting on (flows.orders: true and post_orders: true)" in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="settings file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_no_credentials_means_sandbox_with_the_sandbox_identity():
    settings = load_settings(DEMO)
    env = {"AMAZON_NETSUITE_SANDBOX_URL": "http://127.0.0.1:9999"}
    assert is_sandbox_mode(settings, env)
    conn = amazon_connection(settings, "demo-eu", env)
    assert conn.sandbox and conn.endpoint == "http://127.0.0.1:9999"
    assert conn.lwa_token_url == "http://127.0.0.1:9999/auth/o2/token"
    assert conn.client_id == SANDBOX_LWA_CLIENT_ID
    assert conn.refresh_token == sandbox_refresh_token("demo-eu")


def test_credentials_in_the_environment_mean_live_endpoints_per_region():
    settings = load_settings(DEMO)
    env = {
        "DEMO_NA_LWA_CLIENT_ID": "id-na", "DEMO_NA_LWA_CLIENT_SECRET": "s-na", "DEMO_NA_REFRESH_TOKEN": "Atzr|na",
        "DEMO_EU_LWA_CLIENT_ID": "id-eu", "DEMO_EU_LWA_CLIENT_SECRET": "s-eu", "DEMO_EU_REFRESH_TOKEN": "Atzr|eu",
        "DEMO_VENDOR_LWA_CLIENT_ID": "id-v", "DEMO_VENDOR_LWA_CLIENT_SECRET": "s-v", "DEMO_VENDOR_REFRESH_TOKEN": "Atzr|v",
    }
    settings = settings.model_copy(update={"allow_mixed_sandbox": True})  # no NetSuite credentials here
    assert not is_sandbox_mode(settings, env)
    eu = amazon_connection(settings, "demo-eu", env)
    assert eu.endpoint == "https://sellingpartnerapi-eu.amazon.com"
    assert eu.lwa_token_url == "https://api.amazon.com/auth/o2/token"
    assert (eu.client_id, eu.refresh_token) == ("id-eu", "Atzr|eu")
    assert "s-eu" not in repr(eu)  # secrets stay out of logs


def test_partial_credentials_are_an_error_naming_the_missing_variables():
    settings = load_settings(DEMO)
    with pytest.raises(SettingsError, match="DEMO_NA_LWA_CLIENT_SECRET, DEMO_NA_REFRESH_TOKEN missing"):
        is_sandbox_mode(settings, {"DEMO_NA_LWA_CLIENT_ID": "x"})


def test_netsuite_defaults_to_the_sandbox_and_goes_live_with_m2m_credentials(tmp_path):
    from amazon_netsuite.lib.settings import netsuite_connection, netsuite_host

    settings = load_settings(DEMO)
    sandbox = netsuite_connection(settings, {"AMAZON_NETSUITE_SANDBOX_URL": "http://127.0.0.1:9999"})
    assert sandbox.sandbox and sandbox.token_url == "http://127.0.0.1:9999/services/rest/auth/oauth2/v1/token"
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n")
    settings = settings.model_copy(update={"allow_mixed_sandbox": True})  # Amazon stays in the sandbox here
    live = netsuite_connection(
        settings,
        {"NETSUITE_CLIENT_ID": "cid", "NETSUITE_CERTIFICATE_ID": "kid", "NETSUITE_PRIVATE_KEY_PATH": str(key)},
    )
    assert not live.sandbox and live.base_url == "https://1234567-sb1.suitetalk.api.netsuite.com"
    assert live.realm == "1234567_SB1" and live.certificate_id == "kid"
    assert "PRIVATE KEY" not in repr(live)
    assert netsuite_host("TSTDRV123") == "https://tstdrv123.suitetalk.api.netsuite.com"
    with pytest.raises(SettingsError, match="NETSUITE_PRIVATE_KEY_PATH missing"):
        netsuite_connection(settings, {"NETSUITE_CLIENT_ID": "cid", "NETSUITE_CERTIFICATE_ID": "kid"})


# --- order posting settings ------------------------------------------------------------------------------------


def with_posting(tmp_path: Path, posting_yaml: str) -> Path:
    """The demo settings plus an `order_posting:` section."""
    return write(tmp_path, DEMO.read_text(encoding="utf-8") + "\norder_posting:\n" + posting_yaml)


def test_order_posting_defaults_are_what_posting_did_before_it_had_settings():
    settings = load_settings(DEMO)
    options = settings.order_posting
    assert (options.sales_order_status, options.promotion_item, options.facilitator_tax, options.customer) == (
        "pending_fulfillment", "AMZ-PROMOTION", "omit", "per_storefront")
    assert options.items.by == "external_id" and options.items.sku_map_table == {}
    assert (options.sfp.checkbox, options.sfp.memo_prefix) == ("custbody_amz_sfp", "[SFP] ")
    us, de = settings.storefront_posting("demo-US"), settings.storefront_posting("demo-DE")
    assert (us.subsidiary, us.location, us.fba_location, us.customer) == (
        "SUB-na", "WH-na", "FBA-na", "AMZ-CUSTOMER-demo-US")
    assert (de.subsidiary, de.location, de.fba_location) == ("SUB-eu", "WH-eu", "FBA-eu")
    assert (us.class_, us.department, us.channel_field, us.sales_order_status) == (
        None, None, None, "pending_fulfillment")
    # The sandbox's SuiteTax codes and types.
    assert us.tax == de.tax == options.tax
    assert (options.tax.vat_code, options.tax.vat_type, options.tax.sales_tax_code, options.tax.sales_tax_type) == (
        "TAXCODE-VAT-STANDARD", "TAXTYPE-VAT", "TAXCODE-SALES-TAX", "TAXTYPE-SALES-TAX")


def test_a_storefronts_tax_codes_override_only_the_fields_it_gives(tmp_path):
    settings = load_settings(with_posting(tmp_path, """
  tax: {sales_tax_code: TAXCODE-US-EXEMPT}
  storefronts:
    demo-DE:
      tax: {vat_code: TAXCODE-VAT-DE-19}
"""))
    de, us = settings.storefront_posting("demo-DE").tax, settings.storefront_posting("demo-US").tax
    assert (de.vat_code, de.vat_type, de.sales_tax_code) == ("TAXCODE-VAT-DE-19", "TAXTYPE-VAT", "TAXCODE-US-EXEMPT")
    assert (us.vat_code, us.sales_tax_code) == ("TAXCODE-VAT-STANDARD", "TAXCODE-US-EXEMPT")


def test_sales_orders_are_billed_on_fulfilment_by_default_unless_switched_off_for_all_or_for_one_storefront(tmp_path):
    demo = load_settings(DEMO)
    assert [demo.bills_on_fulfilment(k) for k in demo.storefront_keys] == [True] * 4
    settings = load_settings(with_posting(tmp_path, """
  bill_on_fulfilment: false
  storefronts:
    demo-CA: {bill_on_fulfilment: true}
"""))
    assert {k: settings.bills_on_fulfilment(k) for k in settings.storefront_keys} == {
        "demo-US": False, "demo-CA": True, "demo-DE": False, "demo-FR": False}


def test_per_storefront_overrides_and_a_sku_map_csv_relative_to_the_settings_file(tmp_path):
    (tmp_path / "skus.csv").write_text("sku,item_external_id\nMUG-WHITE,NS-1001\nCAP-OLIVE,NS-1002\n")
    settings = load_settings(with_posting(tmp_path, """
  sales_order_status: pending_approval
  items: {by: sku_map, sku_map_csv: skus.csv, sku_map: {CAP-OLIVE: NS-2002}}
  storefronts:
    demo-CA:
      class: CLASS-AMZ-demo-CA
      department: DEPT-MARKETPLACES
      channel_field: {name: custbody_amz_channel, value: Amazon.ca}
      fba_location: FBA-CA
      sales_order_status: pending_fulfillment
"""))
    ca, us = settings.storefront_posting("demo-CA"), settings.storefront_posting("demo-US")
    assert (ca.class_, ca.department, ca.fba_location, ca.location) == (
        "CLASS-AMZ-demo-CA", "DEPT-MARKETPLACES", "FBA-CA", "WH-na")
    assert (ca.channel_field.name, ca.channel_field.value) == ("custbody_amz_channel", "Amazon.ca")
    assert (ca.sales_order_status, us.sales_order_status) == ("pending_fulfillment", "pending_approval")
    assert settings.order_posting.items.sku_map_csv == tmp_path / "skus.csv"
    # Inline entries win over the CSV's.
    assert settings.order_posting.items.sku_map_table == {"MUG-WHITE": "NS-1001", "CAP-OLIVE": "NS-2002"}


@pytest.mark.parametrize(("posting_yaml", "path", "reason"), [
    ("  sales_order_status: approved\n", "order_posting.sales_order_status", "pending_fulfillment"),
    ("  facilitator_tax: sometimes\n", "order_posting.facilitator_tax", "'omit' or 'post'"),
    ("  customer: per_household\n", "order_posting.customer", "per_buyer"),
    ("  promotion_item: 'AMZ PROMO'\n", "order_posting.promotion_item", "not a NetSuite external id"),
    ("  sfp: {checkbox: amz_sfp}\n", "order_posting.sfp.checkbox", "custbody_"),
    ("  items: {by: alias_field}\n", "order_posting.items", "needs alias_field"),
    ("  items: {by: alias_field, alias_field: sku}\n", "order_posting.items.alias_field", "custitem_"),
    ("  items: {sku_map: {MUG-WHITE: NS-1}}\n", "order_posting.items", "set by: sku_map"),
    ("  items: {by: sku_map, sku_map_csv: nowhere.csv}\n", "order_posting.items.sku_map_csv", "nowhere.csv not found"),
    ("  storefronts: {demo-IT: {class: X}}\n", "(top level)", "demo-IT is not a storefront"),
    ("  storefronts: {demo-US: {clas: X}}\n", "order_posting.storefronts.demo-US.clas", "Extra inputs"),
    ("  tax: {vat_code: 'VAT 19'}\n", "order_posting.tax.vat_code", "not a NetSuite external id"),
    ("  tax: {vat: X}\n", "order_posting.tax.vat", "Extra inputs"),
    ("  storefronts: {demo-US: {channel_field: {name: channel, value: x}}}\n",
     "order_posting.storefronts.demo-US.channel_field.name", "custbody_"),
])
def test_invalid_order_posting_settings_name_the_path_and_the_reason(tmp_path, posting_yaml, path, reason):
    with pytest.raises(SettingsError) as err:
        load_settings(with_posting(tmp_path, posting_yaml))
    message = str(err.value)
    assert f"accounts.yaml: {path}:" in message and reason in message


def test_a_broken_sku_map_csv_names_the_file_and_line(tmp_path):
    (tmp_path / "skus.csv").write_text("sku,item_external_id\nMUG-WHITE,NS-1\nMUG-WHITE,NS-2\n")
    with pytest.raises(SettingsError, match=r"skus.csv: line 3: SKU 'MUG-WHITE' is mapped twice"):
        load_settings(with_posting(tmp_path, "  items: {by: sku_map, sku_map_csv: skus.csv}\n"))
    (tmp_path / "skus.csv").write_text("sku;item\nMUG-WHITE;NS-1\n")
    with pytest.raises(SettingsError, match=r"the header must start with sku,item_external_id"):
        load_settings(with_posting(tmp_path, "  items: {by: sku_map, sku_map_csv: skus.csv}\n"))


def test_the_readme_posting_options_example_is_valid_settings(tmp_path):
    readme = (DEMO.parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\norder_posting:\n", 1)[1].split("```", 1)[0]
    settings = load_settings(with_posting(tmp_path, example))
    us = settings.storefront_posting("demo-US")
    assert (us.class_, us.sales_order_status, settings.order_posting.sales_order_status) == (
        "CLASS-AMZ-demo-US", "pending_approval", "pending_fulfillment")


def test_an_inactive_account_may_wait_for_its_credentials_in_live_mode_but_nothing_connects_for_it():
    """A clone starts `active: false` with its credential variables unset: live mode goes on for the others, and a
    connection for the clone says which variables to set."""
    raw = load_settings(DEMO).model_dump(mode="json", by_alias=True)
    raw["vendor_accounts"][0]["active"] = False
    settings = Settings.model_validate({**raw, "allow_mixed_sandbox": True})
    env = {"DEMO_NA_LWA_CLIENT_ID": "id-na", "DEMO_NA_LWA_CLIENT_SECRET": "s-na", "DEMO_NA_REFRESH_TOKEN": "Atzr|na",
           "DEMO_EU_LWA_CLIENT_ID": "id-eu", "DEMO_EU_LWA_CLIENT_SECRET": "s-eu", "DEMO_EU_REFRESH_TOKEN": "Atzr|eu"}
    assert not is_sandbox_mode(settings, env)
    with pytest.raises(SettingsError, match="account demo-vendor has no credentials .*DEMO_VENDOR_LWA_CLIENT_ID"):
        amazon_connection(settings, "demo-vendor", env)
    active = Settings.model_validate({**raw, "vendor_accounts": [{**raw["vendor_accounts"][0], "active": True}],
                                      "allow_mixed_sandbox": True})
    with pytest.raises(SettingsError, match="not for demo-vendor"):
        is_sandbox_mode(active, env)
