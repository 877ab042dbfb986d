"""The `q` filter of record collections (`GET /record/v1/{type}?q=...`)
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545222128.html):
`<field> <OPERATOR> <value>` joined by AND / OR with parentheses, e.g. `externalId IS "AMZ-1"`,
`tranDate ON_OR_AFTER "11/1/2026"`, `id ANY_OF [1, 2]`, `email EMPTY`. Every operator has a `_NOT` form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from amazon_netsuite.sandbox.netsuite.errors import RecordError

_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[()\[\],])|(?P<word>[^\s()\[\],"]+))')
Predicate = Callable[[dict], bool]
# Body fields a record may simply not carry yet; any other name must appear on some record of the type.
_COMMON_FIELDS = frozenset({
    "id", "externalid", "createddate", "lastmodifieddate", "isinactive", "name", "memo", "email", "trandate",
    "tranid", "otherrefnum", "status", "entity", "customer", "subsidiary", "currency", "location", "class",
    "department", "total", "createdfrom", "companyname", "entityid", "itemid", "displayname",
})


def _invalid(reason: str) -> RecordError:
    return RecordError(400, "INVALID_PARAMETER", f"Invalid search query. {reason}")


def _tokens(q: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    while at < len(q.rstrip()):
        match = _TOKEN.match(q, at)
        if match is None or match.end() == at:
            raise _invalid(f"Unexpected text at position {at}: {q[at:at + 20]!r}.")
        kind = match.lastgroup
        text = match.group(kind)
        tokens.append((kind, text[1:-1].replace('\\"', '"') if kind == "string" else text))
        at = match.end()
    return tokens


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _as_date(value: object) -> date | None:
    text = str(value or "").strip()
    for parse in (lambda t: datetime.strptime(t, "%m/%d/%Y").date(), lambda t: date.fromisoformat(t[:10])):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _same(value: object, operand: str) -> bool:
    if isinstance(value, bool):
        return operand.lower() == str(value).lower()
    number, wanted = _as_decimal(value), _as_decimal(operand)
    if number is not None and wanted is not None and not isinstance(value, str):
        return number == wanted
    return str(value).lower() == operand.lower()


def _compare(value: object, operand: str) -> int | None:
    """-1/0/1 comparing numbers, or dates when the operand is a date; None when they do not compare."""
    left, right = _as_decimal(value), _as_decimal(operand)
    if left is None or right is None:
        left, right = _as_date(value), _as_date(operand)
    if left is None or right is None:
        return None
    return (left > right) - (left < right)


def _between(value: object, operands: list[str]) -> bool:
    low, high = _compare(value, operands[0]), _compare(value, operands[1])
    return low is not None and high is not None and low >= 0 and high <= 0


_OPERATORS: dict[str, tuple[int | None, Callable[[object, list[str]], bool]]] = {
    # name: (operands: 0, 1, 2, or None for a list; test)
    "EMPTY": (0, lambda v, o: v is None or v == ""),
    "IS": (1, lambda v, o: v is not None and _same(v, o[0])),
    "CONTAIN": (1, lambda v, o: v is not None and o[0].lower() in str(v).lower()),
    "START_WITH": (1, lambda v, o: v is not None and str(v).lower().startswith(o[0].lower())),
    "END_WITH": (1, lambda v, o: v is not None and str(v).lower().endswith(o[0].lower())),
    "EQUAL": (1, lambda v, o: _compare(v, o[0]) == 0),
    "GREATER": (1, lambda v, o: (_compare(v, o[0]) or 0) > 0),
    "GREATER_OR_EQUAL": (1, lambda v, o: _compare(v, o[0]) in (0, 1)),
    "LESS": (1, lambda v, o: (_compare(v, o[0]) or 0) < 0),
    "LESS_OR_EQUAL": (1, lambda v, o: _compare(v, o[0]) in (0, -1)),
    "AFTER": (1, lambda v, o: (_compare(_as_date(v), o[0]) or 0) > 0),
    "BEFORE": (1, lambda v, o: (_compare(_as_date(v), o[0]) or 0) < 0),
    "ON": (1, lambda v, o: _compare(_as_date(v), o[0]) == 0),
    "ON_OR_AFTER": (1, lambda v, o: _compare(_as_date(v), o[0]) in (0, 1)),
    "ON_OR_BEFORE": (1, lambda v, o: _compare(_as_date(v), o[0]) in (0, -1)),
    "ANY_OF": (None, lambda v, o: v is not None and any(_same(v, x) for x in o)),
    "BETWEEN": (2, _between),
    "WITHIN": (2, _between),
}


def field_value(record: dict, name: str) -> object:
    """A body field by case-insensitive name; a reference compares by its internal id."""
    for key, value in record.items():
        if key.lower() == name.lower():
            return value.get("id") if isinstance(value, dict) and "id" in value else value
    return None


class _Parser:
    def __init__(self, q: str, fields: set[str]) -> None:
        self.tokens, self.at, self.fields = _tokens(q), 0, fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1].upper() != expected):
            raise _invalid(f"Expected {expected or 'more'} at the end of the query." if token is None else
                           f"Expected {expected!r}, found {token[1]!r}.")
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.any_of()
        if self.peek() is not None:
            raise _invalid(f"Unexpected {self.peek()[1]!r}.")
        return predicate

    def any_of(self) -> Predicate:
        parts = [self.all_of()]
        while self.peek() and self.peek()[0] == "word" and self.peek()[1].upper() == "OR":
            self.take()
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def all_of(self) -> Predicate:
        parts = [self.condition()]
        while self.peek() and self.peek()[0] == "word" and self.peek()[1].upper() == "AND":
            self.take()
            parts.append(self.condition())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def condition(self) -> Predicate:
        if self.peek() and self.peek()[1] == "(":
            self.take("(")
            inner = self.any_of()
            self.take(")")
            return inner
        kind, name = self.take()
        if kind != "word":
            raise _invalid(f"Expected a field name, found {name!r}.")
        if self.fields and name.lower() not in self.fields:
            raise _invalid(f"Unknown field {name!r}.")
        _, operator = self.take()
        negate = operator.upper().endswith("_NOT")
        arity, test = _OPERATORS.get(operator.upper().removesuffix("_NOT"), (-1, None))
        if test is None:
            raise _invalid(f"Unknown operator {operator!r}.")
        operands = self.operands(arity)
        return lambda record: test(field_value(record, name), operands) != negate

    def operands(self, arity: int | None) -> list[str]:
        if arity == 0:
            return []
        if arity == 1:
            kind, value = self.take()
            if kind == "punct":
                raise _invalid(f"Expected a value, found {value!r}.")
            return [value]
        self.take("[")
        values = []
        while True:
            kind, value = self.take()
            if kind == "punct":
                raise _invalid(f"Expected a value, found {value!r}.")
            values.append(value)
            separator = self.take()[1]
            if separator == "]":
                break
            if separator != ",":
                raise _invalid(f"Expected ',' or ']', found {separator!r}.")
        if arity is not None and len(values) != arity:
            raise _invalid(f"Expected {arity} values in brackets, found {len(values)}.")
        return values


def record_filter(q: str, records: list[dict]) -> Predicate:
    """A predicate over records for `q`; INVALID_PARAMETER for a query NetSuite would refuse."""
    fields = {key.lower() for record in records for key in record}
    return _Parser(q, fields | _COMMON_FIELDS if records else set()).parse()
