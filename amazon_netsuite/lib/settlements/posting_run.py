"""Posting one settlement to NetSuite: read it from the warehouse, build its records (`posting.py`) in the mode of its
storefront (`Settings.settlement_posting`: transactional when its orders post, else summary), upsert each by
external id in order, and record every attempt in the posting ledger (flow `settlements`, key
`{settlement id}:journal`, `:journal:YYYYMM` for an earlier month's part, `:deposit`, `:payment:{order}` ...).

A record already posted with the same body is not sent again, so a re-run writes nothing. What NetSuite refuses
goes to `integration_errors` with the reason and the rest still posts: a refused payment or refund record leaves its
order's amount on the suspense (or clearing) account of the fee journal, so the deposit still equals the bank amount;
the next run that gets it through moves it out of suspense by updating the fee journal and the deposit.

The deposit (or a negative settlement's balance journal) empties the clearing account that the journals (summary)
or the fee journals (transactional), one per month part, fill, so it is sent only once every one of them is in
NetSuite as this run built it. Otherwise it waits: queued in `integration_errors` with the first missing journal's
reason, counted in `waiting`, and sent by the next run (the retry schedule's, or any) that gets them through.

A settlement that must not post at all (its lines do not tie out, a line has no GL account, its GL summary is
missing or of another mapping) raises SettlementNotPostable before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from amazon_netsuite.lib.postings import POSTED
from amazon_netsuite.lib.settings import Settings, load_settings
from amazon_netsuite.lib.gl_mapping import GlMapping, load_gl_mapping, map_lines
from amazon_netsuite.lib.settlements.match import MATCHED
from amazon_netsuite.lib.settlements.posting import (
    ZERO,
    Line,
    SettlementNotPostable,
    bank_transfer,
    summary_journals,
)
from amazon_netsuite.lib.settlements.posting_sender import Connection, PostingSender, SettlementPostingResult
from amazon_netsuite.lib.settlements.stored_settlement import FLOW, StoredSettlement, read_settlement
from amazon_netsuite.lib.settlements.transactional import TransactionalPosting


def post_settlement(connect: Connection, client, settlement_id: str, *, mapping: GlMapping | None = None,
                    log=None, settings: Settings | None = None) -> SettlementPostingResult:
    """Post one settlement in its storefront's settlement posting mode; records every attempt. Raises
    SettlementNotPostable (nothing sent) when the settlement must not post as it stands."""
    mapping = mapping or load_gl_mapping()
    with connect() as con:
        stored = read_settlement(con, settlement_id, client.connection.ledger_account)
    settlement = stored.settlement
    settings = settings or load_settings()
    try:
        region = settings.account_of(settlement.storefront).region
        storefront = settings.storefront(settlement.storefront)
    except KeyError:
        raise SettlementNotPostable(f"settlement {settlement_id} belongs to storefront {settlement.storefront}, "
                                    "which the settings do not have") from None
    subsidiary = mapping.subsidiary(settlement.storefront, region)
    mode = settings.settlement_posting(settlement.storefront)
    _check_mode(stored, mode)
    result = SettlementPostingResult(settlement_id, settlement.storefront, mode)
    sender = PostingSender(connect, client, settlement, stored.ledger, result, log)
    if mode == "transactional":
        TransactionalPosting(stored, client, mapping, subsidiary, sender, settings).run()
    else:
        _check_no_order_records(stored)
        lines = [Line.from_row(row, mapping) for row in map_lines(stored.lines, mapping).to_pylist()]
        # Refused here, before any write, when it must not post.
        journals = summary_journals(settlement, stored.summary, mapping, subsidiary, lines,
                                    storefront.vat_rate if storefront.prices_include_vat else None)
        transfer = bank_transfer(settlement, mapping, subsidiary)
        for journal in journals:
            sender.send(journal)
        sender.send_after(transfer, needs=journals)
    result.deposit_amount = max(settlement.total_amount, ZERO)
    result.errors_resolved_without_posting = sender.resolve_untouched_errors()
    if log:
        log.info(f"settlement {settlement_id} ({mode}): posted {dict(result.posted)}, unchanged "
                 f"{dict(result.unchanged)}, failed {dict(result.failed)}, waiting {dict(result.waiting)}, errors "
                 f"no longer needed {result.errors_resolved_without_posting}")
    return result


@dataclass(frozen=True)
class OpenPostingError:
    """An open `integration_errors` row of a settlement's record: what a retry of its storefront-day posts."""

    storefront: str
    day: date
    settlement_id: str
    key: str
    error_class: str
    message: str

    def __str__(self) -> str:
        return f"{self.key} ({self.error_class}): {self.message}"


def open_posting_errors(con: duckdb.DuckDBPyConnection,
                        partitions: Iterable[tuple[str, date]] | None = None) -> list[OpenPostingError]:
    """The open errors of settlement postings, by deposit day, storefront and key; only those of the settlements
    stored in `partitions` (storefront, day) when given. Errors of settlements no longer stored are left out: no
    run can post them."""
    wanted = None if partitions is None else [f"{storefront}|{day}" for storefront, day in partitions]
    rows = con.execute(
        """
        SELECT s.storefront, s.day, s.settlement_id, e.key, e.error_class, e.message
        FROM integration_errors e
        JOIN settlements s ON s.storefront = e.storefront AND s.settlement_id = split_part(e.key, ':', 1)
        WHERE e.flow = ? AND e.resolved IS NULL AND (? OR list_contains(?::VARCHAR[], s.storefront || '|' || s.day))
        ORDER BY s.day, s.storefront, e.key
        """, [FLOW, wanted is None, wanted or []]).fetchall()
    return [OpenPostingError(*row) for row in rows]


# Ledger keys only one mode writes: a settlement posted in one mode is never posted again in the other.
_SUMMARY_ONLY = ("journal",)
_TRANSACTIONAL_ONLY = ("fees", "payment:", "credit-memo:", "cash-refund:", "customer-refund:", "invoice:")


def _check_mode(stored: StoredSettlement, mode: str) -> None:
    other, keys = ("transactional", _TRANSACTIONAL_ONLY) if mode == "summary" else ("summary", _SUMMARY_ONLY)
    sid = stored.settlement.settlement_id
    posted = sorted(e.external_id for k, e in stored.ledger.items()
                    if e.status == POSTED and k.removeprefix(f"{sid}:").startswith(keys))
    if posted:
        raise SettlementNotPostable(
            f"settlement {sid} was posted in {other} mode ({', '.join(posted[:3])}); posting it in {mode} mode too "
            f"would count it twice. Its storefront's order posting decides the mode (post_orders in "
            f"data/accounts.yaml): set it back so the mode is {other}, or delete those records in NetSuite and their "
            "netsuite_postings rows first")


def _check_no_order_records(stored: StoredSettlement) -> None:
    """A summary journal credits sales for every order of the settlement: refused when this project posted a Cash
    Sale or Sales Order for one of them (order posting turned off after those orders posted), since their revenue
    would be booked twice."""
    sid = stored.settlement.settlement_id
    posted = sorted({m["order_id"] for m in stored.matches.values()
                     if m["match_status"] == MATCHED and m["internal_id"] and m.get("order_id")})
    if posted:
        raise SettlementNotPostable(
            f"settlement {sid}: {len(posted)} of its orders were posted to NetSuite as Cash Sales or Sales Orders "
            f"(first: {posted[0]}) and carry their revenue; a summary journal would book it again. Turn order "
            f"posting back on for storefront {stored.settlement.storefront} (post_orders: true) until the "
            "settlements of those orders are posted (they settle the records), then turn it off")
