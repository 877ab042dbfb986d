"""What every transaction shares: tranId and tranDate, the per-type finishing rules, `!transform`, and keeping
derived state (an order's status, an invoice's amount due, a payment's deposit status) right when a related
record changes."""

from __future__ import annotations

import copy
from datetime import date

from amazon_netsuite.sandbox.netsuite.adjustments import finish_adjustment
from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.fulfillment import finish_fulfillment, fulfill_order
from amazon_netsuite.sandbox.netsuite.journals import finish_journal
from amazon_netsuite.sandbox.netsuite.payments import finish_deposit, finish_payment, pay_invoice
from amazon_netsuite.sandbox.netsuite.record_parts import SUBLISTS, merge_lines
from amazon_netsuite.sandbox.netsuite.refunds import finish_customer_refund
from amazon_netsuite.sandbox.netsuite.returns import (
    finish_item_receipt,
    finish_return_authorization,
    receive_return,
    return_from,
)
from amazon_netsuite.sandbox.netsuite.sales import bill_order, credit_invoice, finish_sales, refund_cash_sale
from amazon_netsuite.sandbox.netsuite.store import SALES_TYPES, RecordStore
from amazon_netsuite.sandbox.netsuite.tax import TAX_DETAILS

TRAN_ID_PREFIX = {"salesOrder": "SO", "cashSale": "CS", "invoice": "INV", "creditMemo": "CM", "cashRefund": "CR",
                  "itemFulfillment": "IF", "customerPayment": "PYMT", "journalEntry": "JE", "deposit": "DEP",
                  "customerRefund": "CRF", "inventoryAdjustment": "IA",
                  "returnAuthorization": "RMA", "itemReceipt": "IR"}
# The transforms NetSuite offers between the record types the sandbox keeps: Oracle's "Transforming Records"
# (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157901123882.html) and the REST API
# Browser's salesOrder and invoice records (https://github.com/wsjmnh/netsuite-record-rest-docs docs/records/).
TRANSFORMS = {
    ("salesOrder", "itemFulfillment"): fulfill_order,
    ("salesOrder", "invoice"): bill_order,
    ("salesOrder", "cashSale"): bill_order,
    ("invoice", "customerPayment"): pay_invoice,
    ("invoice", "creditMemo"): credit_invoice,
    ("cashSale", "cashRefund"): refund_cash_sale,
    ("cashSale", "returnAuthorization"): return_from,
    ("salesOrder", "returnAuthorization"): return_from,
    ("invoice", "returnAuthorization"): return_from,
    ("returnAuthorization", "itemReceipt"): receive_return,
}
# In a transform the body's lines match the source's by these keys.
_TRANSFORM_KEYS = {"item": "orderLine", "apply": "doc"}
# Whose derived state depends on the records pointing at them.
_DERIVED_FROM_REFERRERS = ("salesOrder", "invoice", "customerPayment", "cashSale", "creditMemo",
                           "returnAuthorization")


def finish_transaction(store: RecordStore, record_type: str, record: dict, today: date, creating: bool) -> None:
    record.setdefault("tranId", f"{TRAN_ID_PREFIX[record_type]}{record['id']}")
    record.setdefault("tranDate", today.isoformat())
    if record_type in SALES_TYPES:
        finish_sales(store, record_type, record)
    elif record_type == "itemFulfillment":
        finish_fulfillment(store, record, creating)
    elif record_type == "customerPayment":
        finish_payment(store, record)
    elif record_type == "journalEntry":
        finish_journal(store, record)
    elif record_type == "customerRefund":
        finish_customer_refund(store, record)
    elif record_type == "inventoryAdjustment":
        finish_adjustment(store, record)
    elif record_type == "returnAuthorization":
        finish_return_authorization(store, record)
    elif record_type == "itemReceipt":
        finish_item_receipt(store, record, creating)
    else:
        finish_deposit(store, record)


def transform(store: RecordStore, source_type: str, source: dict, target_type: str, body: dict,
              replace: set[str]) -> dict:
    """The body of the record `!transform` creates: the source's defaults, overridden by the request body (its
    lines update the source's lines with the same key, or replace them all with `?replace=`)."""
    build = TRANSFORMS.get((source_type, target_type))
    if build is None:
        supported = sorted(t for s, t in TRANSFORMS if s == source_type)
        raise RecordError(400, "INVALID_PARAMETER", f"A {source_type} cannot be transformed into a {target_type}"
                          + (f" (supported: {', '.join(supported)})." if supported else "."))
    merged = copy.deepcopy(build(store, source))  # the new record must share nothing with its source
    sublists = SUBLISTS.get(target_type, {})
    for name, value in body.items():
        if name in sublists and isinstance(value, dict):
            # Tax lines have no key: the body's replace the source's (a partial refund sends its own).
            merged[name] = {"items": merge_lines(merged.get(name, {}).get("items", []), value.get("items", []),
                                                 name in replace or name == TAX_DETAILS,
                                                 _TRANSFORM_KEYS.get(name))}
        elif name != "createdFrom":
            merged[name] = value
    return merged


def _refresh(store: RecordStore, record_id: int) -> None:
    found = store.find(record_id)
    if found is None or found[0] not in _DERIVED_FROM_REFERRERS:
        return
    record_type, stored = found
    record = copy.deepcopy(stored)
    try:
        finish_transaction(store, record_type, record, date.fromisoformat(record["tranDate"][:10]), creating=False)
    except RecordError:
        return  # the write that led here was checked against this record already; keep what is stored
    if record != stored:
        store.put(record_type, record)


def refresh_related(store: RecordStore, record_id: int, old_links: set[int]) -> None:
    """After saving a record: refresh what it points at (now or before) and the deposits that hold it."""
    for target in sorted(old_links | store.links(record_id)):
        _refresh(store, target)
    for referrer_type, referrer in store.referrers(record_id):
        if referrer_type == "deposit":
            record = copy.deepcopy(referrer)
            finish_deposit(store, record)
            if record != referrer:
                store.put("deposit", record)
