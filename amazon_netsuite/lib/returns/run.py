"""Amazon returns into NetSuite: per return, a return authorization from the order's record and its item receipt.

FBA returns come from the order's Cash Sale and go back into the storefront's FBA location; MFN returns from its
Sales Order and go back into the returns location (`returns.return_location`, default the storefront's posting
location). Unsellable units (any FBA disposition but SELLABLE; an MFN return whose reason is a defect or damage) go
to `returns.damaged_location`; when it is unset they are received where sellable ones are and written off at once by
an inventory adjustment to `returns.write_off_account`. Receiving them first is what an accountant signs: the receipt
reverses the sale's COGS and closes the authorization, and the loss shows on its own account at the item's cost
rather than hiding in COGS under an authorization left open for ever.

Idempotent: every record has an external id derived from the return (order + license plate or RMA id + SKU); a
return authorization or receipt NetSuite already holds (found by SuiteQL) is never made again (a transform is not an
upsert), the write-off is an upsert. Every attempt goes to the posting ledger; a return that cannot post (no NetSuite
order, a SKU not on it) to `integration_errors`, and the others proceed. A refund never restocks: refunds post
elsewhere, on the non-inventory refund item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

import duckdb

from amazon_netsuite.lib.netsuite.errors import NetSuiteError
from amazon_netsuite.lib.netsuite.external_ids import order_external_id
from amazon_netsuite.lib.postings import PostingAttempt, record_attempts, utc_now
from amazon_netsuite.lib.settings import Settings

FLOW = "returns"
RMA, RECEIPT, ADJUSTMENT = "returnAuthorization", "itemReceipt", "inventoryAdjustment"
_UNSELLABLE_MFN_REASONS = ("DEFECTIVE", "DAMAGED")  # in the MFN report's Return Reason (e.g. CR-DEFECTIVE)
Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


class ReturnNotPostable(Exception):
    """A return NetSuite cannot take: its order is not there, or its SKU is not on the order."""


@dataclass(frozen=True)
class AmazonReturn:
    kind: str  # FBA | MFN
    order_id: str
    return_ref: str  # the license plate (FBA) or Amazon RMA id (MFN); the row number when Amazon gives none
    sku: str
    quantity: int
    sellable: bool
    day: date

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.order_id}|{self.return_ref}|{self.sku}"

    def external_id(self, storefront: str) -> str:
        return "AMZ-RMA-" + hashlib.sha256(f"{storefront}|{self.key}".encode()).hexdigest()[:24]


@dataclass
class ReturnsResult:
    posted: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def returns_of_day(con: duckdb.DuckDBPyConnection, storefront: str, day: date) -> list[AmazonReturn]:
    """The storefront-day's FBA and MFN returns as the two report tables hold them."""
    fba = con.execute(
        "SELECT order_id, coalesce(license_plate_number, 'row' || row_number), sku, quantity, sellable, return_day "
        "FROM fba_customer_returns WHERE storefront = ? AND day = ? ORDER BY row_number", [storefront, day]).fetchall()
    mfn = con.execute(
        "SELECT order_id, coalesce(amazon_rma_id, 'row' || row_number), sku, return_quantity, "
        "NOT regexp_matches(upper(coalesce(return_reason, '')), ?), return_request_day "
        "FROM mfn_returns WHERE storefront = ? AND day = ? ORDER BY row_number",
        ["|".join(_UNSELLABLE_MFN_REASONS), storefront, day]).fetchall()
    return ([AmazonReturn("FBA", *row) for row in fba] + [AmazonReturn("MFN", *row) for row in mfn])


def _quoted(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) or "''"


class ReturnsPoster:
    """Posts one storefront's returns; `client` is the NetSuite REST client."""

    def __init__(self, client, settings: Settings, storefront: str) -> None:
        self.client, self.settings, self.storefront = client, settings, storefront
        posting = settings.storefront_posting(storefront)
        self.subsidiary = posting.subsidiary
        self.fba_location = posting.fba_location
        self.return_location = settings.returns.return_location or posting.location
        self.unchanged = 0  # returns NetSuite already holds whole

    def _rows(self, query: str) -> list[dict]:
        return list(self.client.suiteql(query))

    def location_of(self, ret: AmazonReturn) -> str:
        if not ret.sellable and self.settings.returns.damaged_location:
            return self.settings.returns.damaged_location
        return self.fba_location if ret.kind == "FBA" else self.return_location

    def post(self, returns: list[AmazonReturn]) -> list[PostingAttempt]:
        if not returns:
            return []
        order_eids = {order_external_id(self.storefront, r.order_id) for r in returns}
        wanted_type = {"FBA": "CashSale", "MFN": "SalesOrd"}
        lines = self._rows(f"""
            SELECT t.id, t.externalid, t.type, tl.id AS line, i.itemid, i.externalid AS itemexternalid
            FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F'
            JOIN item i ON i.id = tl.item
            WHERE t.externalid IN ({_quoted(order_eids)}) AND t.type IN ('CashSale', 'SalesOrd')""")
        # A transform is not an upsert: what NetSuite already holds (an earlier run's) is found, never made again.
        ids = [r.external_id(self.storefront) + suffix for r in returns for suffix in ("", "-IR", "-WO")]
        made = {r["externalid"]: str(r["id"]) for r in self._rows(
            "SELECT id, externalid FROM transaction WHERE type IN ('RtnAuth', 'ItemRcpt', 'InvAdjst') "
            f"AND externalid IN ({_quoted(ids)})")}
        attempts = []
        for ret in returns:
            sent = self._post_one(ret, lines, wanted_type[ret.kind], made)
            self.unchanged += not sent
            attempts += sent
        return attempts

    def _attempt(self, ret: AmazonReturn, suffix: str, record_type: str, external_id: str, body: dict,
                 internal_id: str | None = None, error: Exception | None = None) -> PostingAttempt:
        return PostingAttempt(flow=FLOW, storefront=self.storefront, key=f"{ret.key}{suffix}",
                              record_type=record_type, external_id=external_id, payload=body, at=utc_now(),
                              internal_id=internal_id, error=error, complete=True,
                              record_label=f"{ret.kind} return of {ret.quantity} × {ret.sku} (order {ret.order_id})")

    def _post_one(self, ret: AmazonReturn, lines: list[dict], source_type: str,
                  made: dict[str, str]) -> list[PostingAttempt]:
        eid = ret.external_id(self.storefront)
        order_eid = order_external_id(self.storefront, ret.order_id)
        source = [row for row in lines if row["externalid"] == order_eid and row["type"] == source_type]
        on_order = [row for row in source if ret.sku in (row.get("itemid"), row.get("itemexternalid"))]
        if not on_order:
            why = (f"NetSuite has no {'Cash Sale' if ret.kind == 'FBA' else 'Sales Order'} {order_eid}" if not source
                   else f"SKU {ret.sku} is not on {order_eid}")
            return [self._attempt(ret, "", RMA, eid, {}, error=ReturnNotPostable(why))]
        attempts = []
        rma_id = made.get(eid)
        rma_body = {"externalId": eid, "tranDate": ret.day.isoformat(), "otherRefNum": ret.order_id,
                    "memo": f"Amazon {ret.kind} return {ret.return_ref} of order {ret.order_id}",
                    "item": {"items": [{"orderLine": int(on_order[0]["line"]), "quantity": ret.quantity}]}}
        if rma_id is None:
            try:
                rma_id = self.client.transform("cashSale" if ret.kind == "FBA" else "salesOrder",
                                               on_order[0]["id"], RMA, rma_body, replace="item")
                attempts.append(self._attempt(ret, "", RMA, eid, rma_body, internal_id=rma_id))
            except NetSuiteError as exc:
                return [self._attempt(ret, "", RMA, eid, rma_body, error=exc)]
        location = self.location_of(ret)
        receipt_body = {"externalId": eid + "-IR", "tranDate": ret.day.isoformat(),
                        "item": {"items": [{"orderLine": 1, "quantity": ret.quantity,
                                            "location": {"externalId": location}}]}}
        if made.get(eid + "-IR") is None:
            try:
                receipt_id = self.client.transform(RMA, rma_id, RECEIPT, receipt_body, replace="item")
                attempts.append(self._attempt(ret, "|receipt", RECEIPT, eid + "-IR", receipt_body,
                                              internal_id=receipt_id))
            except NetSuiteError as exc:
                return [*attempts, self._attempt(ret, "|receipt", RECEIPT, eid + "-IR", receipt_body, error=exc)]
        if not ret.sellable and not self.settings.returns.damaged_location and made.get(eid + "-WO") is None:
            attempts.append(self._write_off(ret, eid + "-WO", location))
        return attempts

    def _write_off(self, ret: AmazonReturn, external_id: str, location: str) -> PostingAttempt:
        """The unsellable units out again at the item's cost (the adjustment's default), to the write-off account;
        an upsert by external id, so never twice."""
        body = {"tranDate": ret.day.isoformat(), "subsidiary": {"externalId": self.subsidiary},
                "account": {"externalId": self.settings.returns.write_off_account},
                "adjLocation": {"externalId": location},
                "memo": f"Amazon {ret.kind} return {ret.return_ref} of order {ret.order_id}: unsellable, written off",
                "inventory": {"items": [{"item": {"externalId": ret.sku}, "location": {"externalId": location},
                                         "adjustQtyBy": -ret.quantity}]}}
        try:
            internal_id = self.client.upsert(ADJUSTMENT, external_id, body)
            return self._attempt(ret, "|write-off", ADJUSTMENT, external_id, body, internal_id=internal_id)
        except NetSuiteError as exc:
            return self._attempt(ret, "|write-off", ADJUSTMENT, external_id, body, error=exc)


def post_returns(connect: Connection, client, settings: Settings, storefront: str, day: date, *,
                 account: str) -> ReturnsResult:
    """Post the storefront-day's returns; `account` is the NetSuite account the ledger files under."""
    with connect() as con:
        returns = returns_of_day(con, storefront, day)
    poster = ReturnsPoster(client, settings, storefront)
    attempts = poster.post(returns)
    result = ReturnsResult(unchanged=poster.unchanged)
    with connect() as con:
        classes = record_attempts(con, attempts, account=account)
    for attempt, error_class in zip(attempts, classes):
        if error_class is None:
            result.posted += 1
        else:
            result.failed += 1
            result.errors.append(f"{attempt.record_label}: {attempt.error}")
    return result


def open_return_partitions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, date]]:
    """The storefront-days holding a return with an open error in `integration_errors` (its order not in NetSuite
    yet, a refused transform): the retry schedule posts them again."""
    return [tuple(row) for row in con.execute(
        """
        WITH returns AS (
          SELECT storefront, day, 'FBA|' || order_id || '|' || coalesce(license_plate_number, 'row' || row_number)
                 || '|' || sku AS key FROM fba_customer_returns
          UNION ALL
          SELECT storefront, day, 'MFN|' || order_id || '|' || coalesce(amazon_rma_id, 'row' || row_number)
                 || '|' || sku FROM mfn_returns
        )
        SELECT DISTINCT r.storefront, r.day FROM integration_errors e
        JOIN returns r ON r.storefront = e.storefront AND (e.key = r.key OR starts_with(e.key, r.key || '|'))
        WHERE e.flow = ? AND e.resolved IS NULL ORDER BY 2, 1
        """, [FLOW]).fetchall()]
