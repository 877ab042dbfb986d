"""The record API, `/services/rest/record/v1/{type}[/{id | eid:externalId}]`: POST, PUT (upsert), GET, PATCH, the
collection GET (`?q=&limit=&offset=`) and `POST .../{id}/!transform/{type}`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from amazon_netsuite.sandbox.netsuite.collection_query import record_filter
from amazon_netsuite.sandbox.netsuite.errors import RecordError, not_found
from amazon_netsuite.sandbox.netsuite.fields import HEADER, check_field_names, mode_of
from amazon_netsuite.sandbox.netsuite.governance import governed
from amazon_netsuite.sandbox.netsuite.paging import page, page_params
from amazon_netsuite.sandbox.netsuite.record_parts import SUBLISTS
from amazon_netsuite.sandbox.netsuite.records import apply, check_external_id, validate
from amazon_netsuite.sandbox.netsuite.reversals import reversal_of, sync_reversal
from amazon_netsuite.sandbox.netsuite.store import RECORD_TYPES, RecordStore
from amazon_netsuite.sandbox.netsuite.tax import refuse_legacy_tax
from amazon_netsuite.sandbox.netsuite.transactions import refresh_related, transform
from amazon_netsuite.sandbox.netsuite.wire import COLLECTION, SINGULAR, json_body, json_response

RECORD_PATH = "/services/rest/record/v1"


_BY_LOWER = {name.lower(): name for name in RECORD_TYPES}


def _record_type(request: Request, name: str = "type") -> str:
    """The record type named in the path, without regard to case (Oracle's samples write `/inventoryitem`)."""
    record_type = _BY_LOWER.get(request.path_params[name].lower(), request.path_params[name])
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


def _location(request: Request, record_type: str, record_id: int | str) -> str:
    return f"{str(request.base_url).rstrip('/')}{RECORD_PATH}/{record_type}/{record_id}"


def _replace(request: Request) -> set[str]:
    return {name.strip() for name in request.query_params.get("replace", "").split(",") if name.strip()}


def _check_names(request: Request, record_type: str, body: dict) -> None:
    """Legacy tax fields: refused (tax.py). Unknown body fields: refused with `X-NetSuite-PropertyNameValidation:
    error`, else dropped (fields.py)."""
    refuse_legacy_tax(record_type, body)
    check_field_names(record_type, body, request.app.state.netsuite.custom_fields,
                      mode_of(request.headers.get(HEADER)))


def save_record(store: RecordStore, record_type: str, record_id: int | None, body: dict, replace: set[str],
                now) -> int:
    """Store a new record (record_id None) or a change of one, refresh what depends on it; its internal id.
    The caller holds the write lock and has validated `body`."""
    external_id = body.get("externalId")
    owner = store.id_for(record_type, str(external_id)) if external_id else None
    if owner is not None and owner != record_id:
        raise RecordError(400, "USER_ERROR",
                          f"A {record_type} with external ID '{external_id}' already exists (id {owner}).",
                          "externalId")
    current = store.get(record_type, record_id) if record_id is not None else None
    new_id = record_id if record_id is not None else store.next_id()
    record = apply(store, record_type, current, body, record_id=new_id, replace=replace, now=now)
    old_links = store.links(new_id)
    store.put(record_type, record)
    refresh_related(store, new_id, old_links)
    if record_type == "journalEntry":
        sync_reversal(store, new_id, now)
    return new_id


def _save(request: Request, record_type: str, record_id: int | None, body: dict, replace: set[str]) -> Response:
    """`save_record`, answered with 204 and the record's Location."""
    new_id = save_record(request.app.state.netsuite.store, record_type, record_id, body, replace,
                         request.app.state.sandbox.clock.now())
    return Response(status_code=204, headers={"Location": _location(request, record_type, new_id)})


async def _write(request: Request, record_type: str, key: str | None, body: dict, put: bool = False) -> Response:
    """A PUT (upsert) replaces the sublists it sends; a PATCH merges lines unless `?replace=` names the sublist."""
    netsuite = request.app.state.netsuite
    replace = _replace(request)
    if put:
        replace |= {name for name, value in body.items() if isinstance(value, dict) and "items" in value}
    async with netsuite.write_lock:  # check-then-store must not interleave with another write
        record_id = _find(netsuite.store, record_type, key) if key is not None else None
        if key is not None and record_id is None and not put:
            raise not_found(record_type, key)
        if record_id is not None and (netsuite.store.get(record_type, record_id) or {}).get("isReversal"):
            # Oracle, "Reversing Journal Entries": "You cannot directly edit a reversing journal entry."
            raise RecordError(400, "USER_ERROR", "You cannot directly edit a reversing journal entry; change the "
                              "journal it reverses.")
        _check_names(request, record_type, body)
        validate(netsuite.store, record_type, body)
        return _save(request, record_type, record_id, body, replace)


@governed
async def create_record(request: Request) -> Response:
    try:
        return await _write(request, _record_type(request), None, await json_body(request))
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
        body = await json_body(request)
        if body.get("externalId", external_id) != external_id:
            raise RecordError(400, "USER_ERROR", "externalId in the body differs from the one in the URL.", "externalId")
        body["externalId"] = external_id
        return await _write(request, record_type, key, body, put=True)
    except RecordError as error:
        return error.response()


@governed
async def update_record(request: Request) -> Response:
    try:
        return await _write(request, _record_type(request), request.path_params["key"], await json_body(request))
    except RecordError as error:
        return error.response()


@governed
async def delete_record(request: Request) -> Response:
    """`DELETE /record/v1/{type}/{id}` → 204. Refused while another record points at it, as NetSuite refuses to
    delete a record with dependent records; a journal's automatic reversal goes with it."""
    try:
        record_type, key = _record_type(request), request.path_params["key"]
        netsuite = request.app.state.netsuite
        async with netsuite.write_lock:
            store: RecordStore = netsuite.store
            record_id = _find(store, record_type, key)
            if record_id is None:
                raise not_found(record_type, key)
            reversal = reversal_of(store, record_id) if record_type == "journalEntry" else None
            dependents = [r["id"] for _, r in store.referrers(record_id) if r is not reversal]
            if dependents:
                raise RecordError(400, "USER_ERROR", "This record cannot be deleted because it has dependent "
                                  f"records (ids {', '.join(dependents)}).")
            old_links = store.links(record_id)
            if reversal is not None:
                store.delete("journalEntry", int(reversal["id"]))
            store.delete(record_type, record_id)
            refresh_related(store, record_id, old_links)
        return Response(status_code=204)
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
        return json_response(record, media_type=SINGULAR)
    except RecordError as error:
        return error.response()


@governed
async def get_sublist(request: Request) -> Response:
    """`GET /record/v1/{type}/{id}/{sublist}`: a sublist as a collection, e.g. an item's pricing matrix
    (`/inventoryitem/482/price?expandSubResources=true`,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_159531460854.html). The sandbox always
    expands the lines; NetSuite without `expandSubResources` lists links only (not verified)."""
    try:
        record_type, key, name = _record_type(request), request.path_params["key"], request.path_params["sublist"]
        store: RecordStore = request.app.state.netsuite.store
        record_id = _find(store, record_type, key)
        if record_id is None:
            raise not_found(record_type, key)
        sublist = next((s for s in SUBLISTS.get(record_type, {}) if s.lower() == name.lower()), None)
        if sublist is None:
            raise RecordError(404, "NONEXISTENT_ID", f"Sub-resource '{name}' does not exist on {record_type}.")
        lines = store.get(record_type, record_id).get(sublist, {}).get("items", [])
        href = f"{_location(request, record_type, record_id)}/{sublist}"
        return json_response({"links": [{"rel": "self", "href": href}], "items": lines, "count": len(lines),
                              "hasMore": False, "offset": 0, "totalResults": len(lines)}, media_type=SINGULAR)
    except RecordError as error:
        return error.response()


@governed
async def list_records(request: Request) -> Response:
    """`GET /record/v1/{type}?q=&limit=&offset=`: ids and links of the matching records, in id order."""
    try:
        record_type = _record_type(request)
        limit, offset = page_params(request)
        records = request.app.state.netsuite.store.all(record_type)
        q = request.query_params.get("q", "").strip()
        if q:
            keep = record_filter(q, records)
            records = [record for record in records if keep(record)]
        records.sort(key=lambda record: int(record["id"]))
        chosen, envelope = page(request, records, limit, offset)
        items = [{"links": [{"rel": "self", "href": _location(request, record_type, r["id"])}], "id": r["id"]}
                 for r in chosen]
        return json_response({**envelope, "items": items}, media_type=COLLECTION)
    except RecordError as error:
        return error.response()


@governed
async def transform_record(request: Request) -> Response:
    """`POST /record/v1/{type}/{id}/!transform/{target}` → 204 with the new record's Location."""
    try:
        source_type, key = _record_type(request), request.path_params["key"]
        target_type = _record_type(request, "target")
        body = await json_body(request)
        netsuite = request.app.state.netsuite
        async with netsuite.write_lock:
            source_id = _find(netsuite.store, source_type, key)
            if source_id is None:
                raise not_found(source_type, key)
            _check_names(request, target_type, body)
            validate(netsuite.store, target_type, body)
            merged = transform(netsuite.store, source_type, netsuite.store.get(source_type, source_id), target_type,
                               body, _replace(request))
            return _save(request, target_type, None, merged, set())
    except RecordError as error:
        return error.response()


routes = [
    Route(f"{RECORD_PATH}/{{type}}", create_record, methods=["POST"]),
    Route(f"{RECORD_PATH}/{{type}}", list_records, methods=["GET"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}/!transform/{{target}}", transform_record, methods=["POST"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", get_record, methods=["GET"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}/{{sublist}}", get_sublist, methods=["GET"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", upsert_record, methods=["PUT"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", update_record, methods=["PATCH"]),
    Route(f"{RECORD_PATH}/{{type}}/{{key}}", delete_record, methods=["DELETE"]),
]
