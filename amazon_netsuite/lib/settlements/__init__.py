"""Amazon V2 settlement reports: parsing, GL mapping, matching to NetSuite records and the accountant's checks."""
