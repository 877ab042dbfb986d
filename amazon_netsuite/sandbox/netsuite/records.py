"""Creating and changing records the way NetSuite does: reference checks, number checks, sublist merging, and the
derived fields each record type fills in (see transactions.py, which composes sales.py, fulfillment.py, payments.py
and journals.py). Plain Python over a RecordStore; raises RecordError for what NetSuite refuses. Amounts are Decimal
throughout, never float.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from amazon_netsuite.sandbox.netsuite.errors import RecordError
from amazon_netsuite.sandbox.netsuite.record_parts import (
    SUBLISTS,
    finish_sublist,
    merge_lines,
    money,
    ref_id,
    require,
    user_error,
)
from amazon_netsuite.sandbox.netsuite.store import (
    EXTERNAL_ID,
    ITEM_TYPES,
    PRICE_CHANGE,
    TRANSACTION_TYPES,
    RecordStore,
)
from amazon_netsuite.sandbox.netsuite.transactions import finish_transaction

ACCOUNT_TYPES = frozenset({
    "Bank", "AcctRec", "OthCurrAsset", "FixedAsset", "OthAsset", "AcctPay", "CredCard", "OthCurrLiab",
    "LongTermLiab", "Equity", "Income", "COGS", "Expense", "OthIncome", "OthExpense", "NonPosting",
    "DeferRevenue", "DeferExpense", "UnbilledRec", "Stat",
})

# Body-level reference fields and the record types they may point to (`parent` points at the record's own type).
HEADER_REFERENCES: dict[str, tuple[str, ...]] = {
    "entity": ("customer",),
    "customer": ("customer",),
    "subsidiary": ("subsidiary",),
    "location": ("location",),
    "currency": ("currency",),
    "account": ("account",),
    "class": ("classification",),
    "department": ("department",),
    "createdFrom": TRANSACTION_TYPES,
    "incomeAccount": ("account",),
    "adjLocation": ("location",),
    "taxType": ("taxType",),
    "payablesAccount": ("account",),
    "shipMethod": ("shipItem",),
    # the price-change custom record's list/record fields
    "custrecord_apc_item": ITEM_TYPES,
    "custrecord_apc_price_level": ("priceLevel",),
    "custrecord_apc_currency": ("currency",),
}
_HEADER_NUMBERS = ("shippingCost", "handlingCost", "exchangeRate", "payment", "discountPct", "custrecord_apc_price")
_DATES = ("tranDate", "shippedDate", "custrecord_apc_start_date", "custrecord_apc_end_date")
# Fields NetSuite computes; a body may carry them (a record read back and re-sent) but they are ignored.
READ_ONLY = frozenset({"id", "links", "total", "status", "amountPaid", "amountRemaining", "applied", "unapplied",
                       "createdDate", "lastModifiedDate"})


_ALIASES = {"deposit": {"cashBack": "cashback"}}  # NetSuite's REST name is `cashback`; accept the camel-cased one


def parse_number(value: object, path: str) -> Decimal:
    """A JSON number or numeric string as an exact Decimal; 400 USER_ERROR at `path` for anything else."""
    try:
        if isinstance(value, (bool, float)) or value is None:
            raise InvalidOperation
        number = money(value)
        if not number.is_finite():
            raise InvalidOperation
    except (ArithmeticError, ValueError):
        raise RecordError(400, "USER_ERROR", f"Invalid number {value!r}.", path) from None
    return number


def check_external_id(external_id: str) -> None:
    if not EXTERNAL_ID.fullmatch(external_id):
        raise RecordError(400, "USER_ERROR",
                          f"Invalid external ID '{external_id}': use letters, digits, '_' and '-' only.",
                          "externalId")


def _ref_name(record: dict) -> str:
    for name in ("entityId", "itemId", "acctName", "tranId", "name", "symbol"):
        if record.get(name):
            return str(record[name])
    return str(record["id"])


def resolve(store: RecordStore, ref: object, targets: tuple[str, ...], field_name: str, path: str) -> dict:
    """`ref` ({"id": ...} or {"externalId": ...}) as NetSuite stores it, {"id", "refName"}; raises
    INVALID_KEY_OR_REF when it names no record of the target types."""
    if isinstance(ref, dict):
        for target in targets:
            if "id" in ref:
                record_id = int(ref["id"]) if str(ref["id"]).isdigit() else None
            else:
                record_id = store.id_for(target, str(ref.get("externalId")))
            record = store.get(target, record_id) if record_id is not None else None
            if record is not None:
                return {"id": record["id"], "refName": _ref_name(record)}
    key = ref.get("id", ref.get("externalId")) if isinstance(ref, dict) else ref
    name = {"entity": "customer", "createdFrom": "transaction", "doc": "transaction"}.get(field_name, field_name)
    raise RecordError(400, "INVALID_KEY_OR_REF", f"Invalid {name} reference key {key}.", path)


def _resolve_field(store: RecordStore, value: object, targets: tuple[str, ...], name: str, path: str) -> object:
    if isinstance(value, dict) and "items" in value and "id" not in value and "externalId" not in value:
        # A multi-select ({"items": [refs]}), e.g. the subsidiaries an item or account is available to.
        return {"items": [resolve(store, ref, targets, name, f"{path}.items[{n}]")
                          for n, ref in enumerate(value.get("items") or [])]}
    return resolve(store, value, targets, name, path)


def _sublist_lines(body: dict, name: str) -> list | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("items", []), list):
        raise RecordError(400, "USER_ERROR", f"{name} must be an object with an items array.", name)
    if not all(isinstance(line, dict) for line in value.get("items", [])):
        raise RecordError(400, "USER_ERROR", f"Every line of {name} must be an object.", f"{name}.items")
    return value.get("items", [])


def validate(store: RecordStore, record_type: str, body: dict) -> None:
    """Reference, number and date checks of a request body. Rewrites references to `{"id", "refName"}` and
    numbers to Decimal, as NetSuite stores them."""
    for alias, name in _ALIASES.get(record_type, {}).items():
        if alias in body:
            body[name] = body.pop(alias)
    if "externalId" in body:
        check_external_id(str(body["externalId"]))
    for name, targets in HEADER_REFERENCES.items():
        if body.get(name) is not None:
            body[name] = _resolve_field(store, body[name], targets, name, name)
    if body.get("parent") is not None:
        body["parent"] = resolve(store, body["parent"], (record_type,), "parent", "parent")
    for name in _HEADER_NUMBERS:
        if body.get(name) is not None and name not in SUBLISTS.get(record_type, {}):
            body[name] = parse_number(body[name], name)
    for name in _DATES:
        if body.get(name) is not None:
            try:
                date.fromisoformat(str(body[name])[:10])
            except ValueError:
                raise RecordError(400, "USER_ERROR", f"Invalid date value {body[name]!r} (use YYYY-MM-DD).",
                                  name) from None
    for name, sublist in SUBLISTS.get(record_type, {}).items():
        for index, line in enumerate(_sublist_lines(body, name) or []):
            where = f"{name}.items[{index}]"
            for ref_name, targets in sublist.references.items():
                if line.get(ref_name) is not None:
                    line[ref_name] = resolve(store, line[ref_name], targets, ref_name, f"{where}.{ref_name}")
            for number in sublist.numbers:
                if line.get(number) is not None:
                    line[number] = parse_number(line[number], f"{where}.{number}")
            if name == "price":
                _price_line(store, line, where)


def in_currency(store: RecordStore, currency: object, amount: Decimal) -> Decimal:
    """`amount` rounded to the currency's precision (JPY: whole yen). NetSuite's rounding here is not verified."""
    record = store.get("currency", ref_id(currency) or 0) or {}
    places = int(record.get("currencyPrecision", 2))
    return amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _price_line(store: RecordStore, line: dict, where: str) -> None:
    """A pricing matrix line as stored: quantity `{"value": n}` (0 = the list price), the price in the currency's
    precision, the level's name beside its reference."""
    quantity = line.get("quantity", {"value": 0})
    value = quantity.get("value", 0) if isinstance(quantity, dict) else quantity
    line["quantity"] = {"value": parse_number(value, f"{where}.quantity")}
    if line.get("priceLevel") is None or line.get("currencyPage") is None:
        raise user_error("Please enter value(s) for: Price Level, Currency", where)
    line["priceLevelName"] = line["priceLevel"]["refName"]
    if line.get("price") is not None:
        line["price"] = in_currency(store, line["currencyPage"], line["price"])


_MATRIX_TYPES = {"PARENT": "Parent Matrix Item", "CHILD": "Child Matrix Item"}


def _matrix_item(store: RecordStore, record: dict) -> None:
    """`matrixType` as a read shows it; a child's `parent` must be a matrix parent (INVALID_MATRIX_PARENT, as
    Oracle documents for SOAP: https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3705423.html).
    A child without a parent is accepted: no source says NetSuite refuses it (README "Product master")."""
    value = record["matrixType"]
    kind = str(value.get("id") if isinstance(value, dict) else value).upper()
    if kind not in _MATRIX_TYPES:
        raise user_error(f"Invalid matrixType {kind!r}: use PARENT or CHILD.", "matrixType")
    record["matrixType"] = {"id": kind, "refName": _MATRIX_TYPES[kind]}
    parent = store.get("inventoryItem", ref_id(record.get("parent")) or 0)
    if kind == "CHILD" and parent is not None and (parent.get("matrixType") or {}).get("id") != "PARENT":
        raise RecordError(400, "INVALID_MATRIX_PARENT", f"Item {parent.get('itemId')} is not a parent matrix item.",
                          "parent")


def _finish_list_record(store: RecordStore, record_type: str, record: dict) -> None:
    if record_type == "account":
        require(record, "acctName", "Name")
        require(record, "acctType", "Type")
        acct_type = record["acctType"].get("id") if isinstance(record["acctType"], dict) else record["acctType"]
        if acct_type not in ACCOUNT_TYPES:
            raise user_error(f"Invalid acctType {acct_type!r}.", "acctType")
        record["acctType"] = {"id": acct_type, "refName": acct_type}
    if record_type == "inventoryItem" and record.get("matrixType") is not None:
        _matrix_item(store, record)
    if record_type == "inventoryItem" and "locations" in record:
        finish_sublist(record, "locations")
    if "price" in record and record_type in ITEM_TYPES:
        finish_sublist(record, "price")
    if record_type == PRICE_CHANGE:
        for name, label in (("custrecord_apc_item", "Item"), ("custrecord_apc_price_level", "Price Level"),
                            ("custrecord_apc_currency", "Currency"), ("custrecord_apc_price", "Price"),
                            ("custrecord_apc_start_date", "Start Date")):
            require(record, name, label)
        record["custrecord_apc_price"] = in_currency(store, record["custrecord_apc_currency"],
                                                     record["custrecord_apc_price"])


def apply(store: RecordStore, record_type: str, current: dict | None, body: dict, *, record_id: int,
          replace: set[str] = frozenset(), now: datetime) -> dict:
    """The record after creating it from `body` (current None) or changing `current` by `body`; not stored.
    `body` becomes part of the record: pass one nothing else holds (a parsed request body)."""
    record = copy.deepcopy(current) if current else {}
    sublists = SUBLISTS.get(record_type, {})
    for name, value in body.items():
        if name in READ_ONLY:
            continue
        if name in sublists and isinstance(value, dict):
            record[name] = {"items": merge_lines(record.get(name, {}).get("items", []), value.get("items", []),
                                                 name in replace, sublists[name].key)}
        else:
            record[name] = value
    record["id"] = str(record_id)
    stamp = f"{now:%Y-%m-%dT%H:%M:%S}Z"
    record.setdefault("createdDate", stamp)
    record["lastModifiedDate"] = stamp
    if record_type in TRANSACTION_TYPES:
        finish_transaction(store, record_type, record, now.date(), creating=current is None)
    else:
        _finish_list_record(store, record_type, record)
    return record
