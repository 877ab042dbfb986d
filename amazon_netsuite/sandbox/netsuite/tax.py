"""SuiteTax on sales transactions, as REST web services allow it.

REST refuses legacy tax: "REST web services do not support legacy tax features. To work with taxation through REST
web services, you must have the SuiteTax feature enabled." (Oracle, on the cashSale, cashRefund and creditMemo REST
pages: https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_161487969808.html,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_40160920714.html,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_164460021767.html). The sandbox is a SuiteTax
account: a legacy field in a write is refused whatever X-NetSuite-PropertyNameValidation says (the exact code and
behaviour on a real account are not verified; README).

With `taxDetailsOverride` the tax lines are kept as sent ("retained, regardless of whether or not tax-related fields
are changed", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1513063654.html) and every field
of a line is mandatory. Without it NetSuite's engine computes tax from nexus rates; the sandbox models no rates, so
its engine computes none. A tax line posts to its tax type's payables account
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1557735990.html).
"""

from __future__ import annotations

from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.record_parts import cents, finish_sublist, money, user_error
from amazon_netsuite.sandbox.netsuite.store import SALES_TYPES, RecordStore

LEGACY_TAX_DETAIL = ("REST web services do not support legacy tax features. To work with taxation through REST web "
                     "services, you must have the SuiteTax feature enabled.")
# The legacy ("NOTTAX_OVERHAULING") fields of the REST API Browser's sales transaction schemas.
LEGACY_BODY = frozenset({"taxtotal", "taxitem", "taxrate", "istaxable", "shippingtaxcode", "handlingtaxcode"})
LEGACY_LINE = frozenset({"taxcode", "taxrate1", "tax1amt", "istaxable"})
TAX_LINE_FIELDS = ("taxDetailsReference", "taxType", "taxCode", "taxBasis", "taxRate", "taxAmount")
TAX_DETAILS = "taxDetails"


def refuse_legacy_tax(record_type: str, body: dict) -> None:
    """400 USER_ERROR at the first legacy tax field of a sales transaction's body or item lines."""
    if record_type not in SALES_TYPES:
        return
    for name in body:
        if name.lower() in LEGACY_BODY:
            raise user_error(LEGACY_TAX_DETAIL, name)
    items = body.get("item")
    for index, line in enumerate(items.get("items", []) if isinstance(items, dict) else []):
        for name in line if isinstance(line, dict) else ():
            if name.lower() in LEGACY_LINE:
                raise user_error(LEGACY_TAX_DETAIL, f"item.items[{index}].{name}")


def finish_tax(store: RecordStore, record: dict, item_lines: list[dict]) -> Decimal:
    """Check the tax lines and return their sum (the record's `taxTotal`). Override off: the engine's lines,
    which are none here."""
    lines = finish_sublist(record, TAX_DETAILS)
    if not record.get("taxDetailsOverride"):
        lines.clear()
        finish_sublist(record, TAX_DETAILS)
        return Decimal(0)
    references = {str(line["taxDetailsReference"]) for line in item_lines if line.get("taxDetailsReference")}
    total = Decimal(0)
    for index, line in enumerate(lines):
        path = f"{TAX_DETAILS}.items[{index}]"
        for name in TAX_LINE_FIELDS:
            if line.get(name) in (None, "", {}):
                raise user_error(f"Please enter value(s) for: {name} (all tax information fields are mandatory "
                                 "when taxDetailsOverride is set)", f"{path}.{name}")
        if str(line["taxDetailsReference"]) not in references:
            raise user_error(f"Tax details reference {line['taxDetailsReference']!r} names no item line.",
                             f"{path}.taxDetailsReference")
        code = store.get("salesTaxItem", int(line["taxCode"]["id"]))
        if code.get("taxType", {}).get("id") != line["taxType"]["id"]:
            raise user_error(f"Tax code {code['itemId']} is not of tax type {line['taxType'].get('refName')}.",
                             f"{path}.taxCode")
        line["taxAmount"] = cents(money(line["taxAmount"]))
        total += line["taxAmount"]
    return total


def payables_account(store: RecordStore, line: dict) -> int | None:
    """The payables account of a tax line's tax type."""
    tax_type = store.get("taxType", int(line["taxType"]["id"])) or {}
    account = tax_type.get("payablesAccount")
    return int(account["id"]) if account else None

