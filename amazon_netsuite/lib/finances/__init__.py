"""The finances flow: Finances API transactions per storefront-day, and refunds posted as they happen."""
