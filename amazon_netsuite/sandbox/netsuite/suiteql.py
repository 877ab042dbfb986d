"""`POST /services/rest/query/v1/suiteql`: SuiteQL run for real by DuckDB over the record store's tables.

Answers like NetSuite: lower-case column names, every value a string, null columns left out, dates in the
account's default M/D/YYYY format, `limit` ≤ 1000 with `offset` a multiple of it, at most 100,000 rows reachable.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from decimal import Decimal

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.governance import governed
from amazon_netsuite.sandbox.netsuite.paging import MAX_RESULTS, page, page_params
from amazon_netsuite.sandbox.netsuite.store import RecordStore
from amazon_netsuite.sandbox.netsuite.suiteql_tables import build_database
from amazon_netsuite.sandbox.netsuite.wire import json_body, json_response

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
_READ_ONLY = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_SEARCH_ERROR = "Invalid search query. Detailed unprocessed description follows. Search error occurred: {}"


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 39.90 → "39.9", as NetSuite prints numbers
    if isinstance(value, datetime):
        return f"{value.month}/{value.day}/{value.year} {value:%H:%M:%S}"
    if isinstance(value, date):
        return f"{value.month}/{value.day}/{value.year}"
    return str(value)


class SuiteQL:
    """Runs queries against a DuckDB copy of the store, rebuilt only when a record has changed since."""

    def __init__(self, store: RecordStore) -> None:
        self._store, self._lock = store, threading.Lock()
        self._db: duckdb.DuckDBPyConnection | None = None
        self._version = -1

    def run(self, q: str, params: list) -> list[dict]:
        """All result rows (capped at MAX_RESULTS + 1, enough to know there are more), as NetSuite renders them."""
        if not _READ_ONLY.match(q):
            raise RecordError(400, "INVALID_PARAMETER", _SEARCH_ERROR.format("only SELECT queries are supported."))
        with self._lock:
            if self._db is None or self._version != self._store.version:
                if self._db is not None:
                    self._db.close()
                self._version = self._store.version
                self._db = build_database(self._store)
            try:
                cursor = self._db.execute(q, params)
                columns = [d[0].lower() for d in cursor.description]
                rows = cursor.fetchmany(MAX_RESULTS + 1)
            except duckdb.Error as error:
                raise RecordError(400, "INVALID_PARAMETER", _SEARCH_ERROR.format(str(error).splitlines()[0])) from None
        return [{c: _text(v) for c, v in zip(columns, row) if v is not None} for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


@governed
async def suiteql(request: Request) -> Response:
    try:
        if "transient" not in request.headers.get("prefer", "").lower():
            raise RecordError(400, "INVALID_REQUEST", "SuiteQL requests need the header 'Prefer: transient'.")
        limit, offset = page_params(request)
        body = await json_body(request)
        if not isinstance(body.get("q"), str):
            raise RecordError(400, "INVALID_REQUEST", 'The body must be {"q": "<SuiteQL>", "params": [...]}.')
        rows = await run_in_threadpool(request.app.state.netsuite.suiteql.run, body["q"], list(body.get("params", [])))
    except RecordError as error:
        return error.response()
    chosen, envelope = page(request, rows, limit, offset)
    return json_response({**envelope, "items": [{"links": [], **row} for row in chosen]})


routes = [Route(SUITEQL_PATH, suiteql, methods=["POST"])]
