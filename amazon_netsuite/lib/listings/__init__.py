"""The listings flow's plain Python: the NetSuite product master read for Amazon listings."""
