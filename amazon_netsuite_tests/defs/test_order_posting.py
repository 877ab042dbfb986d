"""Posting a storefront-day of orders to the NetSuite sandbox over HTTP, compared by SuiteQL.

The helpers here (leading underscore) serve the other `test_order_posting_*` modules too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import dagster as dg
import httpx
import pytest

from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.sandbox.netsuite import MISSING_SKUS
from amazon_netsuite_tests.conftest import DEMO_SETTINGS, _project_env, start_sandbox

STOREFRONT = "demo-US"
UTC = timezone.utc


@pytest.fixture
def posting_project(monkeypatch, tmp_path):
    with start_sandbox(tmp_path / "sandbox", orders_per_day=30) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        yield sandbox


def _defs():
    from amazon_netsuite.definitions import defs

    return defs()


def _metadata(result) -> dict:
    return {e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
            for e in result.get_asset_materialization_events()}


def _run(job: str, day, instance, storefront: str = STOREFRONT, tags: dict | None = None):
    if job == "orders_job" and tags is None:
        tags = {_report_tag(): _day_report(storefront, day)}
    result = _defs().resolve_job_def(job).execute_in_process(
        partition_key=partition_key(storefront, day), instance=instance, tags=tags or {}, raise_on_error=False)
    assert result.success, job
    return _metadata(result)


def _report_tag() -> str:
    from amazon_netsuite.defs.helpers import REPORT_ID_TAG

    return REPORT_ID_TAG


def _day_report(storefront: str, day: date, end: datetime | None = None) -> str:
    """An order report over the day (up to `end`), requested and waited for with short polls, so that the
    orders_job run that names it reads it at once."""
    from amazon_netsuite.defs.resources import SellerCentral
    from amazon_netsuite.lib.amazon.order_report import ORDER_REPORT_TYPE
    from amazon_netsuite.lib.settings import load_settings

    account = load_settings().account_of(storefront)
    start = datetime.combine(day, datetime.min.time(), UTC)
    end = end or start + timedelta(days=1) - timedelta(microseconds=1)
    with SellerCentral().reports(account.key) as api:
        report_id = api.create_report(ORDER_REPORT_TYPE, account.marketplace_ids, start, end)
        api.wait_for_report(report_id, poll_seconds=0.1, timeout=30)
    return report_id


def _netsuite():
    from amazon_netsuite.defs.resources import NetSuite

    return NetSuite().client()


def _suiteql(query: str, params: list | None = None) -> list[dict]:
    with _netsuite() as client:
        return list(client.suiteql(query, params))


def _create_items(*skus: str) -> None:
    """The seller's setup in NetSuite: the promotion discount item and, when named, the items of missing SKUs."""
    with _netsuite() as client:
        for sku in ("AMZ-PROMOTION", *skus):
            client.upsert("inventoryItem", sku, {"itemId": sku, "displayName": sku})


def _use_settings(monkeypatch, tmp_path, posting_yaml: str) -> None:
    """Post with the demo settings plus this `order_posting:` section (read by the next run)."""
    path = tmp_path / "accounts-posting.yaml"
    path.write_text(DEMO_SETTINGS.read_text(encoding="utf-8") + "\norder_posting:\n" + posting_yaml)
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))


def _set_faults(sandbox, **faults) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=faults).raise_for_status()


def _day_orders(day, storefront: str = STOREFRONT) -> list[tuple]:
    """(order id, channel, status, total, has a SKU missing in NetSuite) of a storefront-day in the warehouse."""
    with connect(read_only=True) as con:
        return con.execute(
            "SELECT amazon_order_id, channel, order_status, order_total, "
            "  EXISTS (SELECT 1 FROM order_lines l WHERE l.storefront = o.storefront AND l.day = o.day "
            "          AND l.amazon_order_id = o.amazon_order_id AND l.quantity > 0 "
            "          AND l.sku IN (SELECT unnest(?::VARCHAR[]))) AS unmapped "
            "FROM orders o WHERE storefront = ? AND day = ? ORDER BY 1",
            [sorted(MISSING_SKUS), storefront, day]).fetchall()


def _postable(rows) -> dict[str, tuple[str, Decimal]]:
    """External id → (SuiteQL type, total) of every order of `_day_orders` rows that posts."""
    expected = {}
    for order_id, channel, status, total, _ in rows:
        if channel in ("MFN", "SFP") and status in ("Unshipped", "PartiallyShipped", "Shipped"):
            expected[f"AMZ-{STOREFRONT}-{order_id}"] = ("SalesOrd", total)
        elif channel == "FBA" and status == "Shipped":
            expected[f"AMZ-{STOREFRONT}-{order_id}"] = ("CashSale", total)
    return expected


def _in_netsuite(storefront: str = STOREFRONT) -> dict[str, tuple[str, Decimal]]:
    """External id → (type, total) of every transaction of the storefront; fails on a duplicate."""
    found: dict[str, tuple[str, Decimal]] = {}
    for row in _suiteql("SELECT type, externalid, foreigntotal FROM transaction "
                        f"WHERE externalid LIKE 'AMZ-{storefront}-%' ORDER BY id"):
        assert row["externalid"] not in found, f"{row['externalid']} posted twice"
        found[row["externalid"]] = (row["type"], Decimal(str(row["foreigntotal"])))
    return found


def _day_with_an_unmapped_sku(instance):
    """A recent day whose paid orders include a SKU the NetSuite sandbox has no item for."""
    today = datetime.now(timezone.utc).date()
    for back in range(3, 8):
        day = today - timedelta(days=back)
        _run("orders_job", day, instance)
        with connect(read_only=True) as con:
            hits = con.execute(
                "SELECT count(*) FROM order_lines l JOIN orders o USING (storefront, day, amazon_order_id) "
                "WHERE l.day = ? AND l.quantity > 0 AND o.order_status <> 'Cancelled' "
                "AND l.sku IN (SELECT unnest(?::VARCHAR[]))", [day, sorted(MISSING_SKUS)]).fetchone()[0]
        if hits:
            return day
    pytest.fail("no recent day has an order with an unmapped SKU; raise orders_per_day")


def test_a_day_posts_one_sales_order_per_paid_mfn_order_and_one_cash_sale_per_shipped_fba_order(posting_project):
    instance = dg.DagsterInstance.ephemeral()
    with _netsuite() as client:  # the seller's one-time setup: the discount item promotions post against
        client.upsert("inventoryItem", "AMZ-PROMOTION", {"itemId": "AMZ-PROMOTION", "displayName": "Amazon promotion"})
    day = _day_with_an_unmapped_sku(instance)

    first = _run("order_posting_job", day, instance)

    with connect(read_only=True) as con:
        orders = con.execute(
            "SELECT amazon_order_id, channel, order_status, order_total, "
            "  EXISTS (SELECT 1 FROM order_lines l WHERE l.storefront = o.storefront AND l.day = o.day "
            "          AND l.amazon_order_id = o.amazon_order_id AND l.quantity > 0 "
            "          AND l.sku IN (SELECT unnest(?::VARCHAR[]))) AS unmapped "
            "FROM orders o WHERE storefront = ? AND day = ?", [sorted(MISSING_SKUS), STOREFRONT, day]).fetchall()
        errors = con.execute("SELECT key, error_class, message FROM integration_errors WHERE resolved IS NULL").fetchall()
        attempts_before = con.execute("SELECT sum(attempts) FROM netsuite_postings").fetchone()[0]
    expected = {"SalesOrd": {}, "CashSale": {}}
    for order_id, channel, status, total, unmapped in orders:
        if unmapped:
            continue
        if channel in ("MFN", "SFP") and status in ("Unshipped", "PartiallyShipped", "Shipped"):
            expected["SalesOrd"][f"AMZ-{STOREFRONT}-{order_id}"] = total
        elif channel == "FBA" and status == "Shipped":
            expected["CashSale"][f"AMZ-{STOREFRONT}-{order_id}"] = total
    assert expected["SalesOrd"] and expected["CashSale"]

    with _netsuite() as client:
        rows = list(client.suiteql(
            "SELECT type, externalid, otherrefnum, foreigntotal FROM transaction "
            "WHERE externalid LIKE 'AMZ-demo-US-%' ORDER BY id"))
    posted = {"SalesOrd": {}, "CashSale": {}}
    for row in rows:
        assert row["externalid"] == f"AMZ-{STOREFRONT}-{row['otherrefnum']}"
        assert row["externalid"] not in posted[row["type"]], "posted twice"
        posted[row["type"]][row["externalid"]] = Decimal(row["foreigntotal"])
    assert posted == expected  # one record per postable order, totals equal to the cent

    unmapped_orders = {o[0] for o in orders if o[4] and o[2] != "Cancelled"
                       and (o[1] != "FBA" or o[2] == "Shipped")}
    assert unmapped_orders and {e[0] for e in errors} == unmapped_orders
    for key, error_class, message in errors:
        assert error_class == "mapping"
        assert key in message and STOREFRONT in message and "has no NetSuite item" in message
        assert any(f"SKU `{sku}`" in message for sku in MISSING_SKUS)
    assert first["sales_orders_posted"]["posted"] == len(expected["SalesOrd"])
    assert first["cash_sales_posted"]["posted"] == len(expected["CashSale"])
    assert first["sales_orders_posted"]["errors_by_class"] == {"mapping": len(unmapped_orders)}

    # Re-running the day sends nothing already posted unchanged: only the refused orders are tried again.
    again = _run("order_posting_job", day, instance)
    assert again["sales_orders_posted"]["posted"] == again["cash_sales_posted"]["posted"] == 0
    assert again["sales_orders_posted"]["netsuite_requests"] == len(unmapped_orders)
    assert (again["sales_orders_posted"]["already_posted_unchanged"]
            + again["cash_sales_posted"]["already_posted_unchanged"]) == len(rows)
    with connect(read_only=True) as con:
        assert con.execute("SELECT sum(attempts) FROM netsuite_postings").fetchone()[0] == (
            attempts_before + len(unmapped_orders))
        assert con.execute("SELECT count(*) FROM integration_errors").fetchone()[0] == len(unmapped_orders)
    with _netsuite() as client:
        assert len(list(client.suiteql("SELECT id FROM transaction WHERE externalid LIKE 'AMZ-demo-US-%'"))) == len(rows)


def test_the_posting_assets_wait_for_the_orders_checks():
    graph = _defs().resolve_asset_graph()
    for name in ("sales_orders_posted", "cash_sales_posted"):
        node = graph.get(dg.AssetKey(name))
        assert {k.to_user_string() for k in node.parent_keys} == {"orders", "order_lines"}
    sensor = _defs().resolve_sensor_def("order_posting_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING  # a condition no running sensor evaluates is dead
    assert {k.to_user_string() for k in sensor.asset_selection.resolve(graph)} == {
        "sales_orders_posted", "cash_sales_posted"}
    assert _defs().resolve_job_def("order_posting_job").partitions_def is not None
    retry = _defs().resolve_schedule_def("retry_failed_postings_every_30_minutes")
    assert (retry.cron_schedule, retry.job_name) == ("*/30 * * * *", "retry_failed_postings")
    assert retry.default_status == dg.DefaultScheduleStatus.RUNNING  # the orders flow is switched on


def test_refused_netsuite_credentials_fail_the_posting_and_queue_auth_errors(posting_project, monkeypatch, tmp_path):
    """INVALID_LOGIN-style refusal: a certificate NetSuite does not know. Nothing posts; every order waits in
    integration_errors (class auth) for a retry once the credentials are fixed."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from amazon_netsuite_tests.conftest import DEMO_SETTINGS
    from amazon_netsuite.lib.settings import SANDBOX_NETSUITE_CERTIFICATE_ID, SANDBOX_NETSUITE_CLIENT_ID

    instance = dg.DagsterInstance.ephemeral()
    day = datetime.now(timezone.utc).date() - timedelta(days=1)
    _run("orders_job", day, instance)

    foreign_key = tmp_path / "not-the-uploaded-certificate.pem"
    foreign_key.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    live_settings = tmp_path / "accounts.yaml"
    # Amazon stays in the sandbox while NetSuite is "live": a mix the settings must allow.
    live_settings.write_text(DEMO_SETTINGS.read_text() + f"\nnetsuite:\n  base_url: {posting_project.url}\n"
                             "allow_mixed_sandbox: true\n")
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(live_settings))
    monkeypatch.setenv("NETSUITE_CLIENT_ID", SANDBOX_NETSUITE_CLIENT_ID)
    monkeypatch.setenv("NETSUITE_CERTIFICATE_ID", SANDBOX_NETSUITE_CERTIFICATE_ID)
    monkeypatch.setenv("NETSUITE_PRIVATE_KEY_PATH", str(foreign_key))

    result = _defs().resolve_job_def("order_posting_job").execute_in_process(
        partition_key=partition_key(STOREFRONT, day), instance=instance, raise_on_error=False)
    assert not result.success
    message = next(e for e in result.all_events if e.is_step_failure).event_specific_data.error.message
    assert "NetSuite refused our credentials" in message

    with connect(read_only=True) as con:
        classes = con.execute("SELECT DISTINCT error_class FROM integration_errors WHERE resolved IS NULL").fetchall()
        waiting = con.execute("SELECT count(*) FROM integration_errors WHERE error_class = 'auth'").fetchone()[0]
        posted = con.execute("SELECT count(*) FROM netsuite_postings WHERE status = 'posted'").fetchone()[0]
    assert classes == [("auth",)] and waiting > 0 and posted == 0
    for name in ("NETSUITE_CLIENT_ID", "NETSUITE_CERTIFICATE_ID", "NETSUITE_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(DEMO_SETTINGS))
    with _netsuite() as client:
        assert list(client.suiteql("SELECT count(*) AS n FROM transaction"))[0]["n"] == "0"


def test_a_429_storm_from_netsuite_governance_is_retried_and_posts_each_order_once(monkeypatch, tmp_path):
    """The sandbox allows 2 concurrent requests with 30 ms latency; we send up to 5 at once: NetSuite answers 429
    CONCURRENCY_LIMIT_EXCEEDED, the client backs off and retries, and every postable order posts exactly once."""
    with start_sandbox(tmp_path / "sandbox", orders_per_day=30, netsuite_concurrency_limit=2,
                       netsuite_latency_ms=30) as sandbox:
        _project_env(monkeypatch, tmp_path, sandbox.url)
        instance = dg.DagsterInstance.ephemeral()
        with _netsuite() as client:
            client.upsert("inventoryItem", "AMZ-PROMOTION", {"itemId": "AMZ-PROMOTION", "displayName": "Promotion"})
        day = datetime.now(timezone.utc).date() - timedelta(days=1)
        _run("orders_job", day, instance)
        result = _run("order_posting_job", day, instance)

        with connect(read_only=True) as con:
            ledger = con.execute(
                "SELECT count(*), count(DISTINCT external_id) FROM netsuite_postings WHERE status = 'posted'"
            ).fetchone()
            not_mapping = con.execute(
                "SELECT count(*) FROM integration_errors WHERE error_class <> 'mapping'").fetchone()[0]
        with _netsuite() as client:
            rows = list(client.suiteql("SELECT externalid FROM transaction WHERE externalid LIKE 'AMZ-demo-US-%'"))
        refused_by_governance = sandbox.app.state.netsuite.rejected
    assert ledger[0] == ledger[1] == len(rows) > 0  # posted once each, as NetSuite itself counts them
    assert len({r["externalid"] for r in rows}) == len(rows)
    assert not_mapping == 0  # no order gave up on a 429
    assert refused_by_governance > 0  # the storm really happened, and every refused request was retried
    assert result["sales_orders_posted"]["netsuite_requests"] >= ledger[0] + refused_by_governance


def test_the_automation_posts_an_older_day_once_it_loads_and_not_a_day_whose_checks_failed(posting_project):
    """What `order_posting_automation` decides on its ticks: a day loaded a week back is requested (plain eager
    would only look at today), a day whose blocking check failed is not, and nothing is requested twice."""
    instance = dg.DagsterInstance.ephemeral()
    selection = dg.AssetSelection.assets("sales_orders_posted", "cash_sales_posted")
    first = dg.evaluate_automation_conditions(defs=_defs(), instance=instance, asset_selection=selection)
    today = datetime.now(UTC).date()
    older, failing = today - timedelta(days=7), today - timedelta(days=6)
    _run("orders_job", older, instance)
    _run("orders_job", failing, instance)
    # A failed blocking check on the second day, as if its orders broke a rule.
    check = dg.AssetCheckEvaluation(asset_key=dg.AssetKey("orders"), check_name="orders_valid", passed=False,
                                    partition=str(partition_key(STOREFRONT, failing)))
    instance.report_runless_asset_event(check)
    second = dg.evaluate_automation_conditions(defs=_defs(), instance=instance, asset_selection=selection,
                                               cursor=first.cursor)
    requested = {str(k) for k in second.get_requested_partitions(dg.AssetKey("sales_orders_posted"))}
    assert requested == {str(partition_key(STOREFRONT, older))}
    assert {str(k) for k in second.get_requested_partitions(dg.AssetKey("cash_sales_posted"))} == requested

    _run("order_posting_job", older, instance)
    third = dg.evaluate_automation_conditions(defs=_defs(), instance=instance, asset_selection=selection,
                                              cursor=second.cursor)
    assert third.total_requested == 0


def test_vat_inclusive_cash_sales_post_net_revenue_and_vat_payable_and_canadian_ones_their_sales_tax(posting_project):
    """Each storefront's Cash Sales read back from NetSuite's GL impact: Undeposited Funds = what the buyer paid,
    income = that less the tax, the tax on its payable exactly as Amazon reported it, promoted orders included
    (Amazon's VAT is on what the buyer paid; test_posting.py checks how a promotion takes its share)."""
    instance = dg.DagsterInstance.ephemeral()
    _create_items(*MISSING_SKUS)
    day = datetime.now(UTC).date() - timedelta(days=3)
    for storefront, payable in (("demo-DE", "ACCT-VAT-PAYABLE"), ("demo-CA", "ACCT-SALES-TAX-PAYABLE")):
        _run("orders_job", day, instance, storefront)
        _run("order_posting_job", day, instance, storefront)
        with connect(read_only=True) as con:
            orders = con.execute(
                "SELECT o.amazon_order_id, o.order_total, sum(coalesce(l.seller_collected_tax, 0)), "
                "  bool_or(coalesce(l.item_promotion_discount, 0) + coalesce(l.ship_promotion_discount, 0) <> 0) "
                "FROM orders o JOIN order_lines l USING (storefront, day, amazon_order_id) "
                "WHERE o.storefront = ? AND o.day = ? AND o.channel = 'FBA' AND o.order_status = 'Shipped' "
                "  AND l.quantity > 0 GROUP BY 1, 2", [storefront, day]).fetchall()
        rows = _suiteql(
            "SELECT t.externalid, a.externalid AS account, a.accttype, SUM(tal.amount) AS amount "
            "FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction "
            "JOIN account a ON a.id = tal.account WHERE t.type = 'CashSale' AND t.externalid LIKE ? "
            "GROUP BY t.externalid, a.externalid, a.accttype", [f"AMZ-{storefront}-%"])
        gl: dict[str, dict[str, Decimal]] = {}
        for row in rows:
            kind = {"Income": "income", "OthCurrLiab": row["account"]}.get(row["accttype"], row["account"])
            sums = gl.setdefault(row["externalid"], {})
            sums[kind] = sums.get(kind, Decimal(0)) + Decimal(str(row["amount"]))
        assert orders and len(gl) == len(orders)
        taxed = 0
        for order_id, total, tax, promoted in orders:
            sums = gl[f"AMZ-{storefront}-{order_id}"]
            posted_tax = -sums.get(payable, Decimal(0))
            assert sums["ACCT-UNDEPOSITED-FUNDS"] == total and -sums["income"] == total - posted_tax, order_id
            assert not {k for k in sums if k.startswith("ACCT-") and "PAYABLE" in k} - {payable}
            assert posted_tax == tax, order_id
            taxed += bool(tax and promoted)
        assert taxed  # the day has promoted taxed orders to compare
