"""Prices: what NetSuite says an item costs per price level and currency, and the scheduled changes to it."""
