"""Item-line transactions: sales orders, cash sales, invoices and credit memos. Line amounts and totals in exact
Decimal, and the statuses NetSuite derives: an order's from what has been fulfilled and billed against it, an
invoice's from the payments and credits applied to it, a cash sale's from whether a deposit holds it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.applications import applied_to, finish_applied, refunded_from
from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_parts import (
    cents,
    finish_sublist,
    money,
    number_lines,
    ref_id,
    require,
    user_error,
)
from amazon_netsuite.sandbox.netsuite.store import ITEM_TYPES, RecordStore
from amazon_netsuite.sandbox.netsuite.tax import TAX_DETAILS, finish_tax

ORDER_STATUSES = {"A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled", "D": "Partially Fulfilled",
                  "E": "Pending Billing/Partially Fulfilled", "F": "Pending Billing", "G": "Billed", "H": "Closed"}
_HEADER_AMOUNTS = ("shippingCost", "handlingCost")
_TAX_HEADER = ("taxDetailsOverride", "taxRegOverride", "nexus")
_COPIED_FROM_ORDER = ("entity", "subsidiary", "currency", "location", "class", "department", "otherRefNum", "memo")
ZERO = Decimal(0)


def status(code: str, names: dict[str, str]) -> dict:
    return {"id": code, "refName": names[code]}


def default_from_customer(store: RecordStore, record: dict, customer_field: str = "entity") -> None:
    """Subsidiary and currency default to the customer's, as NetSuite fills them in."""
    customer = store.get("customer", ref_id(record.get(customer_field)) or 0)
    if customer is None:
        return
    for name in ("subsidiary", "currency"):
        if not record.get(name) and customer.get(name):
            record[name] = {"id": customer[name]["id"]}


def ships(store: RecordStore, line: dict) -> bool:
    """Whether a transaction line's item is one a warehouse ships (an inventory or kit item), not a discount or a
    charge."""
    item_id = ref_id(line.get("item")) or 0
    return store.get("inventoryItem", item_id) is not None or store.get("kitItem", item_id) is not None


def order_progress(store: RecordStore, order_id: int, exclude: int | None = None) -> tuple[dict, dict]:
    """Quantities fulfilled and billed per order line, summed over the fulfillments, invoices and cash sales
    created from the order (leaving out record `exclude`, the one being saved)."""
    fulfilled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    billed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for record_type, record in store.referrers(order_id):
        if int(record["id"]) == exclude or record_type not in ("itemFulfillment", "invoice", "cashSale"):
            continue
        into = fulfilled if record_type == "itemFulfillment" else billed
        for line in record.get("item", {}).get("items", []):
            if line.get("orderLine") is not None:
                into[int(line["orderLine"])] += money(line.get("quantity", 0))
    return fulfilled, billed


def _order_status(store: RecordStore, record: dict, lines: list[dict]) -> str:
    """The order's status from its shipped lines (discounts and charges are billed with them, never shipped)."""
    all_open = [line for line in lines if not line["isClosed"]]
    if lines and not all_open:
        return "H"
    open_lines = [line for line in all_open if ships(store, line)] or all_open
    ordered = sum((money(line["quantity"]) for line in open_lines), ZERO)
    fulfilled = sum((line["quantityFulfilled"] for line in open_lines), ZERO)
    billed = sum((line["quantityBilled"] for line in open_lines), ZERO)
    if record["orderStatus"]["id"] == "A" or (not fulfilled and not billed):
        return record["orderStatus"]["id"]
    if billed >= ordered:
        return "G"
    if fulfilled >= ordered:
        return "F"
    return "E" if billed < fulfilled else "D"


def _finish_order(store: RecordStore, record: dict, lines: list[dict]) -> None:
    fulfilled, billed = order_progress(store, int(record["id"]))
    for index, line in enumerate(lines):
        line["quantityFulfilled"], line["quantityBilled"] = fulfilled[line["line"]], billed[line["line"]]
        if not line["isClosed"] and money(line["quantity"]) < line["quantityFulfilled"]:
            raise user_error(f"The quantity of line {line['line']} cannot be less than the quantity already "
                             f"fulfilled ({line['quantityFulfilled']}).", f"item.items[{index}].quantity")
    order_status = record.get("orderStatus", {}).get("id", "B")
    if order_status not in ("A", "B"):
        raise user_error(f"Invalid orderStatus {order_status!r}: use A (Pending Approval) or B (Pending "
                         "Fulfillment).", "orderStatus")
    record["orderStatus"] = status(order_status, ORDER_STATUSES)
    record["status"] = status(_order_status(store, record, lines), ORDER_STATUSES)


def _check_order_lines(store: RecordStore, record: dict, lines: list[dict]) -> None:
    """An invoice or cash sale created from an order bills the order's lines, never more than was ordered."""
    order = store.get("salesOrder", ref_id(record.get("createdFrom")) or 0)
    if record.get("createdFrom") and order is None:
        raise RecordError(400, "INVALID_KEY_OR_REF", "createdFrom must be a sales order.", "createdFrom")
    if order is None:
        return
    order_lines = {line["line"]: line for line in order["item"]["items"]}
    _, billed = order_progress(store, int(order["id"]), exclude=int(record["id"]))
    for index, line in enumerate(lines):
        if line.get("orderLine") is None:
            continue
        order_line = order_lines.get(int(line["orderLine"]))
        if order_line is None:
            raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid orderLine reference key {line['orderLine']}.",
                              f"item.items[{index}].orderLine")
        left = money(order_line["quantity"]) - billed[order_line["line"]]
        if money(line["quantity"]) > left:
            raise user_error(f"You cannot bill more than the {left} left to bill on order line "
                             f"{order_line['line']}.", f"item.items[{index}].quantity")


def deposited(store: RecordStore, record: dict) -> bool:
    """A payment or cash sale is deposited when it went straight to a bank account or a deposit holds it."""
    if record.get("undepFunds") is False:
        return True
    return any(t == "deposit" for t, _ in store.referrers(int(record["id"])))


def check_bank_account(store: RecordStore, record: dict) -> None:
    """Money not sent to Undeposited Funds needs the bank account it went to."""
    if record.setdefault("undepFunds", True) is not False:
        return
    require(record, "account", "Account")
    account = store.get("account", ref_id(record["account"]) or 0)
    if account is None or account.get("acctType", {}).get("id") != "Bank":
        raise user_error("The account must be a bank account when undepFunds is false.", "account")


def _item_rate(store: RecordStore, line: dict) -> Decimal:
    for item_type in ITEM_TYPES:
        item = store.get(item_type, ref_id(line.get("item")) or 0)
        if item is not None and item.get("basePrice") is not None:
            return money(item["basePrice"])
    return ZERO


def finish_sales(store: RecordStore, record_type: str, record: dict) -> None:
    """Line numbers and amounts, total, and the record type's derived fields and status."""
    require(record, "entity", "Customer")
    default_from_customer(store, record)
    lines = finish_sublist(record, "item")
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    number_lines(lines)
    total = ZERO
    for index, line in enumerate(lines):
        path = f"item.items[{index}]"
        if not line.get("item"):
            raise user_error("Please enter value(s) for: Item", f"{path}.item")
        line.setdefault("isClosed", False)
        line["quantity"] = money(line.get("quantity", 1))
        if line["quantity"] <= 0 and not line["isClosed"]:
            raise user_error("Inventory items must have a positive amount.", f"{path}.quantity")
        line["rate"] = money(line["rate"]) if line.get("rate") is not None else _item_rate(store, line)
        amount = line.get("amount")
        line["amount"] = cents(money(amount) if amount is not None else line["rate"] * line["quantity"])
        if not line["isClosed"]:
            total += line["amount"]
    for name in _HEADER_AMOUNTS:
        if record.get(name) is not None:
            record[name] = money(record[name])
            total += record[name]
    record["taxTotal"] = finish_tax(store, record, lines)
    record["total"] = cents(total + record["taxTotal"])
    if record_type == "salesOrder":
        _finish_order(store, record, lines)
    elif record_type == "cashSale":
        _check_order_lines(store, record, lines)
        check_bank_account(store, record)
        record["status"] = status("C" if deposited(store, record) else "B",
                                  {"A": "Unapproved Payment", "B": "Not Deposited", "C": "Deposited"})
    elif record_type == "cashRefund":
        if record.get("createdFrom") and store.get("cashSale", ref_id(record["createdFrom"]) or 0) is None:
            raise RecordError(400, "INVALID_KEY_OR_REF", "createdFrom must be a cash sale.", "createdFrom")
        check_bank_account(store, record)
    elif record_type == "invoice":
        _check_order_lines(store, record, lines)
        paid = applied_to(store, int(record["id"]))
        if paid > record["total"]:
            raise user_error(f"The invoice total ({record['total']}) cannot be less than the {paid} already paid "
                             "or credited.", "item")
        record["amountPaid"], record["amountRemaining"] = paid, record["total"] - paid
        record["status"] = status("B" if record["amountRemaining"] == 0 else "A", {"A": "Open", "B": "Paid In Full"})
    else:
        source = record.get("createdFrom")
        if source and store.get("invoice", ref_id(source) or 0) is None and \
                store.get("cashSale", ref_id(source) or 0) is None:
            raise RecordError(400, "INVALID_KEY_OR_REF", "createdFrom must be an invoice or a cash sale.",
                              "createdFrom")
        applied = finish_applied(store, record, ref_id(record["entity"]), record["total"])
        record["applied"], record["unapplied"] = applied, record["total"] - applied
        record["amountRemaining"] = record["unapplied"] - refunded_from(store, int(record["id"]))
        if record["amountRemaining"] < 0:
            raise user_error(f"The credit memo total ({record['total']}) cannot be less than what is applied and "
                             "refunded.", "item")
        record["status"] = status("B" if record["amountRemaining"] == 0 else "A", {"A": "Open", "B": "Fully Applied"})


# --- transforms ----------------------------------------------------------------------------------------


def _copy_header(source: dict, names: tuple[str, ...]) -> dict:
    body = {name: source[name] for name in names if source.get(name) is not None}
    body.update({k: v for k, v in source.items() if k.startswith("custbody_")})
    return body


def _copy_tax(source: dict) -> dict:
    """The source's tax override and tax lines, for the record a transform makes of it."""
    body = {name: source[name] for name in _TAX_HEADER if source.get(name) is not None}
    if source.get("taxDetailsOverride"):
        body[TAX_DETAILS] = {"items": [dict(line) for line in source.get(TAX_DETAILS, {}).get("items", [])]}
    return body


def _reference(line: dict) -> dict:
    return {"taxDetailsReference": line["taxDetailsReference"]} if line.get("taxDetailsReference") else {}


def bill_order(store: RecordStore, order: dict) -> dict:
    """`salesOrder/!transform/invoice` (or cashSale): every fulfilled line not yet billed, at the order's rates;
    the order's shipping, handling and tax go on its first bill."""
    if order["status"]["id"] in ("A", "C", "H"):
        raise user_error(f"Sales order {order['tranId']} is {order['status']['refName']} and cannot be billed.")
    fulfilled, billed = order_progress(store, int(order["id"]))
    first_bill = not any(billed.values())
    lines = []
    for line in order["item"]["items"]:
        if not ships(store, line):
            # A discount or charge line is never fulfilled: it is billed whole with the order's first bill, as its
            # shipping is, so the invoices add up to what the order sold.
            if line["isClosed"] or not first_bill:
                continue
            bill = {"orderLine": line["line"], "item": {"id": line["item"]["id"]}, "quantity": line["quantity"],
                    "rate": line["rate"], "amount": line["amount"]}
            bill.update({k: line[k] for k in ("location", "class", "department", "description",
                                              "taxDetailsReference") if line.get(k)})
            lines.append(bill)
            continue
        quantity = fulfilled[line["line"]] - billed[line["line"]]
        if line["isClosed"] or quantity <= 0:
            continue
        bill = {"orderLine": line["line"], "item": {"id": line["item"]["id"]}, "quantity": quantity,
                "rate": line["rate"]}
        bill.update({k: line[k] for k in ("location", "class", "department", "description", "taxDetailsReference")
                     if line.get(k)})
        lines.append(bill)
    if not any(ships(store, {"item": bill["item"]}) for bill in lines):
        raise user_error(f"Sales order {order['tranId']} has nothing to bill: fulfill its lines first.")
    body = _copy_header(order, _COPIED_FROM_ORDER)
    body.update(createdFrom={"id": order["id"]}, item={"items": lines})
    if first_bill:
        body.update({name: order[name] for name in _HEADER_AMOUNTS if order.get(name) is not None})
        body.update(_copy_tax(order))
    return body


def credit_invoice(store: RecordStore, invoice: dict) -> dict:
    """`invoice/!transform/creditMemo`: the invoice's lines, applied to the invoice."""
    lines = [{"item": {"id": line["item"]["id"]}, "quantity": line["quantity"], "rate": line["rate"],
              **({"amount": line["amount"]} if line.get("amount") is not None else {}), **_reference(line)}
             for line in invoice["item"]["items"] if not line.get("isClosed")]
    body = _copy_header(invoice, ("entity", "subsidiary", "currency", "location", "class", "department",
                                  "otherRefNum"))
    body.update({name: invoice[name] for name in _HEADER_AMOUNTS if invoice.get(name) is not None})
    body.update(_copy_tax(invoice))
    body.update(createdFrom={"id": invoice["id"]}, item={"items": lines},
                apply={"items": [{"doc": {"id": invoice["id"]}, "apply": True}]})
    return body


def refund_cash_sale(store: RecordStore, sale: dict) -> dict:
    """`cashSale/!transform/cashRefund`: the sale's lines and tax lines, paid out of where the sale's money went
    (a body's own tax lines replace them: transactions.transform)."""
    lines = [{"item": {"id": line["item"]["id"]}, "quantity": line["quantity"], "rate": line["rate"],
              "amount": line["amount"], **_reference(line)}
             for line in sale["item"]["items"] if not line.get("isClosed")]
    body = _copy_header(sale, ("entity", "subsidiary", "currency", "location", "class", "department",
                               "otherRefNum", "undepFunds", "account", *_HEADER_AMOUNTS))
    body.update(_copy_tax(sale))
    body.update(createdFrom={"id": sale["id"]}, item={"items": lines})
    return body
