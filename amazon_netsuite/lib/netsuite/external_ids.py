"""External ids of the NetSuite records an Amazon order becomes, so every flow finds the order's record by the same
key: orders post it under this id, settlements apply payments and credits to it."""

from __future__ import annotations


def order_external_id(storefront: str, amazon_order_id: str) -> str:
    return f"AMZ-{storefront}-{amazon_order_id}"
