"""What the vendor APIs share on the wire: query windows, limits, pages, request bodies, money and transactions.

Amazon's vendor APIs answer a bad argument with 400 `InvalidInput` "Invalid Input" and an empty `details`
(https://github.com/amzn/selling-partner-api-models/issues/2085); the sandbox says in `details` what was wrong.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from starlette.requests import Request

from amazon_netsuite.sandbox.seller_central.errors import ApiError, invalid_input
from amazon_netsuite.sandbox.seller_central.fba_inventory import _parse_time
from amazon_netsuite.sandbox.seller_central.page_tokens import page_token, query_hash, read_page_token
from amazon_netsuite.sandbox.vendor_central.store import FAILURE, SUCCESS, Transaction

INVALID_INPUT = "Invalid Input"
MAX_WINDOW = timedelta(days=7)
MAX_LOOKBACK = timedelta(days=183)  # "available to pull data from the past 6 months"
PO_NUMBER_LENGTH = 8

Row = TypeVar("Row")


def bad(details: str):
    return invalid_input(INVALID_INPUT, details)


def time_param(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return _parse_time(value, name)
    except ApiError:  # said again in the vendor APIs' wording
        raise bad(f"{name} {value!r} is not an ISO 8601 date-time with a time zone") from None


def window(request: Request, after: str, before: str, now: datetime, *, limit: timedelta | None = MAX_WINDOW
           ) -> tuple[datetime, datetime] | None:
    """The [after, before) window two parameters give (before defaults to now), None when neither is given."""
    start, end = time_param(request, after), time_param(request, before)
    if start is None and end is None:
        return None
    if start is None:
        raise bad(f"{before} needs {after}")
    end = end or now
    if end <= start:
        raise bad(f"{before} must be later than {after}")
    if limit is not None and end - start > limit:
        raise bad(f"The date range from {after} to {before} must not exceed {limit.days} days")
    if start < now - MAX_LOOKBACK:
        raise bad(f"{after} must be within the past 6 months")
    return start, end


def choice(request: Request, name: str, allowed: Sequence[str]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in allowed:
        raise bad(f"{name} must be one of {', '.join(allowed)}")
    return value


def flag(request: Request, name: str, default: bool) -> bool:
    value = choice(request, name, ("true", "false", "True", "False"))
    return default if value is None else value.lower() == "true"


def page(request: Request, rows: list[Row], sort_key) -> tuple[list[Row], str | None]:
    """One page of `rows` by `limit` (1–100, default 100) and `sortOrder` (ASC by default), and the next token."""
    raw = request.query_params.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise bad("limit must be between 1 and 100")
    size = int(raw)
    descending = choice(request, "sortOrder", ("ASC", "DESC")) == "DESC"
    rows = sorted(rows, key=sort_key, reverse=descending)
    digest = query_hash(request)
    token = request.query_params.get("nextToken")
    (offset,) = read_page_token(token, digest, "o") if token else (0,)
    more = offset + size < len(rows)
    return rows[offset:offset + size], page_token(digest, o=offset + size) if more else None


async def json_body(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise bad("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad("The request body must be a JSON object")
    return body


def find_by_number(first_day, orders_for_day: Callable, number: str, now: datetime):
    """The order with that number placed by `now` (searching back from today), else None."""
    if len(number) != PO_NUMBER_LENGTH or not number.isalnum():
        return None
    day = now.date()
    while day >= first_day:
        for order in orders_for_day(day):
            if order.number == number and order.placed_at <= now:
                return order
        day -= timedelta(days=1)
    return None


def checked_number(number: str) -> str:
    if len(number) != PO_NUMBER_LENGTH or not number.isalnum():
        raise bad(f"purchaseOrderNumber {number!r} is not an 8-character alphanumeric code")
    return number


def money(amount: Decimal, currency: str) -> dict:
    # The model's Decimal is a string, so no float ever carries an amount.
    return {"currencyCode": currency, "amount": str(amount)}


def new_transaction(account: str, program: str, now: datetime, errors: list[dict], state) -> Transaction:
    """A transaction submitted now: Processing for `vendor_transaction_seconds` of world time, then Success or
    Failure with `errors`; Processing forever when the stuck fault says so."""
    stuck = state.faults.vendor_transaction_stuck()
    ready = None if stuck else now + timedelta(seconds=state.config.vendor_transaction_seconds)
    # Amazon's ids are a timestamp and a GUID: 20190827182357-8725bde9-c61c-49f9-86ac-46efd82d4da5.
    transaction_id = f"{now:%Y%m%d%H%M%S}-{uuid.uuid4()}"
    return Transaction(transaction_id, account, program, now, ready, FAILURE if errors else SUCCESS, errors)


def party(party_id: str, name: str | None = None, city: str = "", state: str = "", postal: str = "",
          country: str = "US") -> dict:
    found: dict = {"partyId": party_id}
    if name:
        found["address"] = {"name": name, "addressLine1": f"{postal} Commerce Way" if postal else "1 Main Street",
                            "city": city, "stateOrRegion": state, "postalCode": postal, "countryCode": country}
    return found
