"""The settlement intake (`settlement_report_intake`): every report Amazon lists is kept until it imports, with the
reason when it cannot; a report the settings cannot place is read again once the settings change."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import yaml

from amazon_netsuite.lib.amazon.client import SpApiClient
from amazon_netsuite.lib.amazon.reports import ReportsApi
from amazon_netsuite.lib.settings import amazon_connection, load_settings
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.intake import intake_reports, record_listed, reports_due
from amazon_netsuite.lib.settlements.landing import land_due_reports
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite.schema import ensure_schema
from amazon_netsuite_tests.conftest import DEMO_SETTINGS, _project_env, demo_settings_for, start_sandbox


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    with start_sandbox(tmp_path / "sandbox", history_days=35, orders_per_day=5) as running:
        _project_env(monkeypatch, tmp_path, running.url)
        yield running


def _settings_without(tmp_path, storefront: str):
    raw = demo_settings_for(lambda key: key != storefront)
    path = tmp_path / "accounts-without.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_settings(path)


@contextmanager
def _opened():
    with connect() as con:
        ensure_schema(con)
        yield con


def _reports_api_of(settings):
    @contextmanager
    def opened(account: str):
        with SpApiClient(amazon_connection(settings, account)) as client:
            yield ReportsApi(client)
    return opened


def _list_everything(settings) -> None:
    for account in settings.seller_accounts:
        with _reports_api_of(settings)(account.key) as api, _opened() as con:
            record_listed(con, account.key, api.get_reports([REPORT_TYPE], processing_statuses=["DONE"]))


def test_a_report_of_a_storefront_missing_from_the_settings_is_kept_with_the_reason_and_lands_once_it_is_added(
        sandbox, tmp_path):
    full = load_settings(DEMO_SETTINGS)
    without_ca = _settings_without(tmp_path, "demo-CA")
    _list_everything(full)

    first = land_due_reports(_opened, _reports_api_of(without_ca), without_ca)
    assert len(first.landed) == 4 and len(first.unusable) == 2
    with _opened() as con:
        unusable = intake_reports(con, "unusable")
        assert {r.problem for r in unusable} == {"no_storefront"}
        assert all("CAD" in r.reason and "add the storefront to the settings file" in r.reason for r in unusable)
        assert reports_due(con, without_ca) == []  # the same settings would refuse them again
        assert {r.report_id for r in reports_due(con, full)} == {r.report_id for r in unusable}

    second = land_due_reports(_opened, _reports_api_of(full), full)
    assert {d.storefront for d in second.landed} == {"demo-CA"} and second.unusable == []
    with _opened() as con:
        assert con.execute("SELECT status, count(*) FROM settlement_report_intake GROUP BY 1").fetchall() == [
            ("landed", 6)]
        assert con.execute("SELECT count(*) FROM settlement_documents WHERE storefront = 'demo-CA'").fetchone() == (2,)
        assert reports_due(con, full) == []


def test_listing_a_report_again_keeps_one_row(sandbox):
    full = load_settings(DEMO_SETTINGS)
    _list_everything(full)
    _list_everything(full)
    with _opened() as con:
        assert con.execute("SELECT status, count(*) FROM settlement_report_intake GROUP BY 1").fetchall() == [
            ("listed", 6)]


def test_a_newer_document_of_a_stored_settlement_asks_for_its_storefront_day_again(tmp_path, monkeypatch):
    """A re-export indexed after its settlement was stored (an Amazon report listed again, say) makes the sensor
    import the storefront-day again from the newer document, under the newer report's run key."""
    from datetime import date

    from amazon_netsuite.lib.gl_mapping import load_gl_mapping
    from amazon_netsuite.lib.settlements.intake import partitions_to_import
    from amazon_netsuite.lib.settlements.landing import load_settlement_file
    from amazon_netsuite.lib.settlements.store import store_partition
    from amazon_netsuite_tests.lib.settlements.settlement_builder import us_settlement_lines, write_settlement

    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(DEMO_SETTINGS))
    monkeypatch.delenv("AMAZON_NETSUITE_WAREHOUSE", raising=False)
    settings = load_settings(DEMO_SETTINGS)
    first = load_settlement_file(_opened, write_settlement(tmp_path / "a.txt", us_settlement_lines()), settings)
    with _opened() as con:
        store_partition(con, "demo-US", first.document.day, load_gl_mapping(), settings)
        everything = (date(2026, 10, 1), date(2026, 12, 31), settings.storefront_keys)
        assert partitions_to_import(con, *everything) == []
    newer = load_settlement_file(_opened, write_settlement(tmp_path / "b.txt", us_settlement_lines(),
                                                            newline="\r\n"), settings)
    assert [d.report_id for d in newer.replaced] == [first.document.report_id]
    with _opened() as con:
        assert partitions_to_import(con, *everything) == [(newer.document.report_id, "demo-US", date(2026, 10, 4))]
        store_partition(con, "demo-US", newer.document.day, load_gl_mapping(), settings)
        assert partitions_to_import(con, *everything) == []
        assert con.execute("SELECT report_id, count(*) FROM settlements GROUP BY 1").fetchall() == [
            (newer.document.report_id, 1)]
