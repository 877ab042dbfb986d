"""Journal entries: debit and credit lines against accounts, which must balance to the cent (exact Decimal)."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.record_parts import (
    finish_sublist,
    money,
    number_lines,
    ref_id,
    require,
    user_error,
)
from amazon_netsuite.sandbox.netsuite.sales import status
from amazon_netsuite.sandbox.netsuite.store import RecordStore

ZERO = Decimal(0)
JOURNAL_STATUSES = {"A": "Pending Approval", "B": "Approved for Posting"}


def finish_journal(store: RecordStore, record: dict) -> None:
    require(record, "subsidiary", "Subsidiary")
    subsidiary = store.get("subsidiary", ref_id(record["subsidiary"]) or 0)
    if not record.get("currency") and subsidiary and subsidiary.get("currency"):
        record["currency"] = {"id": subsidiary["currency"]["id"]}
    lines = finish_sublist(record, "line")
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "line")
    number_lines(lines)
    debits = credits = ZERO
    for index, line in enumerate(lines):
        path = f"line.items[{index}]"
        if not line.get("account"):
            raise user_error("Please enter value(s) for: Account", f"{path}.account")
        debit, credit = (money(line[n]) if line.get(n) is not None else None for n in ("debit", "credit"))
        if (debit is None) == (credit is None):
            raise user_error("Each journal line needs either a debit or a credit amount, not both.", path)
        if (debit or credit or ZERO) < 0:
            raise user_error("Journal amounts cannot be negative: use the other column.", path)
        for name, amount in (("debit", debit), ("credit", credit)):
            if amount is None:
                line.pop(name, None)
            else:
                line[name] = amount
        debits += debit or ZERO
        credits += credit or ZERO
    if debits != credits:
        raise user_error(f"The debit and credit totals must balance: debits {debits}, credits {credits} "
                         f"(out of balance by {abs(debits - credits)}).", "line")
    record.setdefault("approved", True)
    record["total"] = debits
    record["status"] = status("B" if record["approved"] else "A", JOURNAL_STATUSES)
