"""Auto-reversing journal entries: a journal with a reversal date gets NetSuite's reversal on that date, lines
swapped and linked to it, in the GL by SuiteQL; changing the original moves its reversal, dropping the date removes
it."""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, fetch, internal_id, suiteql_rows

EID = "AMZ-ACR-TEST-202611"


def _accrual(sales: str, fees: str, **fields) -> dict:
    net = str(Decimal(sales) - Decimal(fees))
    return {"subsidiary": {"externalId": "SUB-na"}, "tranDate": "2026-11-30", "memo": "accrual",
            "reversalDate": "2026-12-01", "reversalDefer": False, "line": {"items": [
                {"account": {"externalId": "ACCT-AMZ-CLEARING"}, "debit": net},
                {"account": {"externalId": "ACCT-AMZ-SELLING-FEES"}, "debit": fees},
                {"account": {"externalId": "ACCT-SALES"}, "credit": sales}]}, **fields}


def _upsert(netsuite, body: dict) -> str:
    return internal_id(netsuite.put(f"{RECORDS}/journalEntry/eid:{EID}", json=body, params={"replace": "line"}))


def _gl(netsuite, original: str) -> list[dict]:
    """Per transaction made from the original (and the original), its date and GL balance per account."""
    return suiteql_rows(netsuite, """
        SELECT t.id, t.trandate, a.externalid AS account, SUM(tal.debit) AS debit, SUM(tal.credit) AS credit
        FROM transaction t JOIN transactionaccountingline tal ON tal.transaction = t.id
        JOIN account a ON a.id = tal.account
        WHERE t.id = ? OR t.id IN (SELECT tl.transaction FROM transactionline tl WHERE tl.mainline = 'T'
                                   AND tl.createdfrom = ?)
        GROUP BY t.id, t.trandate, a.externalid ORDER BY t.id, a.externalid""", [original, original])


def test_a_journal_with_a_reversal_date_gets_its_reversal_on_that_date_with_every_line_swapped(netsuite):
    original = _upsert(netsuite, _accrual("100.00", "15.00"))
    rows = _gl(netsuite, original)
    reversal = {r["id"] for r in rows} - {original}
    assert len(reversal) == 1
    (reversal_id,) = reversal
    record = fetch(netsuite, "journalEntry", reversal_id)
    assert record["isReversal"] is True and record["tranDate"] == "2026-12-01"
    assert record["createdFrom"]["id"] == original
    by_transaction = {(r["id"], r["account"]): (r.get("debit"), r.get("credit")) for r in rows}
    assert by_transaction[(original, "ACCT-SALES")] == (None, "100")
    assert by_transaction[(reversal_id, "ACCT-SALES")] == ("100", None)
    assert by_transaction[(reversal_id, "ACCT-AMZ-CLEARING")] == (None, "85")
    assert by_transaction[(reversal_id, "ACCT-AMZ-SELLING-FEES")] == (None, "15")
    # November holds the accrual, December its reversal: over both, nothing is left.
    assert {str(r["trandate"]) for r in rows if r["id"] == reversal_id} == {"12/1/2026"}


def test_changing_the_original_changes_its_reversal_and_dropping_the_date_removes_it(netsuite):
    original = _upsert(netsuite, _accrual("100.00", "15.00"))
    first = {r["id"] for r in _gl(netsuite, original)} - {original}
    assert _upsert(netsuite, _accrual("40.00", "5.00", reversalDate="2026-12-02")) == original
    rows = _gl(netsuite, original)
    assert {r["id"] for r in rows} - {original} == first  # the same reversal, moved
    (reversal_id,) = first
    assert fetch(netsuite, "journalEntry", reversal_id)["tranDate"] == "2026-12-02"
    assert {(r["account"], r["debit"]) for r in rows if r["id"] == reversal_id and r.get("debit")} == {
        ("ACCT-SALES", "40")}
    _upsert(netsuite, {**_accrual("40.00", "5.00"), "reversalDefer": True})
    assert {r["id"] for r in _gl(netsuite, original)} == {original}
    assert netsuite.get(f"{RECORDS}/journalEntry/{reversal_id}").status_code == 404


def test_deleting_a_journal_takes_its_reversal_along_and_a_record_others_depend_on_stays(netsuite):
    original = _upsert(netsuite, _accrual("100.00", "15.00"))
    (reversal_id,) = {r["id"] for r in _gl(netsuite, original)} - {original}
    assert netsuite.delete(f"{RECORDS}/journalEntry/eid:{EID}").status_code == 204
    assert netsuite.get(f"{RECORDS}/journalEntry/{original}").status_code == 404
    assert netsuite.get(f"{RECORDS}/journalEntry/{reversal_id}").status_code == 404
    assert _gl(netsuite, original) == []
    order = internal_id(netsuite.post(f"{RECORDS}/salesOrder", json={
        "entity": {"externalId": "AMZ-CUSTOMER-demo-US"}, "location": {"externalId": "WH-na"},
        "item": {"items": [{"item": {"externalId": "TSHIRT-RED-M"}, "quantity": 1, "rate": "19.99"}]}}))
    internal_id(netsuite.post(f"{RECORDS}/salesOrder/{order}/!transform/itemFulfillment", json={}))
    refused = netsuite.delete(f"{RECORDS}/salesOrder/{order}")
    assert refused.status_code == 400 and "dependent records" in refused.json()["o:errorDetails"][0]["detail"]


def test_a_reversal_cannot_be_edited_itself(netsuite):
    from amazon_netsuite_tests.sandbox.netsuite.conftest import error_detail

    original = _upsert(netsuite, _accrual("100.00", "15.00"))
    (reversal_id,) = {r["id"] for r in _gl(netsuite, original)} - {original}
    refused = netsuite.patch(f"{RECORDS}/journalEntry/{reversal_id}", json={"memo": "mine now"})
    assert "cannot directly edit a reversing journal entry" in error_detail(refused)["detail"]
