"""How a settlement file writes its numbers and dates, decided once per file, and the SQL that reads them.

Amazon writes settlement amounts in the marketplace's local format (`95,00`, `1.234,56` on Amazon.de; `1,234.56` on
Amazon.com) and dates in several shapes (`2026-10-02`, `02.10.2026`, `10/02/26`, `2026-10-02 10:11:12 UTC`,
`2026-10-02T10:11:12+00:00`). A value alone can be ambiguous (`1,234`, `03/04/26`), so the format is decided for the
whole file, in this order:

1. **The file's own values.** A separator followed by one or two digits at the end of an amount can only be a
   decimal mark (`95,00`, `-0,50`, `1.234,56` → comma; `1234.56`, `1,234.56` → point). A slash date whose first
   part is over 12 is day-first; whose second part is over 12, month-first. The majority decides; values that do
   not fit the decided format are quarantined with the reason, never guessed. A tie goes on to the next rule.
2. **The marketplace** (the most common `marketplace-name`): Amazon.de/.fr/.it/.es/.nl/.se/.pl/.com.tr/.com.be/
   .com.br write decimal commas; European, UK, Indian, Australian and Latin-American marketplaces write day-first.
3. **The currency** of the totals row, the same way (EUR, SEK, PLN, TRY, BRL → comma).
4. Otherwise a decimal point and month-first slash dates (Amazon's documented `posted-date` is MM/DD/YY).

Dates without an offset are UTC (Amazon's `... UTC`); dates with one are converted to UTC. Two-digit years are
20xx. Amounts are exact DECIMAL(18,4): more than four decimal places is an error, not a rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from amazon_netsuite.lib.money import MINOR_UNITS
from amazon_netsuite.lib.warehouse.sql import sql_literal
from amazon_netsuite.lib.warehouse.tables import MONEY

DECIMAL_COMMA_MARKETPLACES = frozenset(
    {"amazon.de", "amazon.fr", "amazon.it", "amazon.es", "amazon.nl", "amazon.se", "amazon.pl", "amazon.com.tr",
     "amazon.com.be", "amazon.com.br"}
)
DAY_FIRST_MARKETPLACES = DECIMAL_COMMA_MARKETPLACES | {
    "amazon.co.uk", "amazon.ie", "amazon.com.au", "amazon.in", "amazon.ae", "amazon.sa", "amazon.sg", "amazon.eg",
    "amazon.com.mx",
}
DECIMAL_COMMA_CURRENCIES = frozenset({"EUR", "SEK", "PLN", "TRY", "BRL"})
DAY_FIRST_CURRENCIES = DECIMAL_COMMA_CURRENCIES | {"GBP", "AUD", "INR", "AED", "SAR", "SGD", "EGP", "MXN"}


def minor_units_sql(currency: str) -> str:
    """SQL for `minor_units` of a currency column."""
    cases = " ".join(f"WHEN {sql_literal(c)} THEN {n}" for c, n in MINOR_UNITS.items())
    return f"CASE upper({currency}) {cases} ELSE 2 END"


@dataclass(frozen=True)
class NumberFormat:
    """A file's number and date format and how it was decided (said in `decided_by`, for the operator)."""

    decimal_mark: str  # '.' or ','
    date_order: str  # 'MDY' or 'DMY' (slash dates only; other shapes are unambiguous)
    decided_by: str

    @property
    def example(self) -> str:
        return "1.234,56" if self.decimal_mark == "," else "1,234.56"


def decide_format(
    con: duckdb.DuckDBPyConnection, amounts_sql: str, dates_sql: str, marketplace: str | None, currency: str | None
) -> NumberFormat:
    """The file's format, from `amounts_sql` / `dates_sql` (queries of one text column `t`) and the fallbacks."""
    comma, point = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE t LIKE '%,_' OR t LIKE '%,__'),
               count(*) FILTER (WHERE t LIKE '%._' OR t LIKE '%.__')
        FROM ({amounts_sql})
        """
    ).fetchall()[0]
    day_first, month_first = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE TRY_CAST(p[1] AS INTEGER) > 12),
               count(*) FILTER (WHERE TRY_CAST(p[2] AS INTEGER) > 12)
        FROM (SELECT string_split(split_part(trim(t), ' ', 1), '/') AS p FROM ({dates_sql})
              WHERE regexp_full_match(trim(t), '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{2,4}}( .*)?'))
        """
    ).fetchall()[0]
    market = (marketplace or "").strip().lower()
    money = (currency or "").strip().upper()
    reasons = []
    if comma != point:
        mark = "," if comma > point else "."
        reasons.append(f"amounts: {comma} with a decimal comma, {point} with a decimal point")
    elif market:
        mark = "," if market in DECIMAL_COMMA_MARKETPLACES else "."
        reasons.append(f"amounts: no decimals to tell, marketplace {marketplace}")
    elif money:
        mark = "," if money in DECIMAL_COMMA_CURRENCIES else "."
        reasons.append(f"amounts: no decimals to tell, currency {money}")
    else:
        mark = "."
        reasons.append("amounts: nothing to tell, decimal point assumed")
    if day_first != month_first:
        order = "DMY" if day_first > month_first else "MDY"
        reasons.append(f"slash dates: {day_first} only day-first, {month_first} only month-first")
    elif market:
        order = "DMY" if market in DAY_FIRST_MARKETPLACES else "MDY"
        reasons.append(f"slash dates: marketplace {marketplace}")
    elif money:
        order = "DMY" if money in DAY_FIRST_CURRENCIES else "MDY"
        reasons.append(f"slash dates: currency {money}")
    else:
        order = "MDY"
        reasons.append("slash dates: month-first assumed (Amazon's MM/DD/YY)")
    return NumberFormat(decimal_mark=mark, date_order=order, decided_by="; ".join(reasons))


def amount_sql(text: str, fmt: NumberFormat) -> str:
    """SQL turning an amount text into DECIMAL(18,4) in the file's format; NULL when it does not fit."""
    t = f"trim({text})"
    if fmt.decimal_mark == ",":
        plain = f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]+(,[0-9]{{1,4}})?') THEN replace({t}, ',', '.') END"
        grouped = (
            f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]{{1,3}}([. \u00a0\u202f][0-9]{{3}})+(,[0-9]{{1,4}})?') "
            f"THEN replace(regexp_replace({t}, '[. \u00a0\u202f]', '', 'g'), ',', '.') END"
        )
    else:
        plain = f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]+(\\.[0-9]{{1,4}})?') THEN {t} END"
        grouped = (
            f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]{{1,4}})?') "
            f"THEN replace({t}, ',', '') END"
        )
    # The plain shape is nearly every value; the grouped one is tried only when it fails.
    return f"TRY_CAST(coalesce({plain}, {grouped}) AS {MONEY})"


def amount_problem_sql(text: str, column: str, fmt: NumberFormat) -> str:
    """SQL for why an amount text was not read (use where `amount_sql` gave NULL)."""
    t = f"trim({text})"
    shown = f"'''' || {text} || ''''"
    mark = "decimal comma" if fmt.decimal_mark == "," else "decimal point"
    return (
        f"CASE WHEN {text} IS NULL OR {t} = '' THEN '{column} is empty' "
        f"WHEN regexp_matches({t}, '[.,][0-9]{{5,}}$') "
        f"THEN '{column} ' || {shown} || ' has more than 4 decimal places' "
        f"WHEN regexp_matches({t}, '[0-9]{{15,}}') THEN '{column} ' || {shown} || ' is too large' "
        f"ELSE '{column} ' || {shown} || ' is not an amount in this file''s format ({mark}, e.g. {fmt.example})' END"
    )


def timestamp_sql(text: str, fmt: NumberFormat) -> str:
    """SQL turning a date or date-time text into a naive UTC TIMESTAMP; NULL when unreadable.

    Only correct in a UTC session (`lib.warehouse.sql.utc_session`): a text without offset is read in it.
    """
    t = f"trim({text})"
    slash_short = r"'\3-\1-\2'" if fmt.date_order == "MDY" else r"'\3-\2-\1'"
    iso = f"""CASE
        WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}([ T].*)?') THEN {t}
        WHEN regexp_full_match({t}, '[0-9]{{1,2}}\\.[0-9]{{1,2}}\\.[0-9]{{4}}( .*)?')
            THEN regexp_replace({t}, '^([0-9]{{1,2}})\\.([0-9]{{1,2}})\\.([0-9]{{4}})', '\\3-\\2-\\1')
        WHEN regexp_full_match({t}, '[0-9]{{4}}/[0-9]{{1,2}}/[0-9]{{1,2}}( .*)?')
            THEN regexp_replace({t}, '^([0-9]{{4}})/([0-9]{{1,2}})/([0-9]{{1,2}})', '\\1-\\2-\\3')
        WHEN regexp_full_match({t}, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}( .*)?')
            THEN regexp_replace({t}, '^([0-9]{{1,2}})/([0-9]{{1,2}})/([0-9]{{4}})', {slash_short})
        WHEN regexp_full_match({t}, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{2}}( .*)?')
            THEN '20' || regexp_replace({t}, '^([0-9]{{1,2}})/([0-9]{{1,2}})/([0-9]{{2}})', {slash_short})
    END"""
    # `+0000` → `+00:00`, which DuckDB's TIMESTAMPTZ parser reads; names (UTC, PST) it resolves itself.
    with_offset = (
        f"regexp_replace({iso}, '([0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]+)?)?) ?([+-][0-9]{{2}}):?([0-9]{{2}})$', "
        "'\\1\\4:\\5')"
    )
    # epoch_us → make_timestamp is arithmetic; casting TIMESTAMPTZ → TIMESTAMP would ask ICU for every value.
    return f"make_timestamp(epoch_us(try_cast({with_offset} AS TIMESTAMPTZ)))"
