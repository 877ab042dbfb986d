"""The two returns reports of the Reports API: their types, header names (in file order) and date-range limit.

Columns from https://developer-docs.amazon.com/sp-api/docs/returns-reports-attributes; the MFN report holds "up to
60 days of data in a single report" (https://developer-docs.amazon.com/sp-api/docs/report-type-values-returns).
Shared so that both the sandbox and the returns flow name the same columns.
"""

from __future__ import annotations

# FBA customer returns: only returns processed at a fulfilment centre; a refund without a return is not in it
# (https://sellercentral.amazon.co.jp/gp/help/external/help.html?itemID=200453320&language=en_JP).
FBA_RETURNS_REPORT_TYPE = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
FBA_RETURNS_COLUMNS: tuple[str, ...] = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
    "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments",
)

# Seller-fulfilled (MFN) returns, selected by return request date.
MFN_RETURNS_REPORT_TYPE = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
MFN_RETURNS_COLUMNS: tuple[str, ...] = (
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID",
    "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID", "Label to be paid by",
    "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason",
    "In policy", "Return type", "Resolution", "Invoice number", "Return delivery date", "Order Amount",
    "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount",
)
MFN_RETURNS_MAX_DAYS = 60
