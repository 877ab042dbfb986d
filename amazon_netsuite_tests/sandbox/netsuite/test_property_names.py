"""Unknown body fields, as NetSuite treats them: `X-NetSuite-PropertyNameValidation: error` refuses the request
naming the field and its path; without the header (NetSuite's default, warning) the field is dropped and the rest
saved. Custom fields exist only when the account defines them (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html)."""

from __future__ import annotations

from amazon_netsuite_tests.sandbox.netsuite.conftest import RECORDS, fetch, internal_id, sales_order

STRICT = {"X-NetSuite-PropertyNameValidation": "Error"}


def _refusal(response) -> tuple[int, str, str, str]:
    detail = response.json()["o:errorDetails"][0]
    return response.status_code, detail["o:errorCode"], detail["o:errorPath"], detail["detail"]


def test_a_misspelled_header_field_is_refused_naming_the_field_when_the_request_asks_for_errors(netsuite):
    body = sales_order("AMZ-NAMES-1", ("MUG-CAFE-WHITE", 1, "14.99"), extrnalId="AMZ-NAMES-1")
    response = netsuite.post(f"{RECORDS}/salesOrder", json=body, headers=STRICT)
    status, code, path, detail = _refusal(response)
    assert (status, code, path) == (400, "NONEXISTENT_FIELD", "extrnalId")
    assert "'extrnalId'" in detail and "salesOrder" in detail
    assert netsuite.get(f"{RECORDS}/salesOrder/eid:AMZ-NAMES-1").status_code == 404  # nothing was saved


def test_a_misspelled_line_field_is_refused_with_its_sublist_path(netsuite):
    body = sales_order("AMZ-NAMES-2", ("MUG-CAFE-WHITE", 1, "14.99"), ("TSHIRT-RED-M", 2, "19.99"))
    body["item"]["items"][1]["amout"] = "39.98"
    response = netsuite.put(f"{RECORDS}/salesOrder/eid:AMZ-NAMES-2", json=body, headers=STRICT)
    assert _refusal(response)[:3] == (400, "NONEXISTENT_FIELD", "item.items[1].amout")


def test_a_custom_field_the_account_does_not_define_is_refused_and_a_defined_one_is_kept(netsuite):
    typo = sales_order("AMZ-NAMES-3", ("MUG-CAFE-WHITE", 1, "14.99"), custbody_amz_chanel="Amazon.com")
    response = netsuite.post(f"{RECORDS}/salesOrder", json=typo, headers=STRICT)
    status, code, path, detail = _refusal(response)
    assert (status, code, path) == (400, "NONEXISTENT_FIELD", "custbody_amz_chanel")
    assert "custom fields must exist in the account" in detail
    # An item field on a transaction is as unknown as a typo.
    wrong_kind = sales_order("AMZ-NAMES-3", ("MUG-CAFE-WHITE", 1, "14.99"), custitem_amz_sku="X")
    assert _refusal(netsuite.post(f"{RECORDS}/salesOrder", json=wrong_kind, headers=STRICT))[2] == "custitem_amz_sku"

    good = sales_order("AMZ-NAMES-3", ("MUG-CAFE-WHITE", 1, "14.99"), custbody_amz_channel="Amazon.com",
                       custbody_amz_sfp=True)
    order_id = internal_id(netsuite.post(f"{RECORDS}/salesOrder", json=good, headers=STRICT))
    order = fetch(netsuite, "salesOrder", order_id)
    assert (order["custbody_amz_channel"], order["custbody_amz_sfp"]) == ("Amazon.com", True)


def test_field_names_match_without_regard_to_case_as_in_oracles_own_examples(netsuite):
    body = {"externalid": "AMZ-NAMES-CUST", "companyname": "Case Insensitive Ltd",
            "subsidiary": {"externalId": "SUB-na"}}
    response = netsuite.put(f"{RECORDS}/customer/eid:AMZ-NAMES-CUST", json=body, headers=STRICT)
    assert response.status_code == 204, response.text


def test_without_the_header_an_unknown_field_is_dropped_and_the_record_saved_without_it(netsuite):
    """NetSuite's default is a warning: the request succeeds and the misspelled value is silently lost."""
    body = sales_order("AMZ-NAMES-4", ("MUG-CAFE-WHITE", 1, "14.99"), memo="kept", custbody_typo="lost",
                       shippingCots="4.99")
    body["item"]["items"][0]["descripton"] = "lost too"
    order_id = internal_id(netsuite.post(f"{RECORDS}/salesOrder", json=body))
    order = fetch(netsuite, "salesOrder", order_id)
    assert order["memo"] == "kept" and order["externalId"] == "AMZ-NAMES-4"
    assert not {"custbody_typo", "shippingCots"} & set(order)
    assert "descripton" not in order["item"]["items"][0]
    assert "shippingCost" not in order  # the value meant for it never arrived

    ignored = sales_order("AMZ-NAMES-5", ("MUG-CAFE-WHITE", 1, "14.99"), custbody_typo="lost")
    response = netsuite.post(f"{RECORDS}/salesOrder", json=ignored,
                             headers={"X-NetSuite-PropertyNameValidation": "ignore"})
    assert "custbody_typo" not in fetch(netsuite, "salesOrder", internal_id(response))


def test_an_unknown_validation_mode_is_a_bad_request(netsuite):
    body = sales_order("AMZ-NAMES-6", ("MUG-CAFE-WHITE", 1, "14.99"))
    response = netsuite.post(f"{RECORDS}/salesOrder", json=body,
                             headers={"X-NetSuite-PropertyNameValidation": "strict"})
    assert response.status_code == 400 and "Error, Warning or Ignore" in response.text


def test_a_transform_body_is_checked_against_the_target_record(netsuite):
    order_id = internal_id(netsuite.post(f"{RECORDS}/salesOrder", json=sales_order(
        "AMZ-NAMES-7", ("MUG-CAFE-WHITE", 1, "14.99")), headers=STRICT))
    response = netsuite.post(f"{RECORDS}/salesOrder/{order_id}/!transform/itemFulfillment",
                             json={"shipStatus": {"id": "C"}, "trackingNumber": "1Z999"}, headers=STRICT)
    assert _refusal(response)[:3] == (400, "NONEXISTENT_FIELD", "trackingNumber")
