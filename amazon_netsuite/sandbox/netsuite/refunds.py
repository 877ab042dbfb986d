"""Customer refunds: money paid back to a customer out of a bank account for the credit memos it applies.
Exact to the cent."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.applications import applied_docs, refunded_from
from amazon_netsuite.sandbox.netsuite.record_parts import cents, money, ref_id, require, user_error
from amazon_netsuite.sandbox.netsuite.sales import default_from_customer
from amazon_netsuite.sandbox.netsuite.store import RecordStore

ZERO = Decimal(0)


def finish_customer_refund(store: RecordStore, record: dict) -> None:
    """Each applied credit memo's amount (default: what it has left), at most what it has left; total = their sum,
    paid from a bank account."""
    require(record, "customer", "Customer")
    require(record, "account", "Account")
    default_from_customer(store, record, "customer")
    account = store.get("account", ref_id(record["account"]) or 0)
    if account is None or account.get("acctType", {}).get("id") != "Bank":
        raise user_error("A customer refund is paid from a bank account.", "account")
    memos = applied_docs(store, record, "creditMemo")
    if not memos:
        raise user_error("Apply the refund to at least one credit memo.", "apply")
    total = ZERO
    for path, line, memo in memos:
        if ref_id(memo.get("entity")) != ref_id(record["customer"]):
            raise user_error(f"Credit memo {memo['tranId']} belongs to another customer.", f"{path}.doc")
        left = memo["unapplied"] - refunded_from(store, int(memo["id"]), exclude=int(record["id"]))
        amount = cents(money(line["amount"])) if line.get("amount") is not None else left
        if not ZERO < amount <= left:
            raise user_error(f"You cannot refund {amount} of credit memo {memo['tranId']}: {left} is left.",
                             f"{path}.amount")
        line.update(doc={"id": memo["id"], "refName": memo["tranId"]}, apply=True, amount=amount, due=left,
                    total=memo["total"], refNum=memo["tranId"], type="Credit Memo")
        total += amount
    record["total"] = total
