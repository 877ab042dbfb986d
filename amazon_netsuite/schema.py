"""The whole warehouse schema, in creation order: the one place that knows every table.

Each owner declares its tables as plain data (`lib/warehouse/tables.py` for those every flow shares,
`lib/<flow>/tables.py` for a flow's own); importing them creates nothing. `ensure_schema` runs them in order:
the shared tables, then each flow's tables, then every view last, because a view may read any table (the
settlement overview reads the posting ledger; DuckDB binds a view's tables when it is created). Like
`definitions.py` this module composes the flows, so nothing in `lib/` imports it. A new flow adds its `TABLES` and
`VIEWS` here.
"""

from __future__ import annotations

import duckdb

from amazon_netsuite.lib.accruals import tables as accruals
from amazon_netsuite.lib.finances import tables as finances
from amazon_netsuite.lib.inventory import tables as inventory
from amazon_netsuite.lib.listings import tables as listings
from amazon_netsuite.lib.netsuite_metadata import tables as netsuite_metadata
from amazon_netsuite.lib.orders import tables as orders
from amazon_netsuite.lib.pricing import tables as pricing
from amazon_netsuite.lib.returns import tables as returns
from amazon_netsuite.lib.settlements import tables as settlements
from amazon_netsuite.lib.shipments import tables as shipments
from amazon_netsuite.lib.vendor import tables as vendor
from amazon_netsuite.lib.warehouse import tables as shared

FLOWS = (orders, settlements, inventory, pricing, listings, shipments, returns, finances, accruals, netsuite_metadata,
         vendor)

STATEMENTS: tuple[str, ...] = (
    *shared.TABLES,
    *(statement for flow in FLOWS for statement in flow.TABLES),
    *(statement for flow in FLOWS for statement in flow.VIEWS),
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view that does not exist yet (idempotent, cheap)."""
    for statement in STATEMENTS:
        con.execute(statement)
