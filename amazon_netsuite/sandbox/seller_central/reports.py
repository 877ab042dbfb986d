"""Reports API 2021-06-30: createReport, getReports, getReport, cancelReport, getReportDocument."""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime, timedelta, timezone

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_netsuite.lib.amazon.fba_inventory import LEDGER_REPORT_TYPE
from amazon_netsuite.sandbox.seller_central.documents import own_base_url, presigned_url
from amazon_netsuite.sandbox.seller_central.errors import invalid_input, not_found
from amazon_netsuite.sandbox.seller_central.operations import sp_api_operation
from amazon_netsuite.sandbox.seller_central.report_processing import refresh
from amazon_netsuite.sandbox.seller_central.report_store import ReportRecord
from amazon_netsuite.sandbox.seller_central.returns_reports import RETURNS_REPORT_TYPES, check_returns_window
from amazon_netsuite.sandbox.seller_central.settlement_reports import (
    SETTLEMENT_REPORT_TYPES,
    refusal_message,
    settlement_report,
    built_under_fault,
    settlement_report_document,
    settlement_reports,
)
from amazon_netsuite.sandbox.world import ORDER_REPORT_TYPE

BASE = "/reports/2021-06-30"
PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
CREATABLE_REPORT_TYPES = (ORDER_REPORT_TYPE, LEDGER_REPORT_TYPE, *RETURNS_REPORT_TYPES)
_QUERY_PARAMS = ("reportTypes", "processingStatuses", "marketplaceIds", "pageSize", "createdSince", "createdUntil")


def _parse_time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise invalid_input(f"Invalid {name}", f"{name} must be an ISO 8601 date-time string")
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid_input(f"Invalid {name}", f"{value!r} is not an ISO 8601 date-time") from None
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _id_list(request: Request, name: str) -> list[str]:
    # Swagger 2.0 arrays default to comma-separated; repeated parameters are accepted as well.
    return [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]


# --- createReport ---------------------------------------------------------------------------------------------


@sp_api_operation("createReport")
async def create_report(request: Request, state, account: str) -> Response:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise invalid_input("Invalid input", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid_input("Invalid input", "The request body must be a CreateReportSpecification object")
    report_type = body.get("reportType")
    marketplace_ids = body.get("marketplaceIds")
    if not isinstance(report_type, str) or not report_type:
        raise invalid_input("Invalid input", "reportType is required")
    if not isinstance(marketplace_ids, list) or not 1 <= len(marketplace_ids) <= 25 or not all(
        isinstance(m, str) for m in marketplace_ids
    ):
        raise invalid_input("Invalid input", "marketplaceIds is required: a list of 1 to 25 marketplace ids")
    own = state.settings.account(account).marketplace_ids
    foreign = [m for m in marketplace_ids if m not in own]
    if foreign:
        raise invalid_input(
            "Invalid marketplaceIds", f"Marketplace ids {', '.join(foreign)} do not belong to this seller"
        )
    if report_type in SETTLEMENT_REPORT_TYPES:
        raise invalid_input(refusal_message(report_type))  # Amazon generates them; getReports finds them
    if report_type not in CREATABLE_REPORT_TYPES:
        raise invalid_input(f"Request for report type {report_type} is not allowed at this time.", "Invalid reportType")
    options = body.get("reportOptions", {})
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise invalid_input("Invalid input", "reportOptions must map names to string values")

    now = state.clock.now()
    start = _parse_time(body["dataStartTime"], "dataStartTime") if "dataStartTime" in body else now
    end = _parse_time(body["dataEndTime"], "dataEndTime") if "dataEndTime" in body else now
    if start > now:
        raise invalid_input(
            "Invalid dataStartTime", "dataStartTime must be prior to or equal to the current date and time"
        )
    end = min(end, now)  # a window reaching into the future reports what exists so far
    if start > end:
        raise invalid_input("Invalid input", "dataStartTime must be before dataEndTime")
    check_returns_window(report_type, start, end)

    record = ReportRecord(
        report_id="",
        seller_account=account,
        report_type=report_type,
        marketplace_ids=marketplace_ids,
        report_options=options,
        data_start_time=start,
        data_end_time=end,
        created_time=now,
        created_wall=time.time(),
        planned_outcome=state.faults.report_outcome(),
    )
    state.reports.create(record)
    state.faults.mark_if_slow(record.report_id)
    return JSONResponse({"reportId": record.report_id}, status_code=202)


# --- getReports -----------------------------------------------------------------------------------------------


def _encode_token(query: dict, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"q": query, "o": offset}).encode()).decode()


def _decode_token(token: str) -> tuple[dict, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return data["q"], int(data["o"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_input("Invalid nextToken", "The nextToken is not valid") from None


def _query_from_params(request: Request, now: datetime) -> dict:
    report_types = _id_list(request, "reportTypes")
    if not report_types:
        raise invalid_input("Invalid input", "Either reportTypes or nextToken is required")
    if len(report_types) > 10:
        raise invalid_input("Invalid input", "reportTypes accepts at most 10 report types")
    statuses = _id_list(request, "processingStatuses")
    bad = [s for s in statuses if s not in PROCESSING_STATUSES]
    if bad:
        raise invalid_input("Invalid input", f"Invalid input in processing status: {', '.join(bad)}")
    marketplace_ids = _id_list(request, "marketplaceIds")
    if len(marketplace_ids) > 10:
        raise invalid_input("Invalid input", "marketplaceIds accepts at most 10 marketplace ids")
    raw_size = request.query_params.get("pageSize", "10")
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100:
        raise invalid_input("Invalid input", "pageSize must be an integer from 1 to 100")
    since = request.query_params.get("createdSince")
    until = request.query_params.get("createdUntil")
    created_since = _parse_time(since, "createdSince") if since else now - timedelta(days=90)
    created_until = _parse_time(until, "createdUntil") if until else now
    return {
        "reportTypes": report_types,
        "processingStatuses": statuses,
        "marketplaceIds": marketplace_ids,
        "pageSize": int(raw_size),
        "createdSince": created_since.isoformat(),
        "createdUntil": created_until.isoformat(),
    }


@sp_api_operation("getReports")
async def get_reports(request: Request, state, account: str) -> Response:
    token = request.query_params.get("nextToken")
    if token is not None:
        others = [k for k in request.query_params if k != "nextToken"]
        if others:
            raise invalid_input(
                "Invalid input", f"nextToken must be the only parameter; remove {', '.join(sorted(set(others)))}"
            )
        query, offset = _decode_token(token)
    else:
        query, offset = _query_from_params(request, state.clock.now()), 0

    since, until = datetime.fromisoformat(query["createdSince"]), datetime.fromisoformat(query["createdUntil"])
    candidates = state.reports.search(account, query["reportTypes"], since, until)
    if SETTLEMENT_REPORT_TYPES & set(query["reportTypes"]):
        generated = [
            r for r in settlement_reports(state, account, since, until) if r.report_type in query["reportTypes"]
        ]
        # Newest first across both kinds; the sort is stable, so requested reports keep their order otherwise.
        candidates = sorted([*candidates, *generated], key=lambda r: r.created_time, reverse=True)
    matching = []
    for report in candidates:
        if query["marketplaceIds"] and not set(query["marketplaceIds"]) & set(report.marketplace_ids):
            continue
        report = await refresh(state, report)
        if query["processingStatuses"] and report.processing_status not in query["processingStatuses"]:
            continue
        matching.append(report)
    page = matching[offset : offset + query["pageSize"]]
    body: dict = {"reports": [r.to_api() for r in page]}
    if offset + query["pageSize"] < len(matching):
        body["nextToken"] = _encode_token(query, offset + query["pageSize"])
    return JSONResponse(body)


# --- getReport, cancelReport --------------------------------------------------------------------------------


def _find(state, account: str, report_id: str) -> ReportRecord:
    if not report_id.isdigit():
        raise invalid_input("Invalid input", f"Invalid reportId {report_id!r}")
    report = state.reports.get(account, report_id) or settlement_report(state, account, report_id)
    if report is None:
        raise not_found(f"Report {report_id} was not found")
    return report


@sp_api_operation("getReport")
async def get_report(request: Request, state, account: str) -> Response:
    report = await refresh(state, _find(state, account, request.path_params["report_id"]))
    return JSONResponse(report.to_api())


@sp_api_operation("cancelReport")
async def cancel_report(request: Request, state, account: str) -> Response:
    report = await refresh(state, _find(state, account, request.path_params["report_id"]))
    if report.processing_status != "IN_QUEUE":
        raise invalid_input(
            "Invalid input",
            f"Report {report.report_id} is {report.processing_status}; only IN_QUEUE reports can be cancelled",
        )
    report.processing_status = "CANCELLED"
    report.processing_end_time = state.clock.now()
    state.reports.save(report)
    return Response(status_code=200)


# --- getReportDocument ---------------------------------------------------------------------------------------


@sp_api_operation("getReportDocument")
async def get_report_document(request: Request, state, account: str) -> Response:
    document_id = request.path_params["document_id"]
    if not document_id.startswith("amzn1.spdoc."):
        raise invalid_input("Invalid input", f"Invalid reportDocumentId {document_id!r}")
    document = state.reports.document(document_id)
    # Settlement documents are built on first request, and again after one built under a document fault.
    if document is None or not document.path.exists() or built_under_fault(state, document_id):
        document = await settlement_report_document(state, account, document_id) or document
    if document is None or document.seller_account != account:
        raise not_found(f"Report document {document_id} was not found")
    gzip_header = request.query_params.get("enableContentEncodingUrlHeader", "false").lower() == "true"
    url = presigned_url(own_base_url(request, state.config.public_url), document_id, state.clock.now(), gzip_header)
    return JSONResponse({"reportDocumentId": document_id, "url": url, "compressionAlgorithm": "GZIP"})


routes = [
    Route(f"{BASE}/reports", create_report, methods=["POST"]),
    Route(f"{BASE}/reports", get_reports, methods=["GET"]),
    Route(f"{BASE}/reports/{{report_id}}", get_report, methods=["GET"]),
    Route(f"{BASE}/reports/{{report_id}}", cancel_report, methods=["DELETE"]),
    Route(f"{BASE}/documents/{{document_id}}", get_report_document, methods=["GET"]),
]
