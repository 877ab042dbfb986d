"""Vendor Central purchase orders into NetSuite Sales Orders, acknowledged back to Amazon (README "Vendor Central")."""
