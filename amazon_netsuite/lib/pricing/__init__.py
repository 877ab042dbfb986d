"""The pricing flow's plain Python: NetSuite prices and scheduled changes → each storefront-day's price list."""
