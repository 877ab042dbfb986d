"""The FBA ledger from the sandbox's report to NetSuite: parsing, keys, which rows adjust NetSuite, and the
inventoryAdjustment each becomes (posted to the NetSuite sandbox)."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pyarrow as pa
import pytest

from amazon_netsuite.lib.amazon import ReportsApi, RetryPolicy, SpApiClient
from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_COLUMNS, LEDGER_REPORT_TYPE
from amazon_netsuite.lib.inventory.fba_adjustments import adjustment_external_id, adjustment_payload
from amazon_netsuite.lib.inventory.ledger import (
    INCLUDED_IN_OPENING,
    LEDGER_ROW_COLUMNS,
    MOVED_BY_CASH_SALE,
    LedgerReportError,
    classify_ledger_rows,
    parse_ledger_report,
)
from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.settings import amazon_connection, load_settings, netsuite_connection
from amazon_netsuite.sandbox.world.fba import ledger_events
from amazon_netsuite_tests.conftest import DEMO_SETTINGS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
START, END = datetime(2026, 11, 18, tzinfo=timezone.utc), datetime(2026, 11, 19, 23, 59, 59, tzinfo=timezone.utc)
US = "ATVPDKIKX0DER"
ROW = "\t".join(["11/19/2026", "X00ABCDEFG", "B0TEST", "MUG-CAFE-WHITE", "Café Crème Coffee Mug™ – White",
                 "{event}", "111-0000000-0000001", "{qty}", "SEA8", "{disposition}", "", "US", "0", "0",
                 "2026-11-19T10:00:00+00:00"])


def _file(*rows: str) -> bytes:
    return ("\t".join(LEDGER_COLUMNS) + "\n" + "".join(r + "\n" for r in rows)).encode("cp1252")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    from amazon_netsuite.sandbox.server import SandboxConfig, start_in_thread

    config = SandboxConfig(settings=load_settings(DEMO_SETTINGS), state_dir=tmp_path_factory.mktemp("ledger"),
                           clock=NOW, report_delay_seconds=0.2, rate_scale=100.0)
    with start_in_thread(config) as running:
        yield running


@pytest.fixture(scope="module")
def ledger(sandbox) -> pa.Table:
    """The US ledger of two days, fetched and parsed as the flow will."""
    connection = amazon_connection(load_settings(DEMO_SETTINGS), "demo-na",
                                   environ={"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    policy = RetryPolicy(max_attempts=8, max_total_seconds=60.0, sleep=lambda s: time.sleep(min(s, 0.05)))
    with SpApiClient(connection, rate_scale=100.0, retry_policy=policy) as client:
        reports = ReportsApi(client)
        report = reports.wait_for_report(reports.create_report(LEDGER_REPORT_TYPE, [US], START, END),
                                         poll_seconds=0.05, timeout=15)
        downloaded = reports.download_report_document(report.report_document_id, report_id=report.report_id)
    return parse_ledger_report(downloaded.raw, downloaded.charset)


def test_a_ledger_report_parses_into_the_ledger_tables_columns_one_row_per_event(sandbox, ledger):
    events = [e for e in ledger_events(sandbox.state.world, "demo-na", START, END) if e.country == "US"]
    assert ledger.column_names == list(LEDGER_ROW_COLUMNS)
    assert ledger.num_rows == len(events) > 0
    assert ledger["sku"].to_pylist() == [e.sku for e in events]
    assert ledger["quantity"].to_pylist() == [e.quantity for e in events]
    assert ledger["event_date"].to_pylist() == [e.at.date() for e in events]
    assert ledger["event_time"].to_pylist() == [e.at.replace(tzinfo=None) for e in events]
    assert len(set(ledger["ledger_key"].to_pylist())) == ledger.num_rows


def test_a_repeated_ledger_key_gets_a_sequence_suffix_the_same_on_every_read():
    row = ROW.format(event="Shipments", qty=-1, disposition="SELLABLE")
    data = _file(row, row, ROW.format(event="Shipments", qty=-2, disposition="SELLABLE"))
    keys = parse_ledger_report(data, "Cp1252")["ledger_key"].to_pylist()
    base = "2026-11-19|X00ABCDEFG|Shipments|111-0000000-0000001|SEA8|SELLABLE|"
    assert keys == [base, base + "|2", base + "|3"]
    assert parse_ledger_report(data, "Cp1252")["ledger_key"].to_pylist() == keys
    assert parse_ledger_report(data, "Cp1252")["asin"].to_pylist() == ["B0TEST"] * 3


def test_a_ledger_file_without_amazons_columns_or_with_a_bad_quantity_is_refused():
    with pytest.raises(LedgerReportError, match="Disposition"):
        parse_ledger_report(b"Date\tFNSKU\tMSKU\n11/19/2026\tX\tY\n", "Cp1252")
    with pytest.raises(LedgerReportError, match="Quantity"):
        parse_ledger_report(_file(ROW.format(event="Shipments", qty="two", disposition="SELLABLE")), None)


def test_only_sellable_rows_adjust_netsuite_and_shipments_only_when_orders_do_not_post():
    table = parse_ledger_report(_file(
        ROW.format(event="Shipments", qty=-1, disposition="SELLABLE"),
        ROW.format(event="Receipts", qty=40, disposition="SELLABLE"),
        ROW.format(event="CustomerReturns", qty=1, disposition="CUSTOMER_DAMAGED"),
        ROW.format(event="Adjustments", qty=-1, disposition="SELLABLE"),
    ), "Cp1252")
    posted = classify_ledger_rows(table, orders_posted=True)
    assert posted.column_names == [*LEDGER_ROW_COLUMNS, "adjusts_netsuite", "not_adjusted_reason"]
    assert posted["adjusts_netsuite"].to_pylist() == [False, True, False, True]
    reasons = posted["not_adjusted_reason"].to_pylist()
    assert reasons[0] == MOVED_BY_CASH_SALE and "CUSTOMER_DAMAGED" in reasons[2] and reasons[1] is None
    unposted = classify_ledger_rows(table, orders_posted=False)
    assert unposted["adjusts_netsuite"].to_pylist() == [True, True, False, True]


def test_after_the_opening_an_earlier_row_adjusts_only_if_the_opening_left_it_to_post():
    table = parse_ledger_report(_file(
        ROW.format(event="Receipts", qty=40, disposition="SELLABLE"),  # 10:00, before the opening's snapshot
        ROW.format(event="Adjustments", qty=-1, disposition="SELLABLE"),  # 10:00, left to post by the opening
        ROW.format(event="Adjustments", qty=1, disposition="SELLABLE").replace("10:00:00", "13:00:00"),  # after
    ), "Cp1252")
    pending = table["ledger_key"][1].as_py()
    classified = classify_ledger_rows(table, orders_posted=False, opened_at=datetime(2026, 11, 19, 12, 0),
                                      pending_keys=[pending])
    assert classified["adjusts_netsuite"].to_pylist() == [False, True, True]
    assert classified["not_adjusted_reason"].to_pylist() == [INCLUDED_IN_OPENING, None, None]
    # Without an opening every sellable row adjusts.
    assert classify_ledger_rows(table, orders_posted=False)["adjusts_netsuite"].to_pylist() == [True, True, True]


def test_an_adjustment_payload_moves_the_fba_location_by_the_rows_quantity_and_netsuite_accepts_it(sandbox, ledger):
    rows = classify_ledger_rows(ledger, orders_posted=True).to_pylist()
    row = next(r for r in rows if r["adjusts_netsuite"] and r["event_type"] == "Receipts")
    payload = adjustment_payload(row, subsidiary="SUB-na", fba_location="FBA-na", account="ACCT-INVENTORY-ADJUSTMENTS")
    assert payload["externalId"] == adjustment_external_id(row["ledger_key"]) and payload["externalId"].startswith(
        "AMZ-FBA-")
    assert adjustment_payload(row, subsidiary="SUB-na", fba_location="FBA-na",
                              account="ACCT-INVENTORY-ADJUSTMENTS") == payload  # stable: idempotent upserts
    assert payload["tranDate"] == row["event_date"].isoformat() and isinstance(row["event_date"], date)
    assert payload["adjLocation"] == {"externalId": "FBA-na"}
    assert payload["inventory"]["items"] == [
        {"item": {"externalId": row["sku"]}, "location": {"externalId": "FBA-na"}, "adjustQtyBy": row["quantity"]}]
    assert "Receipts" in payload["memo"] and row["reference_id"] in payload["memo"]

    connection = netsuite_connection(load_settings(DEMO_SETTINGS), {"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    with NetSuiteClient(connection, timeout=10, initial_backoff=0.01, max_backoff=0.05) as netsuite:
        netsuite.upsert("inventoryAdjustment", payload["externalId"], payload)
        netsuite.upsert("inventoryAdjustment", payload["externalId"], payload)  # the same row again
        stored = netsuite.get("inventoryAdjustment", f"eid:{payload['externalId']}", expand_sub_resources=True)
        matches = list(netsuite.list("inventoryAdjustment", f'externalId IS "{payload["externalId"]}"'))
    assert len(matches) == 1
    assert stored["memo"] == payload["memo"] and str(stored["tranDate"]).startswith(payload["tranDate"])
    line = stored["inventory"]["items"][0]
    assert float(line["adjustQtyBy"]) == row["quantity"]
