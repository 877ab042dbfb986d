"""The GL mapping: defaults for what Amazon writes, ordered rules with globs, unknown lines blocked or in suspense,
a strictly validated file, and the same answer for a million lines as for one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from amazon_netsuite.lib.gl_mapping import (
    GlMappingError,
    gl_mapping_from_dict,
    gl_mapping_path,
    load_gl_mapping,
    map_lines,
    unmapped_lines,
)
from amazon_netsuite.lib.settlements.parse import parse_settlement
from amazon_netsuite_tests.lib.settlements.settlement_builder import period, settlement_text, us_settlement_lines

DEFAULT = Path(__file__).resolve().parents[3] / "data" / "gl_mapping.yaml"


@pytest.fixture(scope="module")
def mapping():
    return load_gl_mapping(DEFAULT)


@pytest.mark.parametrize(
    ("transaction_type", "amount_type", "amount_description", "account"),
    [
        ("Order", "ItemPrice", "Principal", "ACCT-SALES"),
        ("Order", "ItemPrice", "Shipping", "ACCT-SHIPPING-INCOME"),
        ("Order", "ItemPrice", "GiftWrap", "ACCT-GIFTWRAP-INCOME"),
        ("Order", "ItemPrice", "Tax", "ACCT-FACILITATOR-TAX-CLEARING"),
        ("Order", "ItemPrice", "ShippingTax", "ACCT-FACILITATOR-TAX-CLEARING"),
        ("Order", "ItemPrice", "GiftWrapTax", "ACCT-FACILITATOR-TAX-CLEARING"),
        ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "ACCT-FACILITATOR-TAX-CLEARING"),
        ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", "ACCT-FACILITATOR-TAX-CLEARING"),
        ("Order", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal", "ACCT-FACILITATOR-TAX-CLEARING"),
        ("Order", "ItemFees", "Commission", "ACCT-AMZ-SELLING-FEES"),
        ("Refund", "ItemFees", "RefundCommission", "ACCT-AMZ-SELLING-FEES"),
        ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "ACCT-AMZ-FBA-FEES"),
        ("Order", "ItemFees", "FBAWeightBasedFee", "ACCT-AMZ-FBA-FEES"),
        ("Order", "ItemFees", "FBAPerOrderFulfillmentFee", "ACCT-AMZ-FBA-FEES"),
        ("Order", "ItemFees", "VariableClosingFee", "ACCT-AMZ-SELLING-FEES"),
        ("Order", "ItemFees", "FixedClosingFee", "ACCT-AMZ-SELLING-FEES"),
        ("Order", "ItemFees", "ShippingChargeback", "ACCT-AMZ-SHIPPING-CHARGEBACK"),
        ("Order", "ItemFees", "GiftwrapChargeback", "ACCT-AMZ-SHIPPING-CHARGEBACK"),
        ("Order", "ItemFees", "SalesTaxServiceFee", "ACCT-AMZ-SELLING-FEES"),
        ("other-transaction", "other-transaction", "Subscription", "ACCT-AMZ-SUBSCRIPTION"),
        ("other-transaction", "other-transaction", "Storage Fee", "ACCT-AMZ-STORAGE-FEES"),
        ("other-transaction", "other-transaction", "StorageRenewalBilling", "ACCT-AMZ-STORAGE-FEES"),
        ("other-transaction", "other-transaction", "Current Reserve Amount", "ACCT-AMZ-RESERVE"),
        ("other-transaction", "other-transaction", "Previous Reserve Amount Balance", "ACCT-AMZ-RESERVE"),
        ("other-transaction", "FBA Inventory Reimbursement", "REVERSAL_REIMBURSEMENT", "ACCT-REIMBURSEMENTS"),
        ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", "ACCT-REIMBURSEMENTS"),
        ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", "ACCT-REIMBURSEMENTS"),
        ("Order", "Promotion", "Principal", "ACCT-PROMOTIONS"),
        ("Order", "Promotion", "Shipping", "ACCT-PROMOTIONS"),
        ("CouponRedemptionFee", "CouponRedemptionFee", "Coupon Redemption Fee: 10% off mugs", "ACCT-AMZ-ADVERTISING"),
        ("Order", "ItemPrice", "Coupon", "ACCT-PROMOTIONS"),
        ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", "ACCT-AMZ-ADVERTISING"),
        # Chargebacks and A-to-z claims reverse revenue as a refund does (issue 10), they are not a fee.
        ("Chargeback Refund", "ItemPrice", "Principal", "ACCT-REFUNDS"),
        ("A-to-z Guarantee Claim", "ItemPrice", "Principal", "ACCT-REFUNDS"),
        ("Refund", "ItemPrice", "Principal", "ACCT-REFUNDS"),
        ("Refund", "ItemPrice", "Shipping", "ACCT-REFUNDS"),
    ],
)
def test_the_default_mapping_covers_what_amazon_writes(mapping, transaction_type, amount_type, amount_description,
                                                       account):
    rule = mapping.rule_for(transaction_type, amount_type, amount_description)
    assert rule is not None, f"no rule for {transaction_type} / {amount_type} / {amount_description}"
    assert rule.account == account


def test_the_default_mapping_uses_the_agreed_chart_of_accounts(mapping):
    chart = {
        "ACCT-BANK-USD", "ACCT-BANK-CAD", "ACCT-BANK-EUR", "ACCT-UNDEPOSITED-FUNDS", "ACCT-AMZ-CLEARING",
        "ACCT-AMZ-RESERVE", "ACCT-SALES", "ACCT-SHIPPING-INCOME", "ACCT-GIFTWRAP-INCOME", "ACCT-REFUNDS",
        "ACCT-PROMOTIONS", "ACCT-REIMBURSEMENTS", "ACCT-AMZ-SELLING-FEES", "ACCT-AMZ-FBA-FEES",
        "ACCT-AMZ-STORAGE-FEES", "ACCT-AMZ-SUBSCRIPTION", "ACCT-AMZ-ADVERTISING", "ACCT-AMZ-SHIPPING-CHARGEBACK",
        "ACCT-AMZ-CHARGEBACKS", "ACCT-FACILITATOR-TAX-CLEARING", "ACCT-SALES-TAX-PAYABLE", "ACCT-SUSPENSE",
        "ACCT-AMZ-LOAN", "ACCT-AMZ-BALANCE", "ACCT-VAT-PAYABLE",
    }
    assert set(mapping.accounts) == chart
    assert mapping.suspense_account is None  # unknown lines block by default
    assert mapping.bank_account("USD") == "ACCT-BANK-USD"
    assert mapping.bank_account("gbp") == "ACCT-BANK-GBP"  # the GL summary and the posting agree on it
    assert mapping.rule_for("Order", "Promotion", "Principal").item == "AMZ-PROMOTION"


def test_the_first_matching_rule_wins(mapping):
    # Refund / Principal matches both the refund rule and the sales rule below it; tax comes before chargebacks.
    assert mapping.rule_for("Refund", "ItemPrice", "Principal").account == "ACCT-REFUNDS"
    assert mapping.rule_for("Chargeback Refund", "ItemPrice", "Tax").account == "ACCT-FACILITATOR-TAX-CLEARING"
    assert mapping.rule_for("Order", "Promotion", "Principal").account == "ACCT-PROMOTIONS"

    reordered = gl_mapping_from_dict(
        {**_minimal(), "rules": [{"amount_description": "*", "account": "ACCT-SUSPENSE"},
                                 {"amount_description": "Principal", "account": "ACCT-SALES"}]}
    )
    assert reordered.rule_for("Order", "ItemPrice", "Principal").account == "ACCT-SUSPENSE"


def test_globs_lists_and_case_are_matched_as_amazon_spells_them(mapping):
    assert mapping.rule_for("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-RestockingFee").account == (
        "ACCT-FACILITATOR-TAX-CLEARING")
    assert mapping.rule_for("Other-Transaction", "Other-Transaction", "storage fee").account == (
        "ACCT-AMZ-STORAGE-FEES")
    assert mapping.rule_for("Refund_Retrocharge", "ItemPrice", "Principal").account == "ACCT-REFUNDS"
    exact = gl_mapping_from_dict({**_minimal(), "rules": [{"amount_description": "Tax", "account": "ACCT-SALES"}]})
    assert exact.rule_for("Order", "ItemPrice", "ShippingTax") is None  # exact text is not a prefix


def test_an_unknown_description_is_unmapped_unless_a_suspense_account_is_set(mapping):
    lines = parse_settlement(settlement_text([
        *us_settlement_lines(),
        period("other-transaction", "other-transaction", "Brand new fee", "-1.00"),
        period("other-transaction", "other-transaction", "Brand new fee", "-2.00"),
    ])).lines

    mapped = map_lines(lines, mapping)
    unknown = mapped.filter(pa.compute.is_null(mapped["gl_account"])).to_pylist()
    assert [(u["line_number"], u["amount"]) for u in unknown] == [(20, Decimal("-1.00")), (21, Decimal("-2.00"))]
    assert all(u["mapping_rule"] is None and not u["suspense"] for u in unknown)
    assert unmapped_lines(mapped).to_pylist() == [
        {"settlement_id": "11223344556", "transaction_type": "other-transaction",
         "amount_type": "other-transaction", "amount_description": "Brand new fee", "line_count": 2,
         "first_line": 20, "suspense": False}
    ]

    with_suspense = gl_mapping_from_dict({**yaml.safe_load(DEFAULT.read_text()), "suspense_account": "ACCT-SUSPENSE"})
    mapped = map_lines(lines, with_suspense)
    flagged = mapped.filter(mapped["suspense"]).to_pylist()
    assert [(f["line_number"], f["gl_account"]) for f in flagged] == [(20, "ACCT-SUSPENSE"), (21, "ACCT-SUSPENSE")]
    assert unmapped_lines(mapped).column("suspense").to_pylist() == [True]


def test_mapping_every_line_at_once_gives_what_each_line_gives_alone_in_the_lines_order(mapping):
    lines = parse_settlement(settlement_text(us_settlement_lines())).lines
    mapped = map_lines(lines, mapping)

    assert mapped.column("line_number").to_pylist() == lines.column("line_number").to_pylist()
    for row in mapped.to_pylist():
        rule = mapping.rule_for(row["transaction_type"], row["amount_type"], row["amount_description"])
        assert (row["gl_account"], row["mapping_rule"], row["netsuite_item"]) == (rule.account, rule.index, rule.item)
    assert mapped.column("gl_account").to_pylist()[:6] == [
        "ACCT-SALES", "ACCT-FACILITATOR-TAX-CLEARING", "ACCT-FACILITATOR-TAX-CLEARING", "ACCT-AMZ-SELLING-FEES",
        "ACCT-AMZ-FBA-FEES", "ACCT-PROMOTIONS",
    ]


def _minimal() -> dict:
    return {
        "version": 1,
        "clearing_account": "ACCT-AMZ-CLEARING",
        "deposit_accounts": {"USD": "ACCT-BANK-USD"},
        "accounts": {
            "ACCT-AMZ-CLEARING": {"name": "Amazon Clearing", "section": "deposit"},
            "ACCT-BANK-USD": {"name": "Bank", "section": "deposit"},
            "ACCT-SALES": {"name": "Sales", "section": "sales"},
            "ACCT-SUSPENSE": {"name": "Suspense", "section": "other"},
        },
        "rules": [{"amount_description": "Principal", "account": "ACCT-SALES"}],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rules": [{"amount_description": "Principal", "account": "ACCT-SALES"},
                    {"name": "fees", "amount_description": "Commission", "account": "ACCT-FEES"}]},
         "rules.1 (fees).account: account 'ACCT-FEES' is not declared under `accounts`"),
        ({"rules": [{"amount_description": "Principal"}]}, "rules.0.account: Field required"),
        ({"rules": [{"amount_description": "Principal", "account": "ACCT-SALES", "acount": "x"}]},
         "rules.0.acount: Extra inputs are not permitted"),
        ({"rules": [{"amount_description": 7, "account": "ACCT-SALES"}]}, "rules.0.amount_description"),
        ({"rules": [{"amount_description": [], "account": "ACCT-SALES"}]},
         "rules.0.amount_description: patterns must be non-empty text"),
        ({"rules": [{"amount_description": "Principal", "account": "ACCT-SALES"},
                    {"amount_description": "principal", "account": "ACCT-SUSPENSE"}]},
         "rules.1: same patterns as rules.0, so it can never match"),
        ({"rules": []}, "rules: List should have at least 1 item"),
        ({"suspense_account": "ACCT-NOPE"}, "suspense_account: account 'ACCT-NOPE' is not declared"),
        ({"deposit_accounts": {"usd": "ACCT-BANK-USD"}}, "deposit_accounts.usd: not a currency code"),
        ({"version": 2}, "version: Input should be 1"),
        ({"accounts": {"ACCT-SALES": {"name": "Sales", "section": "income"}}}, "accounts.ACCT-SALES.section"),
    ],
)
def test_an_invalid_mapping_file_is_refused_naming_the_file_the_place_and_the_reason(tmp_path, change, message):
    path = tmp_path / "gl_mapping.yaml"
    path.write_text(yaml.safe_dump({**_minimal(), **change}, allow_unicode=True))
    with pytest.raises(GlMappingError) as refused:
        load_gl_mapping(path)
    assert f"{path}: {message}" in str(refused.value)


def test_a_mapping_file_that_is_not_yaml_or_missing_is_refused(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [unclosed")
    with pytest.raises(GlMappingError, match=rf"{broken}: not valid YAML"):
        load_gl_mapping(broken)
    with pytest.raises(GlMappingError, match="GL mapping file not found"):
        load_gl_mapping(tmp_path / "missing.yaml")
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(GlMappingError, match="expected a mapping at the top level"):
        load_gl_mapping(listed)


def test_the_mapping_file_is_found_by_environment_then_data_directory_then_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("AMAZON_NETSUITE_GL_MAPPING", raising=False)
    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(tmp_path))
    assert gl_mapping_path() == DEFAULT
    (tmp_path / "gl_mapping.yaml").write_text("x: 1")
    assert gl_mapping_path() == tmp_path / "gl_mapping.yaml"
    monkeypatch.setenv("AMAZON_NETSUITE_GL_MAPPING", str(tmp_path / "mine.yaml"))
    assert gl_mapping_path() == tmp_path / "mine.yaml"
