"""Settlements into NetSuite: `settlement_gl_postings` posts each settlement of a storefront-day that passed every
gate, through `lib/settlements/posting.py` (summary journal + deposit, or transactional, by setting), each record
an upsert by external id `AMZ-STL-{settlement id}-…` recorded in `netsuite_postings`, so a re-run posts nothing
twice.

It runs by itself once the partition's settlement assets are materialised and their blocking checks passed
(`eager() & all_deps_blocking_checks_passed()`; plain eager ignores blocking checks,
https://github.com/dagster-io/dagster/issues/17332). A manual
run does not rely on that: the step runs every gate again on the stored partition and refuses the settlements
that fail, posting the others.

A record NetSuite refuses (and the deposit that waits for it) leaves its settlement not fully posted: the rest of
the storefront-day still posts, then the run fails naming the settlement and its open `integration_errors` rows,
so that nobody takes a green run for a posted settlement. `retry_failed_settlement_postings_every_30_minutes`
(schedules.py) runs the storefront-day again until they post.
"""

import dagster as dg

from amazon_netsuite.defs.automation import post_when_loaded
from amazon_netsuite.defs.helpers import Flow
from amazon_netsuite.defs.partitions import split_partition_key
from amazon_netsuite.defs.resources import NetSuite, Warehouse
from amazon_netsuite.defs.settlements.assets import gl_mapping_or_fail
from amazon_netsuite.lib.postings import ledger_connections
from amazon_netsuite.lib.settlements.posting import SettlementNotPostable
from amazon_netsuite.lib.settlements.posting_run import open_posting_errors, post_settlement
from amazon_netsuite.lib.settlements.schemas import blocked_settlements



def _not_posted(result) -> str:
    """What of a settlement is not in NetSuite, e.g. "refused 1 journalEntry; waiting 1 deposit"."""
    return "; ".join(f"{what} " + ", ".join(f"{n} {record_type}" for record_type, n in sorted(counts.items()))
                     for what, counts in (("refused", result.failed), ("waiting", result.waiting)) if counts)


def _count(value) -> int:
    """A result counter: a number, or counts per record type."""
    return int(sum(value.values())) if hasattr(value, "values") else int(value or 0)


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        deps=["settlements", "settlement_lines", "settlement_line_matches", "settlement_gl_summary"],
        kinds={"netsuite", "duckdb"},
        owners=["team:integrations"],
        automation_condition=post_when_loaded(),
    )
    def settlement_gl_postings(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite):
        """What was created in NetSuite for each settlement deposited on this storefront-day: the journal entry and the
        deposit (summary mode), or payments, refund records and a fee journal (transactional mode), with their internal
        ids. A settlement that fails a gate is refused with the reasons; the others still post."""
        storefront, day = split_partition_key(context.partition_key)
        mapping = gl_mapping_or_fail()
        with warehouse.connection() as con:
            ids = [r[0] for r in con.execute("SELECT settlement_id FROM settlements WHERE storefront = ? AND day = ? "
                                             "ORDER BY settlement_id", [storefront, day]).fetchall()]
            blocked = blocked_settlements(con, storefront, day)
        to_post = [sid for sid in ids if sid not in blocked]
        totals = {"posted": 0, "unchanged": 0, "failed": 0, "waiting": 0, "resolved_without_posting": 0}
        records: dict[str, dict] = {}
        incomplete: dict[str, str] = {}  # settlement id → what of it is not in NetSuite
        if to_post:
            ledger = ledger_connections(warehouse.path)  # short connections while requests are in flight
            with netsuite.client() as client:
                for sid in to_post:
                    try:
                        result = post_settlement(ledger, client, sid, mapping=mapping, log=context.log)
                    except SettlementNotPostable as exc:  # refused by the posting library itself before anything was sent
                        blocked[sid] = [str(exc)]
                        continue
                    for counter in ("posted", "unchanged", "failed", "waiting"):
                        totals[counter] += _count(getattr(result, counter))
                    totals["resolved_without_posting"] += result.errors_resolved_without_posting
                    records[sid] = {kind: dict(ids_) for kind, ids_ in (result.records or {}).items()}
                    if result.failed or result.waiting:
                        incomplete[sid] = _not_posted(result)
        with warehouse.connection() as con:
            queued = [e for e in open_posting_errors(con, [(storefront, day)]) if e.settlement_id in incomplete]
        refused = dg.MetadataValue.md(
            "\n".join(f"- **{sid}**: " + "; ".join(reasons[:10]) + (f" (+{len(reasons) - 10} more)" if len(reasons) > 10
                                                                      else "")
                      for sid, reasons in blocked.items()) or "none")
        metadata = {
            "settlements": len(ids),
            **totals,
            "refused": len(blocked),
            "refused_reasons": refused,
            "records": dg.MetadataValue.json(records),
            "integration_errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in queued) or "none"),
        }
        problems = []
        if incomplete:
            # What could post did; the run fails so that the failures are seen, and they stay queued for the retry.
            problems.append(
                f"{len(incomplete)} settlement(s) of {storefront} {day} not fully posted: "
                + ", ".join(f"settlement {sid} ({what})" for sid, what in sorted(incomplete.items()))
                + ". The rest posted; these wait in integration_errors and retry_failed_settlement_postings_every_30_"
                "minutes posts them once the cause is fixed (or run settlement_posting_job for this partition):\n"
                + "\n".join(f"- {e}" for e in queued))
        if blocked:
            # A manual run past failed checks: what could post did; the run fails so the refusal is seen.
            problems.append(
                f"{len(blocked)} settlement(s) of {storefront} {day} refused: they fail the settlement gates "
                f"({', '.join(sorted(blocked))}); see the checks of settlements, settlement_lines and "
                "settlement_gl_summary")
        if problems:
            raise dg.Failure(description="\n".join(problems), metadata=metadata)
        return dg.MaterializeResult(metadata=metadata)

    automation = flow.automation(
        "settlement_posting_automation", settlement_gl_postings,
        description="Posts a storefront-day's settlements once they are imported and every blocking check passed.")
    return dg.Definitions(assets=[settlement_gl_postings], sensors=[automation])
