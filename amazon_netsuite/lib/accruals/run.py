"""The month-end accrual: what Amazon's Finances API says happened in a month that no posted settlement carries yet,
as one journal entry on the month's last day that NetSuite reverses on the 1st of the next month.

The transactions are `finance_transactions` (Finances API 2024-06-19 listTransactions, one row per transaction ×
breakdown leaf). Each row is given the settlement line it will become (transaction-type, amount-type,
amount-description: `SETTLEMENT_KEY_SQL`) and mapped through `data/gl_mapping.yaml` with the settlement's own
`map_lines`, so the accrual and the settlement land in the same accounts. A row is carried by a settlement when that
settlement (its SETTLEMENT_ID, else the one whose period holds the posted date) has a record posted in NetSuite;
with `split_at_month_end` off a settlement deposited after the month books the month's lines in the next month, so
only one deposited by the month's end counts.

The journal is balanced against the Amazon clearing account. An accountant signs it because that is where the
settlement's own journal parks what Amazon owes until the deposit: on the month's last day the clearing balance is
then the receivable from Amazon for sales it has not paid yet, and the reversal on the 1st returns clearing to what
the settlements alone say, so the clearing reconciliation of the new month is untouched. Amounts are net of VAT for
VAT-inclusive storefronts and tax goes to the accounts the settlement's summary journal uses
(`lib/gl_journal.summary_lines`; VAT is rounded per order and SKU, as the settlement rounds it per order item);
deferred (DD7) money has lines of its own.

Where a storefront's orders post (transactional mode) its sales, tax and refunds are booked by the order records, so
the accrual carries only the fee, reimbursement and other sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.gl_journal import (
    SALE_SECTIONS,
    JournalLine,
    Line,
    journal_items,
    month_end,
    summary_lines,
)
from amazon_netsuite.lib.gl_mapping import GlMapping, map_lines
from amazon_netsuite.lib.money import decimal_text, minor_units
from amazon_netsuite.lib.warehouse import transaction

JOURNAL = "journalEntry"
FLOW = "accruals"
ZERO = Decimal(0)
ORDER_BOOKED_SECTIONS = SALE_SECTIONS | {"tax"}  # booked by the order records when orders post

# The settlement line a Finances API row becomes (sandbox/world/transactions.py cuts them the other way round).
SETTLEMENT_KEY_SQL = """
    CASE f.transaction_type WHEN 'Shipment' THEN 'Order' WHEN 'Refund' THEN 'Refund'
         WHEN 'Chargeback' THEN 'Chargeback Refund' WHEN 'GuaranteeClaim' THEN 'GuaranteeClaim'
         ELSE 'other-transaction' END AS transaction_type,
    CASE split_part(f.breakdown_path, '/', 1)
         WHEN 'ProductCharges' THEN 'ItemPrice' WHEN 'ShippingCharges' THEN 'ItemPrice'
         WHEN 'Tax' THEN CASE WHEN f.breakdown_type LIKE 'MarketplaceFacilitator%' THEN 'ItemWithheldTax'
                              ELSE 'ItemPrice' END
         WHEN 'Promotions' THEN 'Promotion' WHEN 'Reimbursements' THEN 'FBA Inventory Reimbursement'
         WHEN 'AmazonFees' THEN CASE WHEN f.order_id IS NULL THEN f.breakdown_type ELSE 'ItemFees' END
         ELSE split_part(f.breakdown_path, '/', 1) END AS amount_type,
    f.breakdown_type AS amount_description
"""

_UNSETTLED_SQL = f"""
    SELECT f.storefront, f.day, f.transaction_id, f.order_id, f.sku, f.sku AS order_item_code, f.currency, f.amount,
           f.transaction_status = 'DEFERRED' AS deferred, {SETTLEMENT_KEY_SQL}
    FROM finance_transactions f
    WHERE f.storefront = $storefront AND f.day BETWEEN $first AND $last AND f.amount IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM settlements s
        WHERE (s.settlement_id = f.settlement_id
               OR (f.settlement_id IS NULL AND s.storefront = f.storefront AND s.currency = f.currency
                   AND timezone('UTC', f.posted_date) >= s.settlement_start_date
                   AND timezone('UTC', f.posted_date) < s.settlement_end_date))
          AND ($split OR s.deposit_date < $after)
          AND EXISTS (SELECT 1 FROM netsuite_postings p WHERE p.flow = 'settlements' AND p.storefront = s.storefront
                      AND p.status = 'posted' AND starts_with(p.key, s.settlement_id || ':')))
    ORDER BY f.day, f.transaction_id, f.breakdown_path, f.sku
"""


def unsettled_rows(con: duckdb.DuckDBPyConnection, storefront: str, first: date, last: date,
                   mapping: GlMapping) -> pa.Table:
    """The storefront's Finances API rows posted on days first..last that no posted settlement carries, each with
    the GL account the settlement will map it to (`gl_account` NULL: no rule) and a line number."""
    after = datetime.combine(month_end(last) + timedelta(days=1), datetime.min.time())
    rows = con.sql(_UNSETTLED_SQL, params={"storefront": storefront, "first": first, "last": last,
                                           "split": mapping.split_at_month_end, "after": after}).to_arrow_table()
    rows = rows.append_column("line_number", pa.array(range(1, rows.num_rows + 1), pa.int32()))
    return map_lines(rows, mapping)


def write_daily_accrual(con: duckdb.DuckDBPyConnection, storefront: str, day: date, mapping: GlMapping,
                        now: datetime) -> pa.Table:
    """Replace `daily_accrual` of the storefront-day; the rows written."""
    mapped = unsettled_rows(con, storefront, day, day, mapping)
    con.register("accrual_rows", mapped)
    try:
        sections = pa.table({"gl_account": list(mapping.sections), "section": list(mapping.sections.values())})
        con.register("accrual_sections", sections)
        with transaction(con):
            con.execute("DELETE FROM daily_accrual WHERE storefront = ? AND day = ?", [storefront, day])
            con.execute("""
                INSERT INTO daily_accrual
                SELECT r.storefront, r.day, r.gl_account, s.section, r.deferred, r.currency, sum(r.amount),
                       count(DISTINCT r.transaction_id), ?
                FROM accrual_rows r LEFT JOIN accrual_sections s USING (gl_account)
                GROUP BY ALL""", [now])
    finally:
        con.unregister("accrual_rows")
        con.unregister("accrual_sections")
    return con.sql("SELECT * FROM daily_accrual WHERE storefront = ? AND day = ? ORDER BY gl_account, deferred",
                   params=[storefront, day]).to_arrow_table()


class AccrualNotPostable(ValueError):
    """A month's accrual that must not post as it stands; the message says why and what to do."""


@dataclass(frozen=True)
class Posting:
    """The journal to upsert: its ledger key (YYYYMM), external id and whole body."""

    key: str
    record_type: str
    external_id: str
    body: dict[str, Any]
    label: str
    replace: str | None = "line"


@dataclass(frozen=True)
class AccrualJournal:
    """The month's accrual journal (None when nothing is left to accrue) and what it carries."""

    storefront: str
    month: date  # the month's last day
    posting: Posting | None
    accrued: Decimal  # what Amazon owes for the month beyond its posted settlements (deferred included)
    deferred: Decimal


def external_id(storefront: str, month: date) -> str:
    return f"AMZ-ACR-{storefront}-{month:%Y%m}"


def accrual_journal(con: duckdb.DuckDBPyConnection, storefront: str, month: date, mapping: GlMapping, *,
                    currency: str, subsidiary: str, vat_rate: Decimal | None = None,
                    orders_post: bool = False) -> AccrualJournal:
    """The journal entry dated the month's last day, reversing on the 1st of the next, externalId
    AMZ-ACR-{storefront}-{YYYYMM}: every account the month's unsettled transactions map to against clearing."""
    last = month_end(month)
    rows = unsettled_rows(con, storefront, last.replace(day=1), last, mapping).to_pylist()
    lines = [Line.from_row(row, mapping) for row in rows]
    held_numbers = {row["line_number"] for row in rows if row["deferred"]}
    unmapped = {(ln.transaction_type, ln.amount_type, ln.amount_description) for ln in lines if ln.gl_account is None}
    if unmapped:
        raise AccrualNotPostable(
            f"{storefront} {last:%Y-%m}: {len(unmapped)} kind(s) of Finances API line have no GL account ("
            + "; ".join(" / ".join(k) for k in sorted(unmapped)[:5])
            + "); add rules to data/gl_mapping.yaml (or set suspense_account); nothing was posted")
    if orders_post:
        lines = [ln for ln in lines if ln.section not in ORDER_BOOKED_SECTIONS]
    released = [ln for ln in lines if ln.line_number not in held_numbers]
    held = [ln for ln in lines if ln.line_number in held_numbers]
    journal_lines: list[JournalLine] = []
    for part, label in ((released, ""), (held, "Deferred by Amazon (DD7), ")):
        for line in summary_lines(part, mapping, vat_rate, currency):
            journal_lines.append(JournalLine(line.account, line.amount, f"{label}{line.memo}".replace(
                "settlement line(s)", "Finances API line(s)")))
    accrued = sum((ln.amount for ln in lines), ZERO)
    deferred = sum((ln.amount for ln in held), ZERO)
    eid = external_id(storefront, last)
    if not any(line.amount for line in journal_lines):
        return AccrualJournal(storefront, last, None, accrued, deferred)
    journal_lines.append(JournalLine(
        mapping.clearing_account, -accrued,
        f"Owed by Amazon for {last:%Y-%m}, not in a posted settlement yet (of it deferred: "
        f"{decimal_text(deferred)} {currency})"))
    unit = Decimal(1).scaleb(-minor_units(currency))
    items, debits, credits = journal_items(journal_lines, lambda value: str(value.quantize(unit)))
    if debits != credits:  # cannot happen (clearing takes the difference): a guard against a bad edit
        raise AccrualNotPostable(f"{eid} does not balance: debits {debits}, credits {credits}")
    body = {"externalId": eid, "tranDate": last.isoformat(), "subsidiary": {"externalId": subsidiary},
            "currency": {"externalId": currency},
            "memo": f"Amazon month-end accrual {storefront} {last:%Y-%m}, reversed {last + timedelta(days=1)}",
            "reversalDate": (last + timedelta(days=1)).isoformat(), "reversalDefer": False,
            "line": {"items": items}}
    return AccrualJournal(storefront, last, Posting(f"{last:%Y%m}", JOURNAL, eid, body, f"accrual journal {eid}"),
                          accrued, deferred)


def post_accrual(con: duckdb.DuckDBPyConnection, client, journal: AccrualJournal) -> str | None:
    """Upsert the journal by external id (nothing sent when the ledger has it posted unchanged); the attempt goes to
    the posting ledger, a refusal to integration_errors. The internal id, or None (nothing to post, or refused).
    When nothing is left to accrue (the month's settlements all posted), a journal posted before is deleted, its
    reversal with it: otherwise the month would count the settlement's money twice."""
    from amazon_netsuite.lib.netsuite.errors import RecordNotFound
    from amazon_netsuite.lib.postings import is_posted_unchanged, ledger_entries, record_attempts, upsert_attempt

    posting = journal.posting
    account = client.connection.ledger_account
    key = f"{journal.month:%Y%m}"
    entry = ledger_entries(con, FLOW, journal.storefront, [key], account=account).get(key)
    if posting is None:
        if entry is not None and entry.internal_id:
            try:
                client.delete(JOURNAL, entry.internal_id)
            except RecordNotFound:
                pass  # deleted already (by hand, or a retried request)
            con.execute("DELETE FROM netsuite_postings WHERE flow = ? AND storefront = ? AND key = ?",
                        [FLOW, journal.storefront, key])
        return None
    if is_posted_unchanged(entry, posting.body):
        return entry.internal_id
    attempt = upsert_attempt(client, flow=FLOW, storefront=journal.storefront, key=posting.key,
                             record_type=posting.record_type, external_id=posting.external_id, body=posting.body,
                             label=posting.label, replace=posting.replace,
                             known_id=entry.internal_id if entry else None)
    record_attempts(con, [attempt], account=account)
    return attempt.internal_id if attempt.error is None else None

