"""Returns: Amazon's FBA customer returns and MFN returns reports, parsed for NetSuite's return authorizations."""
