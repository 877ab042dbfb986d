"""The record API, `/services/rest/record/v1/{type}[/{id | eid:externalId}]`: POST, PUT (upsert), GET, PATCH."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.sandbox.netsuite.errors import RecordError, not_found
from amazon_netsuite.sandbox.netsuite.governance import governed
from amazon_netsuite.sandbox.netsuite.records import apply, check_external_id, validate
from amazon_netsuite.sandbox.netsuite.store import RECORD_TYPES, RecordStore

RECORD_PATH = "/services/rest/record/v1"
_SINGULAR = "application/vnd.oracle.resource+json; type=singular"


def _record_type(request: Request) -> str:
    record_type = request.path_params["type"]
    if record_type not in RECORD_TYPES:
        raise RecordError(404, "NONEXISTENT_ID", f"Record type '{record_type}' does not exist or is not supported.")
    return record_type


def _find(store: RecordStore, record_type: str, key: str) -> int | None:
    """The internal id for `123` or `eid:ABC`, None when no such record exists."""
    if key.startswith("eid:"):
        return store.id_for(record_type, key.removeprefix("eid:"))
    if key.isdigit() and store.get(record_type, int(key)) is not None:
        return int(key)
    return None


async def _body(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise RecordError(400, "INVALID_REQUEST", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise RecordError(400, "INVALID_REQUEST", "The request body must be a JSON object.")
    return body


def _location(request: Request, record_type: str, record_id: int) -> str:
    return f"{str(request.base_url).rstrip('/')}{RECORD_PATH}/{record_type}/{record_id}"


def _stored(request: Request, record_type: str, record_id: int) -> Response:
    return Response(status_code=204, headers={"Location": _location(request, record_type, record_id)})


async def _write(request: Request, record_type: str, record_id: int | None, body: dict,
                 put: bool = False) -> Response:
    """Validate and store a new record (record_id None) or a change; 204 with the record's Location.
    A PUT (upsert) replaces the sublists it sends; a PATCH merges lines unless `?replace=` names the sublist."""
    netsuite = request.app.state.netsuite
    store: RecordStore = netsuite.store
    replace = {name.strip() for name in request.query_params.get("replace", "").split(",") if name.strip()}
    if put:
        replace |= {field for field, value in body.items() if isinstance(value, dict) and "items" in value}
    today = request.app.state.sandbox.clock.now().date()
    async with netsuite.write_lock:  # check-then-store must not interleave with another write
        current = store.get(record_type, record_id) if record_id is not None else None
        validate(store, record_type, body, creating=current is None)
        external_id = body.get("externalId")
        owner = store.id_for(record_type, str(external_id)) if external_id else None
        if owner is not None and owner != record_id:
            raise RecordError(400, "USER_ERROR",
                              f"A {record_type} with external ID '{external_id}' already exists (id {owner}).",
                              "externalId")
        new_id = record_id if record_id is not None else store.next_id()
        store.put(record_type, apply(store, record_type, current, body, record_id=new_id, replace=replace,
                                     today=today))
    return _stored(request, record_type, new_id)


@governed
async def create_record(request: Request) -> Response:
    try:
        record_type = _record_type(request)
        return await _write(request, record_type, None, await _body(request))
    except RecordError as error:
        return error.response()


@governed
async def upsert_record(request: Request) -> Response:
    """PUT by external id: create the record when it is missing, update it otherwise."""
    try:
        record_type, key = _record_type(request), request.path_params["key"]
        if not key.startswith("eid:"):
            raise RecordError(400, "INVALID_REQUEST", "PUT (upsert) needs an external ID in the URL: eid:<externalId>.")
        external_id = key.removeprefix("eid:")
        check_external_id(external_id)
        body = await _body(request)
        if body.get("externalId", external_id) != external_id:
            raise RecordError(400, "USER_ERROR", "externalId in the body differs from the one in the URL.", "externalId")
        body["externalId"] = external_id
        return await _write(request, record_type, request.app.state.netsuite.store.id_for(record_type, external_id),
                            body, put=True)
    except RecordError as error:
        return error.response()


@governed
async def update_record(request: Request) -> Response:
    try:
        record_type, key = _record_type(request), request.path_params["key"]
        record_id = _find(request.app.state.netsuite.store, record_type, key)
        if record_id is None:
            raise not_found(record_type, key)
        return await _write(request, record_type, record_id, await _body(request))
    except RecordError as error:
        return error.response()


@governed
async def get_record(request: Request) -> Response:
    try:
        record_type, key = _record_type(request), request.path_params["key"]
        store: RecordStore = request.app.state.netsuite.store
        record_id = _find(store, record_type, key)
        if record_id is None:
            raise not_found(record_type, key)
        record = {**store.get(record_type, record_id),
                  "links": [{"rel": "self", "href": _location(request, record_type, record_id)}]}
        return JSONResponse(record, media_type=_SINGULAR)
    except RecordError as error:
        return error.response()


routes = [
    Route(f"{RECORD_PATH}/{{type}}", create_record, methods=["POST"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", get_record, methods=["GET"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", upsert_record, methods=["PUT"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", update_record, methods=["PATCH"]),
]
