"""NetSuite's setup records (ship methods, payment methods, locations, subsidiaries, price levels, currencies,
classes, departments) read by SuiteQL into the warehouse, and the settings' mappings that name one gone missing."""
