"""Emulated Seller Central (and later Vendor Central and NetSuite): real HTTP servers over a generated world.

`world/` is plain Python (catalog, orders, report rows); `seller_central/` holds the SP-API and LWA routes;
`server.py` assembles the app and runs it (`create_app`, `serve`, `start_in_thread`).
"""
