"""The default GL mapping against what Amazon and the tools that post settlements document: every listed
(transaction-type, amount-type, amount-description) maps, each to the section an accountant expects, and a line
nobody listed still blocks with a rule ready to paste.

Sources of the table (where a source lists only the description, the transaction-type and amount-type are the ones
the settlement report gives that kind of line):
  [SPAPI]  https://developer-docs.amazon.com/sp-api/docs/settlement-reports-attributes
  [FIN]    https://developer-docs.amazon.com/sp-api/docs/finances-api-reference (fee types, RetrochargeEvent)
  [SC-TX]  https://sellercentral-europe.amazon.com/gp/help/external/help.html?itemID=200378780
  [SC-FORUM] https://sellercentral-europe.amazon.com/forums/t/extension-of-fba-fee-promotion-for-minimum-order-quantity/518611
  [A2X-PAY] https://support.a2xaccounting.com/en/articles/2048402-payable-to-amazon-successful-charge-what-are-they-and-how-do-i-account-for-them
  [LMB]    https://help.linkmybooks.com/en/articles/4184943-understanding-the-amazon-reserved-balances-account
  [WEBG]   https://helpcenter.webgility.com/en/articles/6257546-amazon-settlement-report-fee-groups-and-fee-names
  [SPILOT] https://www.sellingpilot.com/helpcenter/en/report/amazon
  [FBWHIZ] https://feedbackwhiz.threecolts.support/en/articles/10241205-what-are-the-different-amazon-fee-types
  [ILAB]   https://threecolts.support/en/articles/10416034
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amazon_netsuite.lib.gl_mapping import gl_mapping_from_dict, load_gl_mapping, rule_to_add

DEFAULT = Path(__file__).resolve().parents[3] / "data" / "gl_mapping.yaml"
OT = "other-transaction"
REIMB = "FBA Inventory Reimbursement"

# (transaction-type, amount-type, amount-description, section, source)
DOCUMENTED = [
    # Sales and what the buyer paid for shipping and gift wrap.
    ("Order", "ItemPrice", "Principal", "sales", "SPAPI SPILOT"),
    ("Order", "ItemPrice", "Shipping", "sales", "SPILOT"),
    ("Order", "ItemPrice", "GiftWrap", "sales", "WEBG"),
    ("Order", "ItemPrice", "RegulatoryFee", "sales", "SPILOT"),
    ("Order_Retrocharge", "ItemPrice", "Principal", "sales", "SC-TX"),
    ("Liquidations", OT, "Liquidations", "sales", "SC-FORUM ILAB"),
    # Money back to the buyer: refunds, chargebacks and A-to-z claims reverse revenue.
    ("Refund", "ItemPrice", "Principal", "refunds", "SPILOT"),
    ("Refund", "ItemPrice", "Shipping", "refunds", "SPILOT"),
    ("Refund", "ItemPrice", "RestockingFee", "refunds", "SPILOT WEBG"),
    ("Refund", "ItemPrice", "RegulatoryFee", "refunds", "SPILOT"),
    ("Refund", "ItemFees", "Goodwill", "refunds", "WEBG ILAB"),
    ("Refund", "ItemFees", "ReturnShipping", "refunds", "WEBG ILAB"),
    ("Refund_Retrocharge", "ItemPrice", "Principal", "refunds", "SC-TX"),
    ("Chargeback Refund", "ItemPrice", "Principal", "refunds", "SPILOT"),
    ("Chargeback Refund", "ItemPrice", "Shipping", "refunds", "SPILOT"),
    ("A-to-z Guarantee Claim", "ItemPrice", "Principal", "refunds", "SPAPI"),
    ("A-to-z Guarantee Refund", "ItemPrice", "Principal", "refunds", "SPILOT"),
    ("Adjustment", OT, "BuyerRecharge", "refunds", "SC-TX"),
    (OT, OT, "A2Z Recovery", "refunds", "ILAB"),
    # Promotions.
    ("Order", "Promotion", "Principal", "promotions", "SPAPI"),
    ("Order", "Promotion", "Shipping", "promotions", "SPILOT"),
    ("Refund", "Promotion", "Shipping", "promotions", "SPILOT"),
    # Tax, including the tax part of a promotion and retrocharged tax.
    ("Order", "ItemPrice", "Tax", "tax", "SPILOT"),
    ("Order", "ItemPrice", "ShippingTax", "tax", "SPILOT"),
    ("Order", "ItemPrice", "GiftWrapTax", "tax", "WEBG"),
    ("Refund", "ItemPrice", "Tax", "tax", "SPILOT"),
    ("Chargeback Refund", "ItemPrice", "Tax", "tax", "SPILOT"),
    ("A-to-z Guarantee Refund", "ItemPrice", "Tax", "tax", "SPILOT"),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "tax", "SC-FORUM"),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Shipping", "tax", "SC-FORUM"),
    ("Order", "ItemWithheldTax", "TCS-IGST", "tax", "SC-FORUM"),
    ("Order", "Promotion", "TaxDiscount", "tax", "ILAB"),
    ("Order_Retrocharge", "ItemPrice", "Base Tax", "tax", "FIN"),
    ("Refund_Retrocharge", "ItemPrice", "ShippingTax", "tax", "FIN"),
    # Fees per order.
    ("Order", "ItemFees", "Commission", "fees", "SPAPI WEBG"),
    ("Refund", "ItemFees", "RefundCommission", "fees", "WEBG"),
    ("Order", "ItemFees", "VariableClosingFee", "fees", "WEBG"),
    ("Order", "ItemFees", "FixedClosingFee", "fees", "SC-FORUM"),
    ("Order", "ItemFees", "SalesTaxServiceFee", "fees", "WEBG"),
    ("Order", "ItemFees", "DigitalServicesFee", "fees", "SC-FORUM"),
    ("Order", "ItemFees", "GiftwrapCommission", "fees", "FIN ILAB"),
    ("Order", "ItemFees", "OrderCancellationCharge", "fees", "FBWHIZ"),
    ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "fees", "WEBG"),
    ("Order", "ItemFees", "FBAPerOrderFulfillmentFee", "fees", "WEBG"),
    ("Order", "ItemFees", "FBAWeightBasedFee", "fees", "WEBG"),
    ("Order", "ItemFees", "ShippingChargeback", "fees", "WEBG"),
    ("Order", "ItemFees", "GiftwrapChargeback", "fees", "WEBG"),
    ("Order", "ItemFees", "ShippingHB", "fees", "WEBG"),
    ("Refund", "ItemFees", "FBACustomerReturnPerUnitFee", "fees", "WEBG ILAB"),
    ("Refund", "ItemFees", "FBACustomerReturnPerOrderFee", "fees", "WEBG ILAB"),
    ("Refund", "ItemFees", "FBACustomerReturnWeightBasedFee", "fees", "WEBG ILAB"),
    ("Order", "ShipmentFees", "FBATransportationFee", "fees", "FIN"),
    ("Order", "ShipmentFees", "FBA transportation fee", "fees", "WEBG"),
    ("Order", "ShipmentFees", "Multi-Channel Fulfillment Brand-Neutral Box Fee", "fees", "WEBG"),
    # Fees per period: inbound, storage, removals and disposals, subscription, advertising, shipping labels.
    (OT, OT, "FBAInboundTransportationFee", "fees", "WEBG"),
    (OT, OT, "FBA Inbound Transportation Charge", "fees", "SC-TX"),
    (OT, OT, "FBAInboundDefectFee", "fees", "FIN ILAB"),
    (OT, OT, "LabelingFee", "fees", "FIN ILAB"),
    (OT, OT, "Storage Fee", "fees", "WEBG"),
    (OT, OT, "StorageRenewalBilling", "fees", "SC-FORUM"),
    (OT, OT, "FBA Storage Fees", "fees", "SC-TX"),
    (OT, OT, "FBALongTermStorageFee", "fees", "FIN"),
    (OT, OT, "RemovalComplete", "fees", "WEBG"),
    (OT, OT, "DisposalComplete", "fees", "SC-FORUM WEBG"),
    (OT, OT, "FBARemovalFee", "fees", "FIN ILAB"),
    (OT, OT, "FBADisposalFee", "fees", "FIN ILAB"),
    (OT, OT, "Subscription", "fees", "SC-TX"),
    (OT, OT, "Subscription Fee", "fees", "WEBG"),
    (OT, OT, "Shipping label purchase", "fees", "SC-FORUM WEBG"),
    (OT, OT, "ShippingServices", "fees", "WEBG"),
    (OT, OT, "ShippingServicesRefund", "fees", "WEBG"),
    (OT, OT, "BalanceAdjustment", "fees", "WEBG"),
    (OT, OT, "NonSubscriptionFeeAdj", "fees", "WEBG"),
    ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", "fees", "WEBG"),
    ("Lightning Deal Fee", OT, "Lightning Deal Fee", "fees", "ILAB"),
    ("CouponRedemptionFee", "CouponRedemptionFee", "Coupon Redemption Fee", "fees", "SPAPI"),
    ("Liquidations", OT, "LiquidationsBrokerageFee", "fees", "ILAB"),
    # FBA inventory reimbursements, multi-channel orders lost, refunds Amazon takes responsibility for.
    (OT, REIMB, "WAREHOUSE_LOST", "reimbursements", "SPILOT WEBG"),
    (OT, REIMB, "WAREHOUSE_DAMAGE", "reimbursements", "SPILOT WEBG"),
    (OT, REIMB, "WAREHOUSE_DAMAGE_EXCEPTION", "reimbursements", "WEBG"),
    (OT, REIMB, "MISSING_FROM_INBOUND", "reimbursements", "SPILOT WEBG"),
    (OT, REIMB, "REVERSAL_REIMBURSEMENT", "reimbursements", "WEBG"),
    (OT, REIMB, "MULTICHANNEL_ORDER_LOST", "reimbursements", "WEBG"),
    (OT, REIMB, "MULTICHANNEL_ORDER_LATE", "reimbursements", "WEBG"),
    (OT, REIMB, "REMOVAL_ORDER_DAMAGED", "reimbursements", "WEBG"),
    (OT, REIMB, "INCORRECT_FEES_NON_ITEMIZED", "reimbursements", "WEBG"),
    (OT, REIMB, "COMPENSATED_CLAWBACK", "reimbursements", "FBWHIZ"),
    (OT, REIMB, "CRETURN_WRONG_ITEM", "reimbursements", "FBWHIZ"),
    (OT, REIMB, "CS_ERROR_NON_ITEMIZED", "reimbursements", "FBWHIZ"),
    ("Adjustment", REIMB, "CUSTOMER_RETURN", "reimbursements", "FBWHIZ"),
    (OT, OT, "FBA Inventory Reimbursement - Customer Return", "reimbursements", "WEBG"),
    (OT, OT, "Refund Reimbursal", "reimbursements", "SC-TX"),
    (OT, OT, "SAFETReimbursement", "reimbursements", "ILAB"),
    # The seller's balance with Amazon: reserves, negative balances charged or carried, failed payouts.
    (OT, OT, "Current Reserve Amount", "reserves", "SC-FORUM LMB"),
    (OT, OT, "Previous Reserve Amount Balance", "reserves", "SC-TX LMB"),
    (OT, OT, "Successful charge", "reserves", "A2X-PAY LMB"),
    (OT, OT, "Payable to Amazon", "reserves", "A2X-PAY"),
    (OT, OT, "Repayment of negative Amazon balance", "reserves", "LMB"),
    (OT, OT, "Failed Charge", "reserves", "SC-TX"),
    (OT, OT, "Failed Disbursement", "reserves", "SC-TX"),
    # Amazon Lending.
    (OT, OT, "Amazon Capital Services", "other", "WEBG ILAB"),
]


@pytest.fixture(scope="module")
def mapping():
    return load_gl_mapping(DEFAULT)


def test_the_table_holds_at_least_sixty_distinct_documented_lines():
    assert len({row[:3] for row in DOCUMENTED}) == len(DOCUMENTED) >= 60


@pytest.mark.parametrize(("transaction_type", "amount_type", "amount_description", "section", "source"), DOCUMENTED)
def test_every_documented_line_maps_to_the_section_an_accountant_expects(
        mapping, transaction_type, amount_type, amount_description, section, source):
    rule = mapping.rule_for(transaction_type, amount_type, amount_description)
    assert rule is not None, f"unmapped ({source}): {transaction_type} / {amount_type} / {amount_description}"
    assert mapping.sections[rule.account] == section, f"{rule.label} → {rule.account}"


def test_the_lines_the_issue_names_land_where_an_accountant_books_them(mapping):
    def account(*line: str) -> str:
        return mapping.rule_for(*line).account

    assert account("Chargeback Refund", "ItemPrice", "Principal") == "ACCT-REFUNDS"
    assert account("A-to-z Guarantee Claim", "ItemPrice", "Principal") == "ACCT-REFUNDS"
    assert account("Order", "Promotion", "TaxDiscount") == "ACCT-FACILITATOR-TAX-CLEARING"
    # A negative balance and its follow-ups stay in the Amazon balance, never the bank.
    balance = {account(OT, OT, d) for d in ("Successful charge", "Payable to Amazon",
                                           "Repayment of negative Amazon balance", "Failed Charge",
                                           "Failed Disbursement")}
    assert balance == {"ACCT-AMZ-BALANCE"}
    assert account(OT, OT, "Current Reserve Amount") == "ACCT-AMZ-RESERVE"
    assert not any(a.startswith("ACCT-BANK") for a in balance)
    assert account(OT, OT, "Amazon Capital Services") == "ACCT-AMZ-LOAN"
    assert account(OT, REIMB, "MULTICHANNEL_ORDER_LOST") == "ACCT-REIMBURSEMENTS"
    assert account("Order", "ShipmentFees", "FBATransportationFee") == "ACCT-AMZ-FBA-FEES"


def test_the_default_has_no_catch_all_so_an_unknown_line_stays_unmapped(mapping):
    assert mapping.rule_for(OT, OT, "Brand new fee") is None
    assert mapping.rule_for("Order", "ItemFees", "SomethingAmazonInventsNext") is None
    assert mapping.suspense_account is None


def test_the_rule_to_add_is_yaml_that_maps_exactly_that_line_once_its_account_is_chosen(mapping):
    line = ("other-transaction", "other-transaction", "Brand new fee: 10% [test] *now*")
    pasted = rule_to_add(*line)
    assert pasted.startswith('- {name: "Brand new fee: 10% [test] *now*", transaction_type: "other-transaction"')
    assert pasted.endswith("account: ACCT-CHOOSE}")

    raw = yaml.safe_load(DEFAULT.read_text())
    rule = yaml.safe_load(pasted.replace("ACCT-CHOOSE", "ACCT-AMZ-SELLING-FEES"))[0]
    extended = gl_mapping_from_dict({**raw, "rules": [*raw["rules"], rule]})
    assert extended.rule_for(*line).account == "ACCT-AMZ-SELLING-FEES"
    # Amazon's text is matched literally: the brackets and stars are not globs.
    assert extended.rule_for(line[0], line[1], "Brand new fee: 10% t *now*") is None
    assert extended.rule_for(line[0], line[1], "Brand new fee: 10% [test] *later*") is None


def test_the_rule_to_add_leaves_out_a_blank_field_and_the_placeholder_account_is_refused():
    pasted = rule_to_add("", "other-transaction", "Mystery Fee")
    assert pasted == ('- {name: "Mystery Fee", amount_type: "other-transaction", amount_description: "Mystery Fee", '
                      "account: ACCT-CHOOSE}")
    raw = yaml.safe_load(DEFAULT.read_text())
    with pytest.raises(ValueError, match="account 'ACCT-CHOOSE' is not declared"):
        gl_mapping_from_dict({**raw, "rules": [*raw["rules"], yaml.safe_load(pasted)[0]]})
