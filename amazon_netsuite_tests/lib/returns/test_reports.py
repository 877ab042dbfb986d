"""The returns reports from the sandbox's Reports API to typed tables: FBA returns with their disposition agree with
the FBA ledger's CustomerReturns, MFN returns with the world's refunds; malformed rows are quarantined; the MFN
report's 60-day limit."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pyarrow as pa
import pytest

from amazon_netsuite.lib.amazon import ReportsApi, RetryPolicy, SpApiClient
from amazon_netsuite.lib.amazon.errors import InvalidInput
from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_REPORT_TYPE
from amazon_netsuite.lib.amazon.returns_reports import FBA_RETURNS_COLUMNS, MFN_RETURNS_COLUMNS
from amazon_netsuite.lib.inventory.ledger import parse_ledger_report
from amazon_netsuite.lib.returns import reports as returns_reports
from amazon_netsuite.lib.returns.reports import (
    FBA_RETURNS_REPORT_TYPE,
    MFN_RETURNS_REPORT_TYPE,
    QUARANTINE_SCHEMA,
    parse_fba_returns,
    parse_mfn_returns,
)
from amazon_netsuite.lib.settings import amazon_connection, load_settings
from amazon_netsuite.sandbox.world.fba import CUSTOMER_DAMAGED, SELLABLE
from amazon_netsuite.sandbox.world.refunds import REFUND, refund_of
from amazon_netsuite.sandbox.world.returns import fba_returns, refunded_amount, mfn_return_of
from amazon_netsuite_tests.conftest import DEMO_SETTINGS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
START, END = datetime(2026, 10, 25, tzinfo=timezone.utc), datetime(2026, 11, 20, 11, 0, tzinfo=timezone.utc)
US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    from amazon_netsuite.sandbox.server import SandboxConfig, start_in_thread

    # Forty days of history, so refunds of the window's orders (3 to 25 days after shipment) have come back.
    config = SandboxConfig(settings=load_settings(DEMO_SETTINGS), state_dir=tmp_path_factory.mktemp("returns"),
                           clock=NOW, history_days=40, report_delay_seconds=0.2, rate_scale=100.0)
    with start_in_thread(config) as running:
        yield running


@pytest.fixture(scope="module")
def reports(sandbox):
    connection = amazon_connection(load_settings(DEMO_SETTINGS), "demo-na",
                                   environ={"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    policy = RetryPolicy(max_attempts=8, max_total_seconds=60.0, sleep=lambda s: time.sleep(min(s, 0.05)))
    with SpApiClient(connection, rate_scale=100.0, retry_policy=policy) as client:
        yield ReportsApi(client)


def _download(reports: ReportsApi, report_type: str, start: datetime = START, end: datetime = END,
              **options: str) -> tuple[bytes, str]:
    report = reports.wait_for_report(reports.create_report(report_type, [US], start, end, options or None),
                                     poll_seconds=0.05, timeout=15)
    assert report.processing_status.value == "DONE", report
    downloaded = reports.download_report_document(report.report_document_id, report_id=report.report_id)
    return downloaded.raw, downloaded.charset


@pytest.fixture(scope="module")
def fba_file(reports) -> tuple[bytes, str]:
    return _download(reports, FBA_RETURNS_REPORT_TYPE)


@pytest.fixture(scope="module")
def fba(fba_file) -> pa.Table:
    rows, quarantine = parse_fba_returns(*fba_file)
    assert quarantine.num_rows == 0
    return rows


def _orders(sandbox) -> dict:
    world = sandbox.state.world
    return {o.amazon_order_id: o for o in world.orders_placed("demo-US", world.first_day, NOW.date())}


def test_the_fba_returns_report_has_amazons_columns_and_one_typed_row_per_return_of_the_window(sandbox, fba_file, fba):
    raw, charset = fba_file
    assert raw.decode(charset).split("\n", 1)[0].split("\t") == list(FBA_RETURNS_COLUMNS)
    expected = fba_returns(sandbox.state.world, "demo-na", [US], START, END)
    assert fba.num_rows == len(expected) > 5
    assert fba["order_id"].to_pylist() == [r.order_id for r in expected]
    assert fba["sku"].to_pylist() == [r.sku for r in expected]
    assert fba["quantity"].to_pylist() == [r.quantity for r in expected]
    assert fba["return_date"].to_pylist() == [r.returned_at.replace(tzinfo=None) for r in expected]
    assert fba["disposition"].to_pylist() == [r.disposition for r in expected]
    assert fba["sellable"].to_pylist() == [r.disposition == SELLABLE for r in expected]
    orders = _orders(sandbox)
    for order_id in fba["order_id"].to_pylist():  # returns of orders the world shipped, each a refund's
        order = orders[order_id]
        assert order.shipped_at is not None and refund_of(sandbox.state.world.seed, order).kind == REFUND


def test_a_sellable_and_a_damaged_fba_return_match_the_ledgers_customer_returns_of_their_day(reports, fba):
    sellable = fba.filter(pa.compute.equal(fba["disposition"], SELLABLE)).to_pylist()[0]
    damaged = fba.filter(pa.compute.equal(fba["disposition"], CUSTOMER_DAMAGED)).to_pylist()[0]
    for returned in (sellable, damaged):
        day = datetime.combine(returned["return_day"], datetime.min.time(), timezone.utc)
        ledger = parse_ledger_report(*_download(reports, LEDGER_REPORT_TYPE, day, day + timedelta(hours=23, minutes=59),
                                                eventType="CustomerReturns")).to_pylist()
        matches = [r for r in ledger if r["reference_id"] == returned["order_id"] and r["sku"] == returned["sku"]]
        assert len(matches) == 1
        assert (matches[0]["event_date"], matches[0]["quantity"], matches[0]["disposition"],
                matches[0]["fulfillment_center"]) == (returned["return_day"], returned["quantity"],
                                                      returned["disposition"], returned["fulfillment_center_id"])


def test_an_mfn_return_matches_the_world_refund_of_its_order(sandbox, reports):
    raw, charset = _download(reports, MFN_RETURNS_REPORT_TYPE)
    assert raw.decode(charset).split("\n", 1)[0].split("\t") == list(MFN_RETURNS_COLUMNS)
    assert len(MFN_RETURNS_COLUMNS) == 32
    rows, quarantine = parse_mfn_returns(raw, charset)
    assert quarantine.num_rows == 0 and rows.num_rows > 5
    world, orders = sandbox.state.world, _orders(sandbox)
    for row in rows.to_pylist():
        order = orders[row["order_id"]]
        refund = refund_of(world.seed, order)
        line = order.lines[refund.line_index]
        assert refund.kind == REFUND and order.fulfillment_channel == "Merchant"
        assert (row["sku"], row["return_quantity"]) == (line.product.sku, line.quantity)
        assert START <= row["return_request_date"].replace(tzinfo=timezone.utc) < refund.posted
        if refund.posted <= NOW:
            assert row["return_request_status"] == "Closed"
            assert row["refunded_amount"] == refunded_amount(world, mfn_return_of(world.seed, order))
            assert isinstance(row["refunded_amount"], Decimal) and row["refunded_amount"] > 0
        else:
            assert row["refunded_amount"] is None


def test_a_malformed_row_is_quarantined_with_its_reason_and_the_rest_kept(fba_file, fba):
    raw, charset = fba_file
    header, first, second, third, *rest = raw.decode(charset).split("\n")
    quantity = FBA_RETURNS_COLUMNS.index("quantity")
    bad_quantity = "\t".join(f if i != quantity else "two" for i, f in enumerate(first.split("\t")))
    no_date = "\t".join(f if i else "" for i, f in enumerate(second.split("\t")))
    truncated = "\t".join(third.split("\t")[:5])
    data = "\n".join([header, bad_quantity, no_date, truncated, *rest]).encode(charset)
    rows, quarantine = parse_fba_returns(data, charset)
    assert quarantine.schema == QUARANTINE_SCHEMA
    assert quarantine["row_number"].to_pylist() == [1, 2, 3]
    assert quarantine["reason"].to_pylist() == [
        "quantity 'two' is not a whole number above 0", "return-date is empty", "5 fields where the header has 13"]
    assert rows.num_rows == fba.num_rows - 3
    assert rows["order_id"].to_pylist() == fba["order_id"].to_pylist()[3:]


def test_a_file_without_a_required_column_cannot_be_read():
    with pytest.raises(returns_reports.ReportFileError, match="detailed-disposition"):
        parse_fba_returns(b"return-date\torder-id\tsku\tquantity\n2026-11-01\t1\tX\t1\n")


def test_an_mfn_returns_report_covers_at_most_60_days(reports):
    end = END
    with pytest.raises(InvalidInput, match="60 days"):
        reports.create_report(MFN_RETURNS_REPORT_TYPE, [US], end - timedelta(days=60, seconds=1), end)
    assert reports.create_report(MFN_RETURNS_REPORT_TYPE, [US], end - timedelta(days=60), end)


def test_columns_are_found_by_name_whatever_their_order_and_unknown_ones_are_ignored(fba_file, fba):
    raw, charset = fba_file
    header, *lines = [line.split("\t") for line in raw.decode(charset).split("\n") if line]
    reordered = [[*reversed(header), "new-column"], *([*reversed(fields), "x"] for fields in lines)]
    rows, quarantine = parse_fba_returns("\n".join("\t".join(f) for f in reordered).encode(charset), charset)
    assert quarantine.num_rows == 0
    assert rows.to_pylist() == fba.to_pylist()
