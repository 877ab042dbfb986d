"""What a settlement document holds, downloaded over HTTP: a totals row that the lines sum to, Amazon's formats per
marketplace, negative settlements, lines for orders never seen, and Principal that ties to the world's orders."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.lib.amazon import ReportsApi, SpApiClient
from amazon_netsuite.lib.settings import amazon_connection
from amazon_netsuite.sandbox.config import SandboxConfig
from amazon_netsuite.sandbox.server import start_in_thread
from amazon_netsuite.sandbox.world import demo_settings

from .conftest import NOW

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ORDER_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
HISTORY_DAYS = 75  # the world starts 2026-09-06: five settlements per stream, 70 days, have ended by NOW
TOTALS_COLUMNS = ("settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency")


class Downloaded:
    """One settlement as the sandbox's truth endpoint describes it and as its document reads."""

    def __init__(self, truth: dict, text: str, charset: str) -> None:
        self.truth, self.text, self.charset = truth, text, charset
        self.totals, *self.lines = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
        self.eu = truth["currency"] == "EUR"

    def amount(self, text: str) -> Decimal:
        return Decimal(text.replace(".", "").replace(",", ".")) if self.eu else Decimal(text)

    def instant(self, text: str) -> datetime:
        if self.eu:
            return datetime.strptime(text, "%d.%m.%Y %H:%M:%S UTC").replace(tzinfo=timezone.utc)
        return datetime.fromisoformat(text)

    def sum(self, **where: str) -> Decimal:
        return sum((self.amount(r["amount"]) for r in self.lines
                    if all(r[k.replace("_", "-")] == v for k, v in where.items())), Decimal(0))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    config = SandboxConfig(settings=demo_settings(), state_dir=tmp_path_factory.mktemp("settlements"), clock=NOW,
                           orders_per_day=25, history_days=HISTORY_DAYS, report_delay_seconds=0.2, rate_scale=200.0)
    with start_in_thread(config) as running:
        yield running


def reports_api(sandbox, account: str) -> ReportsApi:
    environ = {"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url}
    return ReportsApi(SpApiClient(amazon_connection(demo_settings(), account, environ=environ), rate_scale=200.0))


@pytest.fixture(scope="module")
def settlements(sandbox) -> list[Downloaded]:
    """Every settlement of both seller accounts, found with getReports and downloaded with the project's client."""
    found = []
    for account in ("demo-na", "demo-eu"):
        truth = httpx.get(f"{sandbox.url}/_sandbox/settlements", params={"account": account}, timeout=60).json()
        by_report = {s["report_id"]: s for s in truth["settlements"]}
        api = reports_api(sandbox, account)
        for report in api.get_reports([SETTLEMENT]):
            document = api.download_report_document(report.report_document_id, report_id=report.report_id)
            found.append(Downloaded(by_report.pop(report.report_id), document.text, document.declared_charset))
        api.client.close()
        assert by_report == {}, "the truth endpoint and getReports list the same settlements"
    return found


def test_every_totals_row_equals_the_sum_of_its_lines_to_the_cent(settlements):
    assert len(settlements) == 15  # 5 periods × USD, CAD, EUR
    assert Counter(s.truth["currency"] for s in settlements) == {"USD": 5, "CAD": 5, "EUR": 5}
    for s in settlements:
        total = s.amount(s.totals["total-amount"])
        assert sum((s.amount(r["amount"]) for r in s.lines), Decimal(0)) == total
        assert (str(total), len(s.lines)) == (s.truth["total"], s.truth["line_count"])
        assert s.totals["settlement-id"] == s.truth["settlement_id"] and s.totals["currency"] == s.truth["currency"]
        assert all(v == "" for k, v in s.totals.items() if k not in ("settlement-id", *TOTALS_COLUMNS))
        assert all(r["settlement-id"] == s.truth["settlement_id"] and not any(r[c] for c in TOTALS_COLUMNS)
                   for r in s.lines)
        start, end = s.instant(s.totals["settlement-start-date"]), s.instant(s.totals["settlement-end-date"])
        deposit = s.instant(s.totals["deposit-date"])
        assert (start.isoformat(), end.isoformat()) == (s.truth["period_start"], s.truth["period_end"])
        assert end - start == timedelta(days=14) and timedelta(days=1) < deposit - end < timedelta(days=2)
        assert all(start <= s.instant(r["posted-date-time"]) < end for r in s.lines)
        by_description = defaultdict(Decimal)
        for r in s.lines:
            by_description[r["amount-description"]] += s.amount(r["amount"])
        assert {k: str(v) for k, v in by_description.items()} == s.truth["by_description"]


def test_amazon_de_writes_decimal_commas_and_day_first_dates_and_amazon_com_iso_dates(settlements):
    de = next(s for s in settlements if s.truth["currency"] == "EUR")
    us = next(s for s in settlements if s.truth["currency"] == "USD")
    assert (de.charset, us.charset) == ("UTF-8", "Cp1252")
    assert re.fullmatch(r"\d\d\.\d\d\.2026 \d\d:\d\d:\d\d UTC", de.totals["settlement-start-date"])
    assert all(re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d\d", r["amount"]) for r in de.lines)
    assert all(re.fullmatch(r"\d\d\.\d\d\.2026", r["posted-date"]) for r in de.lines)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d\d", de.totals["total-amount"])
    assert any("." in r["amount"] for r in de.lines)  # thousands separators: reserves run into thousands of euros
    assert re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", us.totals["settlement-start-date"])
    assert all(re.fullmatch(r"-?\d+\.\d\d", r["amount"]) for r in us.lines)
    assert all(re.fullmatch(r"2026-\d\d-\d\d", r["posted-date"]) for r in us.lines)
    assert de.text.splitlines()[0] == us.text.splitlines()[0]  # the same header names everywhere


def test_some_settlements_are_negative_and_the_truth_says_which(settlements):
    negative = [s for s in settlements if s.truth["negative"]]
    assert {s.truth["currency"] for s in negative} == {"USD", "CAD", "EUR"}
    for s in settlements:
        assert (s.amount(s.totals["total-amount"]) < 0) == s.truth["negative"] == s.truth["designed_negative"]
    for s in negative:
        # A long-term storage charge larger than the period's proceeds; Amazon holds no reserve then.
        assert s.sum(amount_description="StorageRenewalBilling") < 0
        assert s.sum(amount_description="Current Reserve Amount") == 0


def test_the_reserve_held_in_one_settlement_is_released_in_the_next(settlements):
    for currency in ("USD", "CAD", "EUR"):
        stream = sorted((s for s in settlements if s.truth["currency"] == currency),
                        key=lambda s: s.truth["period_start"])
        assert stream[0].sum(amount_description="Previous Reserve Amount Balance") == 0
        for before, after in zip(stream, stream[1:]):
            held = before.sum(amount_description="Current Reserve Amount")
            assert after.sum(amount_description="Previous Reserve Amount Balance") == -held


def test_lines_of_orders_the_integration_never_saw_are_in_the_settlement(sandbox, settlements):
    api = reports_api(sandbox, "demo-na")
    first_day = NOW - timedelta(days=HISTORY_DAYS + 1)
    report = api.wait_for_report(api.create_report(ORDER_REPORT, ["ATVPDKIKX0DER"], first_day, NOW), poll_seconds=0.1)
    text = api.download_report_document(report.report_document_id).text
    api.client.close()
    reported = {row["amazon-order-id"] for row in csv.DictReader(io.StringIO(text), delimiter="\t")}
    for s in (s for s in settlements if s.truth["account"] == "demo-na"):
        unknown = set(s.truth["unknown_order_ids"])
        in_file = {r["order-id"] for r in s.lines if r["order-id"]}
        assert unknown and unknown <= in_file and not unknown & reported
        assert in_file - unknown <= reported  # every other order id is one the order report showed


def test_principal_of_each_settlement_ties_to_the_worlds_orders_shipped_in_its_period(sandbox, settlements):
    world = sandbox.state.world
    for s in settlements:
        start, end = (datetime.fromisoformat(s.truth[k]) for k in ("period_start", "period_end"))
        expected: defaultdict[str, Decimal] = defaultdict(Decimal)
        for key in s.truth["storefronts"]:
            for order in world.orders_placed(key, start.date() - timedelta(days=3), end.date()):
                if order.shipped_at is not None and start <= order.shipped_at < end:
                    for i, line in enumerate(order.lines):
                        if i != order.cancelled_line:
                            expected[order.amazon_order_id] += line.item_price
        principal: defaultdict[str, Decimal] = defaultdict(Decimal)
        for r in s.lines:
            kind = (r["transaction-type"], r["amount-type"], r["amount-description"])
            if kind == ("Order", "ItemPrice", "Principal") and r["order-id"] not in s.truth["unknown_order_ids"]:
                principal[r["order-id"]] += s.amount(r["amount"])
        assert principal == expected and len(expected) > 200
        assert sum(principal.values()) == sum(expected.values())


def test_tax_lines_follow_how_the_order_report_marks_tax(settlements):
    for s in settlements:
        collected = sum((s.sum(transaction_type="Order", amount_description=d)
                         for d in ("Tax", "ShippingTax", "GiftWrapTax")), Decimal(0))
        withheld = s.sum(transaction_type="Order", amount_type="ItemWithheldTax")
        if s.truth["currency"] == "USD":  # MarketplaceFacilitator: Amazon keeps the sales tax it collected
            assert collected > 0 and withheld == -collected
        elif s.truth["currency"] == "CAD":  # the seller remits GST/HST/PST
            assert collected > 0 and withheld == 0
        else:  # VAT is inside Principal, as inside the order report's item-price
            assert collected == 0 and withheld == 0


def test_the_window_carries_every_kind_of_line_the_accountant_maps(settlements):
    expected = {
        ("Order", "ItemPrice", "Principal"), ("Order", "ItemPrice", "Shipping"), ("Order", "ItemPrice", "GiftWrap"),
        ("Order", "Promotion", "Principal"), ("Order", "Promotion", "Shipping"), ("Order", "ItemFees", "Commission"),
        ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"), ("Order", "ItemFees", "FBAWeightBasedFee"),
        ("Order", "ItemFees", "VariableClosingFee"), ("Order", "ItemFees", "ShippingChargeback"),
        ("Refund", "ItemPrice", "Principal"), ("Refund", "ItemFees", "Commission"),
        ("Refund", "ItemFees", "RefundCommission"), ("Chargeback Refund", "ItemPrice", "Principal"),
        ("A-to-z Guarantee Claim", "ItemPrice", "Principal"),
        ("other-transaction", "other-transaction", "Subscription"),
        ("other-transaction", "other-transaction", "Storage Fee"),
        ("other-transaction", "other-transaction", "Current Reserve Amount"),
        ("other-transaction", "other-transaction", "Previous Reserve Amount Balance"),
        ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE"),
        ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST"),
        ("other-transaction", "FBA Inventory Reimbursement", "REVERSAL_REIMBURSEMENT"),
        ("CouponRedemptionFee", "CouponRedemptionFee", "Coupon Redemption Fee"),
        ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount"),
    }
    for currency in ("USD", "CAD", "EUR"):
        seen = {(r["transaction-type"], r["amount-type"], r["amount-description"])
                for s in settlements if s.truth["currency"] == currency for r in s.lines}
        assert expected <= seen, f"{currency} lacks {sorted(expected - seen)}"
    us = {r["amount-description"] for s in settlements if s.truth["currency"] == "USD" for r in s.lines}
    assert {"MarketplaceFacilitatorTax-Principal", "MarketplaceFacilitatorTax-Shipping"} <= us


def test_the_truth_endpoint_refuses_an_unknown_account(sandbox):
    response = httpx.get(f"{sandbox.url}/_sandbox/settlements", params={"account": "nobody"})
    assert response.status_code == 400 and "demo-na" in response.json()["error"]
    before = httpx.get(f"{sandbox.url}/_sandbox/settlements", params={"as_of": "2026-09-20T00:00:00+00:00"})
    assert before.json()["settlements"] == []
