"""Auto-reversing journal entries: a journal saved with `reversalDate` (and `reversalDefer` false) gets its reversal
when it is saved, posting on that date: the same lines with debits and credits swapped, marked `isReversal` and
"permanently linked to the original entry. Any change you make to the original entry affects the reversing
transaction. You cannot directly edit a reversing journal entry."
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N1471552.html, "Reversing Journal Entries").
Dropping the reversal date removes the reversal. With `reversalDefer` NetSuite creates it only on its date; the
sandbox then creates none (not modelled).

Not verified against a live account: how REST names the link. The sandbox sets the reversal's `createdFrom` to the
original, so SuiteQL's `transactionline.createdfrom` leads from one to the other, as a trial balance follows it.
"""

from __future__ import annotations

from datetime import datetime

from amazon_netsuite.sandbox.netsuite.record_parts import ref_id
from amazon_netsuite.sandbox.netsuite.store import RecordStore

_HEADER = ("subsidiary", "currency", "approved", "accountingBook")


def reversal_of(store: RecordStore, original_id: int) -> dict | None:
    """The automatic reversal of a journal, if it has one."""
    return next((r for t, r in store.referrers(original_id)
                 if t == "journalEntry" and r.get("isReversal") and ref_id(r.get("createdFrom")) == original_id), None)


def _wants_reversal(record: dict) -> bool:
    return bool(record.get("reversalDate")) and not record.get("reversalDefer") and not record.get("isReversal")


def sync_reversal(store: RecordStore, original_id: int, now: datetime) -> None:
    """Create, move or remove the reversal of a journal entry just saved, as its reversal date says."""
    from amazon_netsuite.sandbox.netsuite.records import apply

    original = store.get("journalEntry", original_id)
    existing = reversal_of(store, original_id)
    if original is None or not _wants_reversal(original):
        if existing is not None:
            store.delete("journalEntry", int(existing["id"]))
        return
    lines = [{"account": line["account"], "memo": line.get("memo"),
              **({"credit": line["debit"]} if line.get("debit") is not None else {"debit": line["credit"]}),
              **({"entity": line["entity"]} if line.get("entity") else {})}
             for line in original["line"]["items"]]
    body = {**{k: original[k] for k in _HEADER if k in original},
            "tranDate": str(original["reversalDate"])[:10], "isReversal": True,
            "createdFrom": {"id": str(original_id)},
            "memo": f"Reversal of {original.get('tranId')}" + (f": {original['memo']}" if original.get("memo") else ""),
            "line": {"items": lines}}
    record_id = int(existing["id"]) if existing else store.next_id()
    if existing:  # a fresh body: the reversal mirrors the original as it now is, keeping only its number
        body["tranId"] = existing["tranId"]
    record = apply(store, "journalEntry", None, body, record_id=record_id, now=now)
    if existing:
        record["createdDate"] = existing["createdDate"]
    store.put("journalEntry", record)
