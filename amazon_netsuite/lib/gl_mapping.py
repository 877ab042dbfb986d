"""`data/gl_mapping.yaml`: which GL account each settlement line posts to, and applying it to a million lines.

Rules are ordered; the first whose (transaction-type, amount-type, amount-description) patterns all match a line
wins. A pattern is exact text, a glob (`*`, `?`, `[...]`) or a list of those, compared without case. A line no rule
matches is *unmapped*: it blocks its settlement unless `suspense_account` is set, in which case it maps there with
`suspense = true`. The file is validated strictly; every problem names the file, the place in it and the reason.

`map_lines` is set-based: the few hundred distinct (type, amount type, description) triples of a file are matched in
Python with the same `Rule.matches` a single line uses, and the result is spread back over the lines with Arrow
`take`, in their order.

The month-end accrual (`lib/accruals/`) maps Amazon's Finances API lines with the same rules, so it books the
accounts the settlement will. The same file names the accounts a settlement posts through
(`lib/settlements/posting.py`): the clearing account,
the bank account per currency, the facilitator-tax clearing account, the receivables account (kept for older files;
refunds post as their own records now),
the Amazon balance account a negative settlement leaves owed, the VAT and sales tax payable accounts summary mode books
tax to, whether a settlement spanning a month end posts in parts (`split_at_month_end`), and the subsidiary per
storefront or region. Whether a settlement posts as a summary journal or settles the order records is not here: it
follows order posting per storefront (`Settings.settlement_posting`), so revenue is booked once.
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from amazon_netsuite.lib.settings import PROJECT_ROOT, data_dir

POSTING_MODES = ("summary", "transactional")
SECTIONS = ("sales", "promotions", "refunds", "fees", "tax", "reimbursements", "reserves", "deposit", "other")
MAPPED_COLUMNS = ("gl_account", "netsuite_item", "mapping_rule", "suspense")
_GLOB = set("*?[")


class GlMappingError(ValueError):
    """A GL mapping file that cannot be used; the message names the file, the place in it and the reason."""


def gl_mapping_path() -> Path:
    """AMAZON_NETSUITE_GL_MAPPING, else `gl_mapping.yaml` in the data directory, else the project's default."""
    if os.environ.get("AMAZON_NETSUITE_GL_MAPPING"):
        return Path(os.environ["AMAZON_NETSUITE_GL_MAPPING"])
    local = data_dir() / "gl_mapping.yaml"
    return local if local.exists() else PROJECT_ROOT / "data" / "gl_mapping.yaml"


# --- the file ------------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Pattern = str | list[str]


class _Account(_Strict):
    name: str = Field(min_length=1)
    section: Literal["sales", "promotions", "refunds", "fees", "tax", "reimbursements", "reserves", "deposit", "other"]


class _Rule(_Strict):
    name: str | None = None
    transaction_type: Pattern = "*"
    amount_type: Pattern = "*"
    amount_description: Pattern = "*"
    account: str = Field(min_length=1)
    item: str | None = None


ExternalId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]


class _File(_Strict):
    version: Literal[1]
    suspense_account: str | None = None
    clearing_account: str = Field("ACCT-AMZ-CLEARING", min_length=1)
    deposit_accounts: dict[str, str] = Field(default_factory=dict)
    facilitator_tax_account: str = Field("ACCT-FACILITATOR-TAX-CLEARING", min_length=1)
    receivables_account: ExternalId = "ACCT-AR"
    amazon_balance_account: ExternalId = "ACCT-AMZ-BALANCE"
    vat_payable_account: ExternalId = "ACCT-SALES-TAX-PAYABLE"
    sales_tax_payable_account: ExternalId = "ACCT-SALES-TAX-PAYABLE"
    split_at_month_end: bool = True
    subsidiaries: dict[str, ExternalId] = Field(default_factory=dict)
    accounts: dict[str, _Account] = Field(min_length=1)
    rules: list[_Rule] = Field(min_length=1)


@dataclass(frozen=True)
class Rule:
    """One mapping rule; `index` is its position in the file's `rules` (0-based, as `rules.3` in messages)."""

    index: int
    name: str | None
    transaction_type: tuple[str, ...]
    amount_type: tuple[str, ...]
    amount_description: tuple[str, ...]
    account: str
    item: str | None

    def matches(self, transaction_type: str | None, amount_type: str | None, amount_description: str | None) -> bool:
        return (
            _any_match(self.transaction_type, transaction_type)
            and _any_match(self.amount_type, amount_type)
            and _any_match(self.amount_description, amount_description)
        )

    @property
    def label(self) -> str:
        return f"rules.{self.index}" + (f" ({self.name})" if self.name else "")


def _any_match(patterns: tuple[str, ...], value: str | None) -> bool:
    value = (value or "").casefold()
    return any(fnmatch.fnmatchcase(value, p) if _GLOB & set(p) else value == p for p in patterns)


@dataclass(frozen=True)
class Account:
    external_id: str
    name: str
    section: str


@dataclass(frozen=True)
class GlMapping:
    """The validated mapping file."""

    path: Path | None
    rules: tuple[Rule, ...]
    accounts: dict[str, Account]
    clearing_account: str
    deposit_accounts: dict[str, str]
    suspense_account: str | None = None
    facilitator_tax_account: str = "ACCT-FACILITATOR-TAX-CLEARING"
    receivables_account: str = "ACCT-AR"
    subsidiaries: dict[str, str] = field(default_factory=dict)
    amazon_balance_account: str = "ACCT-AMZ-BALANCE"
    vat_payable_account: str = "ACCT-SALES-TAX-PAYABLE"
    sales_tax_payable_account: str = "ACCT-SALES-TAX-PAYABLE"
    split_at_month_end: bool = True

    def rule_for(
        self, transaction_type: str | None, amount_type: str | None, amount_description: str | None
    ) -> Rule | None:
        """The first rule matching a line, or None (unmapped)."""
        return next((r for r in self.rules if r.matches(transaction_type, amount_type, amount_description)), None)

    def bank_account(self, currency: str) -> str:
        """The bank account Amazon pays a settlement in `currency` into (or debits): `deposit_accounts`, else
        ACCT-BANK-{currency}."""
        return self.deposit_accounts.get(currency.upper(), f"ACCT-BANK-{currency.upper()}")

    def subsidiary(self, storefront: str, region: str) -> str:
        """The NetSuite subsidiary a storefront's settlements post to: `subsidiaries` by storefront key, then by
        region, else SUB-{region}."""
        return self.subsidiaries.get(storefront) or self.subsidiaries.get(region) or f"SUB-{region}"

    @property
    def suspense_or_clearing(self) -> str:
        """Where money that has no better place waits for the accountant (unmatched orders, variances)."""
        return self.suspense_account or self.clearing_account

    @cached_property
    def sections(self) -> dict[str, str]:
        return {k: a.section for k, a in self.accounts.items()}


def load_gl_mapping(path: str | Path | None = None) -> GlMapping:
    """Read and validate a GL mapping file (default: `gl_mapping_path()`); problems raise GlMappingError."""
    path = Path(path) if path else gl_mapping_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GlMappingError(
            f"{path}: GL mapping file not found (set AMAZON_NETSUITE_GL_MAPPING or create it)"
        ) from None
    except yaml.YAMLError as exc:
        raise GlMappingError(f"{path}: not valid YAML: {exc}") from None
    return gl_mapping_from_dict(raw, path)


def gl_mapping_from_dict(raw: object, path: Path | None = None) -> GlMapping:
    """Validate a mapping given as data (what the YAML file holds)."""
    where = str(path) if path else "GL mapping"
    if not isinstance(raw, dict):
        raise GlMappingError(f"{where}: expected a mapping at the top level, found {type(raw).__name__}")
    if "posting_mode" in raw:
        raise GlMappingError(
            f"{where}: posting_mode: no longer read here. A settlement posts transactionally when the project posts "
            "its storefront's orders and as a summary journal when it does not, so revenue is booked once; set "
            "post_orders (or settlement_posting) per storefront in data/accounts.yaml and delete posting_mode "
            "from this file")
    try:
        model = _File.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{where}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()]
        raise GlMappingError("invalid GL mapping\n" + "\n".join(problems)) from None

    problems: list[str] = []

    def known(account: str | None, place: str) -> None:
        if account is not None and account not in model.accounts:
            problems.append(f"{where}: {place}: account {account!r} is not declared under `accounts`")

    known(model.suspense_account, "suspense_account")
    known(model.clearing_account, "clearing_account")
    # The posting options' defaults are the agreed chart; an account the file names itself must be declared.
    for option in ("facilitator_tax_account", "amazon_balance_account", "vat_payable_account",
                   "sales_tax_payable_account"):
        if option in model.model_fields_set:
            known(getattr(model, option), option)
    for currency, account in model.deposit_accounts.items():
        if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
            problems.append(f"{where}: deposit_accounts.{currency}: not a currency code (like USD)")
        known(account, f"deposit_accounts.{currency}")

    rules: list[Rule] = []
    seen: dict[tuple, int] = {}
    for i, r in enumerate(model.rules):
        place = f"rules.{i}" + (f" ({r.name})" if r.name else "")
        known(r.account, f"{place}.account")
        patterns = {}
        for field_name in ("transaction_type", "amount_type", "amount_description"):
            value = getattr(r, field_name)
            values = [value] if isinstance(value, str) else value
            if not values or any(not isinstance(v, str) or not v.strip() for v in values):
                problems.append(f"{where}: {place}.{field_name}: patterns must be non-empty text")
            patterns[field_name] = tuple(v.strip().casefold() for v in values)
        key = tuple(patterns.values())
        if key in seen:
            problems.append(f"{where}: {place}: same patterns as rules.{seen[key]}, so it can never match")
        seen.setdefault(key, i)
        rules.append(Rule(index=i, name=r.name, account=r.account, item=r.item, **patterns))
    if problems:
        raise GlMappingError("invalid GL mapping\n" + "\n".join(problems))
    return GlMapping(
        path=path,
        rules=tuple(rules),
        accounts={k: Account(k, a.name, a.section) for k, a in model.accounts.items()},
        clearing_account=model.clearing_account,
        deposit_accounts=dict(model.deposit_accounts),
        suspense_account=model.suspense_account,
        facilitator_tax_account=model.facilitator_tax_account,
        receivables_account=model.receivables_account,
        subsidiaries=dict(model.subsidiaries),
        amazon_balance_account=model.amazon_balance_account,
        vat_payable_account=model.vat_payable_account,
        sales_tax_payable_account=model.sales_tax_payable_account,
        split_at_month_end=model.split_at_month_end,
    )


def rule_to_add(transaction_type: str | None, amount_type: str | None, amount_description: str | None) -> str:
    """The rule that maps exactly this line, as one YAML line to paste under `rules:`; the account is left for the
    accountant to choose (ACCT-CHOOSE is not declared, so the file is refused until it is replaced)."""
    fields = {"transaction_type": transaction_type, "amount_type": amount_type,
              "amount_description": amount_description}
    # Glob characters in Amazon's text are matched literally ([*] is a literal *); a blank field is left out (`*`).
    literal = {k: "".join(f"[{c}]" if c in _GLOB else c for c in v.strip()) for k, v in fields.items()
               if v and v.strip()}
    name = amount_description or amount_type or transaction_type or "new line"
    return "- {" + ", ".join(
        [f"name: {json.dumps(name, ensure_ascii=False)}",
         *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in literal.items()), "account: ACCT-CHOOSE"]
    ) + "}"


# --- applying it -----------------------------------------------------------------------------------------------

_KEY_COLUMNS = ("transaction_type", "amount_type", "amount_description")
_SEPARATOR = "\x1f"  # never in a settlement field (the file is tab-separated text)


def map_lines(lines: pa.Table | duckdb.DuckDBPyRelation, mapping: GlMapping) -> pa.Table:
    """The lines with `gl_account`, `netsuite_item`, `mapping_rule` (index, NULL when unmapped) and `suspense`
    appended, in the lines' order. Unmapped lines have a NULL `gl_account` unless a suspense account is set."""
    if isinstance(lines, duckdb.DuckDBPyRelation):
        lines = lines.to_arrow_table()
    keys = pc.binary_join_element_wise(
        *(pc.fill_null(lines.column(c), "") for c in _KEY_COLUMNS), _SEPARATOR
    )
    encoded = pc.dictionary_encode(keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys)
    accounts, items, indexes, suspense = [], [], [], []
    for key in encoded.dictionary.to_pylist():
        rule = mapping.rule_for(*key.split(_SEPARATOR))
        if rule is not None:
            accounts.append(rule.account)
            items.append(rule.item)
            indexes.append(rule.index)
            suspense.append(False)
        else:
            accounts.append(mapping.suspense_account)
            items.append(None)
            indexes.append(None)
            suspense.append(mapping.suspense_account is not None)
    indices = encoded.indices
    for name, values, kind in (
        ("gl_account", accounts, pa.string()),
        ("netsuite_item", items, pa.string()),
        ("mapping_rule", indexes, pa.int32()),
        ("suspense", suspense, pa.bool_()),
    ):
        lines = lines.append_column(name, pc.take(pa.array(values, kind), indices))
    return lines


def unmapped_lines(mapped: pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Distinct (transaction_type, amount_type, amount_description) no rule maps, with their line count, the first
    line number and whether they went to suspense; sorted by description."""
    own = con is None
    con = duckdb.connect() if own else con
    try:
        con.register("mapped", mapped)
        return con.sql(
            """
            SELECT settlement_id, transaction_type, amount_type, amount_description,
                   CAST(count(*) AS INTEGER) AS line_count, min(line_number) AS first_line,
                   bool_or(suspense) AS suspense
            FROM mapped WHERE mapping_rule IS NULL
            GROUP BY ALL ORDER BY settlement_id, amount_description NULLS FIRST, transaction_type, amount_type
            """
        ).to_arrow_table()
    finally:
        if own:
            con.close()
        else:
            con.unregister("mapped")
