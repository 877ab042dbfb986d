"""How a sandbox is started: world size, seed, clock, report timing, rate-limit scale and fault knobs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from amazon_netsuite.lib.settings import Settings


class Faults(BaseModel):
    """Fault knobs. Rates are probabilities per request (or per report / per row); 0 turns a fault off."""

    model_config = ConfigDict(extra="forbid")

    throttle_rate: float = Field(0.0, ge=0, le=1, description="extra 429 QuotaExceeded on SP-API calls")
    error_rate: float = Field(0.0, ge=0, le=1, description="500 InternalFailure / 503 ServiceUnavailable")
    latency_ms: int = Field(0, ge=0, description="added to every SP-API call")
    timeout_rate: float = Field(0.0, ge=0, le=1, description="calls that hang for timeout_seconds, then 503")
    timeout_seconds: float = Field(30.0, ge=0)
    fatal_reports: float = Field(0.0, ge=0, le=1, description="probability that a new report ends FATAL")
    fatal_next: int = Field(0, ge=0, description="the next N new reports end FATAL")
    cancelled_reports: float = Field(0.0, ge=0, le=1, description="probability that a new report ends CANCELLED")
    cancelled_next: int = Field(0, ge=0, description="the next N new reports end CANCELLED")
    slow_next: int = Field(0, ge=0, description="the next N new reports take slow_report_seconds to finish")
    slow_report_seconds: float = Field(
        3600.0, ge=0, description="time a slow report spends IN_QUEUE + IN_PROGRESS; lower it to let them finish")
    fatal_feeds_next: int = Field(
        0, ge=0, description="the next N new feeds end FATAL after applying their first half, with no result document")
    malformed_rows: float = Field(0.0, ge=0, le=1, description="share of report rows made unparseable")
    truncated_documents: float = Field(0.0, ge=0, le=1, description="report documents cut off mid-gzip")
    wrong_charset_documents: float = Field(0.0, ge=0, le=1, description="documents in UTF-8 labelled Cp1252")
    netsuite_invalid_login_next: int = Field(
        0, ge=0, description="the next N NetSuite record/SuiteQL calls get 401 INVALID_LOGIN; their bearer token is revoked")
    netsuite_invalid_login: bool = Field(
        False, description="every NetSuite record/SuiteQL call (401 INVALID_LOGIN) and token request (invalid_grant) refused")
    vendor_transactions_stuck_next: int = Field(
        0, ge=0, description="the next N vendor acknowledgement transactions stay Processing forever")


def parse_faults(text: str) -> Faults:
    """Faults from a command-line value: a JSON object or `key=value,key=value`."""
    text = text.strip()
    if not text:
        return Faults()
    if text.startswith("{"):
        return Faults.model_validate(json.loads(text))
    pairs = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"fault {part!r} is not key=value (e.g. throttle_rate=0.1)")
        pairs[key.strip()] = value.strip()
    return Faults.model_validate(pairs)


class VendorAccount(BaseModel):
    """A Vendor Central account the sandbox serves (sandbox side only): its LWA key, the vendor code Amazon puts in
    `sellingParty.partyId`, its Direct Fulfillment warehouse and how many orders the world gives it a day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = "demo-vendor"
    vendor_code: str = Field("DEMOV", pattern=r"^[A-Z0-9]{3,10}$")
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    warehouse_id: str = Field("DEMOWH1", description="the DF shipFromParty.partyId")
    purchase_orders_per_day: int = Field(4, ge=0)
    direct_fulfillment_orders_per_day: int = Field(6, ge=0)


class SandboxConfig(BaseModel):
    """Everything `create_app` needs. The world is regenerated from `seed`; reports persist under `state_dir`."""

    settings: Settings
    state_dir: Path
    seed: int = 7
    orders_per_day: int = Field(100, ge=0)
    history_days: int = Field(14, ge=0)
    clock: datetime | None = Field(None, description="None = real UTC time; an aware datetime freezes the clock")
    report_delay_seconds: float = Field(2.0, ge=0, description="time a report spends IN_QUEUE + IN_PROGRESS")
    rate_scale: float = Field(1.0, gt=0, description="multiplies every usage-plan refill rate")
    faults: Faults = Field(default_factory=Faults)
    netsuite_concurrency_limit: int = Field(5, ge=1, description="NetSuite requests in flight before 429")
    netsuite_latency_ms: int = Field(0, ge=0, description="added to every NetSuite record and SuiteQL call")
    fba_next_token_seconds: float = Field(30.0, gt=0, description="wall-clock life of an FBA Inventory nextToken")
    fba_page_size: int = Field(50, ge=1, description="inventory summaries per page (Amazon's size not documented)")
    finances_page_size: int = Field(500, ge=1, le=500, description="listTransactions per page (Amazon: at most 500)")
    vendor_accounts: list[VendorAccount] = Field(default_factory=lambda: [VendorAccount()])
    vendor_transaction_seconds: float = Field(
        60.0, ge=0, description="world-clock seconds a vendor acknowledgement transaction stays Processing")
    public_url: str | None = Field(None, description="base URL of the document links it hands out; default: the "
                                   "address the request reached, never the request's Host header")

    @model_validator(mode="before")
    @classmethod
    def _vendor_accounts_of_settings(cls, data):
        """The settings' vendor accounts are the ones served (with the world's defaults), unless given here."""
        if isinstance(data, dict) and "vendor_accounts" not in data:
            settings = data.get("settings")
            accounts = getattr(settings, "vendor_accounts", None)
            if accounts:
                data = {**data, "vendor_accounts": [VendorAccount(key=v.key, vendor_code=v.vendor_code,
                                                                  currency=v.currency) for v in accounts]}
        return data

    @model_validator(mode="after")
    def _vendor_keys(self) -> "SandboxConfig":
        keys = [a.key for a in self.settings.seller_accounts] + [v.key for v in self.vendor_accounts]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"account keys must be unique across seller and vendor accounts: {', '.join(dupes)}")
        return self

    @field_validator("clock")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("clock must be timezone-aware (e.g. 2026-11-20T12:00:00+00:00)")
        return value.astimezone(timezone.utc) if value is not None else None
