"""SuiteTax tax lines as the REST record API takes them when the integration overrides the tax engine
(`taxDetailsOverride: true`): each line forces an amount on the item line whose `taxDetailsReference` it repeats,
and its tax code posts to its tax type's payables account
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1513063654.html,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1557735990.html)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def tax_detail(reference: str, tax_type: str, tax_code: str, basis: str, amount: str) -> dict[str, Any]:
    """One `taxDetails` line: `basis` and `amount` as the exact decimal strings sent; `taxRate` is the effective
    rate of the amount on the basis, to 0.01 % (informational: the amount is what posts)."""
    on, tax = Decimal(basis), Decimal(amount)
    rate = (tax / on * 100).quantize(Decimal("0.01")) if on else Decimal(0)
    return {"taxDetailsReference": reference, "taxType": {"externalId": tax_type},
            "taxCode": {"externalId": tax_code}, "taxBasis": basis, "taxRate": str(rate), "taxAmount": amount}
