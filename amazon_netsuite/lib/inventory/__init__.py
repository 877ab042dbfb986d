"""The inventory flow's plain Python: NetSuite stock → available to sell → the quantities Amazon shows, and Amazon's
FBA stock → NetSuite's FBA location."""
