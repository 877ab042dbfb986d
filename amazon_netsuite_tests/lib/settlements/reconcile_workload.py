"""The settlement reconcile benchmark's workload: a generated settlement file and posting ledger with the exact
figures they must give, the pipeline that reconciles them (what the settlement assets do with one report) and the
naive pandas baseline. bench/settlement_reconcile.py times them; test_reconcile_benchmark.py proves that both sides
reach the same figures, so the benchmark compares equal work.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

STOREFRONT = "demo-US"
LEDGER_ORDERS = 250_000
SETTLEMENT_ID = "20261004001"
GENERATOR_VERSION = 1
HEADER = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
)
# Period lines (no order): (transaction-type, amount-type, amount-description, cents range, GL account).
PERIOD_LINES = (
    ("other-transaction", "other-transaction", "Storage Fee", (-90000, -1000), "ACCT-AMZ-STORAGE-FEES"),
    ("other-transaction", "other-transaction", "StorageRenewalBilling", (-5000, -100), "ACCT-AMZ-STORAGE-FEES"),
    ("other-transaction", "other-transaction", "Subscription", (-3999, -3999), "ACCT-AMZ-SUBSCRIPTION"),
    ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", (-250000, -1000), "ACCT-AMZ-ADVERTISING"),
    ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", (500, 9000), "ACCT-REIMBURSEMENTS"),
    ("other-transaction", "FBA Inventory Reimbursement", "REVERSAL_REIMBURSEMENT", (500, 9000), "ACCT-REIMBURSEMENTS"),
    ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", (500, 9000), "ACCT-REIMBURSEMENTS"),
)


# --- the generated settlement and ledger ---------------------------------------------------------------------


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _order_id(i: int) -> str:
    return f"{111 + i % 4}-{i:07d}-{(i * 7919) % 10_000_000:07d}"


def generate(path: Path, ledger_path: Path, expected_path: Path, n_lines: int, seed: int = 7,
             ledger_size: int = LEDGER_ORDERS) -> None:
    """Write the settlement file (how Amazon.com writes it), the ledger and the exact expected figures."""
    import duckdb
    import pyarrow as pa

    from amazon_netsuite.schema import ensure_schema

    rnd = random.Random(seed)
    start = datetime(2026, 9, 18)
    accounts: dict[str, int] = defaultdict(int)
    lines: list[str] = []
    matched = unmatched = not_an_order = 0
    ledger_orders: list[tuple[str, str]] = []  # (order id, status)
    prefix = f"{SETTLEMENT_ID}\t\t\t\t\t\t"

    def add(order: str, status: str | None, tt: str, at: str, ad: str, cents: int, account: str, when: datetime,
            sku: str = "", qty: str = "", fulfillment: str = "", promotion: str = "", adjustment: str = "") -> None:
        nonlocal matched, unmatched, not_an_order
        accounts[account] += cents
        if not order:
            not_an_order += 1
        elif status == "posted":
            matched += 1
        else:
            unmatched += 1
        lines.append(
            f"{prefix}{tt}\t{order}\t\t{adjustment}\t{'S' + order[-7:] if order else ''}\tAmazon.com\t{at}\t{ad}\t"
            f"{_money(cents)}\t{fulfillment}\t{when:%m/%d/%y}\t{when:%Y-%m-%d %H:%M:%S} UTC\t"
            f"{'OI' + order[4:11] if order else ''}\t\t\t{sku}\t{qty}\t{promotion}"
        )

    period_budget = 100
    i = 0
    while len(lines) < n_lines - period_budget:
        order = _order_id(i)
        # 1 in 492 orders never reached NetSuite, 1 in 1230 failed to post; the rest are posted.
        status = None if i % 492 == 1 else ("failed" if i % 1230 == 2 else "posted")
        if status is not None:
            ledger_orders.append((order, status))
        when = start + timedelta(seconds=i * 4.9)
        sku, fba = f"SKU-{i % 1500:04d}", i % 10 < 7
        principal = rnd.randrange(500, 15000)
        tax = principal * 8 // 100
        commission = -(principal * 15 // 100)
        row = dict(sku=sku, qty="1", fulfillment="AFN" if fba else "MFN")
        add(order, status, "Order", "ItemPrice", "Principal", principal, "ACCT-SALES", when, **row)
        add(order, status, "Order", "ItemPrice", "Tax", tax, "ACCT-FACILITATOR-TAX-CLEARING", when, **row)
        add(order, status, "Order", "ItemFees", "Commission", commission, "ACCT-AMZ-SELLING-FEES", when, **row)
        if fba:
            add(order, status, "Order", "ItemFees", "FBAPerUnitFulfillmentFee", -rnd.randrange(300, 700),
                "ACCT-AMZ-FBA-FEES", when, **row)
        else:
            add(order, status, "Order", "ItemPrice", "Shipping", 499, "ACCT-SHIPPING-INCOME", when, **row)
        if i % 273 == 0:
            add(order, status, "Order", "Promotion", "Principal", -200, "ACCT-PROMOTIONS", when,
                promotion="PROMO-2OFF", **row)
        if i % 82 == 0:
            later, adj = when + timedelta(days=2), f"amzn1.adj.{i}"
            refund = dict(row, adjustment=adj)
            add(order, status, "Refund", "ItemPrice", "Principal", -principal, "ACCT-REFUNDS", later, **refund)
            add(order, status, "Refund", "ItemPrice", "Tax", -tax, "ACCT-FACILITATOR-TAX-CLEARING", later, **refund)
            add(order, status, "Refund", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", tax,
                "ACCT-FACILITATOR-TAX-CLEARING", later, **refund)
            add(order, status, "Refund", "ItemFees", "Commission", -commission, "ACCT-AMZ-SELLING-FEES", later,
                **refund)
            add(order, status, "Refund", "ItemFees", "RefundCommission", max(commission // 5, -500),
                "ACCT-AMZ-SELLING-FEES", later, **refund)
        i += 1
    end = start + timedelta(days=14)
    add("", None, "other-transaction", "other-transaction", "Previous Reserve Amount Balance", 1_500_000,
        "ACCT-AMZ-RESERVE", start)
    add("", None, "other-transaction", "other-transaction", "Current Reserve Amount", -1_750_000, "ACCT-AMZ-RESERVE",
        end)
    k = 0
    while len(lines) < n_lines:
        tt, at, ad, (low, high), account = PERIOD_LINES[k % len(PERIOD_LINES)]
        add("", None, tt, at, ad, rnd.randint(low, high), account, start + timedelta(hours=3 * k))
        k += 1

    total = sum(accounts.values())
    totals_row = (f"{SETTLEMENT_ID}\t{start:%Y-%m-%d %H:%M:%S} UTC\t{end:%Y-%m-%d %H:%M:%S} UTC\t"
                  f"{end + timedelta(days=2):%Y-%m-%d %H:%M:%S} UTC\t{_money(total)}\tUSD" + "\t" * 18)
    partial = path.with_suffix(".partial")
    partial.write_text("\t".join(HEADER) + "\n" + totals_row + "\n" + "\n".join(lines) + "\n", encoding="cp1252")

    orders_in_settlement = i
    # The ledger: every posted (or failed) order of the settlement, and others up to `ledger_size` orders.
    while len(ledger_orders) < ledger_size:
        ledger_orders.append((_order_id(i), "posted"))
        i += 1
    orders = [o for o, _ in ledger_orders]
    statuses = [s for _, s in ledger_orders]
    now = datetime(2026, 10, 3)
    table = pa.table({
        "flow": pa.repeat(pa.scalar("orders"), len(orders)),
        "storefront": pa.repeat(pa.scalar(STOREFRONT), len(orders)),
        "key": orders,
        "record_type": ["cashSale" if n % 10 < 7 else "salesOrder" for n in range(len(orders))],
        "external_id": [f"AMZ-{STOREFRONT}-{o}" for o in orders],
        "internal_id": [str(100000 + n) if s == "posted" else None for n, s in enumerate(statuses)],
        "payload_hash": pa.repeat(pa.scalar("0" * 64), len(orders)),
        "status": statuses,
        "attempts": pa.repeat(pa.scalar(1, pa.int32()), len(orders)),
        "first_attempt": pa.repeat(pa.scalar(now, pa.timestamp("us")), len(orders)),
        "last_attempt": pa.repeat(pa.scalar(now, pa.timestamp("us")), len(orders)),
        "last_error": ["USER_ERROR: Please enter a value for Department." if s == "failed" else None
                       for s in statuses],
    })
    ledger_path.unlink(missing_ok=True)
    con = duckdb.connect(str(ledger_path))
    try:
        ensure_schema(con)
        con.register("ledger", table)
        con.execute("INSERT INTO netsuite_postings BY NAME SELECT * FROM ledger")
    finally:
        con.close()
    expected_path.write_text(json.dumps({
        "generator_version": GENERATOR_VERSION,
        "lines": len(lines),
        "orders_in_settlement": orders_in_settlement,
        "ledger_orders": len(orders),
        "total": _money(total),
        "accounts": {a: _money(c) for a, c in sorted(accounts.items())},
        "matched": matched,
        "unmatched": unmatched,
        "not_an_order": not_an_order,
    }, indent=1))
    partial.rename(path)


# --- the pipeline under test ----------------------------------------------------------------------------------


def run_pipeline(path: Path, ledger_path: Path, sample_lines: int) -> dict:
    """What the settlement assets do with one report: parse → GL mapping → match → summarize, timed per stage."""
    import duckdb

    from amazon_netsuite.lib.gl_mapping import load_gl_mapping, map_lines, unmapped_lines
    from amazon_netsuite.lib.settlements.match import match_lines, match_summary
    from amazon_netsuite.lib.settlements.parse import parse_settlement
    from amazon_netsuite.lib.settlements.reconcile import gl_summary, journal_balance, tie_out, totals_table

    stages: dict[str, float] = {}

    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        stages[stage] = round(now - since, 3)
        return now

    start = t = time.perf_counter()
    parsed = parse_settlement(path, charset="Cp1252")
    t = lap("parse", t)
    mapping = load_gl_mapping()
    mapped = map_lines(parsed.lines, mapping)
    t = lap("gl_mapping", t)
    con = duckdb.connect(str(ledger_path), read_only=True)
    try:
        ledger = con.sql(
            "SELECT external_id, record_type, internal_id, status, last_error FROM netsuite_postings "
            "WHERE flow = 'orders' AND storefront = ?", params=[STOREFRONT]
        ).to_arrow_table()
    finally:
        con.close()
    matches = match_lines(mapped, ledger, STOREFRONT)
    t = lap("match", t)
    totals = totals_table(parsed)
    con = duckdb.connect()
    try:
        tie = tie_out(totals, mapped, con).to_pylist()[0]
        summary = gl_summary(totals, mapped, mapping, con)
        balance = journal_balance(summary, con).to_pylist()[0]
        unmapped = unmapped_lines(mapped, con).num_rows
    finally:
        con.close()
    t = lap("summarize", t)
    seconds = t - start
    counts = match_summary(matches)
    return {
        "lines": parsed.lines.num_rows,
        "quarantined": parsed.quarantine.num_rows,
        "seconds": seconds,
        "stages": stages,
        "total": str(tie["total_amount"].quantize(Decimal("0.01"))),
        "lines_sum": str(tie["lines_sum"].quantize(Decimal("0.01"))),
        "ties_out": tie["ties_out"],
        "journal_balances": balance["balances"],
        "unmapped": unmapped,
        "accounts": {
            r["gl_account"]: str((r["credit"] - r["debit"]).quantize(Decimal("0.01")))
            for r in summary.to_pylist() if r["side"] == "lines"
        },
        "matched": counts.get("matched", 0),
        "unmatched": counts.get("unmatched", 0),
        "not_an_order": counts.get("not_an_order", 0),
        "sample_accounts": _sample_accounts(mapped, sample_lines),  # after the clock stopped
    }


def _sample_accounts(mapped, n_lines: int) -> dict[str, str]:
    """Net per GL account over the first `n_lines` detail lines: what the baseline's sample must reproduce."""
    import pyarrow.compute as pc

    sample = mapped.filter(pc.less(mapped["line_number"], n_lines + 3))  # detail lines start at line 3
    sums = sample.group_by("gl_account").aggregate([("amount", "sum")]).to_pylist()
    return {r["gl_account"]: str(r["amount_sum"].quantize(Decimal("0.01"))) for r in sums}


# --- the baseline ----------------------------------------------------------------------------------------------


def run_baseline(path: Path, ledger_path: Path, n_lines: int) -> dict:
    """The obvious pandas way: read as text, then iterrows with Decimal, a dict per lookup, running sums."""
    import duckdb
    import pandas as pd

    from amazon_netsuite.lib.gl_mapping import load_gl_mapping

    start = time.perf_counter()
    mapping = load_gl_mapping()
    con = duckdb.connect(str(ledger_path), read_only=True)
    # Loading the ledger into a dict is a fixed cost: extrapolation scales only what follows, per line.
    try:
        ledger = {
            ext: (record_type, internal_id, status)
            for ext, record_type, internal_id, status in con.execute(
                "SELECT external_id, record_type, internal_id, status FROM netsuite_postings "
                "WHERE flow = 'orders' AND storefront = ?", [STOREFRONT]
            ).fetchall()
        }
    finally:
        con.close()
    setup_seconds = time.perf_counter() - start
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE,
                        encoding="cp1252", nrows=n_lines + 1)
    totals, detail = frame.iloc[0], frame.iloc[1:]
    total = Decimal(totals["total-amount"].replace(",", ""))
    rules: dict[tuple[str, str, str], str | None] = {}
    accounts: dict[str | None, Decimal] = defaultdict(Decimal)
    counts = {"matched": 0, "unmatched": 0, "not_an_order": 0}
    lines_sum = Decimal(0)
    matches = []
    for _, row in detail.iterrows():
        amount = Decimal(row["amount"].replace(",", ""))
        datetime.strptime(row["posted-date-time"], "%Y-%m-%d %H:%M:%S UTC")
        datetime.strptime(row["posted-date"], "%m/%d/%y")
        key = (row["transaction-type"], row["amount-type"], row["amount-description"])
        if key not in rules:
            rule = mapping.rule_for(*key)
            rules[key] = rule.account if rule else mapping.suspense_account
        accounts[rules[key]] += amount
        lines_sum += amount
        if not row["order-id"]:
            counts["not_an_order"] += 1
            matches.append(None)
            continue
        entry = ledger.get(f"AMZ-{STOREFRONT}-{row['order-id']}")
        if entry is not None and entry[2] == "posted":
            counts["matched"] += 1
            matches.append(entry[1])
        else:
            counts["unmatched"] += 1
            matches.append(None)
    seconds = time.perf_counter() - start
    return {
        "lines": len(detail),
        "seconds": seconds,
        "setup_seconds": setup_seconds,
        "total": str(total),
        "lines_sum": str(lines_sum),
        "accounts": {a: str(v) for a, v in accounts.items()},
        **counts,
    }
