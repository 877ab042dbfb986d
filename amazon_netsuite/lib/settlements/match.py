"""Each settlement line → the NetSuite record of its order, by external id, or why it has none.

An order line (one with an `order-id`) belongs to the record the orders flow posted for that order: external id
`AMZ-{storefront}-{order id}` (Sales Order or Cash Sale), looked up in the posting ledger (`netsuite_postings`,
flow `orders`). The storefront is the line's own: one settlement can cover several marketplaces (Amazon's unified
EU account settles amazon.de, .fr, .it, .es … in one EUR settlement), so each line belongs to the storefront of its
`marketplace-name` in the settlement's seller account and currency (`line_storefronts`); a line naming none (fees,
subscription, reserves) or a marketplace the settings do not configure belongs to the account's home storefront of
that currency: the first one the settings file lists. The settlement itself is stored once, in the home
storefront's partition (`storefront_of`). A line without an order id (storage fees, subscriptions, reserves,
reimbursements) belongs to no order: it posts on the settlement's journal. Nothing is dropped: every line comes back
with a `match_status` of `matched`, `unmatched` (with the reason) or `not_an_order`, in the lines' order.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.settings import Settings, Storefront
from amazon_netsuite.lib.settlements.parse import ParsedSettlement

MATCHED, UNMATCHED, NOT_AN_ORDER = "matched", "unmatched", "not_an_order"
# SQL over a `settlement_line_matches` row `m`: an unmatched line whose order the warehouse never loaded (no ledger
# row of the orders flow, no row in `orders` for the line's storefront).
NEVER_LOADED = """m.match_status = 'unmatched'
    AND NOT EXISTS (SELECT 1 FROM netsuite_postings p WHERE p.flow = 'orders' AND p.external_id = m.external_id)
    AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.storefront = m.line_storefront AND o.amazon_order_id = m.order_id)"""

_NULL_TEXT = pa.scalar(None, pa.string())
MATCH_SCHEMA = pa.schema(
    [
        ("settlement_id", pa.string()), ("line_number", pa.int32()), ("order_id", pa.string()),
        ("amount", pa.decimal128(18, 4)), ("match_status", pa.string()), ("external_id", pa.string()),
        ("record_type", pa.string()), ("internal_id", pa.string()), ("reason", pa.string()),
        ("line_storefront", pa.string()),  # the storefront the line belongs to: its marketplace's, else the home one
    ]
)


class UnknownStorefront(ValueError):
    """A settlement that cannot be told apart as one configured storefront's; the message says what to do."""


def home_storefront(settings: Settings, seller_account: str, currency: str) -> Storefront | None:
    """The seller account's home storefront in a currency: the first the settings file lists in it."""
    return next((s for s in settings.account(seller_account).storefronts if s.currency == currency), None)


def _marketplace_names(parsed: ParsedSettlement) -> list[str]:
    names = parsed.lines.column("marketplace_name") if "marketplace_name" in parsed.lines.column_names else None
    found = [] if names is None else [n for n in pc.unique(names).to_pylist() if n]
    if parsed.marketplace_name and parsed.marketplace_name not in found:
        found.append(parsed.marketplace_name)
    return sorted({n.strip().lower() for n in found if n.strip()})


def storefront_of(parsed: ParsedSettlement, settings: Settings) -> Storefront:
    """The storefront whose partition holds a settlement: the home storefront (`home_storefront`) of the seller
    account whose storefronts the lines' marketplace names are, in the settlement's currency; without a known
    marketplace name, that of the only seller account selling in the currency."""
    totals = parsed.totals
    by_channel = settings.storefront_by_sales_channel
    named = [by_channel[n] for n in _marketplace_names(parsed) if n in by_channel]
    in_currency = [s for s in named if s.currency == totals.currency]
    if named and not in_currency:
        storefront = named[0]
        raise UnknownStorefront(
            f"settlement {totals.settlement_id} is in {totals.currency} but storefront {storefront.key} "
            f"({storefront.sales_channel}) is in {storefront.currency}; name the storefront explicitly"
        )
    accounts = sorted({settings.account_of(s.key).key for s in in_currency})
    if not accounts:
        accounts = sorted({settings.account_of(s.key).key for s in settings.storefronts
                           if s.currency == totals.currency})
    if len(accounts) == 1:
        return home_storefront(settings, accounts[0], totals.currency)
    configured = ", ".join(f"{s.key} ({s.sales_channel}, {s.currency})" for s in settings.storefronts)
    raise UnknownStorefront(
        f"settlement {totals.settlement_id} (marketplace {parsed.marketplace_name or 'not named'}, "
        f"{totals.currency}) matches no single storefront of the settings (configured: {configured}); "
        "name the storefront explicitly"
    )


def line_storefronts(marketplace_names: pa.ChunkedArray | pa.Array, home: Storefront,
                     settings: Settings) -> pa.Array:
    """The storefront key of each line of a settlement held by `home`: the storefront of the line's
    marketplace-name in home's seller account and currency, else `home` (fees, subscription, reserves, a
    marketplace the settings do not configure)."""
    names = marketplace_names.combine_chunks() if isinstance(marketplace_names, pa.ChunkedArray) else marketplace_names
    account = settings.account_of(home.key)
    own = {s.sales_channel.strip().lower(): s.key for s in account.storefronts if s.currency == home.currency}
    encoded = pc.dictionary_encode(pc.utf8_lower(pc.utf8_trim_whitespace(names.cast(pa.string()))))
    keys = pa.array([own.get(n, home.key) if n is not None else home.key for n in encoded.dictionary.to_pylist()]
                    or [home.key], pa.string())
    return pc.fill_null(pc.take(keys, encoded.indices), home.key)


def order_external_ids(order_ids: pa.ChunkedArray | pa.Array, storefront: str | pa.Array) -> pa.Array:
    """`AMZ-{storefront}-{order id}` per order id (NULL stays NULL), vectorised; same text as the orders flow's.
    `storefront` is one key for every line, or one per line."""
    ids = order_ids.combine_chunks() if isinstance(order_ids, pa.ChunkedArray) else order_ids
    if isinstance(storefront, str):
        return pc.binary_join_element_wise(pa.repeat(pa.scalar(order_external_id(storefront, "")), len(ids)), ids, "")
    encoded = pc.dictionary_encode(storefront.cast(pa.string()))
    prefixes = pa.array([order_external_id(s, "") for s in encoded.dictionary.to_pylist()], pa.string())
    return pc.binary_join_element_wise(pc.take(prefixes, encoded.indices), ids, "")


def match_lines(lines: pa.Table | duckdb.DuckDBPyRelation, ledger: pa.Table | duckdb.DuckDBPyRelation,
                storefront: str, storefronts: pa.Array | None = None) -> pa.Table:
    """Match settlement lines of one storefront to posted records.

    `ledger` has at least `external_id`, `record_type`, `internal_id`, `status` (`posted`/`failed`) and
    `last_error`: the orders flow's rows of `netsuite_postings`. `storefronts`, when given, is each line's own
    storefront (`line_storefronts`); otherwise every line is `storefront`'s. Returns MATCH_SCHEMA rows, one per
    line.
    """
    if isinstance(lines, duckdb.DuckDBPyRelation):
        lines = lines.to_arrow_table()
    if isinstance(ledger, duckdb.DuckDBPyRelation):
        ledger = ledger.to_arrow_table()
    order_ids = lines.column("order_id").combine_chunks()
    if storefronts is None:
        storefronts = pa.repeat(pa.scalar(storefront), len(order_ids))
    storefronts = storefronts.combine_chunks() if isinstance(storefronts, pa.ChunkedArray) else storefronts
    wanted = order_external_ids(order_ids, storefronts)
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
                     found.column("last_error").combine_chunks().filter(needs_reason),
                     storefronts.filter(needs_reason)),
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
            "line_storefront": storefronts,
        },
        schema=MATCH_SCHEMA,
    )


def _reasons(order_ids: pa.Array, status: pa.Array, last_error: pa.Array, storefronts: pa.Array) -> pa.Array:
    reasons = []
    for order_id, state, error, storefront in zip(order_ids.to_pylist(), status.to_pylist(), last_error.to_pylist(),
                                                  storefronts.to_pylist()):
        prefix = order_external_id(storefront, "")
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
