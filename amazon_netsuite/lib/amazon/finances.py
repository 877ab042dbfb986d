"""Finances API 2024-06-19 listTransactions: every transaction posted in a window, and a flat table of them.

https://developer-docs.amazon.com/sp-api/docs/finances-api-reference. The v0 financial events operations are
deprecated (https://developer-docs.amazon.com/sp-api/changelog/deprecation-of-finances-v0-operations); unlike them,
listTransactions shows deferred (e.g. DD7) transactions before they are released
(https://developer-docs.amazon.com/sp-api/changelog/update-finances-api-identifies-deferred-releases).
`postedAfter` must be more than two minutes before now; windows over 180 days come back empty; pages hold up to 500
transactions and may be empty; omit the marketplace to get every one, MFN orders of the US store included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Iterator

import pyarrow as pa

from amazon_netsuite.lib.amazon.client import SpApiClient

TRANSACTIONS_PATH = "/finances/2024-06-19/transactions"
DEFERRED, RELEASED, DEFERRED_RELEASED = "DEFERRED", "RELEASED", "DEFERRED_RELEASED"
ORDER_ID, FINANCIAL_EVENT_GROUP_ID, SETTLEMENT_ID = "ORDER_ID", "FINANCIAL_EVENT_GROUP_ID", "SETTLEMENT_ID"


def amount(money: dict | None) -> Decimal | None:
    """A `Currency` object's amount as Decimal. The JSON number is read through its shortest repr, which gives the
    decimal Amazon wrote for any amount of up to 15 significant digits."""
    if not money or money.get("currencyAmount") is None:
        return None
    return Decimal(str(money["currencyAmount"]))


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@dataclass(frozen=True)
class Transaction:
    """One listTransactions entry; `raw` keeps Amazon's JSON (items, breakdowns, contexts)."""

    raw: dict

    @property
    def transaction_id(self) -> str:
        return self.raw["transactionId"]

    @property
    def transaction_type(self) -> str:
        return self.raw.get("transactionType", "")

    @property
    def status(self) -> str:
        return self.raw.get("transactionStatus", "")

    @property
    def description(self) -> str:
        return self.raw.get("description", "")

    @property
    def posted_date(self) -> datetime | None:
        return _time(self.raw.get("postedDate"))

    @property
    def total(self) -> Decimal | None:
        return amount(self.raw.get("totalAmount"))

    @property
    def currency(self) -> str | None:
        return (self.raw.get("totalAmount") or {}).get("currencyCode")

    @property
    def marketplace_id(self) -> str | None:
        return ((self.raw.get("marketplaceDetails") or {}).get("marketplaceId")
                or (self.raw.get("sellingPartnerMetadata") or {}).get("marketplaceId"))

    def related(self, name: str) -> str | None:
        """The first related identifier of that name (ORDER_ID, FINANCIAL_EVENT_GROUP_ID, SETTLEMENT_ID...)."""
        for identifier in self.raw.get("relatedIdentifiers") or []:
            if identifier.get("relatedIdentifierName") == name:
                return identifier.get("relatedIdentifierValue")
        return None

    @property
    def order_id(self) -> str | None:
        return self.related(ORDER_ID)

    def _context(self, context_type: str) -> dict:
        return next((c for c in self.raw.get("contexts") or [] if c.get("contextType") == context_type), {})

    @property
    def deferral_reason(self) -> str | None:
        return self._context("DeferredContext").get("deferralReason")

    @property
    def maturity_date(self) -> datetime | None:
        return _time(self._context("DeferredContext").get("maturityDate"))


class FinancesApi:
    """Finances API 2024-06-19 over one `SpApiClient`."""

    def __init__(self, client: SpApiClient) -> None:
        self.client = client

    def transactions(
        self,
        posted_after: datetime | None,
        posted_before: datetime | None = None,
        *,
        marketplace_id: str | None = None,
        status: str | None = None,
        related: tuple[str, str] | None = None,
    ) -> Iterator[Transaction]:
        """Every transaction posted in [posted_after, posted_before), following nextToken over empty pages too.

        `related` is (ORDER_ID | FINANCIAL_EVENT_GROUP_ID, value); with it `posted_after` may be None. `status`
        keeps DEFERRED, RELEASED or DEFERRED_RELEASED ones.
        """
        name, value = related or (None, None)
        query = {"postedAfter": posted_after, "postedBefore": posted_before, "marketplaceId": marketplace_id,
                 "transactionStatus": status, "relatedIdentifierName": name, "relatedIdentifierValue": value}
        token: str | None = None
        while True:
            # Amazon wants the same arguments with the token as with the call that produced it.
            response = self.client.request("listTransactions", "GET", TRANSACTIONS_PATH,
                                           params={**query, "nextToken": token})
            for raw in (response.payload.get("payload") or {}).get("transactions") or []:
                yield Transaction(raw)
            token = response.next_token
            if not token:
                return


TRANSACTIONS_SCHEMA = pa.schema([
    ("transaction_id", pa.string()), ("transaction_type", pa.string()), ("transaction_status", pa.string()),
    ("description", pa.string()), ("posted_date", pa.timestamp("us", tz="UTC")), ("marketplace_id", pa.string()),
    ("order_id", pa.string()), ("financial_event_group_id", pa.string()), ("settlement_id", pa.string()),
    ("sku", pa.string()), ("quantity", pa.int32()), ("fulfillment_network", pa.string()),
    ("breakdown_path", pa.string()), ("breakdown_type", pa.string()), ("amount", pa.decimal128(18, 4)),
    ("currency", pa.string()), ("deferral_reason", pa.string()), ("maturity_date", pa.timestamp("us", tz="UTC")),
])


def _leaves(breakdowns: list[dict], prefix: str = "") -> Iterator[tuple[str, str, Decimal | None]]:
    for b in breakdowns or []:
        path = f"{prefix}/{b.get('breakdownType', '')}" if prefix else b.get("breakdownType", "")
        if b.get("breakdowns"):
            yield from _leaves(b["breakdowns"], path)
        else:
            yield path, b.get("breakdownType", ""), amount(b.get("breakdownAmount"))


def transactions_table(transactions: Iterable[Transaction]) -> pa.Table:
    """One row per transaction × breakdown leaf, per item where the transaction has items (then with its SKU), so
    the amounts of a transaction's rows add up to its total. A transaction without breakdowns gives one row with
    its total."""
    rows: list[dict] = []
    for t in transactions:
        base = {
            "transaction_id": t.transaction_id, "transaction_type": t.transaction_type,
            "transaction_status": t.status, "description": t.description, "posted_date": t.posted_date,
            "marketplace_id": t.marketplace_id, "order_id": t.order_id,
            "financial_event_group_id": t.related(FINANCIAL_EVENT_GROUP_ID), "settlement_id": t.related(SETTLEMENT_ID),
            "currency": t.currency, "deferral_reason": t.deferral_reason, "maturity_date": t.maturity_date,
            "sku": None, "quantity": None, "fulfillment_network": None,
        }
        parts = [(item, item.get("breakdowns")) for item in t.raw.get("items") or [] if item.get("breakdowns")]
        if not parts:
            parts = [({}, t.raw.get("breakdowns"))]
        produced = False
        for item, breakdowns in parts:
            product = next((c for c in item.get("contexts") or [] if c.get("contextType") == "ProductContext"), {})
            extra = {"sku": product.get("sku"), "quantity": product.get("quantityShipped"),
                     "fulfillment_network": product.get("fulfillmentNetwork")}
            for path, leaf, value in _leaves(breakdowns or []):
                rows.append({**base, **extra, "breakdown_path": path, "breakdown_type": leaf, "amount": value})
                produced = True
        if not produced:
            rows.append({**base, "breakdown_path": None, "breakdown_type": None, "amount": t.total})
    return pa.Table.from_pylist(rows, schema=TRANSACTIONS_SCHEMA)
