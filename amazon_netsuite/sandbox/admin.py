"""`/_sandbox/...`: health, fault knobs, the world clock, and the sandbox's own truth about orders and settlements."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import anyio.to_thread
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from amazon_netsuite.sandbox.seller_central.settlement_reports import settlement_truth
from amazon_netsuite.sandbox.world import order_summary
from amazon_netsuite.sandbox.world.books import world_books


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _json(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


async def health(request: Request) -> JSONResponse:
    state = request.app.state.sandbox
    return JSONResponse(
        {
            "status": "ok",
            "now": state.clock.now().isoformat(),
            "clock_frozen": state.clock.frozen,
            "seed": state.config.seed,
            "orders_per_day": state.config.orders_per_day,
            "first_day": state.world.first_day.isoformat(),
            "seller_accounts": [a.key for a in state.settings.seller_accounts],
            "storefronts": state.settings.storefront_keys,
            "vendor_accounts": [{"key": v.key, "vendor_code": v.vendor_code} for v in state.config.vendor_accounts],
        }
    )


async def faults(request: Request) -> JSONResponse:
    """GET the fault knobs; POST a JSON object with the knobs to change (others keep their value)."""
    injector = request.app.state.sandbox.faults
    if request.method == "POST":
        try:
            injector.update(await _json(request))
        except ValidationError as exc:
            return _bad_request("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        except ValueError as exc:
            return _bad_request(str(exc))
    return JSONResponse(injector.faults.model_dump())


def _clock_body(clock) -> dict:
    return {"now": clock.now().isoformat(), "frozen": clock.frozen}


async def clock(request: Request) -> JSONResponse:
    """POST {"now": iso} freezes at an instant, {"advance_seconds": n} moves on, {"frozen": false} lets it run."""
    world_clock = request.app.state.sandbox.clock
    if request.method == "POST":
        try:
            body = await _json(request)
            if "now" in body:
                at = datetime.fromisoformat(str(body["now"]))
                world_clock.freeze(at if at.tzinfo else at.replace(tzinfo=timezone.utc))
            if "advance_seconds" in body:
                world_clock.advance(float(body["advance_seconds"]))
            if body.get("frozen") is False:
                world_clock.resume()
        except (TypeError, ValueError) as exc:
            return _bad_request(f"clock: {exc}")
    return JSONResponse(_clock_body(world_clock))


async def orders_summary(request: Request) -> JSONResponse:
    """`?storefront=demo-US&from=2026-11-01&to=2026-11-07&as_of=...`: orders per day by last-updated-date."""
    state = request.app.state.sandbox
    params = request.query_params
    storefront = params.get("storefront")
    if storefront not in state.world.markets:
        return _bad_request(f"storefront must be one of {', '.join(state.world.markets)}")
    try:
        as_of = datetime.fromisoformat(params["as_of"]) if "as_of" in params else state.clock.now()
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)
        day_to = date.fromisoformat(params["to"]) if "to" in params else as_of.date()
        day_from = date.fromisoformat(params["from"]) if "from" in params else state.world.first_day
    except ValueError as exc:
        return _bad_request(f"dates are ISO 8601 (from/to: 2026-11-20, as_of: 2026-11-20T12:00:00+00:00): {exc}")
    if day_from > day_to:
        return _bad_request("from must not be after to")
    # The seller's shipment confirmations move orders as they do in the reports.
    confirmed, days = state.shipments.confirmations(state.settings.account_of(storefront).key)
    return JSONResponse(order_summary(state.world, storefront, day_from, day_to, as_of, confirmed,
                                      days.get(storefront, frozenset())))


def _as_of(request: Request) -> datetime | JSONResponse:
    """The `as_of` instant asked for (UTC when naive), else the world clock's now; a bad one is a 400."""
    try:
        as_of = datetime.fromisoformat(request.query_params["as_of"]) if "as_of" in request.query_params else None
    except ValueError as exc:
        return _bad_request(f"as_of is an ISO 8601 instant (2026-11-20T12:00:00+00:00): {exc}")
    if as_of is None:
        return request.app.state.sandbox.clock.now()
    return as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)


async def settlements(request: Request) -> JSONResponse:
    """`?account=demo-na&as_of=...`: every settlement that exists (as of now or `as_of`), with its figures."""
    state = request.app.state.sandbox
    account = request.query_params.get("account")
    accounts = [a.key for a in state.settings.seller_accounts]
    if account is not None and account not in accounts:
        return _bad_request(f"account must be one of {', '.join(accounts)}")
    as_of = _as_of(request)
    if isinstance(as_of, JSONResponse):
        return as_of
    found = await anyio.to_thread.run_sync(settlement_truth, state, account, as_of)
    return JSONResponse({"account": account, "as_of": as_of.isoformat(), "settlements": found})


async def books(request: Request) -> JSONResponse:
    """`?storefront=demo-US&storefront=demo-CA&as_of=...`: the world's own books (world/books.py): every order shipped
    with its revenue and tax, and every settlement split into sales, refunds, fees, reserves and tax."""
    state = request.app.state.sandbox
    storefronts = request.query_params.getlist("storefront") or list(state.world.markets)
    unknown = [s for s in storefronts if s not in state.world.markets]
    if unknown:
        return _bad_request(f"storefront must be one of {', '.join(state.world.markets)}")
    as_of = _as_of(request)
    if isinstance(as_of, JSONResponse):
        return as_of
    found = await anyio.to_thread.run_sync(world_books, state.world, storefronts, as_of)
    return JSONResponse(found)


routes = [
    Route("/_sandbox/health", health, methods=["GET"]),
    Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
    Route("/_sandbox/clock", clock, methods=["GET", "POST"]),
    Route("/_sandbox/orders/summary", orders_summary, methods=["GET"]),
    Route("/_sandbox/settlements", settlements, methods=["GET"]),
    Route("/_sandbox/books", books, methods=["GET"]),
]
