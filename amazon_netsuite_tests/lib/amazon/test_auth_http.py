"""Login with Amazon against the sandbox's token endpoint: one exchange serves many calls; bad credentials say why."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from amazon_netsuite.lib.amazon import AuthError, Forbidden, ReportsApi

from .conftest import ORDER_REPORT, US


def test_one_token_exchange_serves_many_requests(client, reports):
    report_id = reports.create_report(ORDER_REPORT, [US], datetime(2026, 11, 19, tzinfo=timezone.utc))
    for _ in range(5):
        assert reports.get_report(report_id).report_id == report_id
    assert [r.report_id for r in reports.get_reports([ORDER_REPORT])] == [report_id]
    assert client.auth.exchanges == 1


def test_concurrent_first_calls_share_one_token_exchange(client, reports):
    report_id = reports.create_report(ORDER_REPORT, [US], datetime(2026, 11, 19, tzinfo=timezone.utc))
    client.auth.invalidate()
    seen: list[str] = []

    def call():
        seen.append(reports.get_report(report_id).report_id)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [report_id] * 8
    assert client.auth.exchanges == 2  # the one before invalidate() and the one the threads shared


def test_a_wrong_client_secret_is_an_auth_error_naming_the_account_and_what_to_check(make_client, connection, retry_sleeps):
    client = make_client(connection.model_copy(update={"client_secret": "amzn1.oa2-cs.v1.wrong"}))
    with pytest.raises(AuthError) as raised:
        ReportsApi(client).get_report("50000000001")
    error = raised.value
    assert (error.seller_account, error.code) == ("demo-na", "invalid_client")
    assert "seller account demo-na" in str(error) and "lwa_client_secret_env" in str(error)
    assert "Client authentication failed" in str(error)
    assert retry_sleeps.waits == []  # a refused credential is not retried


def test_a_revoked_refresh_token_is_an_auth_error_pointing_at_the_refresh_token(make_client, connection):
    client = make_client(connection.model_copy(update={"refresh_token": "Atzr|sandbox|nobody"}))
    with pytest.raises(AuthError) as raised:
        ReportsApi(client).get_report("50000000001")
    assert raised.value.code == "invalid_grant"
    assert "refresh_token_env" in str(raised.value) and "demo-na" in str(raised.value)


def test_an_access_token_that_expired_early_is_refreshed_once_and_the_call_succeeds(client, reports):
    from amazon_netsuite.sandbox.seller_central.lwa import access_token_for

    report_id = reports.create_report(ORDER_REPORT, [US], datetime(2026, 11, 19, tzinfo=timezone.utc))
    # Our cache still trusts a token that the server already considers expired (clock skew, early revocation).
    client.auth._token = access_token_for("demo-na", time.time() - 1)
    client.auth._expires_at = time.monotonic() + timedelta(hours=1).total_seconds()
    assert reports.get_report(report_id).report_id == report_id
    assert client.auth.exchanges == 2


def test_a_token_of_another_seller_is_refused_and_not_retried(client, reports, retry_sleeps):
    from amazon_netsuite.sandbox.seller_central.lwa import access_token_for

    client.auth._token = access_token_for("someone-else", time.time() + 3600)
    client.auth._expires_at = time.monotonic() + 3600
    with pytest.raises(Forbidden) as raised:
        reports.get_report("50000000001")
    assert raised.value.codes == ["Unauthorized"] and raised.value.request_id
    assert retry_sleeps.waits == []
