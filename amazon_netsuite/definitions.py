"""The amazon_netsuite code location: the settings are read once per load and every flow is built from them.

A flow is one `defs/<flow>/` package whose `definitions(flow)` returns its Dagster objects; adding a flow is adding
it to FLOWS (and its switch to the settings' `flows:`).
"""

import dagster as dg

from amazon_netsuite.defs import (
    accruals,
    bookkeeping,
    finances,
    inventory,
    listings,
    netsuite_metadata,
    orders,
    pricing,
    resources,
    returns,
    settlements,
    shipments,
    vendor,
)
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import storefront_days, vendor_days
from amazon_netsuite.lib.settings import Settings, load_settings

FLOWS = {"orders": orders, "settlements": settlements, "inventory": inventory, "pricing": pricing,
         "listings": listings, "shipments": shipments, "returns": returns, "finances": finances,
         "accruals": accruals}


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every flow's Dagster objects for these settings: their storefront-day partitions, and sensors and schedules
    that run by default where the flow is switched on."""
    partitions = storefront_days(settings)
    return dg.Definitions.merge(
        resources.definitions(),
        bookkeeping.definitions(),
        netsuite_metadata.definitions(),
        *(flow.definitions(Flow(name, settings, partitions)) for name, flow in FLOWS.items()),
        # Vendor Central has its own partitions (vendor accounts × day), and none without a vendor account.
        *([vendor.definitions(Flow("vendor", settings, vendor_days(settings),
                                   tuple(v.key for v in settings.active_vendor_accounts)))]
          if settings.vendor_accounts else []),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())
