"""Customer payments (applied to invoices, see applications.py) and bank deposits of undeposited payments and
cash sales plus other deposits and cash back. Every amount exact to the cent."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.applications import applied_to, finish_applied
from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_parts import cents, finish_sublist, money, ref_id, require, user_error
from amazon_netsuite.sandbox.netsuite.sales import check_bank_account, default_from_customer, deposited, status
from amazon_netsuite.sandbox.netsuite.store import RecordStore

ZERO = Decimal(0)
PAYMENT_STATUSES = {"A": "Unapproved Payment", "B": "Not Deposited", "C": "Deposited"}
_TYPE_CODES = {"customerPayment": "CustPymt", "cashSale": "CashSale"}


def finish_payment(store: RecordStore, record: dict) -> None:
    require(record, "customer", "Customer")
    require(record, "payment", "Payment Amount")
    record["payment"] = cents(money(record["payment"]))
    if record["payment"] < 0:
        raise user_error("The payment amount cannot be negative.", "payment")
    default_from_customer(store, record, "customer")
    check_bank_account(store, record)
    applied = finish_applied(store, record, ref_id(record["customer"]), record["payment"])
    record.update(applied=applied, unapplied=record["payment"] - applied, total=record["payment"])
    record["status"] = status("C" if deposited(store, record) else "B", PAYMENT_STATUSES)


def pay_invoice(store: RecordStore, invoice: dict) -> dict:
    """`invoice/!transform/customerPayment`: a payment of what the invoice owes, applied to it."""
    due = invoice["total"] - applied_to(store, int(invoice["id"]))
    if due <= 0:
        raise user_error(f"Invoice {invoice['tranId']} is already paid in full.")
    body = {"customer": invoice["entity"], "payment": due,
            "apply": {"items": [{"doc": {"id": invoice["id"]}, "apply": True, "amount": due}]}}
    body.update({name: invoice[name] for name in ("subsidiary", "currency") if invoice.get(name)})
    return body


def _finish_deposited_payments(store: RecordStore, record: dict) -> Decimal:
    lines = [line for line in record.get("payment", {}).get("items", []) if line.get("deposit", True)]
    record["payment"] = {"items": lines}
    finish_sublist(record, "payment")
    total, seen = ZERO, set()
    for index, line in enumerate(lines):
        path = f"payment.items[{index}].id"
        found = store.find(ref_id(line.get("id")) or 0)
        if found is None or found[0] not in _TYPE_CODES:
            raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid payment reference key {line.get('id')}: "
                              "deposit customer payments or cash sales.", path)
        source_type, source = found
        if source["id"] in seen:
            raise user_error(f"{source['tranId']} is deposited twice.", path)
        seen.add(source["id"])
        if source.get("undepFunds") is False:
            raise user_error(f"{source['tranId']} went straight to a bank account; it is not in Undeposited Funds.",
                             path)
        elsewhere = [r["tranId"] for t, r in store.referrers(int(source["id"]))
                     if t == "deposit" and r["id"] != record["id"]]
        if elsewhere:
            raise user_error(f"{source['tranId']} is already deposited ({elsewhere[0]}).", path)
        amount = source["total"]
        line.update(id=source["id"], deposit=True, paymentAmount=amount, transactionAmount=amount,
                    type={"id": _TYPE_CODES[source_type]}, docNumber=source["tranId"],
                    entity=source.get("entity") or source.get("customer"), refNum=source.get("otherRefNum"))
        total += amount
    return total


def _gl_lines(record: dict, name: str) -> Decimal:
    total = ZERO
    for index, line in enumerate(finish_sublist(record, name)):
        if not line.get("account"):
            raise user_error("Please enter value(s) for: Account", f"{name}.items[{index}].account")
        if line.get("amount") is None:
            raise user_error("Please enter value(s) for: Amount", f"{name}.items[{index}].amount")
        line["amount"] = cents(money(line["amount"]))
        total += line["amount"]
    return total


def finish_deposit(store: RecordStore, record: dict) -> None:
    """Total = payments + other deposits − cash back, into a bank account."""
    require(record, "account", "Account")
    account = store.get("account", ref_id(record["account"]) or 0)
    if account is None or account.get("acctType", {}).get("id") != "Bank":
        raise user_error("A deposit goes into a bank account.", "account")
    if not record.get("currency") and account.get("currency"):
        record["currency"] = {"id": account["currency"]["id"]}
    total = _finish_deposited_payments(store, record) + _gl_lines(record, "other") - _gl_lines(record, "cashback")
    if not any(record[name]["items"] for name in ("payment", "other", "cashback")):
        raise user_error("You must enter at least one line item for this transaction.", "payment")
    if total < 0:
        raise user_error(f"The deposit total ({total}) cannot be negative.", "cashback")
    record["total"] = cents(total)
    record["status"] = {"id": "Deposited", "refName": "Deposited"}
