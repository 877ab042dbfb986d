"""Tables the flows write through rather than materialise: the registers of what was read from Amazon and written
to NetSuite. Declared (not materialised) so the catalog lists them beside the assets that use them."""

import dagster as dg

BOOKKEEPING_TABLES = {
    "amazon_reports": "Every Amazon report a run requested or read: type, window, status, and the document as "
                      "downloaded (path and SHA-256). Written by `order_report_rows`, `settlements` and "
                      "`settlement_documents`.",
    "settlement_report_intake": "Every settlement report Amazon listed, with where it stands (listed, landed, "
                                "unusable and why). Written by the `new_settlement_reports` sensor and "
                                "`settlement_documents`.",
    "amazon_listing_quantities": "What Amazon last accepted (or showed when read back) per storefront × SKU: a push "
                                 "sends only what differs. Written by `inventory_feed_submissions`.",
    "amazon_listing_prices": "The price (our_price) Amazon last accepted per storefront × SKU, or showed when read "
                             "back: a price push sends only what differs. Written by `price_feed_submissions`.",
    "fba_opening_balances": "Each FBA location's opening balance at go-live, SKU by SKU: Amazon's FBA stock at a "
                            "snapshot the ledger covers, NetSuite's, the movements still to post, and the opening "
                            "adjustment that ties them. Computed once; written by `fba_inventory_adjustments_posted`.",
    "amazon_listing_content": "Every SKU's listing per storefront: created by this project or found on Amazon, "
                              "the content Amazon last accepted from us (its hash) and whether it is retired. "
                              "Written by `listing_submissions`; a run sends only content that changed.",
    "amazon_order_items": "Amazon's order items (order item id, SKU, quantity ordered) per order, from getOrderItems "
                          "once per order: the order report has no order item ids. Written by "
                          "`shipment_confirmations`.",
    "netsuite_postings": "The ledger: one row per NetSuite record a flow created or changed, with its external id, "
                         "internal id, the hash of what was sent and the NetSuite account. Written by every "
                         "posting asset and retry; what makes a re-run send nothing twice.",
    "integration_errors": "What could not post, with its class (mapping, validation, auth, rate_limit, transient) "
                          "and NetSuite's message; resolved when a later attempt goes through. Written by every "
                          "posting asset and retry.",
}


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=[
        dg.AssetSpec(name, description=description, group_name="bookkeeping", kinds={"duckdb"})
        for name, description in BOOKKEEPING_TABLES.items()
    ])
