"""The posting ledger is per NetSuite account: orders posted to one account are posted again when the settings
point at another (here: the sandbox, then a second sandbox reached with "live" credentials as account
1234567_SB1), and a re-run against the same account sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import dagster as dg

from amazon_netsuite.lib.settings import (
    SANDBOX_NETSUITE_CERTIFICATE_ID,
    SANDBOX_NETSUITE_CLIENT_ID,
    SANDBOX_NETSUITE_PRIVATE_KEY,
)
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import DEMO_SETTINGS, start_sandbox
from amazon_netsuite_tests.defs.test_order_posting import (
    UTC,
    _create_items,
    _in_netsuite,
    _netsuite,
    _run,
    posting_project,  # noqa: F401 (fixture)
)


def _posted(metadata: dict) -> tuple[int, int]:
    return metadata["sales_orders_posted"]["posted"], metadata["cash_sales_posted"]["posted"]


def _accounts() -> dict[str, int]:
    with connect(read_only=True) as con:
        return dict(con.execute("SELECT netsuite_account, count(*) FROM netsuite_postings WHERE flow = 'orders' "
                                "AND status = 'posted' GROUP BY 1").fetchall())


def test_orders_posted_to_one_netsuite_account_are_posted_again_in_the_next_and_once_in_each(
        posting_project, monkeypatch, tmp_path):  # noqa: F811
    instance = dg.DagsterInstance.ephemeral()
    _create_items()
    day = datetime.now(UTC).date() - timedelta(days=2)
    _run("orders_job", day, instance)
    first = _posted(_run("order_posting_job", day, instance))
    in_sandbox = _in_netsuite()
    assert sum(first) == len(in_sandbox) > 0
    assert _posted(_run("order_posting_job", day, instance)) == (0, 0)  # same account: nothing again

    with start_sandbox(tmp_path / "other-netsuite", orders_per_day=30) as other:
        settings = tmp_path / "accounts-live.yaml"
        settings.write_text(DEMO_SETTINGS.read_text() + f"\nnetsuite:\n  base_url: {other.url}\n"
                            "allow_mixed_sandbox: true\n")  # Amazon stays in the first sandbox
        monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(settings))
        monkeypatch.setenv("NETSUITE_CLIENT_ID", SANDBOX_NETSUITE_CLIENT_ID)
        monkeypatch.setenv("NETSUITE_CERTIFICATE_ID", SANDBOX_NETSUITE_CERTIFICATE_ID)
        monkeypatch.setenv("NETSUITE_PRIVATE_KEY_PATH", str(SANDBOX_NETSUITE_PRIVATE_KEY))
        with _netsuite() as client:
            assert client.connection.ledger_account == "1234567_SB1"
            assert list(client.suiteql("SELECT count(*) AS n FROM transaction"))[0]["n"] == "0"
        _create_items()

        assert _posted(_run("order_posting_job", day, instance)) == first
        assert _in_netsuite() == in_sandbox  # every order, once, with the same totals
        assert _accounts() == {"1234567_SB1": sum(first)}
        assert _posted(_run("order_posting_job", day, instance)) == (0, 0)
