"""Vendor Central: the Vendor Orders API v1 (Retail Procurement purchase orders), the Vendor Direct Fulfillment
Orders API 2021-12-28, and the transaction status of the acknowledgements sent to either.

https://developer-docs.amazon.com/sp-api/docs/vendor-orders-api-v1-reference: getPurchaseOrders and
getPurchaseOrdersStatus take windows of at most 7 days, so longer windows are asked for in 7-day slices. An
acknowledgement is answered with a transactionId only; whether Amazon took it shows later in the transaction
status (Processing, then Success or Failure with its reasons), which `wait_for_transaction` polls up to a deadline.
Money is Decimal: the models send amounts as strings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from amazon_netsuite.lib.amazon.client import SpApiClient, iso_utc
from amazon_netsuite.lib.amazon.errors import ErrorItem, TransactionTimeout
from amazon_netsuite.lib.amazon.reports import UtcDateTime, poll_until_terminal

ORDERS_PATH = "/vendor/orders/v1"
TRANSACTIONS_PATH = "/vendor/transactions/v1/transactions"
DF_ORDERS_PATH = "/vendor/directFulfillment/orders/2021-12-28"
DF_TRANSACTIONS_PATH = "/vendor/directFulfillment/transactions/2021-12-28/transactions"
MAX_WINDOW = timedelta(days=7)
SHIP_ALL = "00"  # Direct Fulfillment: "Shipping 100 percent of ordered product"


class _ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")


class Quantity(_ApiModel):
    amount: int = 0
    unit_of_measure: str | None = None  # Cases or Eaches (Retail Procurement), Each (Direct Fulfillment)
    unit_size: int | None = None

    @property
    def eaches(self) -> int:
        return self.amount * (self.unit_size or 1) if self.unit_of_measure == "Cases" else self.amount


class Money(_ApiModel):
    currency_code: str | None = None
    amount: Decimal | None = None


class Party(_ApiModel):
    party_id: str


class PurchaseOrderItem(_ApiModel):
    item_sequence_number: str
    amazon_product_identifier: str | None = None
    vendor_product_identifier: str | None = None
    ordered_quantity: Quantity
    is_back_order_allowed: bool = False
    net_cost: Money | None = None
    list_price: Money | None = None


class PurchaseOrderDetails(_ApiModel):
    purchase_order_date: UtcDateTime
    purchase_order_changed_date: UtcDateTime | None = None
    purchase_order_state_changed_date: UtcDateTime
    purchase_order_type: str | None = None
    payment_method: str | None = None
    selling_party: Party | None = None
    ship_to_party: Party | None = None
    ship_window: str | None = None  # "start--end", ISO 8601
    delivery_window: str | None = None
    items: list[PurchaseOrderItem]


class PurchaseOrder(_ApiModel):
    """A Retail Procurement purchase order; `order_details` is None when asked for without details."""

    purchase_order_number: str
    purchase_order_state: str  # New, Acknowledged, Closed
    order_details: PurchaseOrderDetails | None = None

    @property
    def items(self) -> list[PurchaseOrderItem]:
        return self.order_details.items if self.order_details else []


def window_bounds(interval: str | None) -> tuple[datetime, datetime] | None:
    """The two instants of a `DateTimeInterval` ("start--end")."""
    if not interval or "--" not in interval:
        return None
    start, end = interval.split("--", 1)
    return (datetime.fromisoformat(start.replace("Z", "+00:00")), datetime.fromisoformat(end.replace("Z", "+00:00")))


class AcknowledgementStatus(_ApiModel):
    confirmation_status: str  # ACCEPTED, PARTIALLY_ACCEPTED, REJECTED, UNCONFIRMED
    accepted_quantity: Quantity | None = None
    rejected_quantity: Quantity | None = None


class OrderedQuantity(_ApiModel):
    ordered_quantity: Quantity | None = None


class ReceivingStatus(_ApiModel):
    receive_status: str | None = None
    received_quantity: Quantity | None = None


class ItemStatus(_ApiModel):
    item_sequence_number: str
    buyer_product_identifier: str | None = None
    vendor_product_identifier: str | None = None
    net_cost: Money | None = None
    ordered_quantity: OrderedQuantity | None = None
    acknowledgement_status: AcknowledgementStatus | None = None
    receiving_status: ReceivingStatus | None = None


class PurchaseOrderStatus(_ApiModel):
    purchase_order_number: str
    purchase_order_status: str  # OPEN, CLOSED
    purchase_order_date: UtcDateTime
    last_updated_date: UtcDateTime | None = None
    item_status: list[ItemStatus] = Field(default_factory=list)


class TransactionStatus(str, Enum):
    PROCESSING = "Processing"
    SUCCESS = "Success"
    FAILURE = "Failure"


class VendorTransaction(_ApiModel):
    """What became of an acknowledgement; `errors` say why when it failed."""

    transaction_id: str
    status: TransactionStatus
    errors: list[ErrorItem] = Field(default_factory=list)

    @property
    def is_terminal(self) -> bool:
        return self.status is not TransactionStatus.PROCESSING

    @property
    def processing_status(self) -> TransactionStatus:  # the name poll_until_terminal reads
        return self.status

    @property
    def reason(self) -> str:
        return "; ".join(f"{e.code}: {e.message}" + (f" ({e.details})" if e.details else "") for e in self.errors)


def slices(start: datetime, end: datetime, width: timedelta = MAX_WINDOW) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) cut into consecutive windows of at most `width`."""
    while start < end:
        yield start, min(start + width, end)
        start += width


def _window(name: str, after: datetime | None, before: datetime | None) -> tuple[str, datetime, datetime] | None:
    if after is None and before is None:
        return None
    if after is None or before is None:
        raise ValueError(f"{name}After and {name}Before go together")
    return name, after, before


class _Transactions:
    """Polling of one API's transaction status until it turns."""

    def __init__(self, client: SpApiClient, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.client, self._clock, self._sleep = client, clock, sleep

    def transaction(self, transaction_id: str) -> VendorTransaction:
        raise NotImplementedError

    def wait_for_transaction(self, transaction_id: str, poll_seconds: float = 30.0, timeout: float = 1800.0,
                             max_poll_seconds: float = 120.0) -> VendorTransaction:
        """Poll until Success or Failure (returned, not raised); TransactionTimeout once `timeout` would pass."""
        return poll_until_terminal(lambda: self.transaction(transaction_id), TransactionTimeout, transaction_id,
                                   clock=self._clock, sleep=self._sleep, poll_seconds=poll_seconds,
                                   timeout=timeout, max_poll_seconds=max_poll_seconds)


class VendorOrdersApi(_Transactions):
    """Vendor Orders API v1 and the Vendor Transaction Status API v1 over one `SpApiClient` (a vendor account)."""

    def __init__(self, client: SpApiClient, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(client, clock, sleep)

    def _pages(self, operation: str, path: str, key: str, query: dict[str, Any], window: tuple | None):
        name, after, before = window or (None, None, None)
        for start, end in slices(after, before) if window else [(None, None)]:
            params = {**query, f"{name}After": start, f"{name}Before": end} if window else dict(query)
            token = None
            while True:
                response = self.client.request(operation, "GET", path, params={**params, "nextToken": token})
                payload = response.payload.get("payload") or {}
                yield from payload.get(key) or []
                token = response.next_token
                if not token:
                    break

    def purchase_orders(self, *, created_after: datetime | None = None, created_before: datetime | None = None,
                        changed_after: datetime | None = None, changed_before: datetime | None = None,
                        state: str | None = None, include_details: bool = True, page_size: int = 100,
                        **filters: Any) -> Iterator[PurchaseOrder]:
        """Every purchase order created (or changed by Amazon) in the window, asked in 7-day slices.

        Give one window, both its ends. `state` is New, Acknowledged or Closed; `filters` pass on as they are
        (poItemState, isPOChanged, orderingVendorCode, sortOrder)."""
        windows = [w for w in (_window("created", created_after, created_before),
                               _window("changed", changed_after, changed_before)) if w]
        if len(windows) != 1:
            raise ValueError("give one window: created_after/created_before or changed_after/changed_before")
        query = {"purchaseOrderState": state, "includeDetails": include_details, "limit": page_size, **filters}
        for raw in self._pages("getPurchaseOrders", f"{ORDERS_PATH}/purchaseOrders", "orders", query, windows[0]):
            yield PurchaseOrder.model_validate(raw)

    def purchase_order(self, number: str) -> PurchaseOrder:
        path = f"{ORDERS_PATH}/purchaseOrders/{quote(number, safe='')}"
        response = self.client.request("getPurchaseOrder", "GET", path)
        return PurchaseOrder.model_validate(response.payload["payload"])

    def statuses(self, *, created_after: datetime | None = None, created_before: datetime | None = None,
                 updated_after: datetime | None = None, updated_before: datetime | None = None,
                 purchase_order_number: str | None = None, page_size: int = 100,
                 **filters: Any) -> Iterator[PurchaseOrderStatus]:
        """getPurchaseOrdersStatus: one order by number, or those created or updated in a window (7-day slices).
        `filters`: purchaseOrderStatus, itemConfirmationStatus, itemReceiveStatus, shipToPartyId, ..."""
        windows = [w for w in (_window("created", created_after, created_before),
                               _window("updated", updated_after, updated_before)) if w]
        if len(windows) > 1 or (not windows and purchase_order_number is None):
            raise ValueError("give one window (created or updated) or a purchase order number")
        query = {"purchaseOrderNumber": purchase_order_number, "limit": page_size, **filters}
        for raw in self._pages("getPurchaseOrdersStatus", f"{ORDERS_PATH}/purchaseOrdersStatus", "ordersStatus",
                               query, windows[0] if windows else None):
            yield PurchaseOrderStatus.model_validate(raw)

    def submit_acknowledgements(self, acknowledgements: list[dict]) -> str:
        """Send acknowledgements (see `acknowledgement`); the transaction id to follow with wait_for_transaction."""
        response = self.client.request("submitAcknowledgement", "POST", f"{ORDERS_PATH}/acknowledgements",
                                       json={"acknowledgements": acknowledgements})
        return str(response.payload["payload"]["transactionId"])

    def transaction(self, transaction_id: str) -> VendorTransaction:
        path = f"{TRANSACTIONS_PATH}/{quote(transaction_id, safe='')}"
        response = self.client.request("getTransaction", "GET", path)
        return VendorTransaction.model_validate(response.payload["payload"]["transactionStatus"])


def acknowledgement(order: PurchaseOrder, acknowledged_at: datetime, approved: Mapping[str, int] | None = None, *,
                    rejection_reason: str = "TemporarilyUnavailable") -> dict:
    """An `OrderAcknowledgement` of the order: each line Accepted for its approved amount (in the line's own unit;
    all of it when `approved` leaves the line out) and Rejected with `rejection_reason` for the rest. An approved
    amount above the ordered one is sent as it is: Amazon fails the transaction, and says why."""
    if order.order_details is None or order.order_details.selling_party is None:
        raise ValueError(f"purchase order {order.purchase_order_number}: acknowledging needs its details")
    items = []
    for item in order.items:
        ordered = item.ordered_quantity
        accepted = (approved or {}).get(item.item_sequence_number, ordered.amount)
        unit = {"unitOfMeasure": ordered.unit_of_measure, "unitSize": ordered.unit_size}
        lines = []
        if accepted:
            lines.append({"acknowledgementCode": "Accepted", "acknowledgedQuantity": {"amount": accepted, **unit}})
        if accepted < ordered.amount:
            lines.append({"acknowledgementCode": "Rejected", "rejectionReason": rejection_reason,
                          "acknowledgedQuantity": {"amount": ordered.amount - accepted, **unit}})
        ack_item: dict = {"itemSequenceNumber": item.item_sequence_number,
                          "vendorProductIdentifier": item.vendor_product_identifier,
                          "amazonProductIdentifier": item.amazon_product_identifier,
                          "orderedQuantity": ordered.model_dump(by_alias=True, exclude_none=True),
                          "itemAcknowledgements": lines}
        if item.net_cost is not None and item.net_cost.amount is not None:
            ack_item["netCost"] = {"currencyCode": item.net_cost.currency_code, "amount": str(item.net_cost.amount)}
        items.append(ack_item)
    return {"purchaseOrderNumber": order.purchase_order_number,
            "sellingParty": {"partyId": order.order_details.selling_party.party_id},
            "acknowledgementDate": iso_utc(acknowledged_at), "items": items}


class DirectFulfillmentItem(_ApiModel):
    item_sequence_number: str
    buyer_product_identifier: str | None = None
    vendor_product_identifier: str | None = None
    title: str | None = None
    ordered_quantity: Quantity
    net_price: Money


class DirectFulfillmentDetails(_ApiModel):
    customer_order_number: str
    order_date: UtcDateTime
    order_status: str | None = None  # NEW, SHIPPED, ACCEPTED, CANCELLED
    selling_party: Party
    ship_from_party: Party
    items: list[DirectFulfillmentItem]


class DirectFulfillmentOrder(_ApiModel):
    purchase_order_number: str
    order_details: DirectFulfillmentDetails | None = None


class DirectFulfillmentOrdersApi(_Transactions):
    """Vendor Direct Fulfillment Orders and Transactions APIs 2021-12-28 (answers not wrapped in `payload`)."""

    def __init__(self, client: SpApiClient, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(client, clock, sleep)

    def orders(self, created_after: datetime, created_before: datetime, *, status: str | None = None,
               ship_from_party_id: str | None = None, page_size: int = 100) -> Iterator[DirectFulfillmentOrder]:
        """Every order created in [created_after, created_before): Amazon requires both ends."""
        query = {"createdAfter": created_after, "createdBefore": created_before, "status": status,
                 "shipFromPartyId": ship_from_party_id, "limit": page_size}
        token = None
        while True:
            response = self.client.request("getDirectFulfillmentOrders", "GET", f"{DF_ORDERS_PATH}/purchaseOrders",
                                           params={**query, "nextToken": token})
            for raw in response.payload.get("orders") or []:
                yield DirectFulfillmentOrder.model_validate(raw)
            token = response.next_token
            if not token:
                return

    def order(self, number: str) -> DirectFulfillmentOrder:
        response = self.client.request("getDirectFulfillmentOrder", "GET",
                                       f"{DF_ORDERS_PATH}/purchaseOrders/{quote(number, safe='')}")
        return DirectFulfillmentOrder.model_validate(response.payload)

    def submit_acknowledgements(self, acknowledgements: list[dict]) -> str:
        response = self.client.request("submitDirectFulfillmentAcknowledgement", "POST",
                                       f"{DF_ORDERS_PATH}/acknowledgements",
                                       json={"orderAcknowledgements": acknowledgements})
        return str(response.payload["transactionId"])

    def transaction(self, transaction_id: str) -> VendorTransaction:
        response = self.client.request("getDirectFulfillmentTransactionStatus", "GET",
                                       f"{DF_TRANSACTIONS_PATH}/{quote(transaction_id, safe='')}")
        raw = dict(response.payload["transactionStatus"])
        raw["errors"] = (raw.get("errors") or {}).get("errors") or []  # this model nests the list in an object
        return VendorTransaction.model_validate(raw)


def direct_fulfillment_acknowledgement(order: DirectFulfillmentOrder, acknowledged_at: datetime,
                                       vendor_order_number: str, code: str = SHIP_ALL,
                                       description: str = "Shipping 100 percent of ordered product") -> dict:
    """Accept (code 00) or cancel (a cancellation code) the whole order: Direct Fulfillment is fill or kill, so
    every line is acknowledged with its ordered quantity."""
    if order.order_details is None:
        raise ValueError(f"order {order.purchase_order_number}: acknowledging needs its details")
    details = order.order_details
    return {"purchaseOrderNumber": order.purchase_order_number, "vendorOrderNumber": vendor_order_number,
            "acknowledgementDate": iso_utc(acknowledged_at),
            "acknowledgementStatus": {"code": code, "description": description},
            "sellingParty": {"partyId": details.selling_party.party_id},
            "shipFromParty": {"partyId": details.ship_from_party.party_id},
            "itemAcknowledgements": [
                {"itemSequenceNumber": i.item_sequence_number, "buyerProductIdentifier": i.buyer_product_identifier,
                 "vendorProductIdentifier": i.vendor_product_identifier,
                 "acknowledgedQuantity": {"amount": i.ordered_quantity.amount, "unitOfMeasure": "Each"}}
                for i in details.items]}
