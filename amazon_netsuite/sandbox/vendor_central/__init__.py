"""Emulated Vendor Central: the Vendor Orders API v1 (Retail Procurement), the Vendor Direct Fulfillment Orders API
2021-12-28 and both transaction status APIs, for the vendor accounts of the sandbox config (`vendor_accounts`).

A package of its own, beside seller_central/: a vendor account is another kind of Amazon account (its own LWA
grant, vendor codes instead of a seller id, its own world of purchase orders), and its handlers refuse a seller's
token as the seller APIs refuse a vendor's. What the two share (LWA, usage plans, faults, error bodies) is
seller_central's, reused.
"""

from amazon_netsuite.sandbox.vendor_central import direct_fulfillment, purchase_orders, transactions

routes = [*purchase_orders.routes, *direct_fulfillment.routes, *transactions.routes]
