"""A warehouse holding the inventory flow's tables, and a way to write stock into it as NetSuite would show it."""

from datetime import date, datetime

import duckdb
import pytest

from amazon_netsuite.lib.inventory.tables import TABLES
from amazon_netsuite.lib.settings import InventorySettings
from amazon_netsuite.sandbox.world import demo_settings

DAY = date(2026, 11, 16)
TAKEN_AT = datetime(2026, 11, 16, 8, 0)


@pytest.fixture
def con():
    with duckdb.connect() as con:
        for statement in TABLES:
            con.execute(statement)
        yield con


def settings_with(**inventory):
    """The demo settings (demo-US and demo-CA draw from WH-na, demo-DE and demo-FR from WH-eu) with `inventory:`."""
    return demo_settings().model_copy(update={"inventory": InventorySettings.model_validate(inventory)})


def stock(con, sku, on_hand, committed=0, *, location="WH-na", storefront="demo-US", day=DAY, item_type="InvtPart",
          matrix_type=None, fba=False, taken_at=TAKEN_AT):
    con.execute(
        "INSERT INTO netsuite_inventory_snapshot (storefront, day, taken_at, item_id, sku, item_type, matrix_type, "
        "location, is_fba_location, quantity_on_hand, quantity_committed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [storefront, day, taken_at, f"id-{sku}", sku, item_type, matrix_type, location, fba, on_hand, committed])


def kit(con, kit_sku, members, *, storefront="demo-US", day=DAY):
    """members: (member sku or None when missing, quantity)."""
    for n, (member, quantity) in enumerate(members, start=1):
        con.execute("INSERT INTO netsuite_kit_members VALUES (?, ?, ?, ?, ?, ?)",
                    [storefront, day, kit_sku, member, f"member-{n}", quantity])


def fba(con, sku, fulfillable, *, storefront="demo-US", day=DAY):
    con.execute("INSERT INTO fba_inventory_snapshot (storefront, day, taken_at, sku, fulfillable, inbound_working, "
                "inbound_shipped, inbound_receiving, reserved, reserved_pending_customer_order, unfulfillable, "
                "researching, total) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, ?)",
                [storefront, day, TAKEN_AT, sku, fulfillable, fulfillable])


def listed(con, sku, quantity, *, storefront="demo-US"):
    """What Amazon last accepted for the SKU."""
    con.execute("INSERT INTO amazon_listing_quantities VALUES (?, ?, ?, ?, 'FEED-0')",
                [storefront, sku, quantity, TAKEN_AT])
