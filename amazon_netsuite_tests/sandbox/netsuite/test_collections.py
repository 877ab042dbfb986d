"""Record collections: `GET /record/v1/{type}` pages ids and links like NetSuite and filters with `q`."""

from __future__ import annotations

from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, create, error_detail, sales_order


def _list(netsuite, record_type: str, **params) -> dict:
    response = netsuite.get(f"{RECORDS}/{record_type}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].endswith("type=collection")
    return response.json()


def test_a_collection_pages_ids_and_links_with_netsuites_rules(netsuite, sandbox):
    families = {p.parent_sku for p in CATALOG if p.parent_sku}  # each a matrix parent item
    items = [*families, *(p for p in CATALOG if p.sku not in MISSING_SKUS and not p.is_kit)]
    first = _list(netsuite, "inventoryItem", limit=25)
    assert (first["count"], first["offset"], first["hasMore"], first["totalResults"]) == (25, 0, True, len(items))
    assert first["items"][0]["links"] == [{"rel": "self", "href":
                                           f"{sandbox.url}{RECORDS}/inventoryItem/{first['items'][0]['id']}"}]
    assert {"self", "first", "next", "last"} == {link["rel"] for link in first["links"]}
    ids = [item["id"] for item in first["items"]]
    offset = 25
    while True:
        page = _list(netsuite, "inventoryItem", limit=25, offset=offset)
        ids += [item["id"] for item in page["items"]]
        if not page["hasMore"]:
            break
        offset += 25
    assert len(ids) == len(set(ids)) == len(items) and ids == sorted(ids, key=int)
    for paging in ({"limit": 1001}, {"limit": 0}, {"limit": 10, "offset": 15}):
        assert error_detail(netsuite.get(f"{RECORDS}/inventoryItem", params=paging))["o:errorCode"] == \
            "INVALID_PARAMETER"


def test_q_filters_by_external_id_date_number_reference_and_lists(netsuite):
    first = create(netsuite, "salesOrder", sales_order("AMZ-Q-1", ("TSHIRT-RED-M", 1, "19.99"), tranDate="2026-11-02"))
    second = create(netsuite, "salesOrder", sales_order("AMZ-Q-2", ("TSHIRT-RED-M", 5, "19.99"), tranDate="2026-11-09",
                                                        customer="AMZ-CUSTOMER-demo-CA"))

    def ids(q: str) -> list[str]:
        return [item["id"] for item in _list(netsuite, "salesOrder", q=q)["items"]]

    assert ids('externalId IS "AMZ-Q-2"') == [second]
    assert ids('tranDate ON_OR_AFTER "11/5/2026"') == [second]
    assert ids('tranDate BEFORE "2026-11-05" AND externalId START_WITH "AMZ-Q"') == [first]
    assert ids("total GREATER 50") == [second]
    assert ids(f"id ANY_OF [{first}, {second}]") == [first, second]
    assert ids(f'(externalId IS "AMZ-Q-1" OR externalId IS "AMZ-Q-2") AND id ANY_OF_NOT [{first}]') == [second]
    customer = _list(netsuite, "customer", q='externalId IS "AMZ-CUSTOMER-demo-CA"')["items"][0]["id"]
    assert ids(f"entity ANY_OF [{customer}]") == [second]
    assert ids("memo EMPTY") == [first, second]
    for bad in ['nosuchfield IS "x"', 'externalId LOOKS_LIKE "x"', 'externalId IS', "(externalId EMPTY"]:
        assert error_detail(netsuite.get(f"{RECORDS}/salesOrder", params={"q": bad}))["o:errorCode"] == \
            "INVALID_PARAMETER", bad
