"""SuiteQL runs for real over the sandbox's records, with NetSuite's paging and value formatting."""

from __future__ import annotations

from amazon_netsuite.sandbox.netsuite.shipping import SHIP_METHODS
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, internal_id

SUITEQL = "/services/rest/query/v1/suiteql"
TRANSIENT = {"Prefer": "transient"}


def _query(netsuite, q: str, params: list | None = None, **paging) -> dict:
    response = netsuite.post(SUITEQL, params=paging, headers=TRANSIENT, json={"q": q, "params": params or []})
    assert response.status_code == 200, response.text
    return response.json()


def _post_order(netsuite, external_id: str, lines: list[tuple[str, int, str]], record_type: str = "salesOrder") -> str:
    body = {"externalId": external_id, "entity": {"externalId": "AMZ-CUSTOMER-demo-US"},
            "location": {"externalId": "FBA-na" if record_type == "cashSale" else "WH-na"},
            "otherRefNum": external_id.removeprefix("AMZ-demo-US-"),
            "item": {"items": [{"item": {"externalId": sku}, "quantity": q, "rate": r} for sku, q, r in lines]}}
    return internal_id(netsuite.post(f"{RECORDS}/{record_type}", json=body))


def test_posted_orders_are_queryable_with_netsuites_signs_and_string_values(netsuite):
    order = _post_order(netsuite, "AMZ-demo-US-111-1", [("TSHIRT-RED-M", 2, "19.99"), ("MUG-CAFE-WHITE", 1, "14.99")])
    sale = _post_order(netsuite, "AMZ-demo-US-222-2", [("YOGAMAT-GREEN", 1, "34.99")], "cashSale")
    result = _query(netsuite, """
        SELECT t.id, t.type, t.status, t.externalid, t.otherrefnum, t.foreigntotal, t.trandate,
               SUM(-tl.netamount) AS lines_total, SUM(-tl.quantity) AS units
        FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F'
        WHERE t.externalid LIKE ? GROUP BY ALL ORDER BY t.id""", ["AMZ-demo-US-%"])
    assert result["count"] == 2 and result["totalResults"] == 2 and result["hasMore"] is False
    first, second = result["items"]
    assert first == {"links": [], "id": order, "type": "SalesOrd", "status": "B", "externalid": "AMZ-demo-US-111-1",
                     "otherrefnum": "111-1", "foreigntotal": "54.97", "trandate": "11/20/2026",
                     "lines_total": "54.97", "units": "3"}
    assert (second["id"], second["type"], second["foreigntotal"]) == (sale, "CashSale", "34.99")


def test_items_join_to_lines_and_null_columns_are_left_out(netsuite):
    _post_order(netsuite, "AMZ-demo-US-333-3", [("SOCKS-GREY-SM", 1, "12.99")])
    rows = _query(netsuite, """
        SELECT i.itemid, BUILTIN.DF(tl.itemtype) AS itemtype, tl.rate, l.name AS location, t.memo
        FROM transactionline tl JOIN item i ON i.id = tl.item JOIN transaction t ON t.id = tl.transaction
        JOIN location l ON l.id = tl.location WHERE t.externalid = ?""", ["AMZ-demo-US-333-3"])["items"]
    assert rows == [{"links": [], "itemid": "SOCKS-GREY-SM", "itemtype": "InvtPart", "rate": "12.99",
                     "location": "Main Warehouse (NA)"}]
    assert _query(netsuite, "SELECT TO_CHAR(DATE '2026-11-20', 'YYYY-MM-DD') AS d, NVL(NULL, 'x') AS n")["items"] == [
        {"links": [], "d": "2026-11-20", "n": "x"}]


def test_paging_follows_limit_and_offset_like_netsuite(netsuite):
    q = "SELECT id, itemid FROM item ORDER BY itemid"
    first = _query(netsuite, q, limit=20)
    families = sorted({p.parent_sku for p in CATALOG if p.parent_sku})  # each a matrix parent item
    # the missing SKUs out, the promotion and refund items and the shipping items in
    items = len(CATALOG) - 3 + 2 + len(families) + len(SHIP_METHODS)
    assert (first["count"], first["offset"], first["totalResults"], first["hasMore"]) == (20, 0, items, True)
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert "offset=20" in next_link and "limit=20" in next_link
    seen = [row["itemid"] for row in first["items"]]
    offset = 20
    while True:
        page = _query(netsuite, q, limit=20, offset=offset)
        seen += [row["itemid"] for row in page["items"]]
        if not page["hasMore"]:
            break
        offset += page["count"]
    assert seen == sorted([*(p.sku for p in CATALOG if p.sku not in {"CAP-OLIVE", "CANDLE-CEDAR", "KIT-COFFEE-LOVER"}),
                           "AMZ-PROMOTION", "AMZ-REFUND", *families, *(m.name for m in SHIP_METHODS)])


def test_bad_requests_are_refused(netsuite):
    cases = [
        ({}, {"q": "SELECT 1"}, "INVALID_REQUEST"),  # no Prefer: transient
        (TRANSIENT, {"q": "SELECT * FROM nosuchtable"}, "INVALID_PARAMETER"),
        (TRANSIENT, {"q": "DELETE FROM item"}, "INVALID_PARAMETER"),
        (TRANSIENT, {"q": "SELECT * FROM read_csv('/etc/passwd')"}, "INVALID_PARAMETER"),
    ]
    for headers, body, code in cases:
        response = netsuite.post(SUITEQL, headers=headers, json=body)
        assert response.status_code == 400, body
        assert response.json()["o:errorDetails"][0]["o:errorCode"] == code
    for paging in [{"limit": 1001}, {"limit": 0}, {"limit": 10, "offset": 15}]:
        response = netsuite.post(SUITEQL, params=paging, headers=TRANSIENT, json={"q": "SELECT 1"})
        assert response.status_code == 400, paging
