"""The finance view: the reconciliation table and waterfall chart of a settlement add up to its deposit, exactly."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal

import matplotlib.image
import pytest

from amazon_netsuite.lib.settlements.finance_view import (
    finance_view_markdown,
    reconciliation_markdown,
    waterfall_png,
    waterfall_steps,
)
from amazon_netsuite.lib.gl_mapping import load_gl_mapping, map_lines
from amazon_netsuite.lib.settlements.parse import parse_settlement
from amazon_netsuite.lib.settlements.reconcile import reconciliation, totals_table
from amazon_netsuite_tests.lib.settlements.settlement_builder import (
    fee,
    period,
    settlement_text,
    us_settlement_lines,
)


def _rows(text: str) -> list[dict]:
    parsed = parse_settlement(text)
    mapping = load_gl_mapping()
    return reconciliation(totals_table(parsed), map_lines(parsed.lines, mapping), mapping).to_pylist()


@pytest.fixture(autouse=True)
def _project_mapping(tmp_path, monkeypatch):
    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AMAZON_NETSUITE_GL_MAPPING", raising=False)


def test_the_steps_run_from_gross_sales_to_the_deposit_to_the_cent():
    steps, deposit = waterfall_steps(_rows(settlement_text(us_settlement_lines())))

    assert deposit == Decimal("54.97")
    assert steps[0].label == "gross sales" and steps[0].amount == Decimal("149.48")  # 19.99 + 124.50 + 4.99
    assert sum(s.amount for s in steps) == deposit
    assert steps[-1].running == deposit
    fees = {s.label: s.amount for s in steps if s.section == "fees"}
    assert fees == {"Amazon Advertising": Decimal("-15.00"), "Amazon Selling Fees": Decimal("-0.60"),
                    "Amazon Subscription": Decimal("-39.99"), "FBA Fulfillment Fees": Decimal("-3.22"),
                    "FBA Storage Fees": Decimal("-12.34")}
    sections = [s.section for s in steps]
    assert sections.index("gross sales") < sections.index("refunds") < sections.index("fees") < sections.index(
        "reserves")


def test_the_table_lists_every_row_and_says_the_deposit_ties_out():
    rows = _rows(settlement_text(us_settlement_lines()))
    table = reconciliation_markdown(rows, "USD")

    amounts = [Decimal(m) for m in re.findall(r"^\| [a-z ]+ \| [^|]* \| (-?\d+\.\d\d) \|", table, re.M)]
    assert sum(amounts) == Decimal("54.97")  # the rows before the deposit sum to it
    assert len(amounts) == len(rows) - 1
    assert "| **deposit** | | **54.97** | |" in table
    assert "ties out to the cent" in table


def test_a_settlement_that_does_not_tie_out_says_so_with_the_gap():
    lines = us_settlement_lines()
    table = reconciliation_markdown(_rows(settlement_text(lines, total=Decimal("60.00"))), "USD")

    assert "unexplained difference" in table
    assert "| **deposit** | | **60.00** | |" in table


def test_a_negative_settlement_draws_and_the_png_decodes():
    lines = [*us_settlement_lines(), period("other-transaction", "other-transaction", "StorageRenewalBilling",
                                           "-300.00"), fee("Commission", "-1.25")]
    rows = _rows(settlement_text(lines))
    steps, deposit = waterfall_steps(rows)
    assert deposit == Decimal("-246.28") == sum(s.amount for s in steps)

    png = waterfall_png(rows, "Settlement 11223344556", "USD")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    height, width = image.shape[:2]
    assert width > 500 and height > 300


def test_the_markdown_embeds_the_chart_as_a_data_url():
    markdown = finance_view_markdown(_rows(settlement_text(us_settlement_lines())), settlement_id="11223344556",
                                     currency="USD", deposit_day="2026-10-04", storefront="demo-US")

    assert markdown.startswith("### Settlement 11223344556 · demo-US · deposited 2026-10-04")
    encoded = re.search(r"!\[waterfall of settlement 11223344556\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)",
                        markdown)
    assert encoded is not None
    assert base64.b64decode(encoded.group(1))[:4] == b"\x89PNG"
