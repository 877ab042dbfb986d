"""The posting ledger is per NetSuite account: a record posted to one account (the sandbox, another company) is not
"already posted" in another, and an old warehouse gains the account column without re-posting everything."""

from __future__ import annotations

from datetime import datetime

import duckdb

from amazon_netsuite.lib.netsuite.errors import UserError
from amazon_netsuite.lib.postings import PostingAttempt, ledger_entries, record_attempt
from amazon_netsuite.schema import ensure_schema

ORDER = "111-0000001-0000001"
AT = datetime(2026, 11, 20, 12)


def _attempt(internal_id: str | None = None, error: Exception | None = None, memo: str = "x") -> PostingAttempt:
    return PostingAttempt(flow="orders", storefront="demo-US", key=ORDER, record_type="cashSale",
                          external_id=f"AMZ-demo-US-{ORDER}", payload={"memo": memo}, at=AT,
                          internal_id=internal_id, error=error, line_keys=("1",), complete=True)


def _entry(con, account: str):
    return ledger_entries(con, "orders", "demo-US", [ORDER], account=account).get(ORDER)


def test_a_record_posted_to_one_account_is_not_posted_in_another_and_moves_with_the_next_post():
    with duckdb.connect() as con:
        ensure_schema(con)
        record_attempt(con, _attempt("42"), account="sandbox")
        assert _entry(con, "sandbox").internal_id == "42"
        assert _entry(con, "1234567") is None  # going live: the order is not in that NetSuite yet

        record_attempt(con, _attempt("9001"), account="1234567")
        live = _entry(con, "1234567")
        assert (live.internal_id, live.status, live.attempts) == ("9001", "posted", 1)
        assert _entry(con, "sandbox") is None
        account, first = con.execute("SELECT netsuite_account, first_attempt FROM netsuite_postings").fetchone()
        assert (account, first) == ("1234567", AT)


def test_a_failed_first_attempt_in_a_new_account_keeps_nothing_of_the_old_accounts_record():
    """Else the next run would PATCH the old account's internal id, or compare with its body, in the new one."""
    with duckdb.connect() as con:
        ensure_schema(con)
        record_attempt(con, _attempt("42"), account="sandbox")
        record_attempt(con, _attempt(error=UserError(400, "USER_ERROR", "Nope"), memo="y"), account="7654321_SB1")
        entry = _entry(con, "7654321_SB1")
        assert (entry.status, entry.internal_id, entry.posted_body, entry.attempts) == ("failed", None, None, 1)
        assert entry.posted_line_keys == () and not entry.complete


def test_an_old_warehouse_gains_the_account_column_and_its_rows_belong_to_the_first_account_that_reads_them():
    with duckdb.connect() as con:
        con.execute("""CREATE TABLE netsuite_postings (flow VARCHAR NOT NULL, storefront VARCHAR NOT NULL,
                       key VARCHAR NOT NULL, record_type VARCHAR NOT NULL, external_id VARCHAR NOT NULL,
                       internal_id VARCHAR, payload_hash VARCHAR NOT NULL, status VARCHAR NOT NULL,
                       attempts INTEGER NOT NULL, first_attempt TIMESTAMP NOT NULL, last_attempt TIMESTAMP NOT NULL,
                       last_error VARCHAR, PRIMARY KEY (flow, storefront, key))""")
        con.execute("INSERT INTO netsuite_postings VALUES ('orders', 'demo-US', ?, 'cashSale', 'E', '42', 'h', "
                    "'posted', 1, ?, ?, NULL)", [ORDER, AT, AT])
        ensure_schema(con)
        assert con.execute("SELECT netsuite_account FROM netsuite_postings").fetchone() == (None,)
        assert _entry(con, "1234567").internal_id == "42"  # not re-posted on upgrade
        assert con.execute("SELECT netsuite_account FROM netsuite_postings").fetchone() == ("1234567",)
        assert _entry(con, "sandbox") is None  # a later switch of account posts it again
