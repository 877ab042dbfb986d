"""The `apply` sublist customer payments and credit memos share: the invoices they pay or credit, and what is
already applied to an invoice (or refunded out of a credit memo). Exact to the cent."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_parts import cents, finish_sublist, money, ref_id, user_error
from amazon_netsuite.sandbox.netsuite.store import RecordStore

ZERO = Decimal(0)


def applied_to(store: RecordStore, invoice_id: int, exclude: int | None = None) -> Decimal:
    """The payments and credits applied to an invoice (leaving out record `exclude`, the one being saved)."""
    total = ZERO
    for record_type, record in store.referrers(invoice_id):
        if record_type not in ("customerPayment", "creditMemo") or int(record["id"]) == exclude:
            continue
        total += sum((money(line["amount"]) for line in record.get("apply", {}).get("items", [])
                      if line.get("apply", True) and ref_id(line.get("doc")) == invoice_id), ZERO)
    return total


def refunded_from(store: RecordStore, memo_id: int, exclude: int | None = None) -> Decimal:
    """What customer refunds have paid out of a credit memo (leaving out record `exclude`, the one being saved)."""
    return sum((money(line["amount"]) for record_type, record in store.referrers(memo_id)
                if record_type == "customerRefund" and int(record["id"]) != exclude
                for line in record.get("apply", {}).get("items", []) if ref_id(line.get("doc")) == memo_id), ZERO)


def applied_docs(store: RecordStore, record: dict, doc_type: str) -> list[tuple[str, dict, dict]]:
    """The `apply` lines marked applied (the others are dropped), each with its path and the `doc_type` record it
    applies; 400 INVALID_KEY_OR_REF for a doc that is none."""
    lines = [line for line in record.get("apply", {}).get("items", []) if line.get("apply", True)]
    record["apply"] = {"items": lines}
    finish_sublist(record, "apply")
    docs = []
    for index, line in enumerate(lines):
        path = f"apply.items[{index}]"
        doc = store.get(doc_type, ref_id(line.get("doc")) or 0)
        if doc is None:
            raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid doc reference key {line.get('doc')}.",
                              f"{path}.doc")
        docs.append((path, line, doc))
    return docs


def finish_applied(store: RecordStore, record: dict, customer_id: int | None, available: Decimal) -> Decimal:
    """Check and complete the `apply` sublist (invoices paid or credited); the total applied. A line without an
    amount takes what the invoice still owes, up to what is left to apply; lines not applied are dropped."""
    applied, seen = ZERO, set()
    for path, line, invoice in applied_docs(store, record, "invoice"):
        if invoice["id"] in seen:
            raise user_error(f"Invoice {invoice['tranId']} is applied twice.", f"{path}.doc")
        seen.add(invoice["id"])
        if ref_id(invoice.get("entity")) != customer_id:
            raise user_error(f"Invoice {invoice['tranId']} belongs to another customer.", f"{path}.doc")
        due = invoice["total"] - applied_to(store, int(invoice["id"]), exclude=int(record["id"]))
        amount = cents(money(line["amount"])) if line.get("amount") is not None else min(due, available - applied)
        if amount <= 0:
            raise user_error(f"The amount applied to invoice {invoice['tranId']} must be positive.",
                             f"{path}.amount")
        if amount > due:
            raise user_error(f"You cannot apply {amount} to invoice {invoice['tranId']}: only {due} is due.",
                             f"{path}.amount")
        line.update(doc={"id": invoice["id"], "refName": invoice["tranId"]}, apply=True, amount=amount, due=due,
                    total=invoice["total"], refNum=invoice["tranId"], type="Invoice")
        applied += amount
    if applied > available:
        raise user_error(f"The total applied ({applied}) is more than the {available} available to apply.", "apply")
    return applied
