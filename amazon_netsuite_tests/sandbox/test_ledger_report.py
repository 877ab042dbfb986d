"""GET_LEDGER_DETAIL_VIEW_DATA through the Reports API: its header, and one row per FBA ledger event of the window
in a requested marketplace's country."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_COLUMNS, LEDGER_REPORT_TYPE
from amazon_netsuite.sandbox.world.fba import RECEIPTS, SHIPMENTS, fnsku, ledger_events

from .helpers import CA, REPORTS, US, assert_conforms, seller_client, wait_for_report

START, END = datetime(2026, 11, 18, tzinfo=timezone.utc), datetime(2026, 11, 19, 23, 59, 59, tzinfo=timezone.utc)


def _ledger_file(sandbox, marketplaces: list[str], **options) -> tuple[dict, list[list[str]] | None]:
    http = seller_client(sandbox.url)
    body = {"reportType": LEDGER_REPORT_TYPE, "marketplaceIds": marketplaces,
            "dataStartTime": START.isoformat(), "dataEndTime": END.isoformat()}
    if options:
        body["reportOptions"] = options
    created = http.post(REPORTS, json=body)
    assert_conforms(created, "createReport")
    report = wait_for_report(http, created.json()["reportId"])
    if report["processingStatus"] != "DONE":
        return report, None
    document = sandbox.state.reports.document(report["reportDocumentId"])
    text = gzip.decompress(document.path.read_bytes()).decode("cp1252")
    return report, [line.split("\t") for line in text.splitlines()]


def test_the_ledger_file_has_amazons_columns_and_one_row_per_event_of_the_window(sandbox):
    report, lines = _ledger_file(sandbox, [US])
    assert report["processingStatus"] == "DONE"
    header, *rows = lines
    assert header == list(LEDGER_COLUMNS)
    expected = [e for e in ledger_events(sandbox.state.world, "demo-na", START, END) if e.country == "US"]
    assert len(rows) == len(expected) > 0
    for row, event in zip(rows, expected):
        record = dict(zip(header, row))
        assert (record["MSKU"], record["FNSKU"], record["Event Type"], record["Reference ID"]) == (
            event.sku, fnsku(event.sku), event.event_type, event.reference_id)
        assert (int(record["Quantity"]), record["Disposition"], record["Country"]) == (
            event.quantity, event.disposition, "US")
        assert record["Date"] == event.at.strftime("%m/%d/%Y")
        assert datetime.fromisoformat(record["Date and Time"]) == event.at
    assert {r[header.index("Event Type")] for r in rows} >= {SHIPMENTS, RECEIPTS}


def test_a_report_holds_only_the_requested_marketplaces_countries_and_event_type(sandbox):
    _, us_and_ca = _ledger_file(sandbox, [US, CA], eventType=SHIPMENTS)
    header, *rows = us_and_ca
    countries = {r[header.index("Country")] for r in rows}
    assert countries == {"US", "CA"}
    assert {r[header.index("Event Type")] for r in rows} == {SHIPMENTS}
    expected = [e for e in ledger_events(sandbox.state.world, "demo-na", START, END) if e.event_type == SHIPMENTS]
    assert len(rows) == len(expected)


def test_a_ledger_report_without_events_is_cancelled(sandbox):
    report, lines = _ledger_file(sandbox, [CA], eventType="WhseTransfers")
    assert report["processingStatus"] == "CANCELLED" and lines is None
