"""What NetSuite says of Sales Orders already posted, by SuiteQL: the invoice billed from each, and when it shipped.
Every flow that bills a Sales Order (the shipments flow on fulfilment, a settlement, a refund as it happens) finds
an earlier invoice the same way, by its `previoustransactionlinelink` (linktype 'OrdBill'), so whoever bills first
wins and nothing is billed twice.

`previoustransactionlinelink` links an order's lines to the lines of the records made from it (public SuiteQL,
https://softwaresurvivor.com/blog/track-netsuite-item-fulfillments-shipping-packages-suiteql); an item fulfillment's
status C is Shipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Sales Order statuses with fulfilled lines not billed yet: billing (salesOrder → invoice) is possible.
PENDING_BILLING = "F"  # everything fulfilled, nothing billed
BILLABLE = {"D": "Partially Fulfilled", "E": "Pending Billing/Partially Fulfilled", PENDING_BILLING: "Pending Billing"}
ORDER_STATUS = {"A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled", "G": "Billed", "H": "Closed",
                **BILLABLE}
_IDS_PER_QUERY = 500  # SuiteQL bind parameters per query


def by_ids(client, sql: str, ids: Sequence[str]) -> Iterable[dict[str, Any]]:
    """The rows of `sql` (its `{ids}` a list of bind parameters) for `ids`, a chunk of them per query."""
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = list(ids[start:start + _IDS_PER_QUERY])
        yield from client.suiteql(sql.format(ids=", ".join("?" for _ in chunk)), chunk)


def invoices(client, sales_orders: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Sales Order internal id → the (first) invoice billed from it: id, entity, foreigntotal, taxtotal,
    foreignamountremaining, externalid, trandate (YYYY-MM-DD)."""
    found: dict[str, dict[str, Any]] = {}
    for row in by_ids(client,
                      "SELECT DISTINCT l.previousdoc AS salesorder, t.id, t.entity, t.foreigntotal, t.taxtotal, "
                      "t.foreignamountremaining, t.externalid, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate "
                      "FROM previoustransactionlinelink l JOIN transaction t ON t.id = l.nextdoc "
                      "WHERE l.linktype = 'OrdBill' AND t.type = 'CustInvc' AND l.previousdoc IN ({ids})",
                      sales_orders):
        current = found.get(str(row["salesorder"]))
        if current is None or int(row["id"]) < int(current["id"]):
            found[str(row["salesorder"])] = row
    return found


@dataclass(frozen=True)
class Shipped:
    """A Sales Order's item fulfillments: the day (YYYY-MM-DD) of its last shipped one (None: none shipped), and
    how many are picked or packed, not shipped yet."""

    last_day: str | None
    not_shipped: int


def shipments(client, sales_orders: Sequence[str]) -> dict[str, Shipped]:
    """Sales Order internal id → its item fulfillments (only orders that have one)."""
    return {str(r["salesorder"]): Shipped(r.get("shipped"), int(r.get("waiting") or 0)) for r in by_ids(
        client,
        "SELECT l.previousdoc AS salesorder, "
        "TO_CHAR(MAX(CASE WHEN t.status = 'C' THEN t.trandate END), 'YYYY-MM-DD') AS shipped, "
        "COUNT(DISTINCT CASE WHEN t.status <> 'C' THEN t.id END) AS waiting "
        "FROM previoustransactionlinelink l JOIN transaction t ON t.id = l.nextdoc "
        "WHERE t.type = 'ItemShip' AND l.previousdoc IN ({ids}) GROUP BY l.previousdoc", sales_orders)}


def ship_days(client, sales_orders: Sequence[str]) -> dict[str, str]:
    """Sales Order internal id → the day (YYYY-MM-DD) of its last shipped item fulfillment (status C): an invoice
    dated on it puts the revenue in the month the order shipped."""
    return {so: s.last_day for so, s in shipments(client, sales_orders).items() if s.last_day}
