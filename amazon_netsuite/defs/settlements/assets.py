"""Settlements from Seller Central: each V2 settlement report, line by line, matched to NetSuite and summarised for
the GL, gated by blocking checks before `settlement_gl_postings` (posting.py) writes anything.

Partitions are storefront × the UTC day of the deposit (the same storefront-day partitions as the orders flow). A
settlement's storefront is its marketplace name, else its currency. Each asset replaces its partition's rows in
one transaction (`lib/settlements/load.py`, shared with `amazon-netsuite settlements load`). Every check is
partitioned like the asset, so one bad settlement neither blocks nor unblocks another storefront-day.
"""


from collections import Counter
import warnings
from datetime import datetime, timedelta, timezone

import dagster as dg
from dagster_pandera import pandera_schema_to_dagster_type

from amazon_netsuite.defs.resources import SellerCentral, Warehouse
from amazon_netsuite.lib.partitions import split_partition_key, storefront_day_partitions
from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.settings import load_settings
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.finance_view import finance_view_markdown
from amazon_netsuite.lib.settlements.gl_mapping import GlMappingError, load_gl_mapping
from amazon_netsuite.lib.settlements.documents import document, partition_documents
from amazon_netsuite.lib.settlements.intake import LANDED, UNUSABLE, intake_reports, record_listed, unusable_markdown
from amazon_netsuite.lib.settlements.landing import land_amazon_report, land_due_reports
from amazon_netsuite.lib.settlements.store import read_partition, store_gl, store_lines, store_matches, store_settlements
from amazon_netsuite.lib.settlements.match import UnknownStorefront
from amazon_netsuite.lib.settlements.schemas import (
    GL_GATES,
    LINE_GATES,
    REPORT_GATES,
    GateResult,
    SettlementGlSummaryModel,
    SettlementLinesModel,
    SettlementsModel,
    run_gates,
)
from amazon_netsuite.lib.warehouse import fetch_arrow

settings = load_settings()
storefront_days = storefront_day_partitions(settings)

REPORT_ID_TAG = "amazon/report_id"
GROUP = "settlements"
TAGS = {"flow": "settlements"}
# getReports looks this far back from the deposit day for the settlement reports that may feed it.
REPORT_LOOK_BACK = timedelta(days=14)

GATE_DESCRIPTIONS = {
    "settlements_valid": "The settlements rows match the Pandera model (types, currency code, counts ≥ 0).",
    "settlement_not_imported_twice": "No settlement id was imported before under another report or partition.",
    "settlement_lines_valid": "The lines match the Pandera model (exact DECIMAL amounts, line numbers ≥ 3).",
    "lines_sum_to_total": "The lines sum to the settlement's total-amount to the cent, and none was unreadable.",
    "one_currency_per_settlement": "Every line is in its settlement's currency.",
    "amounts_in_minor_units": "No amount is finer than its currency's minor unit (JPY: whole yen).",
    "settlement_gl_summary_valid": "The GL summary matches the Pandera model (debit and credit ≥ 0).",
    "every_line_has_a_gl_account": "Every line has a GL account (a rule of gl_mapping.yaml, or the suspense account).",
    "journal_balances": "Each settlement's journal balances: debits equal credits to the cent.",
}


def _checks(asset: str, names: tuple[str, ...]) -> list[dg.AssetCheckSpec]:
    with warnings.catch_warnings():
        # Partitioned checks are "preview" in Dagster 1.13, and what gating needs (dagster-facts §3.3).
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [dg.AssetCheckSpec(n, asset=asset, blocking=True, partitions_def=storefront_days,
                                  description=GATE_DESCRIPTIONS[n]) for n in names]


def _column_schema(model) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return {"dagster/column_schema": pandera_schema_to_dagster_type(model).metadata["schema"].value}


def check_results(gates: dict[str, GateResult], asset: str):
    """One AssetCheckResult per gate: the offending lines (capped) and how many there are."""
    for name, gate in gates.items():
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key=asset,
            passed=gate.passed,
            description=None if gate.passed else gate.offences[0].problem[:500],
            metadata={
                "offending_lines": dg.MetadataValue.md(gate.markdown()),
                "offending_count": len(gate.offences),
                "settlements_blocked": sorted(gate.settlements),
            },
        )


@dg.asset(
    group_name=GROUP,
    kinds={"amazon", "duckdb"},
    pool="duckdb",
    owners=["team:integrations"],
    tags=TAGS,
    check_specs=[dg.AssetCheckSpec(
        "every_settlement_report_imported", asset="settlement_report_documents",
        description="Every settlement report Amazon listed was downloaded, read and given its storefront-day; "
                    "the others are listed with the reason (warns, blocks nothing).")],
)
def settlement_report_documents(context: dg.AssetExecutionContext, warehouse: Warehouse,
                                seller_central: SellerCentral):
    """Each settlement report Amazon listed (table `settlement_report_intake`, filled by the
    `new_settlement_reports` sensor), downloaded once, read, and indexed with the storefront-day of its deposit
    (`settlement_documents`), or kept with the reason it cannot be used: an unreadable document is downloaded again
    after a back-off, a storefront missing from the settings is tried again once the settings change.

    Not partitioned: which partition a document feeds is known only once it is read. The sensor then starts
    `settlements_job` for each storefront-day."""
    outcome = land_due_reports(warehouse.connection, seller_central.reports, settings, log=context.log)
    with warehouse.connection() as con:
        everything = intake_reports(con)
    unusable = [r for r in everything if r.status == UNUSABLE]
    by_status = Counter(r.status for r in everything)
    table = unusable_markdown(unusable)
    yield dg.MaterializeResult(metadata={
        "dagster/row_count": len(everything),
        "landed_in_this_run": dg.MetadataValue.md("\n".join(
            f"- {d.report_id}: settlement {d.settlement_id} → {d.storefront} {d.day}" for d in outcome.landed)
            or "none"),
        "reports_by_status": dict(by_status),
        "reports_landed": by_status.get(LANDED, 0),
        "reports_unusable": dg.MetadataValue.md(table),
    })
    yield dg.AssetCheckResult(
        check_name="every_settlement_report_imported", passed=not unusable, severity=dg.AssetCheckSeverity.WARN,
        description=None if not unusable else f"{len(unusable)} settlement report(s) not imported; see the reasons",
        metadata={"unusable_reports": dg.MetadataValue.md(table), "unusable_count": len(unusable)},
    )


def gl_mapping_or_fail():
    try:
        return load_gl_mapping()
    except GlMappingError as exc:
        raise dg.Failure(str(exc)) from exc


@dg.asset(
    partitions_def=storefront_days,
    deps=[settlement_report_documents],
    group_name=GROUP,
    kinds={"amazon", "duckdb"},
    pool="duckdb",
    owners=["team:integrations"],
    tags=TAGS,
    check_specs=_checks("settlement_reports", REPORT_GATES),
    metadata=_column_schema(SettlementsModel),
)
def settlement_reports(context: dg.AssetExecutionContext, warehouse: Warehouse, seller_central: SellerCentral):
    """The Amazon settlement reports (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) deposited on this storefront-day,
    one row per settlement (table `settlements`): period, deposit date, total-amount, line counts.

    Amazon generates them every 14 days per seller account and currency; `settlement_report_documents` lands
    them (a run started by the `new_settlement_reports` sensor names its report). Run by hand, the asset lists the
    reports of the 14 days before the day over getReports and lands those not landed yet (each recorded in
    `settlement_report_intake`). Files loaded by hand (`amazon-netsuite settlements load`) for this storefront-day
    are included; of two documents of one settlement id only the newer is.
    """
    storefront, day = split_partition_key(context.partition_key)
    account = settings.account_of(storefront)
    named = context.run.tags.get(REPORT_ID_TAG)
    with warehouse.connection() as con:
        named_landed = named is not None and document(con, named) is not None
    listed, unusable = [], []
    if not named_landed:
        with seller_central.reports(account.key) as api:
            if named:
                listed = [api.get_report(named)]
            else:
                start = datetime.combine(day, datetime.min.time(), timezone.utc) - REPORT_LOOK_BACK
                listed = list(api.get_reports([REPORT_TYPE], processing_statuses=["DONE"], created_since=start))
            with warehouse.connection() as con:
                record_listed(con, account.key, listed)
            for report in listed:
                try:
                    land_amazon_report(warehouse.connection, api, account.key, report, settings, log=context.log)
                except (ReportFileError, UnknownStorefront) as exc:
                    if report.report_id == named:
                        raise dg.Failure(f"settlement report {named}: {exc}") from exc
                    unusable.append(f"{report.report_id}: {exc}")
    with warehouse.connection() as con:
        docs = partition_documents(con, storefront, day)
        try:
            parsed = read_partition(docs, con)
        except ReportFileError as exc:
            raise dg.Failure(str(exc)) from exc
        written = store_settlements(con, storefront, day, parsed)
        gates = run_gates(con, storefront, day, REPORT_GATES)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": written,
            "settlements": dg.MetadataValue.md("\n".join(
                f"- {p.totals.settlement_id} ({doc.source} report {doc.report_id}): "
                f"{p.totals.total_amount} {p.totals.currency}, {p.detail_line_count} lines"
                for doc, p in zip(docs, parsed)) or "no settlement deposited on this day"),
            "reports_listed": len(listed),
            "reports_unusable": dg.MetadataValue.md("\n".join(f"- {u}" for u in unusable) or "none"),
        }
    )
    yield from check_results(gates, "settlement_reports")


@dg.multi_asset(
    specs=[
        dg.AssetSpec("settlement_lines", deps=[settlement_reports], group_name=GROUP, kinds={"duckdb"}, tags=TAGS,
                     description="Every detail line of the storefront-day's settlements, typed: transaction and "
                                 "amount type, description, exact amount, order id, SKU, posted date; line_number "
                                 "is the line of the file.",
                     metadata=_column_schema(SettlementLinesModel)),
        dg.AssetSpec("settlement_line_quarantine", deps=[settlement_reports], group_name=GROUP, kinds={"duckdb"},
                     tags=TAGS, description="Lines that could not be read, each with the reason and the line as "
                                            "received; their settlement does not tie out until fixed."),
    ],
    check_specs=_checks("settlement_lines", LINE_GATES),
    partitions_def=storefront_days,
    pool="duckdb",
)
def settlement_lines(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Type every line of the storefront-day's settlements; quarantine what cannot be read."""
    storefront, day = split_partition_key(context.partition_key)
    with warehouse.connection() as con:
        try:
            parsed = read_partition(partition_documents(con, storefront, day), con)
        except ReportFileError as exc:
            raise dg.Failure(str(exc)) from exc
        written = store_lines(con, storefront, day, parsed)
        reasons = con.execute(
            "SELECT reason, count(*) FROM settlement_line_quarantine WHERE storefront = ? AND day = ? "
            "GROUP BY reason ORDER BY 2 DESC LIMIT 20", [storefront, day]).fetchall()
        gates = run_gates(con, storefront, day, LINE_GATES)
    yield dg.MaterializeResult(asset_key="settlement_lines",
                               metadata={"dagster/row_count": written["settlement_lines"]})
    yield dg.MaterializeResult(
        asset_key="settlement_line_quarantine",
        metadata={
            "dagster/row_count": written["settlement_line_quarantine"],
            "reasons": dg.MetadataValue.md("\n".join(f"- {n} × {r}" for r, n in reasons) or "nothing quarantined"),
        },
    )
    yield from check_results(gates, "settlement_lines")


@dg.asset(
    partitions_def=storefront_days,
    deps=["settlement_lines"],
    group_name=GROUP,
    kinds={"netsuite", "duckdb"},
    pool="duckdb",
    tags=TAGS,
)
def settlement_line_matches(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Each settlement line → the NetSuite Sales Order or Cash Sale of its order (external id
    AMZ-{storefront}-{order id}, from the `netsuite_postings` ledger of the orders flow), `not_an_order` for
    account-level lines (fees, reserves, reimbursements), or `unmatched` with the reason."""
    storefront, day = split_partition_key(context.partition_key)
    with warehouse.connection() as con:
        written = store_matches(con, storefront, day, settings)
        by_status = dict(con.execute(
            "SELECT match_status, count(*) FROM settlement_line_matches WHERE storefront = ? AND day = ? "
            "GROUP BY 1 ORDER BY 1", [storefront, day]).fetchall())
        # Reasons name their order; grouped without it, they say how many lines share each cause.
        reasons = con.execute(
            "SELECT replace(reason, order_id, '…') AS why, count(*), any_value(order_id) FROM settlement_line_matches "
            "WHERE storefront = ? AND day = ? AND match_status = 'unmatched' GROUP BY why ORDER BY 2 DESC LIMIT 10",
            [storefront, day]).fetchall()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written,
            "lines_by_status": {str(k): int(v) for k, v in by_status.items()},
            "unmatched_reasons": dg.MetadataValue.md(
                "\n".join(f"- {n} line(s) (e.g. order {order}): {why}" for why, n, order in reasons) or "none"),
        }
    )


@dg.asset(
    partitions_def=storefront_days,
    deps=[settlement_reports, "settlement_lines"],
    group_name=GROUP,
    kinds={"duckdb"},
    pool="duckdb",
    tags=TAGS,
    check_specs=_checks("settlement_gl_summary", GL_GATES),
    metadata=_column_schema(SettlementGlSummaryModel),
)
def settlement_gl_summary(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Settlement × GL account × currency, debit and credit, from `data/gl_mapping.yaml`: what the settlement's
    journal will post, the deposit on the bank side. Also each line's account (`settlement_line_accounts`) and the
    deposit explained (`settlement_reconciliation`), shown here as a table and a waterfall chart."""
    storefront, day = split_partition_key(context.partition_key)
    mapping = gl_mapping_or_fail()
    with warehouse.connection() as con:
        written = store_gl(con, storefront, day, mapping)
        gates = run_gates(con, storefront, day, GL_GATES)
        settlements = con.execute(
            "SELECT settlement_id, currency FROM settlements WHERE storefront = ? AND day = ? ORDER BY 1",
            [storefront, day]).fetchall()
        rows = fetch_arrow(con, "SELECT settlement_id, position, section, label, amount FROM "
                                "settlement_reconciliation WHERE storefront = ? AND day = ?", [storefront, day]).to_pylist()
    views = [
        finance_view_markdown([r for r in rows if r["settlement_id"] == sid], settlement_id=sid, currency=currency,
                              deposit_day=str(day), storefront=storefront)
        for sid, currency in settlements
    ]
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": written["settlement_gl_summary"],
            "finance_view": dg.MetadataValue.md("\n\n".join(views) or "no settlement deposited on this day"),
            "gl_mapping": str(mapping.path),
        }
    )
    yield from check_results(gates, "settlement_gl_summary")
