"""Finances API 2024-06-19: listTransactions over the world's settlements (world/transactions.py).

https://developer-docs.amazon.com/sp-api/docs/finances-api-reference. `postedAfter` is required unless a related
identifier (ORDER_ID or FINANCIAL_EVENT_GROUP_ID) is given and must be more than two minutes before now;
`postedBefore` defaults to two minutes before now; more than 180 days apart the answer is empty, as the model says.
Pages hold at most `finances_page_size` transactions (500, Amazon's maximum) and follow the settlement periods, so a
period with nothing to show gives an empty page with a nextToken, as Amazon warns its pages may be.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.client import iso_utc
from amazon_netsuite.sandbox.seller_central.errors import invalid_input
from amazon_netsuite.sandbox.seller_central.fba_inventory import _parse_time
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.seller_central.page_tokens import page_token, query_hash, read_page_token
from amazon_netsuite.sandbox.world.settlement_fees import in_minor_units
from amazon_netsuite.sandbox.world.settlements import settlement_streams
from amazon_netsuite.sandbox.world.transactions import (
    ACCOUNT_TYPE,
    DEFERRED,
    DEFERRED_RELEASED,
    RELEASED,
    FinanceTransaction,
    breakdown_path,
    financial_event_group_id,
    period_transactions,
    periods_between,
)

PATH = "/finances/2024-06-19/transactions"
SETTLE_LAG = timedelta(minutes=2)
MAX_SPAN = timedelta(days=180)
ORDER_LOOKBACK = timedelta(days=180)  # how far back a search by ORDER_ID alone looks (Amazon's is not documented)
STATUSES = (DEFERRED, RELEASED, DEFERRED_RELEASED)
FILTERABLE = ("ORDER_ID", "FINANCIAL_EVENT_GROUP_ID")


def _money(amount, currency: str) -> dict:
    # A JSON number (the model's BigDecimal); amounts have at most two decimals, which a double carries exactly
    # enough for its shortest repr to read back as the same decimal.
    return {"currencyCode": currency, "currencyAmount": float(in_minor_units(amount, currency))}


def _breakdowns(lines, currency: str) -> list[dict]:
    tree: dict[str, dict[str, object]] = {}
    for ln in lines:
        category, leaf = breakdown_path(ln)
        leaves = tree.setdefault(category, {})
        leaves[leaf] = leaves.get(leaf, 0) + ln.amount
    return [
        {"breakdownType": category, "breakdownAmount": _money(sum(leaves.values()), currency),
         "breakdowns": [{"breakdownType": leaf, "breakdownAmount": _money(amount, currency), "breakdowns": []}
                        for leaf, amount in leaves.items()]}
        for category, leaves in tree.items()
    ]


def _items(t: FinanceTransaction) -> list[dict]:
    by_item: dict[str, list] = {}
    for ln in t.lines:
        if ln.order_item_code:
            by_item.setdefault(ln.order_item_code, []).append(ln)
    items = []
    for code, lines in by_item.items():
        first = lines[0]
        identifiers = [{"itemRelatedIdentifierName": "ORDER_ADJUSTMENT_ITEM_ID", "itemRelatedIdentifierValue": code}]
        context = {"contextType": "ProductContext", "sku": first.sku,
                   "fulfillmentNetwork": first.fulfillment_id or "MFN"}
        if first.quantity is not None:
            context["quantityShipped"] = first.quantity
        items.append({"description": first.sku, "relatedIdentifiers": identifiers,
                      "totalAmount": _money(sum(ln.amount for ln in lines), t.currency),
                      "breakdowns": _breakdowns(lines, t.currency), "contexts": [context]})
    return items


def transaction_json(t: FinanceTransaction, seller_id: str, seed: int, as_of: datetime) -> dict:
    related = []
    if t.order_id:
        related.append({"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": t.order_id})
    related.append({"relatedIdentifierName": "FINANCIAL_EVENT_GROUP_ID",
                    "relatedIdentifierValue": financial_event_group_id(seed, t.period)})
    if t.period.available <= as_of:
        related.append({"relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": t.period.settlement_id})
    contexts = []
    if t.deferral is not None:
        contexts.append({"contextType": "DeferredContext", "deferralReason": t.deferral.reason,
                         "maturityDate": iso_utc(t.deferral.maturity)})
    return {
        "sellingPartnerMetadata": {"sellingPartnerId": seller_id, "accountType": ACCOUNT_TYPE,
                                   "marketplaceId": t.marketplace_id},
        "relatedIdentifiers": related,
        "transactionType": t.transaction_type,
        "transactionId": t.transaction_id,
        "transactionStatus": t.status(as_of),
        "description": t.description,
        "postedDate": iso_utc(t.posted),
        "totalAmount": _money(t.total, t.currency),
        "marketplaceDetails": {"marketplaceId": t.marketplace_id, "marketplaceName": t.marketplace_name},
        "items": _items(t),
        "contexts": contexts,
        "breakdowns": _breakdowns(t.lines, t.currency),
    }


class _Query:
    """The validated parameters of one listTransactions call."""

    def __init__(self, request: Request, state, account: str) -> None:
        params, now = request.query_params, state.clock.now()
        latest = now - SETTLE_LAG
        self.name, self.value = params.get("relatedIdentifierName"), params.get("relatedIdentifierValue")
        if self.name is not None and self.name not in FILTERABLE:
            raise invalid_input("Invalid relatedIdentifierName",
                                f"relatedIdentifierName must be one of {', '.join(FILTERABLE)}")
        if (self.name is None) != (self.value is None):
            raise invalid_input("Invalid relatedIdentifierValue",
                                "relatedIdentifierName and relatedIdentifierValue go together")
        after = params.get("postedAfter")
        if after is None and self.name is None:
            raise invalid_input("Missing postedAfter", "postedAfter is required without a related identifier")
        self.after = _parse_time(after, "postedAfter") if after else None
        if self.after is not None and self.after >= latest:
            raise invalid_input("Invalid postedAfter", "postedAfter must be more than two minutes before now")
        self.before = _parse_time(params["postedBefore"], "postedBefore") if params.get("postedBefore") else latest
        if self.before > latest:
            raise invalid_input("Invalid postedBefore", "postedBefore must be more than two minutes before now")
        if self.after is not None and self.before <= self.after:
            raise invalid_input("Invalid postedBefore", "postedBefore must be later than postedAfter")
        if self.after is None:
            self.after = now - ORDER_LOOKBACK
        self.status = params.get("transactionStatus")
        if self.status is not None and self.status not in STATUSES:
            raise invalid_input("Invalid transactionStatus", f"transactionStatus must be one of {', '.join(STATUSES)}")
        self.marketplace_id = params.get("marketplaceId")
        account_markets = state.settings.account(account).marketplace_ids
        if self.marketplace_id is not None and self.marketplace_id not in account_markets:
            raise invalid_input("Invalid marketplaceId", f"Marketplace id {self.marketplace_id} is not this seller's")
        self.empty = self.before - self.after > MAX_SPAN
        self.now = now
        self.hash = query_hash(request)

    def keeps(self, t: FinanceTransaction, seed: int) -> bool:
        if not (self.after <= t.posted < self.before) or t.posted > self.now:
            return False
        if self.marketplace_id is not None and t.marketplace_id != self.marketplace_id:
            return False
        if self.status is not None and t.status(self.now) != self.status:
            return False
        if self.name == "ORDER_ID":
            return t.order_id == self.value
        if self.name == "FINANCIAL_EVENT_GROUP_ID":
            return financial_event_group_id(seed, t.period) == self.value
        return True


@sp_api_operation("listTransactions")
async def list_transactions(request: Request, state, account: str) -> Response:
    query = _Query(request, state, account)
    token = request.query_params.get("nextToken")
    slice_index, offset = read_page_token(token, query.hash, "s", "o") if token else (0, 0)
    world, size = state.world, state.config.finances_page_size
    streams = [s for s in settlement_streams(state.settings) if s.account == account]
    if query.marketplace_id is not None:
        streams = [s for s in streams if query.marketplace_id in s.marketplace_ids]
    slices = [] if query.empty else [p for s in streams for p in periods_between(world, s, query.after, query.before)]
    page: list[dict] = []
    next_token = None
    if slice_index < len(slices):
        found = await anyio.to_thread.run_sync(period_transactions, world, slices[slice_index])
        kept = [t for t in found if query.keeps(t, world.seed)]
        seller_id = state.settings.account(account).seller_id
        page = [transaction_json(t, seller_id, world.seed, query.now) for t in kept[offset:offset + size]]
        if offset + size < len(kept):
            next_token = page_token(query.hash, s=slice_index, o=offset + size)
        elif slice_index + 1 < len(slices):
            next_token = page_token(query.hash, s=slice_index + 1, o=0)
    payload: dict = {"transactions": page}
    if next_token:
        payload["nextToken"] = next_token
    return JSONResponse({"payload": payload})


routes = [Route(PATH, list_transactions, methods=["GET"])]
