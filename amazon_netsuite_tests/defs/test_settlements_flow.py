"""The settlement flow end to end: the sandbox's settlement reports over HTTP, real Dagster runs into a real DuckDB
file, posting to the NetSuite sandbox. Three tampered copies of a sandbox settlement (a line removed, the total
changed, an unknown fee), loaded by hand, are blocked with their reasons while every other storefront-day posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import httpx
import pytest

from amazon_netsuite.cli import main
from amazon_netsuite.defs.partitions import partition_key
from amazon_netsuite.lib.warehouse import connect
from amazon_netsuite_tests.conftest import _project_env, start_sandbox
from amazon_netsuite_tests.lib.settlements.settlement_builder import format_amount


TODAY = datetime.now(timezone.utc).date()
WINDOW_START = TODAY - timedelta(days=29)
# Tampered copies of a demo-CA settlement, each its own settlement id and deposit day (no real deposit falls on them).
TAMPERED = {
    "line removed": ("99000000001", TODAY - timedelta(days=9)),
    "total changed": ("99000000002", TODAY - timedelta(days=10)),
    "unknown fee": ("99000000003", TODAY - timedelta(days=11)),
}


@dataclass
class Flow:
    url: str
    data: Path
    instance: dg.DagsterInstance
    truth: list[dict]  # the sandbox's settlements deposited in the window
    failed: list[str]  # runs of the sync that failed
    requested: set[str]  # posting partitions the automation condition asked for after the import


def _defs():
    from amazon_netsuite.definitions import defs

    return defs()


def _sandbox_truth(url: str) -> list[dict]:
    response = httpx.get(f"{url}/_sandbox/settlements")
    response.raise_for_status()
    return [s for s in response.json()["settlements"]
            if date.fromisoformat(s["deposit_date"][:10]) >= WINDOW_START]


def _sandbox_document(truth: dict) -> bytes:
    """The settlement file as Amazon (the sandbox) serves it, over the Reports API."""
    from amazon_netsuite.defs.resources import SellerCentral

    with SellerCentral().reports(truth["account"]) as api:
        return api.download_report_document(truth["report_document_id"], report_id=truth["report_id"]).raw


def _tampered(raw: bytes, how: str, settlement_id: str, deposit: date) -> bytes:
    """A copy under another settlement id and deposit day, changed as `how` says; amounts in the file's format."""
    rows = [r.split("\t") for r in raw.decode("cp1252").splitlines()]
    header, totals, lines = rows[0], rows[1], rows[2:]
    col = {name: i for i, name in enumerate(header)}
    for row in (totals, *lines):
        row[col["settlement-id"]] = settlement_id
    totals[col["deposit-date"]] = f"{deposit.isoformat()}T18:00:00+00:00"
    total = Decimal(totals[col["total-amount"]])
    if how == "line removed":  # the first Commission line goes; the total still counts it
        del lines[next(i for i, r in enumerate(lines) if r[col["amount-description"]] == "Commission")]
    elif how == "total changed":
        totals[col["total-amount"]] = format_amount(total + Decimal("0.01"))
    elif how == "unknown fee":
        fee = list(lines[-1])
        for name in ("order-id", "shipment-id", "sku", "quantity-purchased", "order-item-code", "adjustment-id"):
            fee[col[name]] = ""
        fee[col["transaction-type"]] = fee[col["amount-type"]] = "other-transaction"
        fee[col["amount-description"]] = "Mystery Marketplace Fee"
        fee[col["amount"]] = format_amount(Decimal("-4.00"))
        lines.append(fee)
        totals[col["total-amount"]] = format_amount(total - Decimal("4.00"))
    return ("\r\n".join("\t".join(r) for r in (header, totals, *lines)) + "\r\n").encode("cp1252")


@pytest.fixture(scope="module")
def flow(tmp_path_factory) -> Flow:
    """Three days of orders loaded and posted; the sandbox's settlements of the last 30 days imported (not posted)
    by `sync`, with three tampered copies loaded by hand; then what the posting automation would request."""
    from amazon_netsuite.lib.settings import load_settings
    from amazon_netsuite.sync import sandbox_warehouse_ships, sync_orders, sync_settlements

    tmp = tmp_path_factory.mktemp("settlement_flow")
    with pytest.MonkeyPatch.context() as patch, start_sandbox(tmp / "sandbox", history_days=35,
                                                              orders_per_day=8) as sandbox:
        data = _project_env(patch, tmp, sandbox.url)
        instance = dg.DagsterInstance.ephemeral()
        outcome = sync_orders(3, instance=instance, say=lambda _: None, poll_seconds=0.1)
        assert outcome.failed == []
        sandbox_warehouse_ships(load_settings(), say=lambda _: None)  # as `sync` does: shipped MFN orders fulfilled
        truth = _sandbox_truth(sandbox.url)
        ca = max((s for s in truth if s["storefronts"] == ["demo-CA"]), key=lambda s: s["deposit_date"])
        raw = _sandbox_document(ca)
        for how, (settlement_id, deposit) in TAMPERED.items():
            path = tmp / f"{settlement_id}.txt"
            path.write_bytes(_tampered(raw, how, settlement_id, deposit))
            assert main(["settlements", "load", str(path)]) == 0
        # The automation daemon ticks before and after the import; the second tick says what it would post.
        postings = dg.AssetSelection.assets("settlement_gl_postings")
        before = dg.evaluate_automation_conditions(defs=_defs(), instance=instance, asset_selection=postings)
        outcome = sync_settlements(instance=instance, say=lambda _: None, post=False)
        evaluated = dg.evaluate_automation_conditions(defs=_defs(), instance=instance, asset_selection=postings,
                                                      cursor=before.cursor)
        requested = {str(k) for k in evaluated.get_requested_partitions(dg.AssetKey("settlement_gl_postings"))}
        yield Flow(sandbox.url, data, instance, truth, outcome.failed, requested)


def _good_partitions(flow: Flow) -> set[str]:
    return {str(partition_key(s["storefronts"][0], s["deposit_date"][:10])) for s in flow.truth}


def _tampered_partitions() -> set[str]:
    return {str(partition_key("demo-CA", day)) for _, day in TAMPERED.values()}


def _post(flow: Flow, keys) -> list[dg.ExecuteInProcessResult]:
    job = _defs().resolve_job_def("settlement_posting_job")
    return [job.execute_in_process(partition_key=k, instance=flow.instance, raise_on_error=False)
            for k in sorted(keys)]


def _query(sql: str, params: list | None = None) -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_settlement_of_the_window_imports_and_ties_out_with_the_sandbox_to_the_cent(flow):
    assert len(flow.truth) == 6  # two per seller account × currency
    assert sorted(flow.failed) == sorted(f"settlements_job {k}" for k in _tampered_partitions())
    for expected in flow.truth:
        sid = expected["settlement_id"]
        (storefront, day, total, line_count, ties_out, unmapped), = _query(
            "SELECT storefront, deposit_day, total_amount, line_count, ties_out, unmapped_lines "
            "FROM settlement_overview WHERE settlement_id = ?", [sid])
        assert (storefront, str(day)) == (expected["storefronts"][0], expected["deposit_date"][:10])
        assert total == Decimal(expected["total"]) and line_count == expected["line_count"]
        assert ties_out and unmapped == 0
        by_description = dict(_query("SELECT amount_description, sum(amount) FROM settlement_lines "
                                     "WHERE settlement_id = ? GROUP BY 1", [sid]))
        assert by_description == {k: Decimal(v) for k, v in expected["by_description"].items()}
        # Lines of orders the world never had are unmatched, with a reason; no order line is left without one.
        unknown = _query("SELECT DISTINCT order_id, reason FROM settlement_unmatched_lines WHERE settlement_id = ? "
                         "AND list_contains(?, order_id)", [sid, expected["unknown_order_ids"]])
        assert {o for o, _ in unknown} == set(expected["unknown_order_ids"])
        assert all("is not in the warehouse" in reason for _, reason in unknown)
    assert _query("SELECT count(*) FROM settlement_line_matches WHERE match_status = 'unmatched' AND reason IS NULL"
                  ) == [(0,)]
    assert any(s["negative"] for s in flow.truth)  # a negative settlement is among them


def test_the_unified_eu_settlement_is_stored_once_and_its_french_order_lines_match_the_french_orders(flow):
    """demo-eu sells on Amazon.de and Amazon.fr; Amazon pays both in one EUR settlement. It is stored once, in the
    home storefront's partition (demo-DE), and each French order line matches the record the orders flow posted for
    demo-FR: none is left "never posted"."""
    eur = [s for s in flow.truth if s["currency"] == "EUR"]
    assert eur and all(s["storefronts"] == ["demo-DE", "demo-FR"] for s in eur)
    for expected in eur:
        sid = expected["settlement_id"]
        assert _query("SELECT storefront FROM settlements WHERE settlement_id = ?", [sid]) == [("demo-DE",)]
        by_marketplace = dict(_query(
            "SELECT coalesce(l.marketplace_name, ''), list(DISTINCT m.line_storefront) FROM settlement_lines AS l "
            "JOIN settlement_line_matches AS m USING (storefront, day, settlement_id, line_number) "
            "WHERE l.settlement_id = ? GROUP BY 1", [sid]))
        assert by_marketplace["Amazon.fr"] == ["demo-FR"] and by_marketplace["Amazon.de"] == ["demo-DE"]
        assert by_marketplace.get("", ["demo-DE"]) == ["demo-DE"]  # fees of no marketplace: the home storefront
    # French order lines are looked up as the orders flow posts French orders (AMZ-demo-FR-…), never as German
    # ones; the sync loaded only the last 3 days of orders, so those of the settled periods are "not in the
    # warehouse" (lib/settlements/test_match.py proves the match once they are posted).
    french = _query("SELECT m.external_id, m.match_status, m.reason FROM settlement_line_matches AS m "
                    "WHERE m.line_storefront = 'demo-FR' AND m.order_id IS NOT NULL")
    assert french and all(eid.startswith("AMZ-demo-FR-") for eid, _, _ in french)
    assert not any("AMZ-demo-DE-" in (reason or "") for _, _, reason in french)


def test_the_posting_automation_asks_for_every_good_storefront_day_and_no_tampered_one(flow):
    assert flow.requested == _good_partitions(flow)


def test_the_tampered_settlements_are_blocked_with_the_reason_in_the_check_metadata(flow):
    job = _defs().resolve_job_def("settlements_job")
    expected = {
        "line removed": ("settlement_lines", "lines_sum_to_total", "a line is missing, extra or changed"),
        "total changed": ("settlement_lines", "lines_sum_to_total", "difference 0.01"),
        "unknown fee": ("settlement_gl_summary", "every_line_has_a_gl_account", "no GL mapping rule matches"),
    }
    for how, (settlement_id, day) in TAMPERED.items():
        result = job.execute_in_process(partition_key=partition_key("demo-CA", day), instance=flow.instance,
                                        raise_on_error=False)
        assert not result.success
        asset, check, reason = expected[how]
        failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
        assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [(asset, check)], how
        offending = failed[0].metadata["offending_lines"].value
        assert settlement_id in offending and reason in offending, (how, offending)
        assert failed[0].metadata["settlements_blocked"].value == [settlement_id]
    # The unknown fee is listed with its line number, description and amount.
    (line_number,), = _query("SELECT line_number FROM settlement_lines WHERE settlement_id = ? "
                             "AND amount_description = 'Mystery Marketplace Fee'", [TAMPERED["unknown fee"][0]])
    assert f"| {TAMPERED['unknown fee'][0]} | {line_number} | other-transaction / other-transaction / Mystery " \
           f"Marketplace Fee | -4.00 |" in offending


def test_the_good_settlements_post_and_netsuite_holds_the_deposits_to_the_cent(flow):
    """The demo posts orders, so its settlements settle them (transactional): a balanced fee journal and the
    deposit of the bank amount, never a summary journal that would book the sales again."""
    from amazon_netsuite.defs.resources import NetSuite

    results = _post(flow, _good_partitions(flow))
    assert all(r.success for r in results)
    with NetSuite().client() as client:
        assert list(client.suiteql("SELECT id FROM transaction WHERE externalid LIKE 'AMZ-STL-%-JE'")) == []
        for expected in flow.truth:
            sid, total = expected["settlement_id"], Decimal(expected["total"])
            journal = client.get("journalEntry", f"eid:AMZ-STL-{sid}-FEES", expand_sub_resources=True)
            lines = journal["line"]["items"]
            assert sum(Decimal(str(x.get("debit") or 0)) for x in lines) == sum(
                Decimal(str(x.get("credit") or 0)) for x in lines) > 0
            if total > 0:
                deposit = client.get("deposit", f"eid:AMZ-STL-{sid}-DEP")
                assert Decimal(str(deposit["total"])) == total, sid
            else:
                debit = client.get("journalEntry", f"eid:AMZ-STL-{sid}-DEBIT", expand_sub_resources=True)
                assert sum(Decimal(str(x.get("debit") or 0)) for x in debit["line"]["items"]) == -total, sid
    posted = dict(_query("SELECT settlement_id, netsuite_records_posted FROM settlement_overview"))
    assert all(posted[s["settlement_id"]] >= 2 for s in flow.truth)  # fee journal + deposit (or debit journal)


def test_re_running_the_postings_sends_nothing_twice(flow):
    before = _query("SELECT key, internal_id, attempts, payload_hash FROM netsuite_postings "
                    "WHERE flow = 'settlements' ORDER BY key")
    results = _post(flow, _good_partitions(flow))
    assert all(r.success for r in results)
    for result in results:
        (materialization,) = result.asset_materializations_for_node("settlement_gl_postings")
        assert materialization.metadata["posted"].value == 0
        assert materialization.metadata["unchanged"].value > 0
    assert _query("SELECT key, internal_id, attempts, payload_hash FROM netsuite_postings "
                  "WHERE flow = 'settlements' ORDER BY key") == before


def test_posting_a_tampered_storefront_day_by_hand_is_refused_and_sends_nothing(flow):
    for result in _post(flow, _tampered_partitions()):
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert "refused: they fail the settlement gates" in failure.event_specific_data.error.message
    ids = [sid for sid, _ in TAMPERED.values()]
    assert _query("SELECT count(*) FROM netsuite_postings WHERE flow = 'settlements' AND "
                  "list_contains(?, split_part(key, ':', 1))", [ids]) == [(0,)]
