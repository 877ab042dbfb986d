"""The shipments flow's plain Python: NetSuite's item fulfillments, their packages and lines, for confirming MFN
shipments to Amazon."""
