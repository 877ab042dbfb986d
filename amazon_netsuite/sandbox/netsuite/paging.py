"""NetSuite's collection paging, shared by record collections and SuiteQL: `limit` 1–1000 (default 1000), `offset`
a multiple of `limit`, at most 100,000 results reachable, and `links` self/first/previous/next/last."""

from __future__ import annotations

from starlette.requests import Request

from amazon_netsuite.sandbox.netsuite.errors import RecordError

MAX_LIMIT = 1000
MAX_RESULTS = 100_000


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit():
        raise RecordError(400, "INVALID_PARAMETER", f"Invalid value for query parameter {name}: {raw}.")
    return int(raw)


def page_params(request: Request) -> tuple[int, int]:
    """(limit, offset) from the query string, checked as NetSuite checks them."""
    limit, offset = _int_param(request, "limit", MAX_LIMIT), _int_param(request, "offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise RecordError(400, "INVALID_PARAMETER", f"limit must be between 1 and {MAX_LIMIT}.")
    if offset % limit:
        raise RecordError(400, "INVALID_PARAMETER", "offset must be a multiple of limit.")
    if offset >= MAX_RESULTS:
        raise RecordError(400, "INVALID_PARAMETER", f"Only the first {MAX_RESULTS} results can be paged through.")
    return limit, offset


def page(request: Request, rows: list, limit: int, offset: int) -> tuple[list, dict]:
    """The rows of this page and the envelope around them (links, count, hasMore, offset, totalResults)."""
    total = len(rows)
    chosen = rows[offset:offset + limit]
    has_more = offset + len(chosen) < min(total, MAX_RESULTS)

    def href(at: int) -> str:
        return str(request.url.include_query_params(limit=limit, offset=at))

    links = [{"rel": "self", "href": href(offset)}, {"rel": "first", "href": href(0)}]
    if offset > 0:
        links.append({"rel": "previous", "href": href(max(offset - limit, 0))})
    if has_more:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(max(min(total, MAX_RESULTS) - 1, 0) // limit * limit)})
    return chosen, {"links": links, "count": len(chosen), "hasMore": has_more, "offset": offset,
                    "totalResults": total}
