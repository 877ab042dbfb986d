"""Project settings: `data/accounts.yaml` (seller accounts, storefronts, flow switches) and the environment.

One settings model for the whole project. Credentials never live in the file: each seller account names the
environment variables that hold them, and when none is set the project runs against the embedded sandbox.
"""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Where settings, the warehouse, landed reports and sandbox state live (AMAZON_NETSUITE_DATA_DIR overrides)."""
    return Path(os.environ.get("AMAZON_NETSUITE_DATA_DIR", PROJECT_ROOT / "data"))


Region = Literal["na", "eu", "fe"]

# Real SP-API hosts and the LWA token endpoint (amazon-facts §6). A settings file may override each one.
LIVE_SP_API_ENDPOINTS: dict[str, str] = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
LIVE_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"

# The sandbox accepts exactly these LWA credentials; the refresh token names the seller account.
SANDBOX_LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_LWA_CLIENT_SECRET = "amzn1.oa2-cs.v1.sandbox-secret"
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8765"


def sandbox_refresh_token(seller_account_key: str) -> str:
    """The refresh token the sandbox issues to a seller account of the settings file."""
    return f"Atzr|sandbox|{seller_account_key}"


class SettingsError(ValueError):
    """Settings that cannot be used; the message names the file, the path inside it and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(_Strict):
    """Names of the environment variables that hold one seller account's LWA credentials."""

    lwa_client_id_env: str
    lwa_client_secret_env: str
    refresh_token_env: str

    def env_names(self) -> list[str]:
        return [self.lwa_client_id_env, self.lwa_client_secret_env, self.refresh_token_env]


class Storefront(_Strict):
    """One seller account in one marketplace: the unit every domain asset is partitioned by."""

    key: str = Field(description="partition key, e.g. demo-US")
    marketplace_id: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    sales_channel: str = Field(description="the sales-channel value in order reports, e.g. Amazon.com")
    prices_include_vat: bool = False

    @field_validator("key")
    @classmethod
    def _partition_safe(cls, value: str) -> str:
        # Dagster static partition keys may not contain | , [ ] and we also use them in file names.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
            raise ValueError("storefront keys use letters, digits, '-' and '_' only (e.g. acme-US)")
        return value


class SellerAccount(_Strict):
    key: str
    seller_id: str
    region: Region
    credentials: Credentials
    storefronts: list[Storefront] = Field(min_length=1)

    @property
    def marketplace_ids(self) -> list[str]:
        return [s.marketplace_id for s in self.storefronts]


class Flows(_Strict):
    orders: bool = True
    settlements: bool = True


class Partitions(_Strict):
    start_date: date = date(2026, 10, 1)


class AmazonEndpoints(_Strict):
    """Optional overrides of the SP-API base URL per region and of the LWA token URL (live mode)."""

    sp_api: dict[Region, str] = Field(default_factory=dict)
    lwa_token_url: str | None = None


class NetSuiteCredentials(_Strict):
    """Names of the environment variables holding NetSuite credentials (OAuth 2.0 M2M first, TBA as legacy)."""

    client_id_env: str = "NETSUITE_CLIENT_ID"
    certificate_id_env: str = "NETSUITE_CERTIFICATE_ID"
    private_key_path_env: str = "NETSUITE_PRIVATE_KEY_PATH"
    consumer_key_env: str = "NETSUITE_CONSUMER_KEY"
    consumer_secret_env: str = "NETSUITE_CONSUMER_SECRET"
    token_id_env: str = "NETSUITE_TOKEN_ID"
    token_secret_env: str = "NETSUITE_TOKEN_SECRET"


class NetSuiteSettings(_Strict):
    """The one NetSuite account every storefront posts to."""

    account_id: str = Field("1234567_SB1", description="as NetSuite shows it, e.g. 1234567 or 1234567_SB1")
    auth: Literal["oauth2", "tba"] = "oauth2"
    credentials: NetSuiteCredentials = NetSuiteCredentials()
    concurrency_limit: int = Field(5, ge=1, description="share of the account's concurrency this integration uses")
    base_url: str | None = Field(None, description="override of https://<account>.suitetalk.api.netsuite.com")


# --- posting orders to NetSuite ------------------------------------------------------------------------------


def _external_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise ValueError(f"{value!r} is not a NetSuite external id (letters, digits, '_' and '-' only)")
    return value


def _custom_field(prefix: str) -> AfterValidator:
    def check(value: str) -> str:
        if not re.fullmatch(rf"{prefix}[a-z0-9_]+", value):
            raise ValueError(f"{value!r} is not a NetSuite custom field id ({prefix}…: lower-case letters, digits, '_')")
        return value

    return AfterValidator(check)


ExternalId = Annotated[str, AfterValidator(_external_id)]
SalesOrderStatus = Literal["pending_fulfillment", "pending_approval"]
# NetSuite's orderStatus ids for a new Sales Order (netsuite-facts §1b).
SALES_ORDER_STATUS_IDS: dict[str, str] = {"pending_fulfillment": "B", "pending_approval": "A"}
SKU_MAP_CSV_COLUMNS = ("sku", "item_external_id")


class ChannelField(_Strict):
    """A custom body field set on every transaction of a storefront, e.g. `custbody_amz_channel: Amazon.com`."""

    name: Annotated[str, _custom_field("custbody_")]
    value: str = Field(min_length=1)


class StorefrontPosting(_Strict):
    """Where one storefront's transactions go in NetSuite, each an external id. Unset fields take the defaults."""

    subsidiary: ExternalId | None = Field(None, description="default SUB-{region}")
    location: ExternalId | None = Field(None, description="of MFN/SFP Sales Orders; default WH-{region}")
    fba_location: ExternalId | None = Field(None, description="of FBA Cash Sales; default FBA-{region}")
    customer: ExternalId | None = Field(None, description="default AMZ-CUSTOMER-{storefront}")
    class_: ExternalId | None = Field(None, alias="class", description="the channel's class (classification)")
    department: ExternalId | None = None
    channel_field: ChannelField | None = None
    sales_order_status: SalesOrderStatus | None = None


class SfpSettings(_Strict):
    """Seller-Fulfilled Prime orders: Amazon already has their tracking, so they are marked in NetSuite and never
    confirmed back to Amazon (netsuite-facts §4.1)."""

    checkbox: Annotated[str, _custom_field("custbody_")] | None = Field(
        "custbody_amz_sfp", description="a checkbox body field set true on SFP Sales Orders; null sets none")
    memo_prefix: str = "[SFP] "


def read_sku_map_csv(path: Path) -> dict[str, str]:
    """SKU → NetSuite item external id from a CSV with the header `sku,item_external_id`."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ())[:2] != SKU_MAP_CSV_COLUMNS:
            raise ValueError(f"{path}: the header must start with {','.join(SKU_MAP_CSV_COLUMNS)}, "
                             f"found {','.join(reader.fieldnames or ['nothing'])}")
        mapping: dict[str, str] = {}
        for row in reader:
            sku, item = ((row.get(c) or "").strip() for c in SKU_MAP_CSV_COLUMNS)
            if not sku and not item:
                continue
            where = f"{path}: line {reader.line_num}"
            if not sku or not item:
                raise ValueError(f"{where}: both sku and item_external_id are needed")
            if sku in mapping:
                raise ValueError(f"{where}: SKU {sku!r} is mapped twice")
            mapping[sku] = _external_id(item)
    return mapping


class ItemLookup(_Strict):
    """How an Amazon SKU finds its NetSuite item: the item's external id is the SKU (default), a SKU map (inline
    and/or a CSV), or an item custom field holding the SKU (`custitem_…`, resolved by one SuiteQL query a run)."""

    by: Literal["external_id", "sku_map", "alias_field"] = "external_id"
    sku_map: dict[str, ExternalId] = Field(default_factory=dict, description="SKU → item external id")
    sku_map_csv: Path | None = Field(None, description="CSV `sku,item_external_id`; relative to the settings file")
    alias_field: Annotated[str, _custom_field("custitem_")] | None = None

    @field_validator("sku_map_csv")
    @classmethod
    def _readable_csv(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        base = (info.context or {}).get("settings_dir") or data_dir()
        path = value if value.is_absolute() else Path(base) / value
        if not path.is_file():
            raise ValueError(f"SKU map file {path} not found")
        read_sku_map_csv(path)  # fail at load, naming the line, rather than mid-run
        return path

    @model_validator(mode="after")
    def _consistent(self) -> "ItemLookup":
        if self.by == "alias_field" and not self.alias_field:
            raise ValueError("by: alias_field needs alias_field (the item custom field holding the SKU, custitem_…)")
        if self.by == "sku_map" and not (self.sku_map or self.sku_map_csv):
            raise ValueError("by: sku_map needs sku_map entries or sku_map_csv")
        if self.by != "sku_map" and (self.sku_map or self.sku_map_csv):
            raise ValueError(f"sku_map / sku_map_csv are set but by is {self.by!r}; set by: sku_map to use them")
        if self.by != "alias_field" and self.alias_field:
            raise ValueError(f"alias_field is set but by is {self.by!r}; set by: alias_field to use it")
        return self

    @cached_property
    def sku_map_table(self) -> dict[str, str]:
        """The SKU map in force: the CSV's rows, overridden by inline entries."""
        table = read_sku_map_csv(self.sku_map_csv) if self.sku_map_csv else {}
        return {**table, **self.sku_map}


class OrderPostingSettings(_Strict):
    """How orders become NetSuite transactions. The defaults are what the integration did before it had settings."""

    sales_order_status: SalesOrderStatus = "pending_fulfillment"
    promotion_item: ExternalId = Field("AMZ-PROMOTION", description="the Discount item promotions post against")
    facilitator_tax: Literal["omit", "post"] = Field(
        "omit", description="marketplace-facilitator tax: Amazon collects and remits it, so omitted by default")
    customer: Literal["per_storefront", "per_buyer"] = "per_storefront"
    items: ItemLookup = ItemLookup()
    sfp: SfpSettings = SfpSettings()
    storefronts: dict[str, StorefrontPosting] = Field(default_factory=dict, description="overrides by storefront key")


class Settings(_Strict):
    seller_accounts: list[SellerAccount] = Field(min_length=1)
    flows: Flows = Flows()
    partitions: Partitions = Partitions()
    amazon: AmazonEndpoints = AmazonEndpoints()
    netsuite: NetSuiteSettings = NetSuiteSettings()
    order_posting: OrderPostingSettings = OrderPostingSettings()
    allow_mixed_sandbox: bool = Field(False, description="let live Amazon post to the NetSuite sandbox, or the "
                                      "Amazon sandbox post to a live NetSuite account (refused otherwise)")

    @model_validator(mode="after")
    def _unique_keys(self) -> "Settings":
        for label, keys in (
            ("seller account key", [a.key for a in self.seller_accounts]),
            ("storefront key", [s.key for s in self.storefronts]),
            ("sales channel", [s.sales_channel for s in self.storefronts]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"duplicate {label}: {', '.join(dupes)}")
        unknown = sorted(set(self.order_posting.storefronts) - set(self.storefront_keys))
        if unknown:
            raise ValueError(f"order_posting.storefronts: {', '.join(unknown)} is not a storefront of this file "
                             f"(known: {', '.join(self.storefront_keys)})")
        return self

    @property
    def storefronts(self) -> list[Storefront]:
        return [s for a in self.seller_accounts for s in a.storefronts]

    @property
    def storefront_keys(self) -> list[str]:
        return [s.key for s in self.storefronts]

    def storefront(self, key: str) -> Storefront:
        for s in self.storefronts:
            if s.key == key:
                return s
        raise KeyError(f"storefront {key!r} is not in the settings file (known: {', '.join(self.storefront_keys)})")

    def account_of(self, storefront_key: str) -> SellerAccount:
        for a in self.seller_accounts:
            if any(s.key == storefront_key for s in a.storefronts):
                return a
        raise KeyError(f"storefront {storefront_key!r} is not in the settings file")

    def account(self, key: str) -> SellerAccount:
        for a in self.seller_accounts:
            if a.key == key:
                return a
        raise KeyError(f"seller account {key!r} is not in the settings file")

    @cached_property
    def storefront_by_sales_channel(self) -> dict[str, Storefront]:
        return {s.sales_channel.lower(): s for s in self.storefronts}

    def storefront_posting(self, key: str) -> StorefrontPosting:
        """The storefront's NetSuite targets with every default filled in (class, department and channel field
        stay None unless set)."""
        region = self.account_of(key).region
        given = self.order_posting.storefronts.get(key) or StorefrontPosting()
        return given.model_copy(update={
            "subsidiary": given.subsidiary or f"SUB-{region}",
            "location": given.location or f"WH-{region}",
            "fba_location": given.fba_location or f"FBA-{region}",
            "customer": given.customer or f"AMZ-CUSTOMER-{key}",
            "sales_order_status": given.sales_order_status or self.order_posting.sales_order_status,
        })


def settings_path() -> Path:
    return Path(os.environ.get("AMAZON_NETSUITE_ACCOUNTS", data_dir() / "accounts.yaml"))


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate the settings file; invalid settings raise SettingsError naming file, path and reason."""
    path = Path(path) if path else settings_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found (set AMAZON_NETSUITE_ACCOUNTS or create it)") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a mapping at the top level, found {type(raw).__name__}")
    try:
        return Settings.model_validate(raw, context={"settings_dir": path.parent})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"{path}: {where}: {err['msg']}")
        raise SettingsError("invalid settings\n" + "\n".join(problems)) from None


# --- environment -------------------------------------------------------------------------------------------


def warehouse_path() -> Path:
    """The one place that knows where the DuckDB warehouse lives."""
    return Path(os.environ.get("AMAZON_NETSUITE_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def sandbox_url() -> str:
    return os.environ.get("AMAZON_NETSUITE_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")


def sandbox_state_dir() -> Path:
    return Path(os.environ.get("AMAZON_NETSUITE_SANDBOX_DIR", data_dir() / "sandbox"))


class AmazonConnection(BaseModel):
    """Everything a client needs to talk to SP-API for one seller account, live or sandbox."""

    model_config = ConfigDict(frozen=True)

    seller_account: str
    endpoint: str
    lwa_token_url: str
    client_id: str
    client_secret: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    sandbox: bool


def _credentials_present(names: list[str], env, where: str) -> bool:
    """True when every named variable is set, False when none is; a partial set is an error naming the gaps."""
    present = [n for n in names if env.get(n)]
    if present and len(present) != len(names):
        missing = [n for n in names if not env.get(n)]
        raise SettingsError(
            f"{settings_path()}: {where}: {', '.join(present)} set but {', '.join(missing)} missing; "
            "set all or none"
        )
    return bool(present)


def is_sandbox_mode(settings: Settings, environ: dict[str, str] | None = None) -> bool:
    """Sandbox mode when no seller account has any credential set; partial credentials are an error, and so is
    Amazon on one side of the sandbox and NetSuite on the other (`check_one_world`)."""
    env = os.environ if environ is None else environ
    sandbox = _amazon_sandbox_mode(settings, env)
    check_one_world(settings, env, amazon_sandbox=sandbox)
    return sandbox


def _amazon_sandbox_mode(settings: Settings, env) -> bool:
    set_any = False
    for account in settings.seller_accounts:
        present = _credentials_present(
            account.credentials.env_names(), env, f"seller_accounts.{account.key}.credentials"
        )
        set_any = set_any or present
    if set_any:
        unset = [a.key for a in settings.seller_accounts if not env.get(a.credentials.refresh_token_env)]
        if unset:
            raise SettingsError(
                f"live mode: credentials are set for some seller accounts but not for {', '.join(unset)}; "
                "set them, or remove those accounts from the settings file"
            )
    return not set_any


def amazon_connection(settings: Settings, seller_account_key: str, environ: dict[str, str] | None = None) -> AmazonConnection:
    """Resolve the base URL, token URL and credentials of one seller account."""
    env = os.environ if environ is None else environ
    account = settings.account(seller_account_key)
    if is_sandbox_mode(settings, env):
        base = env.get("AMAZON_NETSUITE_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")
        return AmazonConnection(
            seller_account=account.key,
            endpoint=base,
            lwa_token_url=f"{base}/auth/o2/token",
            client_id=SANDBOX_LWA_CLIENT_ID,
            client_secret=SANDBOX_LWA_CLIENT_SECRET,
            refresh_token=sandbox_refresh_token(account.key),
            sandbox=True,
        )
    creds = account.credentials
    return AmazonConnection(
        seller_account=account.key,
        endpoint=settings.amazon.sp_api.get(account.region, LIVE_SP_API_ENDPOINTS[account.region]),
        lwa_token_url=settings.amazon.lwa_token_url or LIVE_LWA_TOKEN_URL,
        client_id=env[creds.lwa_client_id_env],
        client_secret=env[creds.lwa_client_secret_env],
        refresh_token=env[creds.refresh_token_env],
        sandbox=False,
    )


# --- NetSuite ------------------------------------------------------------------------------------------------

# The sandbox's OAuth 2.0 M2M identity: its key pair ships with the sandbox (a test key, never a real one).
SANDBOX_NETSUITE_CLIENT_ID = "sandbox-netsuite-integration"
SANDBOX_NETSUITE_CERTIFICATE_ID = "sandbox-m2m-certificate"
SANDBOX_NETSUITE_PRIVATE_KEY = PROJECT_ROOT / "amazon_netsuite" / "sandbox" / "netsuite" / "m2m_private_key.pem"
# The sandbox's Token-Based Auth (OAuth 1.0a) identity: an integration record's consumer key/secret and one access
# token. Sandbox-only values, like the M2M key; they authenticate against nothing real.
SANDBOX_NETSUITE_CONSUMER_KEY = "sandbox-tba-consumer-key"
SANDBOX_NETSUITE_CONSUMER_SECRET = "sandbox-tba-consumer-secret"
SANDBOX_NETSUITE_TOKEN_ID = "sandbox-tba-token-id"
SANDBOX_NETSUITE_TOKEN_SECRET = "sandbox-tba-token-secret"


class NetSuiteConnection(BaseModel):
    """Everything the NetSuite client needs: base URL, token URL, realm and credentials, live or sandbox."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    realm: str  # TBA realm: account id upper-case with underscore (1234567_SB1)
    base_url: str  # ends before /services/rest
    token_url: str
    auth: Literal["oauth2", "tba"]
    client_id: str | None = None
    certificate_id: str | None = None
    private_key_pem: str | None = Field(None, repr=False)
    consumer_key: str | None = None
    consumer_secret: str | None = Field(None, repr=False)
    token_id: str | None = None
    token_secret: str | None = Field(None, repr=False)
    concurrency_limit: int = 5
    sandbox: bool

    @property
    def ledger_account(self) -> str:
        """The account the posting ledger files records under: the realm (`1234567_SB1`), or `sandbox`. A record
        posted to one account is not posted in another, so switching accounts posts everything again."""
        return "sandbox" if self.sandbox else self.realm


def netsuite_host(account_id: str) -> str:
    """`1234567_SB1` → `https://1234567-sb1.suitetalk.api.netsuite.com` (host lower-case with a hyphen)."""
    return f"https://{account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"


def _netsuite_credential_names(settings: Settings) -> list[str]:
    creds = settings.netsuite.credentials
    if settings.netsuite.auth == "oauth2":
        return [creds.client_id_env, creds.certificate_id_env, creds.private_key_path_env]
    return [creds.consumer_key_env, creds.consumer_secret_env, creds.token_id_env, creds.token_secret_env]


def _netsuite_live(settings: Settings, env) -> bool:
    return _credentials_present(_netsuite_credential_names(settings), env,
                                f"netsuite.credentials ({settings.netsuite.auth})")


def check_one_world(settings: Settings, environ: dict[str, str] | None = None, *,
                    amazon_sandbox: bool | None = None) -> None:
    """Refuse live Amazon with the NetSuite sandbox (real orders would post to loopback and the ledger would call
    them posted) and the Amazon sandbox with a live NetSuite account (generated orders would post to the real
    books), unless the settings say `allow_mixed_sandbox: true`."""
    env = os.environ if environ is None else environ
    if settings.allow_mixed_sandbox:
        return
    amazon_sandbox = _amazon_sandbox_mode(settings, env) if amazon_sandbox is None else amazon_sandbox
    netsuite_live = _netsuite_live(settings, env)
    if not amazon_sandbox and not netsuite_live:
        live = ", ".join(a.key for a in settings.seller_accounts)
        raise SettingsError(
            f"{settings_path()}: live Amazon credentials are set (seller accounts {live}) but no NetSuite "
            f"credentials ({', '.join(_netsuite_credential_names(settings))} for netsuite.auth "
            f"{settings.netsuite.auth}): real orders would be posted to the loopback NetSuite sandbox and recorded "
            "as posted. Set the NetSuite credentials, or set `allow_mixed_sandbox: true` in the settings file to "
            "post to the sandbox on purpose.")
    if amazon_sandbox and netsuite_live:
        names = settings.seller_accounts[0].credentials.env_names()
        raise SettingsError(
            f"{settings_path()}: NetSuite credentials are set (account {settings.netsuite.account_id}) but no seller "
            f"account has Amazon credentials (e.g. {', '.join(names)}): the sandbox's generated orders would be "
            "posted to that NetSuite account. Set the seller accounts' credentials, or set "
            "`allow_mixed_sandbox: true` in the settings file to post sandbox orders there on purpose.")


def netsuite_connection(settings: Settings, environ: dict[str, str] | None = None) -> NetSuiteConnection:
    """Live when the credentials of the configured auth method are in the environment, else the sandbox; a live
    side facing a sandbox side is refused (`check_one_world`)."""
    env = os.environ if environ is None else environ
    ns = settings.netsuite
    creds = ns.credentials
    check_one_world(settings, env)
    if not _netsuite_live(settings, env):
        base = env.get("AMAZON_NETSUITE_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")
        return NetSuiteConnection(
            account_id=ns.account_id,
            realm=ns.account_id.upper(),
            base_url=base,
            token_url=f"{base}/services/rest/auth/oauth2/v1/token",
            auth="oauth2",
            client_id=SANDBOX_NETSUITE_CLIENT_ID,
            certificate_id=SANDBOX_NETSUITE_CERTIFICATE_ID,
            private_key_pem=SANDBOX_NETSUITE_PRIVATE_KEY.read_text() if SANDBOX_NETSUITE_PRIVATE_KEY.exists() else None,
            concurrency_limit=ns.concurrency_limit,
            sandbox=True,
        )
    base = (ns.base_url or netsuite_host(ns.account_id)).rstrip("/")
    common = dict(
        account_id=ns.account_id,
        realm=ns.account_id.upper(),
        base_url=base,
        token_url=f"{base}/services/rest/auth/oauth2/v1/token",
        auth=ns.auth,
        concurrency_limit=ns.concurrency_limit,
        sandbox=False,
    )
    if ns.auth == "oauth2":
        return NetSuiteConnection(
            **common,
            client_id=env[creds.client_id_env],
            certificate_id=env[creds.certificate_id_env],
            private_key_pem=Path(env[creds.private_key_path_env]).read_text(),
        )
    return NetSuiteConnection(
        **common,
        consumer_key=env[creds.consumer_key_env],
        consumer_secret=env[creds.consumer_secret_env],
        token_id=env[creds.token_id_env],
        token_secret=env[creds.token_secret_env],
    )
