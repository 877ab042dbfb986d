"""The sandbox account's chart of accounts: what an Amazon settlement reconciliation posts to.

The external ids are an agreed interface (data/gl_mapping.yaml maps settlement lines to them); accounts may be
added, never renamed. Every account is available to every subsidiary. Bank accounts carry their currency, except
Amazon Clearing: it is Bank-type because cash refunds and customer refunds pay out of it and NetSuite pays a refund
from a bank account, and it holds every currency of its region.
"""

from __future__ import annotations

# (external id, number, name, NetSuite acctType, currency or None, parent external id or None)
CHART_OF_ACCOUNTS: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (
    ("ACCT-BANK-USD", "1000", "Operating Bank Account (USD)", "Bank", "USD", None),
    ("ACCT-BANK-CAD", "1010", "Operating Bank Account (CAD)", "Bank", "CAD", None),
    ("ACCT-BANK-EUR", "1020", "Operating Bank Account (EUR)", "Bank", "EUR", None),
    ("ACCT-AR", "1100", "Accounts Receivable", "AcctRec", None, None),
    ("ACCT-UNDEPOSITED-FUNDS", "1200", "Undeposited Funds", "OthCurrAsset", None, None),
    ("ACCT-AMZ-CLEARING", "1300", "Amazon Clearing", "Bank", None, None),
    ("ACCT-AMZ-CLEARING-na", "1301", "Amazon Clearing – North America", "Bank", None, "ACCT-AMZ-CLEARING"),
    ("ACCT-AMZ-CLEARING-eu", "1302", "Amazon Clearing – Europe", "Bank", None, "ACCT-AMZ-CLEARING"),
    ("ACCT-AMZ-CLEARING-fe", "1303", "Amazon Clearing – Far East", "Bank", None, "ACCT-AMZ-CLEARING"),
    ("ACCT-AMZ-RESERVE", "1310", "Amazon Reserve Held", "OthCurrAsset", None, None),
    ("ACCT-SUSPENSE", "1390", "Amazon Suspense (unmapped settlement lines)", "OthCurrAsset", None, None),
    ("ACCT-INVENTORY", "1400", "Inventory Asset", "OthCurrAsset", None, None),
    ("ACCT-FBA-INBOUND", "1410", "Inventory in Transit to FBA", "OthCurrAsset", None, None),
    ("ACCT-FACILITATOR-TAX-CLEARING", "2200", "Marketplace Facilitator Tax Clearing", "OthCurrLiab", None, None),
    ("ACCT-SALES-TAX-PAYABLE", "2300", "Sales Tax / VAT Payable", "OthCurrLiab", None, None),
    ("ACCT-VAT-PAYABLE", "2310", "VAT Payable", "OthCurrLiab", None, None),
    ("ACCT-AMZ-LOAN", "2400", "Amazon Lending Loan", "OthCurrLiab", None, None),
    ("ACCT-AMZ-BALANCE", "2410", "Amazon Seller Balance (payable to Amazon)", "OthCurrLiab", None, None),
    ("ACCT-SALES", "4000", "Sales – Amazon", "Income", None, None),
    ("ACCT-SHIPPING-INCOME", "4010", "Shipping Income", "Income", None, None),
    ("ACCT-GIFTWRAP-INCOME", "4020", "Gift Wrap Income", "Income", None, None),
    ("ACCT-REFUNDS", "4050", "Refunds and Returns (contra revenue)", "Income", None, None),
    ("ACCT-PROMOTIONS", "4060", "Promotions and Discounts (contra revenue)", "Income", None, None),
    ("ACCT-REIMBURSEMENTS", "4900", "Amazon Reimbursements", "OthIncome", None, None),
    ("ACCT-COGS", "5000", "Cost of Goods Sold", "COGS", None, None),
    ("ACCT-INVENTORY-ADJUSTMENTS", "5100", "Inventory Adjustments (FBA receipts, losses, damage, removals)", "COGS",
     None, None),
    ("ACCT-AMZ-SELLING-FEES", "6100", "Amazon Selling Fees (referral, closing)", "Expense", None, None),
    ("ACCT-AMZ-FBA-FEES", "6110", "FBA Fulfillment Fees", "Expense", None, None),
    ("ACCT-AMZ-STORAGE-FEES", "6120", "FBA Storage Fees", "Expense", None, None),
    ("ACCT-AMZ-SUBSCRIPTION", "6130", "Amazon Subscription", "Expense", None, None),
    ("ACCT-AMZ-ADVERTISING", "6140", "Amazon Advertising", "Expense", None, None),
    ("ACCT-AMZ-SHIPPING-CHARGEBACK", "6150", "Shipping Chargebacks", "Expense", None, None),
    ("ACCT-AMZ-CHARGEBACKS", "6160", "Chargebacks and A-to-Z Claims", "Expense", None, None),
)

# Accounts the sandbox posts to on its own when it writes GL impact (transactionaccountingline).
RECEIVABLES, UNDEPOSITED_FUNDS, SALES = "ACCT-AR", "ACCT-UNDEPOSITED-FUNDS", "ACCT-SALES"
SHIPPING_INCOME, TAX_PAYABLE = "ACCT-SHIPPING-INCOME", "ACCT-SALES-TAX-PAYABLE"
COGS, INVENTORY_ASSET = "ACCT-COGS", "ACCT-INVENTORY"

# SuiteTax tax types (external id, name, payables account) and their tax codes (salesTaxItem: external id, tax type,
# rate in percent). A SuiteTax tax code posts to its tax type's payables account
# (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1557735990.html). Sales tax covers what a
# seller collects on top of the price (US states, Canada's GST/HST/PST/QST as Amazon charges them in one amount).
TAX_TYPES = (("TAXTYPE-VAT", "VAT", "ACCT-VAT-PAYABLE"),
             ("TAXTYPE-SALES-TAX", "Sales tax", "ACCT-SALES-TAX-PAYABLE"))
TAX_CODES = (("TAXCODE-VAT-STANDARD", "TAXTYPE-VAT", "19"),
             ("TAXCODE-SALES-TAX", "TAXTYPE-SALES-TAX", "0"))
