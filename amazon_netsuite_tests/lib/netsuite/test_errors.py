"""NetSuite error bodies become typed errors that say what failed and where; external ids are checked first."""

from __future__ import annotations

import pytest

from amazon_netsuite.lib.netsuite import (
    ConcurrencyLimitExceeded,
    InvalidExternalId,
    InvalidKeyOrRef,
    InvalidLogin,
    RecordNotFound,
    UnexpectedError,
    UserError,
    check_external_id,
    error_from_body,
)


def body(status: int, code: str, detail: str, path: str | None = None, **top) -> dict:
    entry = {"detail": detail, "o:errorCode": code}
    if path:
        entry["o:errorPath"] = path
    return {"type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html", "title": "Bad Request",
            "status": status, "o:errorDetails": [entry], **top}


def test_an_unknown_item_reference_carries_its_path_into_the_body():
    error = error_from_body(400, body(400, "INVALID_KEY_OR_REF", "Invalid item reference key 9999.",
                                      "item.items[0].item"), operation="upsert salesOrder eid:AMZ-demo-US-1")
    assert isinstance(error, InvalidKeyOrRef)
    assert (error.status, error.code, error.error_path) == (400, "INVALID_KEY_OR_REF", "item.items[0].item")
    assert not error.retryable
    text = str(error)
    assert "upsert salesOrder eid:AMZ-demo-US-1" in text
    assert "`item.items[0].item`" in text and "Invalid item reference key 9999." in text


def test_a_429_is_a_retryable_concurrency_error_even_though_its_top_code_says_user_error():
    raw = body(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked.",
               **{"o:errorCode": "USER_ERROR"})
    error = error_from_body(429, raw)
    assert isinstance(error, ConcurrencyLimitExceeded) and error.retryable
    assert error.code == "CONCURRENCY_LIMIT_EXCEEDED"


def test_invalid_login_points_at_role_permissions_and_the_login_audit_trail():
    error = error_from_body(401, body(401, "INVALID_LOGIN", "Invalid login attempt."))
    assert isinstance(error, InvalidLogin) and not error.retryable
    assert "REST Web Services" in str(error) and "Login Audit Trail" in str(error)


@pytest.mark.parametrize(
    ("status", "raw", "kind", "code"),
    [
        (400, body(400, "USER_ERROR", "You must enter at least one line item for this transaction."), UserError,
         "USER_ERROR"),
        (400, body(400, "FIELD_PARAM_REQD", "Please enter a value for entity", "entity"), UserError,
         "FIELD_PARAM_REQD"),
        (404, body(404, "NONEXISTENT_ID", "Record does not exist."), RecordNotFound, "NONEXISTENT_ID"),
        (500, body(500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: abc"), UnexpectedError,
         "UNEXPECTED_ERROR"),
        (502, "<html>Bad Gateway</html>", UnexpectedError, "HTTP_502"),
    ],
)
def test_each_status_and_code_maps_to_its_class(status, raw, kind, code):
    error = error_from_body(status, raw)
    assert type(error) is kind
    assert error.code == code
    assert error.retryable is (status >= 500)


def test_a_gateway_page_keeps_its_text():
    assert "Bad Gateway" in str(error_from_body(502, "<html>Bad Gateway</html>"))


@pytest.mark.parametrize("external_id", ["AMZ-demo-US-111-2233445-6677889", "SKU_RED_M", "a", "ABC-123_x"])
def test_letters_digits_underscore_and_hyphen_make_an_external_id(external_id):
    assert check_external_id(external_id) == external_id


@pytest.mark.parametrize(
    ("external_id", "named"),
    [("AMZ-demo US-1", "' '"), ("AMZ|1", "'|'"), ("AMZ-1.2", "'.'"), ("Bestellung-ä", "'ä'"), ("", "is empty")],
)
def test_other_characters_are_refused_naming_the_character(external_id, named):
    with pytest.raises(InvalidExternalId, match="letters, digits") as info:
        check_external_id(external_id, "salesOrder")
    assert named in str(info.value) and "salesOrder" in str(info.value)
