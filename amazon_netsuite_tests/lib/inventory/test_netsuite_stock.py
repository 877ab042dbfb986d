"""The NetSuite stock reader through HTTP against the sandbox: quantities per item × location with kits and matrix
children, exact decimals (fractions and negatives kept), kit members with a missing or inactive one, and the
watermark of the last stock change."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest

from amazon_netsuite.lib.inventory.netsuite_stock import (
    KIT_MEMBERS_SCHEMA,
    STOCK_SCHEMA,
    UnknownLocations,
    last_stock_change,
    read_kit_members,
    read_stock,
)
from amazon_netsuite.lib.netsuite import NetSuiteClient
from amazon_netsuite.lib.settings import load_settings, netsuite_connection
from amazon_netsuite.sandbox.netsuite.seed import MISSING_SKUS
from amazon_netsuite.sandbox.netsuite.stock_moves import INVENTORY_MOVE_PATH
from amazon_netsuite.sandbox.world import CATALOG
from amazon_netsuite.sandbox.world.listings import starting_stock
from amazon_netsuite_tests.conftest import DEMO_SETTINGS, start_sandbox

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
ITEMS = [p for p in CATALOG if p.sku not in MISSING_SKUS and not p.is_kit]
KITS = [p for p in CATALOG if p.sku not in MISSING_SKUS and p.is_kit]


@pytest.fixture
def sandbox(tmp_path):
    with start_sandbox(tmp_path / "sandbox", orders_per_day=2, history_days=1, clock=NOW) as running:
        yield running


@pytest.fixture
def client(sandbox):
    connection = netsuite_connection(load_settings(DEMO_SETTINGS), {"AMAZON_NETSUITE_SANDBOX_URL": sandbox.url})
    with NetSuiteClient(connection, timeout=10, initial_backoff=0.01, max_backoff=0.05) as client:
        yield client


def _move(sandbox, **body) -> None:
    httpx.post(f"{sandbox.url}{INVENTORY_MOVE_PATH}", json=body).raise_for_status()


def _at(table, sku: str, location: str) -> dict:
    rows = [r for r in table.to_pylist() if (r["sku"], r["location"]) == (sku, location)]
    assert len(rows) == 1, rows
    return rows[0]


def test_every_item_and_kit_is_read_once_per_location_with_the_snapshot_columns(client):
    stock = read_stock(client, ["WH-na", "FBA-na"], fba_locations={"FBA-na"})
    assert stock.schema == STOCK_SCHEMA
    assert stock.num_rows == 2 * (len(ITEMS) + len(KITS))  # matrix parents and other item types left out
    hoodie = _at(stock, "HOODIE-NAVY-M", "WH-na")
    seeded = Decimal(starting_stock("HOODIE-NAVY-M", "WH-na"))
    assert {k: v for k, v in hoodie.items() if k != "item_id"} == {
        "sku": "HOODIE-NAVY-M", "item_type": "InvtPart", "matrix_type": "CHILD", "location": "WH-na",
        "is_fba_location": False, "quantity_on_hand": seeded, "quantity_available": seeded,
        "quantity_committed": Decimal(0), "quantity_on_order": Decimal(0), "quantity_in_transit": Decimal(0),
        "last_quantity_change": None}
    assert _at(stock, "HOODIE-NAVY-M", "FBA-na")["is_fba_location"] is True
    kit = _at(stock, "KIT-SOCKS-3PK", "FBA-na")
    assert (kit["item_type"], kit["matrix_type"], kit["quantity_on_hand"], kit["quantity_available"]) == (
        "Kit", None, None, None)
    assert not {"TSHIRT", "HOODIE"} & set(stock.column("sku").to_pylist())


def test_moved_stock_reads_back_exactly_with_fractions_negatives_and_the_time_it_changed(sandbox, client):
    assert last_stock_change(client) is None
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": "2026-11-20T15:30:00Z"}).raise_for_status()
    _move(sandbox, sku="MUG-CAFE-WHITE", location="WH-na", set_on_hand="2.5")
    _move(sandbox, sku="BOTTLE-500-STEEL", location="WH-na", set_on_hand=-3)
    stock = read_stock(client, ["WH-na"])
    mug, bottle = _at(stock, "MUG-CAFE-WHITE", "WH-na"), _at(stock, "BOTTLE-500-STEEL", "WH-na")
    assert (mug["quantity_on_hand"], mug["last_quantity_change"]) == (Decimal("2.5"), datetime(2026, 11, 20, 15, 30))
    assert (bottle["quantity_on_hand"], bottle["quantity_available"]) == (Decimal(-3), Decimal(0))
    assert _at(stock, "MUG-CAFE-BLACK", "WH-na")["last_quantity_change"] is None
    assert last_stock_change(client) == datetime(2026, 11, 20, 15, 30)
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"now": "2026-11-20T15:45:00Z"}).raise_for_status()
    _move(sandbox, sku="MUG-CAFE-BLACK", location="FBA-na", adjust_by=1)
    assert last_stock_change(client) == datetime(2026, 11, 20, 15, 45)


def test_kit_members_are_read_with_a_missing_or_inactive_member_as_null(client):
    members = read_kit_members(client)
    assert members.schema == KIT_MEMBERS_SCHEMA
    socks = [r for r in members.to_pylist() if r["kit_sku"] == "KIT-SOCKS-3PK"]
    assert [(r["member_sku"], r["quantity"]) for r in socks] == [("SOCKS-GREY-SM", Decimal(3))]
    assert sorted(members.column("kit_sku").unique().to_pylist()) == sorted(p.sku for p in KITS)
    client.patch("inventoryItem", "eid:MUG-CAFE-WHITE", {"isInactive": True})
    gift = [r for r in read_kit_members(client).to_pylist() if r["kit_sku"] == "KIT-TSHIRT-MUG"]
    assert [r["member_sku"] for r in gift] == ["TSHIRT-BLACK-M", None]
    assert gift[1]["member_item_id"] == client.get("inventoryItem", "eid:MUG-CAFE-WHITE")["id"]


def test_a_location_netsuite_does_not_have_is_named(client):
    with pytest.raises(UnknownLocations) as raised:
        read_stock(client, ["WH-na", "WH-mars"])
    assert raised.value.missing == ["WH-mars"]
    assert "WH-mars" in str(raised.value)


def test_stock_read_in_small_pages_is_the_same_stock(client):
    whole = read_stock(client, ["WH-eu", "FBA-eu"])
    paged = read_stock(client, ["WH-eu", "FBA-eu"], page_size=7)
    assert paged.equals(whole)
    items = [int(i) for i, kind in zip(whole.column("item_id").to_pylist(), whole.column("item_type").to_pylist())
             if kind == "InvtPart"]
    assert len(items) == 2 * len(ITEMS) and len(set(items)) == len(ITEMS)
