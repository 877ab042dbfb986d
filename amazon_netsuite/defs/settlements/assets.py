"""Settlements from Seller Central: each V2 settlement report, line by line, matched to NetSuite and summarised for
the GL, gated by blocking checks before `settlement_gl_postings` (posting.py) writes anything.

Partitions are storefront × the UTC day of the deposit (the same storefront-day partitions as the orders flow). A
settlement's storefront is its marketplace name, else its currency. Each asset replaces its partition's rows in
one transaction (`lib/settlements/store.py`, shared with `amazon-netsuite settlements load`). Every check is
partitioned like the asset, so one bad settlement neither blocks nor unblocks another storefront-day.
"""


from collections import Counter
from datetime import datetime, timedelta, timezone

import dagster as dg

from amazon_netsuite.defs.helpers import REPORT_ID_TAG, Flow, column_schema, counted_markdown, listed_markdown
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib.report_files import ReportFileError
from amazon_netsuite.lib.settlements.columns import REPORT_TYPE
from amazon_netsuite.lib.settlements.finance_view import finance_view_markdown, gl_effect
from amazon_netsuite.lib.gl_mapping import GlMappingError, load_gl_mapping
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

# getReports looks this far back from the deposit day for the settlement reports that may feed it.
REPORT_LOOK_BACK = timedelta(days=14)


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


def gl_mapping_or_fail():
    try:
        return load_gl_mapping()
    except GlMappingError as exc:
        raise dg.Failure(str(exc)) from exc


def definitions(flow: Flow) -> dg.Definitions:
    @dg.asset(
        group_name=flow.name,
        kinds={"amazon", "duckdb"},
        pool="duckdb",
        owners=["team:integrations"],
        tags=flow.tags,
        check_specs=[dg.AssetCheckSpec(
            "every_settlement_report_imported", asset="settlement_documents",
            description="Every settlement report Amazon listed was downloaded, read and given its storefront-day; "
                        "the others are listed with the reason (warns, blocks nothing).")],
    )
    def settlement_documents(context: dg.AssetExecutionContext, warehouse: Warehouse,
                             seller_central: SellerCentral):
        """Each settlement report Amazon listed (table `settlement_report_intake`, filled by the
        `new_settlement_reports` sensor), downloaded once, read, and indexed with the storefront-day of its deposit,
        or kept in the intake with the reason it cannot be used: an unreadable document is downloaded again after a
        back-off, a storefront missing from the settings is tried again once the settings change.

        Not partitioned: which partition a document feeds is known only once it is read. The sensor then starts
        `settlements_job` for each storefront-day."""
        outcome = land_due_reports(warehouse.connection, seller_central.reports, flow.settings, log=context.log)
        with warehouse.connection() as con:
            everything = intake_reports(con)
        unusable = [r for r in everything if r.status == UNUSABLE]
        by_status = Counter(r.status for r in everything)
        table = unusable_markdown(unusable)
        yield dg.MaterializeResult(metadata={
            "dagster/row_count": len(everything),
            "landed_in_this_run": listed_markdown(
                f"{d.report_id}: settlement {d.settlement_id} → {d.storefront} {d.day}" for d in outcome.landed),
            "reports_by_status": dict(by_status),
            "reports_landed": by_status.get(LANDED, 0),
            "reports_unusable": dg.MetadataValue.md(table),
        })
        yield dg.AssetCheckResult(
            check_name="every_settlement_report_imported", passed=not unusable, severity=dg.AssetCheckSeverity.WARN,
            description=None if not unusable else f"{len(unusable)} settlement report(s) not imported; see the reasons",
            metadata={"unusable_reports": dg.MetadataValue.md(table), "unusable_count": len(unusable)},
        )

    @flow.partitioned_asset(
        deps=[settlement_documents],
        kinds={"amazon", "duckdb"},
        owners=["team:integrations"],
        check_specs=flow.blocking_checks("settlements", REPORT_GATES),
        metadata=column_schema(SettlementsModel),
    )
    def settlements(context: dg.AssetExecutionContext, warehouse: Warehouse, seller_central: SellerCentral):
        """The settlements deposited on this storefront-day, from Amazon's settlement reports
        (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2), one row per settlement: period, deposit date, total-amount,
        line counts.

        Amazon generates them every 14 days per seller account and currency; `settlement_documents` lands
        them (a run started by the `new_settlement_reports` sensor names its report). Run by hand, the asset lists the
        reports of the 14 days before the day over getReports and lands those not landed yet (each recorded in
        `settlement_report_intake`). Files loaded by hand (`amazon-netsuite settlements load`) for this storefront-day
        are included; of two documents of one settlement id only the newer is.
        """
        storefront, day = split_partition_key(context.partition_key)
        account = flow.settings.account_of(storefront)
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
                        land_amazon_report(warehouse.connection, api, account.key, report, flow.settings, log=context.log)
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
                "reports_unusable": listed_markdown(unusable),
            }
        )
        yield from check_results(gates, "settlements")

    @flow.partitioned_tables(
        flow.asset_spec("settlement_lines",
                        "Every detail line of the storefront-day's settlements, typed: transaction and amount type, "
                        "description, exact amount, order id, SKU, posted date; line_number is the line of the file.",
                        deps=[settlements], model=SettlementLinesModel),
        flow.asset_spec("settlement_line_quarantine",
                        "Lines that could not be read, each with the reason and the line as received; their "
                        "settlement does not tie out until fixed.", deps=[settlements]),
        check_specs=flow.blocking_checks("settlement_lines", LINE_GATES),
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
                "reasons": counted_markdown(reasons, empty="nothing quarantined"),
            },
        )
        yield from check_results(gates, "settlement_lines")

    @flow.partitioned_asset(deps=["settlement_lines"], kinds={"netsuite", "duckdb"})
    def settlement_line_matches(context: dg.AssetExecutionContext, warehouse: Warehouse):
        """Each settlement line → the NetSuite Sales Order or Cash Sale of its order (external id
        AMZ-{storefront}-{order id}, from the `netsuite_postings` ledger of the orders flow), `not_an_order` for
        account-level lines (fees, reserves, reimbursements), or `unmatched` with the reason."""
        storefront, day = split_partition_key(context.partition_key)
        with warehouse.connection() as con:
            written = store_matches(con, storefront, day, flow.settings)
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

    def gl_spec(name: str, description: str, model=None) -> dg.AssetSpec:
        return flow.asset_spec(name, description, deps=[settlements, "settlement_lines"], model=model)

    @flow.partitioned_tables(
        gl_spec("settlement_gl_summary",
                "Settlement × GL account × currency, debit and credit, from `data/gl_mapping.yaml`: what the "
                "settlement's journal will post, the deposit on the bank side.", SettlementGlSummaryModel),
        gl_spec("settlement_line_accounts",
                "Each settlement line's GL account, NetSuite item and the mapping rule that chose it (or the "
                "suspense account)."),
        gl_spec("settlement_reconciliation",
                "Each settlement's deposit explained: what Amazon sold, charged, refunded and held back, section by "
                "section, down to the amount deposited."),
        check_specs=flow.blocking_checks("settlement_gl_summary", GL_GATES),
    )
    def settlement_gl_summary(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
        """Map every line to its GL account and summarise each settlement's journal; the deposit explained is shown
        on `settlement_gl_summary` as a table and a waterfall chart, beside its trial-balance effect (read back from
        NetSuite once posted, else expected)."""
        storefront, day = split_partition_key(context.partition_key)
        mapping = gl_mapping_or_fail()
        with warehouse.connection() as con:
            written = store_gl(con, storefront, day, mapping)
            gates = run_gates(con, storefront, day, GL_GATES)
            deposited = con.execute(
                "SELECT settlement_id, currency FROM settlements WHERE storefront = ? AND day = ? ORDER BY 1",
                [storefront, day]).fetchall()
            rows = fetch_arrow(con, "SELECT settlement_id, position, section, label, amount FROM "
                                    "settlement_reconciliation WHERE storefront = ? AND day = ?", [storefront, day]).to_pylist()
            effects = {sid: gl_effect(con, storefront=storefront, settlement_id=sid,
                                      ledger_account=netsuite.ledger_account(), netsuite=netsuite.client)
                       for sid, _ in deposited}
        views = [
            finance_view_markdown([r for r in rows if r["settlement_id"] == sid], settlement_id=sid, currency=currency,
                                  deposit_day=str(day), storefront=storefront, effect=effects[sid])
            for sid, currency in deposited
        ]
        for table in ("settlement_line_accounts", "settlement_reconciliation"):
            yield dg.MaterializeResult(asset_key=table, metadata={"dagster/row_count": written[table]})
        yield dg.MaterializeResult(
            asset_key="settlement_gl_summary",
            metadata={
                "dagster/row_count": written["settlement_gl_summary"],
                "finance_view": dg.MetadataValue.md("\n\n".join(views) or "no settlement deposited on this day"),
                "gl_mapping": str(mapping.path),
            }
        )
        yield from check_results(gates, "settlement_gl_summary")

    return dg.Definitions(assets=[settlement_documents, settlements, settlement_lines, settlement_line_matches,
                                  settlement_gl_summary])
