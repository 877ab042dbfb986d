"""Each settlement line → the NetSuite record of its order, by external id, or why it has none.

An order line (one with an `order-id`) belongs to the record the orders flow posted for that order: external id
`AMZ-{storefront}-{order id}` (Sales Order or Cash Sale), looked up in the posting ledger (`netsuite_postings`,
flow `orders`). A line without an order id (storage fees, subscriptions, reserves, reimbursements) belongs to no
order: it posts on the settlement's journal. Nothing is dropped: every line comes back with a `match_status` of
`matched`, `unmatched` (with the reason) or `not_an_order`, in the lines' order.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from amazon_netsuite.lib.orders.posting import external_id
from amazon_netsuite.lib.settings import Settings, Storefront
from amazon_netsuite.lib.settlements.parse import ParsedSettlement

MATCHED, UNMATCHED, NOT_AN_ORDER = "matched", "unmatched", "not_an_order"

_NULL_TEXT = pa.scalar(None, pa.string())
MATCH_SCHEMA = pa.schema(
    [
        ("settlement_id", pa.string()), ("line_number", pa.int32()), ("order_id", pa.string()),
        ("amount", pa.decimal128(18, 4)), ("match_status", pa.string()), ("external_id", pa.string()),
        ("record_type", pa.string()), ("internal_id", pa.string()), ("reason", pa.string()),
    ]
)


class UnknownStorefront(ValueError):
    """A settlement that cannot be told apart as one configured storefront's; the message says what to do."""


def storefront_of(parsed: ParsedSettlement, settings: Settings) -> Storefront:
    """The storefront a settlement belongs to: the one whose sales channel is the settlement's marketplace-name,
    else the only storefront in its currency."""
    totals = parsed.totals
    by_channel = settings.storefront_by_sales_channel
    if parsed.marketplace_name and parsed.marketplace_name.strip().lower() in by_channel:
        storefront = by_channel[parsed.marketplace_name.strip().lower()]
        if storefront.currency != totals.currency:
            raise UnknownStorefront(
                f"settlement {totals.settlement_id} is in {totals.currency} but storefront {storefront.key} "
                f"({parsed.marketplace_name}) is in {storefront.currency}; name the storefront explicitly"
            )
        return storefront
    same_currency = [s for s in settings.storefronts if s.currency == totals.currency]
    if len(same_currency) == 1:
        return same_currency[0]
    configured = ", ".join(f"{s.key} ({s.sales_channel}, {s.currency})" for s in settings.storefronts)
    raise UnknownStorefront(
        f"settlement {totals.settlement_id} (marketplace {parsed.marketplace_name or 'not named'}, "
        f"{totals.currency}) matches no single storefront of the settings (configured: {configured}); "
        "name the storefront explicitly"
    )


def order_external_ids(order_ids: pa.ChunkedArray | pa.Array, storefront: str) -> pa.Array:
    """`AMZ-{storefront}-{order id}` per order id (NULL stays NULL), vectorised; same text as the orders flow's."""
    prefix = external_id(storefront, "")
    ids = order_ids.combine_chunks() if isinstance(order_ids, pa.ChunkedArray) else order_ids
    return pc.binary_join_element_wise(pa.repeat(pa.scalar(prefix), len(ids)), ids, "")


def match_lines(lines: pa.Table | duckdb.DuckDBPyRelation, ledger: pa.Table | duckdb.DuckDBPyRelation,
                storefront: str) -> pa.Table:
    """Match settlement lines of one storefront to posted records.

    `ledger` has at least `external_id`, `record_type`, `internal_id`, `status` (`posted`/`failed`) and
    `last_error`: the orders flow's rows of `netsuite_postings`. Returns MATCH_SCHEMA rows, one per line.
    """
    if isinstance(lines, duckdb.DuckDBPyRelation):
        lines = lines.to_arrow_table()
    if isinstance(ledger, duckdb.DuckDBPyRelation):
        ledger = ledger.to_arrow_table()
    order_ids = lines.column("order_id").combine_chunks()
    wanted = order_external_ids(order_ids, storefront)
    known = ledger.column("external_id").combine_chunks()
    position = pc.index_in(wanted, value_set=known)  # hash lookup of each line's external id in the ledger
    found = ledger.select(["record_type", "internal_id", "status", "last_error"]).take(position)
    status = found.column("status").combine_chunks()
    posted = pc.fill_null(pc.equal(status, "posted"), False)
    is_order = pc.is_valid(order_ids)

    match_status = pc.if_else(
        pc.invert(is_order), NOT_AN_ORDER, pc.if_else(posted, MATCHED, UNMATCHED)
    )
    # Reasons are written only for the lines that need one (a few in a million), then put in their places.
    needs_reason = pc.invert(posted)
    if pc.any(needs_reason).as_py():
        reason = pc.replace_with_mask(
            pa.nulls(len(order_ids), pa.string()),
            needs_reason,
            _reasons(order_ids.filter(needs_reason), status.filter(needs_reason),
                     found.column("last_error").combine_chunks().filter(needs_reason), storefront),
        )
    else:
        reason = pa.nulls(len(order_ids), pa.string())
    return pa.table(
        {
            "settlement_id": lines.column("settlement_id"),
            "line_number": lines.column("line_number"),
            "order_id": order_ids,
            "amount": lines.column("amount"),
            "match_status": match_status,
            "external_id": wanted,
            "record_type": pc.if_else(posted, found.column("record_type").combine_chunks(), _NULL_TEXT),
            "internal_id": pc.if_else(posted, found.column("internal_id").combine_chunks(), _NULL_TEXT),
            "reason": reason,
        },
        schema=MATCH_SCHEMA,
    )


def _reasons(order_ids: pa.Array, status: pa.Array, last_error: pa.Array, storefront: str) -> pa.Array:
    prefix = external_id(storefront, "")
    reasons = []
    for order_id, state, error in zip(order_ids.to_pylist(), status.to_pylist(), last_error.to_pylist()):
        if order_id is None:
            reasons.append("not an order line: it posts on the settlement journal")
        elif state is not None:
            reasons.append(f"order {order_id} did not post to NetSuite ({state}): {error or 'no error recorded'}")
        else:
            reasons.append(
                f"order {order_id} has no NetSuite record {prefix}{order_id}: the orders flow never posted it "
                "(not in the report, quarantined, or another storefront)"
            )
    return pa.array(reasons, pa.string())


def match_summary(matches: pa.Table) -> dict[str, int]:
    """Lines per match status, for an asset's metadata."""
    counts = matches.group_by("match_status").aggregate([("line_number", "count")])
    return dict(zip(counts.column("match_status").to_pylist(), counts.column("line_number_count").to_pylist()))
