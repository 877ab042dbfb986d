"""The record API: create, upsert by external id, read, patch; references and required fields checked."""

from __future__ import annotations

from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, internal_id, netsuite_client


def _sales_order(external_id: str, *lines: tuple[str, int, str], **fields) -> dict:
    return {
        "externalId": external_id,
        "entity": {"externalId": "AMZ-CUSTOMER-demo-US"},
        "subsidiary": {"externalId": "SUB-na"},
        "location": {"externalId": "WH-na"},
        "currency": {"externalId": "USD"},
        "otherRefNum": "111-0000001-0000001",
        "item": {"items": [{"item": {"externalId": sku}, "quantity": qty, "rate": rate} for sku, qty, rate in lines]},
        **fields,
    }


def test_a_created_customer_is_found_by_the_id_in_its_location_header_and_by_external_id(netsuite, sandbox):
    subsidiary = netsuite.get(f"{RECORDS}/subsidiary/eid:SUB-na").json()["id"]
    response = netsuite.post(f"{RECORDS}/customer", json={"externalId": "BUYER-1", "companyName": "Jane Buyer",
                                                          "subsidiary": {"id": subsidiary}})
    new_id = internal_id(response)
    assert response.headers["Location"] == f"{sandbox.url}{RECORDS}/customer/{new_id}"
    by_id, by_eid = netsuite.get(f"{RECORDS}/customer/{new_id}"), netsuite.get(f"{RECORDS}/customer/eid:BUYER-1")
    assert by_id.status_code == 200 and by_id.json() == by_eid.json()
    assert by_id.json()["id"] == new_id and by_id.json()["externalId"] == "BUYER-1"
    assert by_id.json()["companyName"] == "Jane Buyer"
    assert by_id.json()["links"] == [{"rel": "self", "href": response.headers["Location"]}]


def test_a_sales_order_gets_line_amounts_total_tran_id_and_pending_fulfillment(netsuite):
    body = _sales_order("AMZ-demo-US-111-0000001-0000001", ("TSHIRT-RED-M", 2, "19.99"), ("MUG-CAFE-WHITE", 1, 14.99),
                        shippingCost=4.99)
    order_id = internal_id(netsuite.post(f"{RECORDS}/salesOrder", json=body))
    order = netsuite.get(f"{RECORDS}/salesOrder/{order_id}").json()
    assert [line["amount"] for line in order["item"]["items"]] == [39.98, 14.99]
    assert [line["line"] for line in order["item"]["items"]] == [1, 2]
    assert order["total"] == 59.96
    assert order["tranId"] == f"SO{order_id}"
    assert order["status"] == {"id": "B", "refName": "Pending Fulfillment"}
    assert order["otherRefNum"] == "111-0000001-0000001"


def test_upsert_creates_once_then_updates_the_same_record(netsuite):
    url = f"{RECORDS}/cashSale/eid:AMZ-demo-US-112-0000002-0000002"
    body = _sales_order("AMZ-demo-US-112-0000002-0000002", ("YOGAMAT-GREEN", 1, "34.99"),
                        location={"externalId": "FBA-na"})
    first = internal_id(netsuite.put(url, json=body))
    second = internal_id(netsuite.put(url, json={**body, "memo": "re-run"}))
    assert first == second
    sale = netsuite.get(url).json()
    assert sale["id"] == first and sale["memo"] == "re-run" and sale["total"] == 34.99
    assert len(sale["item"]["items"]) == 1  # PUT replaces the lines, it does not append them again
    assert sale["status"]["refName"] == "Not Deposited"


def test_patch_with_replace_closes_a_cancelled_line_and_closing_every_line_closes_the_order(netsuite):
    body = _sales_order("AMZ-demo-US-113-0000003-0000003", ("SOCKS-GREY-SM", 1, "12.99"), ("TOTE-BLACK", 1, "16.99"))
    order_id = internal_id(netsuite.post(f"{RECORDS}/salesOrder", json=body))
    url = f"{RECORDS}/salesOrder/{order_id}"
    assert netsuite.patch(url, json={"item": {"items": [{"line": 2, "isClosed": True}]}}).status_code == 204
    order = netsuite.get(url).json()
    assert [line["isClosed"] for line in order["item"]["items"]] == [False, True]
    assert order["total"] == 12.99 and order["status"]["id"] == "B"
    closed = [{**line, "isClosed": True} for line in order["item"]["items"]]
    assert netsuite.patch(f"{url}?replace=item", json={"item": {"items": closed}}).status_code == 204
    assert netsuite.get(url).json()["status"] == {"id": "H", "refName": "Closed"}


def test_an_unknown_item_is_invalid_key_or_ref_with_the_path_of_the_line(netsuite):
    body = _sales_order("AMZ-demo-US-114-0000004-0000004", ("TSHIRT-RED-M", 1, "19.99"), ("CAP-OLIVE", 1, "17.99"))
    response = netsuite.post(f"{RECORDS}/salesOrder", json=body)
    assert response.status_code == 400
    detail = response.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_KEY_OR_REF" and detail["o:errorPath"] == "item.items[1].item"
    assert "CAP-OLIVE" in detail["detail"]
    assert netsuite.get(f"{RECORDS}/salesOrder/eid:AMZ-demo-US-114-0000004-0000004").status_code == 404


def test_unknown_header_references_name_their_field(netsuite):
    for field, path in [("entity", "entity"), ("subsidiary", "subsidiary"), ("location", "location"),
                        ("currency", "currency")]:
        body = _sales_order("AMZ-X", ("TSHIRT-RED-M", 1, "19.99"), **{field: {"id": "99999"}})
        detail = netsuite.post(f"{RECORDS}/salesOrder", json=body).json()["o:errorDetails"][0]
        assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_KEY_OR_REF", path)


def test_a_transaction_without_customer_or_lines_is_a_user_error(netsuite):
    no_entity = {k: v for k, v in _sales_order("AMZ-Y", ("TSHIRT-RED-M", 1, "19.99")).items() if k != "entity"}
    no_lines = _sales_order("AMZ-Z")
    for body, path in [(no_entity, "entity"), (no_lines, "item")]:
        response = netsuite.post(f"{RECORDS}/salesOrder", json=body)
        assert response.status_code == 400
        detail = response.json()["o:errorDetails"][0]
        assert (detail["o:errorCode"], detail["o:errorPath"]) == ("USER_ERROR", path)


def test_external_ids_are_checked_and_unique_per_type(netsuite):
    assert netsuite.put(f"{RECORDS}/customer/eid:has space", json={}).status_code == 400
    assert netsuite.post(f"{RECORDS}/customer", json={"externalId": "a|b"}).status_code == 400
    internal_id(netsuite.post(f"{RECORDS}/customer", json={"externalId": "BUYER-2"}))
    duplicate = netsuite.post(f"{RECORDS}/customer", json={"externalId": "BUYER-2"})
    assert duplicate.status_code == 400 and duplicate.json()["o:errorDetails"][0]["o:errorPath"] == "externalId"
    # the same external id on another record type is fine
    internal_id(netsuite.post(f"{RECORDS}/salesOrder", json=_sales_order("BUYER-2", ("TSHIRT-RED-M", 1, "1.00"))))


def test_missing_records_and_types_are_404(netsuite):
    for path in ["customer/99999", "customer/eid:NOBODY", "vendorBill/1"]:
        response = netsuite.get(f"{RECORDS}/{path}")
        assert response.status_code == 404
        assert response.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"
    assert netsuite.patch(f"{RECORDS}/customer/99999", json={}).status_code == 404


def test_records_survive_a_sandbox_restart(sandbox_config):
    with start_in_thread(sandbox_config) as first, netsuite_client(first.url) as http:
        order_id = internal_id(http.post(f"{RECORDS}/salesOrder",
                                         json=_sales_order("AMZ-KEEP", ("TSHIRT-RED-M", 1, "19.99"))))
    with start_in_thread(sandbox_config) as second, netsuite_client(second.url) as http:
        assert http.get(f"{RECORDS}/salesOrder/eid:AMZ-KEEP").json()["id"] == order_id
        again = internal_id(http.post(f"{RECORDS}/customer", json={"externalId": "AFTER-RESTART"}))
        assert int(again) > int(order_id)  # ids keep counting, no reuse


def test_reducing_a_lines_quantity_recalculates_its_amount_and_the_total(netsuite):
    body = _sales_order("AMZ-demo-US-115-0000005-0000005", ("TSHIRT-BLUE-L", 3, "19.99"))
    url = f"{RECORDS}/salesOrder/{internal_id(netsuite.post(f'{RECORDS}/salesOrder', json=body))}"
    assert netsuite.patch(url, json={"item": {"items": [{"line": 1, "quantity": 1}]}}).status_code == 204
    order = netsuite.get(url).json()
    assert (order["item"]["items"][0]["quantity"], order["item"]["items"][0]["amount"], order["total"]) == (
        1, 19.99, 19.99)
    assert order["item"]["items"][0]["rate"] == 19.99  # sent as the string "19.99", answered as a number


def test_a_value_that_is_not_a_number_is_a_user_error_on_its_path(netsuite):
    body = _sales_order("AMZ-NAN", ("TSHIRT-RED-M", "two", "19.99"))
    detail = netsuite.post(f"{RECORDS}/salesOrder", json=body).json()["o:errorDetails"][0]
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("USER_ERROR", "item.items[0].quantity")
