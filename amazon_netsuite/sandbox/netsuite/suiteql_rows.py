"""The record store as rows of NetSuite's SuiteQL analytics tables (transaction, transactionline,
transactionaccountingline, previoustransactionlinelink, item, account, inventoryitemlocations, ...).

Like NetSuite: sales lines carry negative `quantity` and `netamount` (the income side), each transaction has one
`mainline = 'T'` row besides its lines, flags are 'T'/'F', and posting transactions have balanced accounting lines
in accounting book 1, debit-positive `amount` (what each record posts: the sandbox README's "GL impact").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from amazon_netsuite.sandbox.netsuite.chart_of_accounts import (
    COGS,
    INVENTORY_ASSET,
    RECEIVABLES,
    SALES,
    SHIPPING_INCOME,
    TAX_PAYABLE,
    UNDEPOSITED_FUNDS,
)
from amazon_netsuite.sandbox.netsuite.record_parts import CENT, money, ref_id
from amazon_netsuite.sandbox.netsuite.store import PRICE_CHANGE, RecordStore
from amazon_netsuite.sandbox.netsuite.tax import TAX_DETAILS, payables_account

TRANSACTION_TYPE_CODES = {"salesOrder": "SalesOrd", "cashSale": "CashSale", "itemFulfillment": "ItemShip",
                          "invoice": "CustInvc", "customerPayment": "CustPymt", "creditMemo": "CustCred",
                          "journalEntry": "Journal", "deposit": "Deposit",
                          "cashRefund": "CashRfnd", "customerRefund": "CustRfnd",
                          "inventoryAdjustment": "InvAdjst", "returnAuthorization": "RtnAuth",
                          "itemReceipt": "ItemRcpt"}
ITEM_TYPE_CODES = {"inventoryItem": "InvtPart", "kitItem": "Kit", "discountItem": "Discount",
                   "otherChargeSaleItem": "OthCharge"}
_NON_POSTING = ("salesOrder", "returnAuthorization")
PRIMARY_BOOK = 1
ZERO = Decimal(0)


def flag(value: object) -> str:
    return "T" if value else "F"


def dec(value: object, places: Decimal = CENT) -> Decimal | None:
    return None if value is None or value == "" else money(value).quantize(places)


def _neg(value: Decimal | None) -> Decimal | None:
    return None if value is None else -value


def custom_text(value: object) -> str | None:
    """A custom field as SuiteQL shows it: references by id, checkboxes as T/F, everything else as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return flag(value)
    if isinstance(value, dict):
        return str(value.get("id", value.get("refName", "")))
    if isinstance(value, list):
        return ",".join(str(custom_text(v)) for v in value)
    return str(value)


def timestamp(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ") if value else None
    except ValueError:
        return None


def _posts(record_type: str, record: dict) -> bool:
    """Sales orders never post, journals only once approved, fulfillments only once Shipped (picked or packed
    units are still in the warehouse)."""
    if record_type == "itemFulfillment":
        return (record.get("shipStatus") or {}).get("id", "C") == "C"
    return record_type not in _NON_POSTING and record.get("approved", True)


class _Rows:
    """Collects the rows of the transaction tables, one transaction at a time."""

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self.transactions: list[dict] = []
        self.lines: list[dict] = []
        self.accounting: list[dict] = []
        self.links: list[dict] = []
        self.account_of = {eid: store.id_for("account", eid) for eid in
                           (RECEIVABLES, UNDEPOSITED_FUNDS, SALES, SHIPPING_INCOME, TAX_PAYABLE, COGS,
                            INVENTORY_ASSET)}

    def post(self, tid: int, line: int, account: int | None, signed: Decimal) -> None:
        """A GL line: positive = debit, negative = credit."""
        if account is None or not signed:
            return
        self.accounting.append(dict(transaction=tid, transactionline=line, accountingbook=PRIMARY_BOOK,
                                    account=account, posting="T",
                                    debit=signed if signed > 0 else None, credit=-signed if signed < 0 else None,
                                    amount=signed))

    def item_income_account(self, line: dict) -> int | None:
        found = self.store.find(ref_id(line.get("item")) or 0)
        income = ref_id(found[1].get("incomeAccount")) if found else None
        return income or self.account_of[SALES]

    def cost_of_goods(self, tid: int, lines: list[dict], sign: Decimal = Decimal(1)) -> None:
        """Shipped units at each inventory item's cost: COGS debited, Inventory Asset credited (a kit ships its
        members); `sign` -1 for units coming back (Inventory Asset debited, COGS credited)."""
        for line in lines:
            if line.get("isClosed"):
                continue
            for member, per_kit in _members(self.store, ref_id(line.get("item"))):
                item = self.store.get("inventoryItem", member or 0)
                if item is None:
                    continue  # discount lines and items without stock move no inventory
                cost = sign * (money(item.get("cost") or 0) * money(line.get("quantity", 0)) * per_kit).quantize(CENT)
                self.post(tid, line["line"], ref_id(item.get("cogsAccount")) or self.account_of[COGS], cost)
                self.post(tid, line["line"], ref_id(item.get("assetAccount")) or self.account_of[INVENTORY_ASSET],
                          -cost)

    def add(self, record_type: str, record: dict) -> None:
        tid, entity = int(record["id"]), ref_id(record.get("entity") or record.get("customer"))
        location, created_from = ref_id(record.get("location")), ref_id(record.get("createdFrom"))
        total = dec(record.get("total"))
        packages = record.get("package", {}).get("items", [])
        self.transactions.append(dict(
            id=tid, tranid=record.get("tranId"), trandate=date.fromisoformat(record["tranDate"][:10]),
            type=TRANSACTION_TYPE_CODES[record_type], status=record.get("status", {}).get("id"), entity=entity,
            externalid=record.get("externalId"), otherrefnum=record.get("otherRefNum"), memo=record.get("memo"),
            subsidiary=ref_id(record.get("subsidiary")), currency=ref_id(record.get("currency")), location=location,
            foreigntotal=total, shippingcost=dec(record.get("shippingCost")),
            handlingcost=dec(record.get("handlingCost")), taxtotal=dec(record.get("taxTotal")),
            foreignamountpaid=dec(record.get("amountPaid")),
            foreignamountremaining=dec(record.get("amountRemaining")),
            posting=flag(_posts(record_type, record)),
            **{"class": ref_id(record.get("class"))}, department=ref_id(record.get("department")),
            shipmethod=ref_id(record.get("shipMethod")),
            trackingnumberlist=",".join(p["packageTrackingNumber"] for p in packages
                                        if p.get("packageTrackingNumber")) or None,
            createddate=timestamp(record.get("createdDate")),
            lastmodifieddate=timestamp(record.get("lastModifiedDate")),
            **{k: custom_text(v) for k, v in record.items() if k.startswith("custbody_")}))
        mainline = dict(transaction=tid, id=0, linesequencenumber=0, mainline="T", taxline="F", entity=entity,
                        location=location, isclosed="F", createdfrom=created_from, memo=record.get("memo"))
        if record_type in ("salesOrder", "cashSale", "invoice", "creditMemo", "cashRefund"):
            self._sales(record_type, record, tid, mainline)
        elif record_type == "itemFulfillment":
            self._fulfillment(record, tid, mainline)
        elif record_type == "customerPayment":
            self._payment(record, tid, mainline)
        elif record_type == "journalEntry":
            self._journal(record, tid, mainline)
        elif record_type == "customerRefund":
            self._refund(record, tid, mainline)
        elif record_type == "inventoryAdjustment":
            self._adjustment(record, tid, mainline)
        elif record_type == "returnAuthorization":
            self._return_authorization(record, tid, mainline)
        elif record_type == "itemReceipt":
            self._receipt(record, tid, mainline)
        else:
            self._deposit(record, tid, mainline)

    def _line(self, tid: int, mainline: dict, line: dict, **values: object) -> dict:
        row = dict(transaction=tid, id=line["line"], linesequencenumber=line["line"], mainline="F", taxline="F",
                   entity=ref_id(line.get("entity")) or mainline["entity"], createdfrom=mainline["createdfrom"],
                   location=ref_id(line.get("location")) or mainline["location"], isclosed=flag(line.get("isClosed")),
                   memo=line.get("memo"), department=ref_id(line.get("department")),
                   **{"class": ref_id(line.get("class"))}, **values)
        self.lines.append(row)
        return row

    def _sales(self, record_type: str, record: dict, tid: int, mainline: dict) -> None:
        # income side: a sale credits it, a credit memo or cash refund debits it
        sign = Decimal(1) if record_type in ("creditMemo", "cashRefund") else Decimal(-1)
        total = dec(record.get("total")) or ZERO
        self.lines.append({**mainline, "netamount": -sign * total})
        for line in record["item"]["items"]:
            item_id = ref_id(line.get("item"))
            found = self.store.find(item_id or 0)
            self._line(tid, mainline, line, item=item_id, itemtype=ITEM_TYPE_CODES.get(found[0]) if found else None,
                       quantity=sign * dec(line.get("quantity", 0), Decimal("0.0001")), rate=dec(line.get("rate")),
                       netamount=sign * dec(line.get("amount", 0)),
                       quantityshiprecv=dec(line.get("quantityFulfilled"), Decimal("0.0001")),
                       quantitybilled=dec(line.get("quantityBilled"), Decimal("0.0001")))
            if line.get("orderLine") is not None and mainline["createdfrom"]:
                self.links.append(dict(previousdoc=mainline["createdfrom"], previousline=int(line["orderLine"]),
                                       nextdoc=tid, nextline=line["line"], linktype="OrdBill",
                                       foreignamount=dec(line.get("amount"))))
        if record_type == "salesOrder":
            return
        receivable = self.account_of[RECEIVABLES]
        if record_type in ("cashSale", "cashRefund"):
            receivable = (ref_id(record.get("account")) if record.get("undepFunds") is False
                          else self.account_of[UNDEPOSITED_FUNDS])
        self.post(tid, 0, receivable, -sign * total)
        for line in record["item"]["items"]:
            if not line.get("isClosed"):
                self.post(tid, line["line"], self.item_income_account(line), sign * money(line.get("amount", 0)))
        freight = money(record.get("shippingCost") or 0) + money(record.get("handlingCost") or 0)
        self.post(tid, 0, self.account_of[SHIPPING_INCOME], sign * freight)
        for tax in record.get(TAX_DETAILS, {}).get("items", []):
            # SuiteTax: each tax line to its tax type's payables account
            self.post(tid, 0, payables_account(self.store, tax) or self.account_of[TAX_PAYABLE],
                      sign * money(tax["taxAmount"]))
        if record_type == "cashSale" and not mainline["createdfrom"]:
            # A stand-alone cash sale ships its items itself (inventory_rows counts it as shipped).
            self.cost_of_goods(tid, record["item"]["items"])
        if record_type in ("creditMemo", "cashRefund"):
            # Inventory items on a credit memo or cash refund go back into stock (inventory_rows adds them).
            self.cost_of_goods(tid, record["item"]["items"], sign=Decimal(-1))
        self._applied(record, tid)

    def _applied(self, record: dict, tid: int) -> None:
        for line in record.get("apply", {}).get("items", []):
            self.links.append(dict(previousdoc=ref_id(line.get("doc")), previousline=0, nextdoc=tid, nextline=0,
                                   linktype="Payment", foreignamount=dec(line.get("amount"))))

    def _fulfillment(self, record: dict, tid: int, mainline: dict) -> None:
        self.lines.append({**mainline, "netamount": None})
        for line in record["item"]["items"]:
            item_id = ref_id(line.get("item"))
            found = self.store.find(item_id or 0)
            self._line(tid, mainline, line, item=item_id, itemtype=ITEM_TYPE_CODES.get(found[0]) if found else None,
                       quantity=-dec(line.get("quantity", 0), Decimal("0.0001")))
            self.links.append(dict(previousdoc=mainline["createdfrom"], previousline=int(line["orderLine"]),
                                   nextdoc=tid, nextline=line["line"], linktype="ShipRcpt", foreignamount=None))
        if _posts("itemFulfillment", record):
            self.cost_of_goods(tid, record["item"]["items"])

    def _return_authorization(self, record: dict, tid: int, mainline: dict) -> None:
        """Non-posting: lines only, units coming back as positive quantities (a sale's are negative)."""
        self.lines.append({**mainline, "netamount": dec(record.get("total"))})
        for line in record["item"]["items"]:
            item_id = ref_id(line.get("item"))
            found = self.store.find(item_id or 0)
            self._line(tid, mainline, line, item=item_id, itemtype=ITEM_TYPE_CODES.get(found[0]) if found else None,
                       quantity=dec(line.get("quantity", 0), Decimal("0.0001")), rate=dec(line.get("rate")),
                       netamount=dec(line.get("amount", 0)),
                       quantityshiprecv=dec(line.get("quantityReceived"), Decimal("0.0001")))
            if line.get("orderLine") is not None and mainline["createdfrom"]:
                self.links.append(dict(previousdoc=mainline["createdfrom"], previousline=int(line["orderLine"]),
                                       nextdoc=tid, nextline=line["line"], linktype="RtnAuth", foreignamount=None))

    def _receipt(self, record: dict, tid: int, mainline: dict) -> None:
        """Units back in stock at each line's location; Inventory Asset debited and COGS credited at the item's
        cost, as a fulfillment posts the other way."""
        self.lines.append({**mainline, "netamount": None})
        for line in record["item"]["items"]:
            item_id = ref_id(line.get("item"))
            found = self.store.find(item_id or 0)
            self._line(tid, mainline, line, item=item_id, itemtype=ITEM_TYPE_CODES.get(found[0]) if found else None,
                       quantity=dec(line.get("quantity", 0), Decimal("0.0001")))
            self.links.append(dict(previousdoc=mainline["createdfrom"], previousline=int(line["orderLine"]),
                                   nextdoc=tid, nextline=line["line"], linktype="ShipRcpt", foreignamount=None))
        self.cost_of_goods(tid, record["item"]["items"], sign=Decimal(-1))

    def _payment(self, record: dict, tid: int, mainline: dict) -> None:
        amount = dec(record.get("payment")) or ZERO
        into = (ref_id(record.get("account")) if record.get("undepFunds") is False
                else self.account_of[UNDEPOSITED_FUNDS])
        self.lines.append({**mainline, "netamount": amount, "account": into})
        self.post(tid, 0, into, amount)
        self.post(tid, 0, self.account_of[RECEIVABLES], -amount)
        self._applied(record, tid)

    def _refund(self, record: dict, tid: int, mainline: dict) -> None:
        """A/R debited (the credit memos' credit used up), the bank account credited."""
        amount, bank = dec(record.get("total")) or ZERO, ref_id(record.get("account"))
        self.lines.append({**mainline, "netamount": -amount, "account": bank})
        self.post(tid, 0, self.account_of[RECEIVABLES], amount)
        self.post(tid, 0, bank, -amount)
        self._applied(record, tid)

    def _adjustment(self, record: dict, tid: int, mainline: dict) -> None:
        """Each line's value (quantity × unit cost) into or out of the item's asset account, against the
        adjustment account."""
        self.lines.append({**mainline, "netamount": None})
        for line in record["inventory"]["items"]:
            item = self.store.get("inventoryItem", ref_id(line.get("item")) or 0) or {}
            value = (money(line["adjustQtyBy"]) * money(line["unitCost"])).quantize(CENT)
            self._line(tid, mainline, line, item=ref_id(line.get("item")), itemtype="InvtPart",
                       quantity=dec(line["adjustQtyBy"], Decimal("0.0001")), rate=dec(line["unitCost"]),
                       netamount=value)
            self.post(tid, line["line"], ref_id(item.get("assetAccount")) or self.account_of[INVENTORY_ASSET], value)
            self.post(tid, line["line"], ref_id(record.get("account")), -value)

    def _journal(self, record: dict, tid: int, mainline: dict) -> None:
        self.lines.append({**mainline, "netamount": None})
        for line in record["line"]["items"]:
            debit, credit = dec(line.get("debit")), dec(line.get("credit"))
            signed = (debit or ZERO) - (credit or ZERO)
            self._line(tid, mainline, line, account=ref_id(line.get("account")), debitforeignamount=debit,
                       creditforeignamount=credit, netamount=signed)
            if record.get("approved", True):
                self.post(tid, line["line"], ref_id(line.get("account")), signed)

    def _deposit(self, record: dict, tid: int, mainline: dict) -> None:
        bank, total = ref_id(record.get("account")), dec(record.get("total")) or ZERO
        self.lines.append({**mainline, "netamount": total, "account": bank, "debitforeignamount": total})
        self.post(tid, 0, bank, total)
        number = 0
        for name, sign in (("payment", -1), ("other", -1), ("cashback", 1)):
            for line in record.get(name, {}).get("items", []):
                number += 1
                amount = dec(line.get("paymentAmount") if name == "payment" else line.get("amount")) or ZERO
                account = self.account_of[UNDEPOSITED_FUNDS] if name == "payment" else ref_id(line.get("account"))
                self._line(tid, mainline, {**line, "line": number}, account=account, netamount=sign * amount,
                           debitforeignamount=amount if sign > 0 else None,
                           creditforeignamount=amount if sign < 0 else None)
                self.post(tid, number, account, sign * amount)
                if name == "payment":
                    self.links.append(dict(previousdoc=ref_id(line.get("id")), previousline=0, nextdoc=tid,
                                           nextline=number, linktype="Deposit", foreignamount=amount))


def transaction_rows(store: RecordStore) -> dict[str, list[dict]]:
    rows = _Rows(store)
    for record_type in TRANSACTION_TYPE_CODES:
        for record in store.all(record_type):
            rows.add(record_type, record)
    return {"transaction": rows.transactions, "transactionline": rows.lines,
            "transactionaccountingline": rows.accounting, "previoustransactionlinelink": rows.links}


def package_rows(store: RecordStore) -> dict[str, list[dict]]:
    """Item fulfillments' packages (`itemfulfillmentpackage`, one row per line of the `package` sublist) and their
    tracking numbers as `trackingnumber` (one row per number) mapped to the fulfillment by `trackingnumbermap`."""
    packages, numbers, links = [], [], []
    for record in store.all("itemFulfillment"):
        tid = int(record["id"])
        for index, package in enumerate(record.get("package", {}).get("items", []), start=1):
            tracking = package.get("packageTrackingNumber") or None
            packages.append(dict(itemfulfillment=tid, id=index, packagetrackingnumber=tracking,
                                 packageweight=dec(package.get("packageWeight"), Decimal("0.0001")),
                                 packagedescr=package.get("packageDescr"),
                                 lastmodifieddate=timestamp(record.get("lastModifiedDate"))))
            if tracking:
                numbers.append(dict(id=len(numbers) + 1, trackingnumber=tracking))
                links.append(dict(transaction=tid, trackingnumber=len(numbers)))
    return {"itemfulfillmentpackage": packages, "trackingnumber": numbers, "trackingnumbermap": links}


def _members(store: RecordStore, item_id: int | None) -> list[tuple[int, Decimal]]:
    """A kit's member items and quantities per kit; an inventory item is its own single member."""
    kit = store.get("kitItem", item_id or 0)
    if kit is None:
        return [(item_id, Decimal(1))] if item_id else []
    return [(ref_id(m["item"]), money(m.get("quantity", 1))) for m in kit.get("member", {}).get("items", [])]


def _stock_members(store: RecordStore, item_id: int | None) -> list[tuple[int, Decimal]]:
    """The inventory items a line moves (a kit's members, an inventory item itself); discounts and charges none."""
    return [(member, per_kit) for member, per_kit in _members(store, item_id)
            if store.get("inventoryItem", member or 0) is not None]


def inventory_rows(store: RecordStore) -> list[dict]:
    """Stock per item × location: the seeded on-hand less what shipped (fulfillments, stand-alone cash sales), plus
    what credit memos, cash refunds and return receipts took back and inventory adjustments; open order lines commit what is on hand
    and back-order the rest. `lastquantityavailablechange` is the last change of the newest record that moved or
    committed the item there (NULL while only the seed has)."""
    on_hand: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    changed: dict[tuple[int, int], datetime] = {}
    levels: dict[tuple[int, int], dict] = {}

    def touch(key: tuple[int, int], record: dict) -> None:
        stamp = timestamp(record.get("lastModifiedDate"))
        if stamp is not None and (key not in changed or changed[key] < stamp):
            changed[key] = stamp

    for item in store.all("inventoryItem"):
        for row in item.get("locations", {}).get("items", []):
            key = (int(item["id"]), ref_id(row.get("location")))
            on_hand[key] += money(row.get("quantityOnHand") or 0)
            levels[key] = row
    for adjustment in store.all("inventoryAdjustment"):
        for line in adjustment["inventory"]["items"]:
            key = (ref_id(line.get("item")), ref_id(line.get("location")))
            on_hand[key] += money(line["adjustQtyBy"])
            touch(key, adjustment)
    shipped = [(f, f["item"]["items"]) for f in store.all("itemFulfillment")]
    shipped += [(s, s["item"]["items"]) for s in store.all("cashSale") if not s.get("createdFrom")]
    # Units a credit memo or cash refund takes back (its inventory and kit lines; other lines move no stock).
    returned = [(r, [line for line in r["item"]["items"] if not line.get("isClosed")])
                for t in ("creditMemo", "cashRefund", "itemReceipt") for r in store.all(t)]
    for sign, moved in ((-1, shipped), (1, returned)):
        for record, lines in moved:
            for line in lines:
                location = ref_id(line.get("location")) or ref_id(record.get("location"))
                for member, per_kit in _stock_members(store, ref_id(line.get("item"))):
                    on_hand[(member, location)] += sign * money(line.get("quantity", 0)) * per_kit
                    touch((member, location), record)
    demand: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for order in store.all("salesOrder"):
        # Every order counts for the watermark: closing or cancelling one releases what it committed.
        committing = order.get("status", {}).get("id") not in ("A", "C", "H", "G")
        for line in order["item"]["items"]:
            location = ref_id(line.get("location")) or ref_id(order.get("location"))
            left = money(line.get("quantity", 0)) - money(line.get("quantityFulfilled", 0))
            for member, per_kit in _stock_members(store, ref_id(line.get("item"))):
                touch((member, location), order)
                if committing and not line.get("isClosed") and left > 0:
                    demand[(member, location)] += left * per_kit
    rows = []
    for item, location in sorted(set(on_hand) | set(demand) | set(changed), key=lambda k: (k[0] or 0, k[1] or 0)):
        here = on_hand[(item, location)]
        committed = min(demand[(item, location)], max(here, ZERO))
        level = levels.get((item, location), {})
        rows.append(dict(item=item, location=location, quantityonhand=here, quantitycommitted=committed,
                         quantityavailable=max(here - committed, ZERO),
                         quantitybackordered=demand[(item, location)] - committed, quantityonorder=ZERO,
                         quantityintransit=ZERO, preferredstocklevel=dec(level.get("preferredStockLevel")),
                         reorderpoint=dec(level.get("reorderPoint")),
                         lastquantityavailablechange=changed.get((item, location))))
    return rows


def kit_member_rows(store: RecordStore) -> list[dict]:
    """One row per kit member: `kititemmember` and `itemmember` (netsuite-facts: which one an account exposes is
    not verified, so the sandbox has both)."""
    return [dict(parentitem=int(kit["id"]), item=ref_id(member.get("item")), quantity=dec(member.get("quantity", 1),
                 Decimal("0.0001")), linenumber=int(member.get("lineNumber") or number))
            for kit in store.all("kitItem")
            for number, member in enumerate(kit.get("member", {}).get("items", []), 1)]


def pricing_rows(store: RecordStore) -> list[dict]:
    """The pricing matrix of every item: one row per item × price level × currency × quantity break."""
    return [dict(item=int(item["id"]), pricelevel=ref_id(line.get("priceLevel")),
                 currency=ref_id(line.get("currencyPage")), quantity=dec((line.get("quantity") or {}).get("value", 0),
                                                                         Decimal("0.0001")),
                 unitprice=dec(line.get("price")))
            for record_type in ITEM_TYPE_CODES for item in store.all(record_type)
            for line in item.get("price", {}).get("items", [])]


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def price_change_rows(store: RecordStore) -> list[dict]:
    """The price-change custom record as SuiteQL shows custom record fields: lower-case script ids, references by
    internal id."""
    return [dict(id=int(r["id"]), name=r.get("name"), externalid=r.get("externalId"),
                 isinactive=flag(r.get("isInactive")), custrecord_apc_item=ref_id(r.get("custrecord_apc_item")),
                 custrecord_apc_price_level=ref_id(r.get("custrecord_apc_price_level")),
                 custrecord_apc_currency=ref_id(r.get("custrecord_apc_currency")),
                 custrecord_apc_price=dec(r.get("custrecord_apc_price")),
                 custrecord_apc_start_date=_date(r.get("custrecord_apc_start_date")),
                 custrecord_apc_end_date=_date(r.get("custrecord_apc_end_date")),
                 custrecord_apc_memo=r.get("custrecord_apc_memo"), created=timestamp(r.get("createdDate")),
                 lastmodified=timestamp(r.get("lastModifiedDate")))
            for r in store.all(PRICE_CHANGE)]
